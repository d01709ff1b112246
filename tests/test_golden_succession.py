"""Golden files for succession statements: invented articles through the real pipeline, compared with
hand-written tenure-level facts.

In the style of ``tests/golden/events/``, each case is a folder of ``tests/golden/succession/``:

- ``article.txt``: an invented news article about a change of leader, commander or head of government,
  optionally opening with a ``date YYYY-MM-DD`` line; people are made up, known places and groups come
  from the test gazetteer (``tests/data/gazetteer/``);
- ``expected.ttl``: what the article says about who followed whom, written by hand from the text: the
  ``ops:follows`` (directly) and ``ops:comesAfter`` (not necessarily directly) links between tenures,
  each tenure's ``ops:holder`` and ``ops:ofRole``, and ``ops:startDate`` where the text gives one.

The article is parsed, extracted (:func:`kg.extract.extract`) and turned into its article graph
(:func:`kg.rdf.article_graph`); the test keeps those triples and compares them with ``expected.ttl``.
Tenure and role IRIs are readable (no hashes), so the graphs are compared as sets.

A case where the program disagrees with a correct expectation stays as written and is listed in
``XFAIL`` with the reason.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, URIRef

from kg.extract import extract
from kg.rdf import article_graph
from kg.vocab import OPS, IRIs
from tests.extraction_support import expected, gazetteer, golden_cases, golden_params, parse, read_case

pytestmark = pytest.mark.slow

BASE = "https://example.org/id/"
IRIS = IRIs(BASE)
LINKS = {OPS.follows, OPS.comesAfter}
KEPT = LINKS | {OPS.holder, OPS.ofRole, OPS.startDate}

#: Cases whose correct expectation the program does not meet yet, with the reason.
XFAIL: dict[str, str] = {}

CASES = golden_cases("succession")


def build(case: Path) -> Graph:
    """The succession links of the article, with the holder, role and start of every linked tenure."""
    article = read_case(case)
    graph = article_graph(extract(parse(article.text), article, gazetteer()), IRIS)
    linked = {t for s, p, o in graph if p in LINKS for t in (s, o)}
    kept = Graph()
    for s, p, o in graph:
        if p in LINKS or (p in KEPT and s in linked):
            kept.add((s, p, o))
    return kept


def _lines(graph: Graph, namespaces: Graph) -> set[str]:
    nm = namespaces.namespace_manager
    return {f"{s.n3(nm)} {p.n3(nm)} {o.n3(nm)}" for s, p, o in graph}


def test_there_are_golden_cases() -> None:
    assert len(CASES) >= 4
    for case in CASES:
        graph = expected(case)
        assert set(graph.predicates(None, None)) <= KEPT, case.name
        assert any(p in LINKS for p in graph.predicates(None, None)), case.name
        named = {s for s in graph.subjects() if isinstance(s, URIRef)}
        assert all(str(s).startswith(BASE) for s in named), case.name
        assert 80 <= len(read_case(case).text.split()) <= 250, case.name


@pytest.mark.parametrize("case", golden_params(CASES, XFAIL))
def test_golden_succession(case: Path) -> None:
    actual, wanted = build(case), expected(case)
    got, want = _lines(actual, wanted), _lines(wanted, wanted)
    if got != want:
        message = (f"{case.name}: the extraction differs from expected.ttl\n"
                   "  expected, not produced:\n" + "\n".join(f"    {x}" for x in sorted(want - got)) +
                   "\n  produced, not expected:\n" + "\n".join(f"    {x}" for x in sorted(got - want)))
        print(message)
        pytest.fail(message, pytrace=False)
