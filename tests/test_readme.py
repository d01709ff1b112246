"""The README's SPARQL examples run on the seeds' graph and print exactly the output shown."""

from __future__ import annotations

import re

import pytest

from kg.config import Settings
from kg.query import run_query
from kg.store import OxigraphStore
from kg.vocab import IRIs
from tests.conftest import ROOT

pytestmark = pytest.mark.slow


def examples() -> list[tuple[str, str]]:
    """(query, shown output) for every ```sparql block followed by an indented output block."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    found = []
    for match in re.finditer(r"```sparql\n(.*?)```\n\n((?:    [^\n]*\n)+)", text, re.S):
        output = "\n".join(line[4:] for line in match.group(2).splitlines())
        found.append((match.group(1), output.rstrip()))
    return found


def test_the_readme_has_examples_with_outputs() -> None:
    queries = examples()
    assert len(queries) >= 4
    assert "succession" in (ROOT / "README.md").read_text(encoding="utf-8").split("### ")[1].lower()


@pytest.mark.parametrize(("query", "shown"), examples(), ids=lambda v: v.splitlines()[0][:40] if "\n" in v else v)
def test_readme_example_output_is_real(seeds_store: OxigraphStore, query: str, shown: str) -> None:
    """Run as ``kg query`` runs it: over the knowledge graph (the served default graph)."""
    served = [*IRIs(Settings().base).served_graphs, ""]
    assert run_query(seeds_store, query, "table", served).rstrip() == shown


def test_readme_examples_need_no_distinct_or_sample() -> None:
    """Each example is as short as its question: one resource per real-world thing, so no query
    deduplicates or picks one of several values."""
    for query, _shown in examples():
        assert not re.search(r"\b(DISTINCT|SAMPLE)\b", query, re.I), query.splitlines()[0]
