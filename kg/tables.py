"""The shipped data tables: tab-separated, a header line, ``#`` comments, ``|``-separated lists.

One reader for every table under ``kg/data`` (the gazetteer's places, sites, organizations and
identifiers, the people table, demonyms, capitals), so that they all follow the same format.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path


def read_rows(path: Path) -> Iterator[dict[str, str]]:
    """The rows of a table, blank lines and ``#`` comment lines skipped; cells stripped, a missing
    cell empty. ``OSError`` and ``csv.Error`` are the caller's to turn into an installation error."""
    with path.open(encoding="utf-8", newline="") as handle:
        lines = (line for line in handle if line.strip() and not line.startswith("#"))
        for row in csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE):
            yield {key: (value or "").strip() for key, value in row.items() if key is not None}


def split_list(cell: str | None) -> tuple[str, ...]:
    """A ``|``-separated cell: ``"Atma|Al-Atma"`` -> ``("Atma", "Al-Atma")``."""
    return tuple(item.strip() for item in (cell or "").split("|") if item.strip())
