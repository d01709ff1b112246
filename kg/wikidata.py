"""Wikidata identifiers of well-known actors: their form, their IRIs and the sourced tables that hold them.

opskg never looks Wikidata up: the identifiers come from two hand-checked tables shipped with the
gazetteer (``kg/data/gazetteer/organization_ids.tsv`` keyed by organization name, ``people.tsv`` for
people; see the README there), each row with the URL or repository path where the identifier was
seen. An entity that is one of these actors carries the item's IRI as ``skos:exactMatch``; identity
within opskg stays ``owl:sameAs``.
"""

from __future__ import annotations

import re
from pathlib import Path

from kg.tables import read_rows

#: Wikidata's entity namespace: ``Q42`` is ``http://www.wikidata.org/entity/Q42``.
ENTITY = "http://www.wikidata.org/entity/"
#: The form of an item identifier.
QID = re.compile(r"^Q[1-9][0-9]*$")
#: The table of organizations' identifiers, beside ``organizations.tsv``.
ORGANIZATION_IDS = "organization_ids.tsv"
#: The table of well-known people.
PEOPLE = "people.tsv"


def iri(qid: str) -> str:
    """``"Q42"`` -> ``"http://www.wikidata.org/entity/Q42"``; anything not an item identifier is refused."""
    if not QID.match(qid):
        raise ValueError(f"not a Wikidata item identifier: {qid!r}")
    return ENTITY + qid


def organization_ids(folder: Path) -> dict[str, str]:
    """Organization name -> Wikidata identifier, from ``organization_ids.tsv`` in ``folder`` (empty when
    the folder has no such table, as a test gazetteer may not)."""
    path = folder / ORGANIZATION_IDS
    if not path.exists():
        return {}
    ids = {row["name"]: row["wikidata"] for row in read_rows(path) if row.get("wikidata")}
    for qid in ids.values():
        iri(qid)  # a malformed identifier is refused when the table is read, not mid-build
    return ids
