"""Golden files for the events layer: invented articles through the real pipeline, compared with
hand-written operation-level facts.

In the style of ``tests/golden/entities/``, each case is a folder of ``tests/golden/events/``:

- ``article.txt``: an invented news article, optionally opening with the seed corpus's
  ``date YYYY-MM-DD`` line (its publication date); people and villages are made up, known places
  and groups come from the test gazetteer (``tests/data/gazetteer/``);
- ``expected.ttl``: the operation-level facts the article states, written by hand from the text.

The article is parsed, extracted (:func:`kg.extract.extract`) and turned into its article graph
(:func:`kg.rdf.article_graph`). The test keeps the operation-level triples: each operation's
``rdf:type`` and ``ops:tookPlaceIn``, ``ops:conductedBy``, ``ops:date``, ``ops:dateExpression``; who
was ``ops:killedIn``, ``ops:targetedIn``, ``ops:woundedIn`` or ``ops:detainedIn`` it; and for unnamed
participants their ``rdf:type`` and ``ops:count``. Operation and unnamed-person IRIs contain hashes,
so they are replaced by blank nodes, and the graphs are compared by isomorphism.

A case where the program disagrees with a correct expectation stays as written and is listed in
``XFAIL`` with the reason.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import BNode, Graph, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF
from rdflib.term import Node

from kg.extract import extract
from kg.model import Extraction
from kg.rdf import article_graph
from kg.vocab import OPS, IRIs
from tests.extraction_support import expected, gazetteer, golden_cases, golden_params, parse, read_case

pytestmark = pytest.mark.slow

BASE = "https://example.org/id/"
IRIS = IRIs(BASE)

OPERATION_CLASSES = {OPS[c] for c in ("Operation", "Raid", "HelicopterRaid", "AirStrike", "DroneStrike")}
PARTICIPATION = {OPS.killedIn, OPS.targetedIn, OPS.woundedIn, OPS.detainedIn}
OPERATION_PREDICATES = {OPS.tookPlaceIn, OPS.conductedBy, OPS.date, OPS.dateExpression}
KEPT_PREDICATES = PARTICIPATION | OPERATION_PREDICATES | {RDF.type, OPS["count"]}

#: Cases whose correct expectation the program does not meet yet, with the reason.
XFAIL: dict[str, str] = {}

CASES = golden_cases("events")


def operation_level(extraction: Extraction, graph: Graph) -> Graph:
    """The operation-level triples, with operation and unnamed-person IRIs as blank nodes."""
    operations = {IRIS.entity("Operation", e.ref.key) for e in extraction.entities if e.ref.cls == "Operation"}
    unnamed = {IRIS.entity("Person", e.ref.key) for e in extraction.entities if e.ref.cls == "Person" and not e.name}
    blank = {iri: BNode(f"n{i}") for i, iri in enumerate(sorted(operations | unnamed))}
    kept = Graph()
    for s, p, o in graph:
        keep = (s in operations and ((p == RDF.type and o in OPERATION_CLASSES) or p in OPERATION_PREDICATES)) \
            or (p in PARTICIPATION and o in operations) \
            or (s in unnamed and (p == OPS["count"] or (p == RDF.type and o == OPS.Person)))
        if keep:
            kept.add((blank.get(s, s), p, blank.get(o, o)))  # type: ignore[arg-type]
    return kept


def build(case: Path) -> Graph:
    article = read_case(case)
    extraction = extract(parse(article.text), article, gazetteer())
    return operation_level(extraction, article_graph(extraction, IRIS))


def _readable(graph: Graph, namespaces: Graph) -> set[str]:
    """The triples as lines, each blank node named by what it is: ``[DroneStrike abu-zahra 2023-06-13]``
    for an operation, ``[unnamed x2]`` for an unnamed person (for messages only)."""
    nm = namespaces.namespace_manager

    def local(node: Node | None) -> str:
        return str(node).rsplit("/", 1)[-1].rsplit("#", 1)[-1] if node is not None else "-"

    def name(node: Node) -> str:
        if not isinstance(node, BNode):
            return node.n3(nm)
        kinds = sorted(local(k) for k in graph.objects(node, RDF.type) if k not in (OPS.Operation, OPS.Person))
        if kinds:
            when = graph.value(node, OPS.date) or graph.value(node, OPS.dateExpression)
            return f"[{' '.join(kinds)} {local(graph.value(node, OPS.tookPlaceIn))} {when or '-'}]"
        return f"[unnamed x{graph.value(node, OPS['count']) or 1}]"

    return {f"{name(s)} {p.n3(nm)} {name(o)}" for s, p, o in graph}


def _lines(rows: set[str]) -> str:
    return "\n".join(f"    {row}" for row in sorted(rows)) or "    (none)"


def test_there_are_golden_cases() -> None:
    assert len(CASES) >= 2
    for case in CASES:
        article = read_case(case)
        assert 120 <= len(article.text.split()) <= 250, case.name
        graph = expected(case)
        assert len(graph) > 10, case.name
        assert set(graph.predicates()) <= KEPT_PREDICATES, case.name
        operations = set(graph.subjects(RDF.type, OPS.Operation))
        assert len(operations) >= 2 and all(isinstance(op, BNode) for op in operations), case.name
        assert set(graph.objects(None, OPS.killedIn)) <= operations, case.name
        named = {s for s in graph.subjects() if isinstance(s, URIRef)}
        assert all(str(s).startswith(BASE) for s in named), case.name
    assert any(read_case(c).published for c in CASES) and any(not read_case(c).published for c in CASES)


@pytest.mark.parametrize("case", golden_params(CASES, XFAIL))
def test_golden_events(case: Path) -> None:
    actual, wanted = build(case), expected(case)
    if not isomorphic(actual, wanted):
        got, want = _readable(actual, wanted), _readable(wanted, wanted)
        message = (f"{case.name}: the extraction differs from expected.ttl\n"
                   f"  expected, not produced:\n{_lines(want - got)}\n"
                   f"  produced, not expected:\n{_lines(got - want)}")
        print(message)
        pytest.fail(message, pytrace=False)
