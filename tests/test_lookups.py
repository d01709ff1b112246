"""Lookups in article graphs handed on by a build give what the same lookups in the store give."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from kg.lookups import Lookups, by_subject, text_value, value_of
from kg.store import OxigraphStore
from kg.vocab import IRIs

B = "https://w3id.org/opskg/id/"
IRIS = IRIs(B)
OPS = "https://w3id.org/opskg/ontology#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS_ALT = "http://www.w3.org/2004/02/skos/core#altLabel"
TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def _graphs() -> dict[str, list[ox.Quad]]:
    """Two article graphs and a derived one, with names that need escapes, typed and tagged literals."""
    out: dict[str, list[ox.Quad]] = {}
    for k, names in enumerate([['Omar "the Tall" al-Varani', "Salim\\Hadi", "Zorin\nBrigade"],
                               ["Omar al-Varani", "Dasra"]]):
        graph = ox.NamedNode(f"{B}article/a{k}")
        decimal = ox.Literal("1.00", datatype=ox.NamedNode(f"{XSD}decimal"))
        quads = [ox.Quad(graph, ox.NamedNode(f"{OPS}certainty"), decimal, graph)]
        for i, name in enumerate(names):
            entity = ox.NamedNode(f"{B}person/p{k}-{i}")
            quads += [ox.Quad(entity, ox.NamedNode(TYPE), ox.NamedNode(f"{OPS}Person"), graph),
                      ox.Quad(entity, ox.NamedNode(SKOS_ALT), ox.Literal(name), graph),
                      ox.Quad(entity, ox.NamedNode(SKOS_ALT), ox.Literal(name, language="ar"), graph),
                      ox.Quad(entity, ox.NamedNode(TYPE), ox.NamedNode(f"{OPS}Location"), graph),
                      ox.Quad(entity, ox.NamedNode(f"{OPS}qualifier"), ox.Literal("near" if i else "reported"), graph)]
        out[graph.value] = quads
    derived = ox.NamedNode(str(IRIS.canonical_graph))
    out[derived.value] = [ox.Quad(ox.NamedNode(f"{B}person/x"), ox.NamedNode(SKOS_ALT), ox.Literal("X"), derived)]
    return out


@pytest.mark.parametrize("handed", [["a0", "a1"], ["a1"]], ids=["every article", "one of two"])
def test_lookups_in_handed_graphs_are_those_in_the_store(handed: list[str]) -> None:
    store = OxigraphStore(None)
    graphs = _graphs()
    store.put_graphs(graphs)
    texts: dict[str, str] = {}
    given = {f"{B}article/{a}": store.as_read(graphs[f"{B}article/{a}"], texts) for a in handed}
    stored, memory = Lookups(store, IRIS), Lookups(store, IRIS, given)
    articles = [f"{B}article/a0", f"{B}article/a1"]
    for predicate, obj in [(SKOS_ALT, None), (TYPE, f"<{OPS}Person>"), (f"{OPS}qualifier", '"near"'),
                           (f"{OPS}certainty", None), (f"{OPS}none", None)]:
        for chosen in (None, articles, articles[1:]):
            assert sorted(memory.values(predicate, obj, chosen)) == sorted(stored.values(predicate, obj, chosen))
            assert by_subject(memory, predicate, obj, chosen) == by_subject(stored, predicate, obj, chosen)
    assert {v for _s, v, _g in memory.values(SKOS_ALT)} >= {'Omar "the Tall" al-Varani', "Salim\\Hadi",
                                                            "Zorin\nBrigade", "Omar al-Varani"}
    assert "X" not in {v for _s, v, _g in memory.values(SKOS_ALT)}  # the article graphs' only
    for article in articles:
        assert sorted(memory.about(f"{B}person/p1-0", article)) == sorted(stored.about(f"{B}person/p1-0", article))


def test_a_term_written_in_n_triples_has_the_value_pyoxigraph_gives_it() -> None:
    for term in [ox.NamedNode("http://e/a"), ox.BlankNode("b1"), ox.Literal("plain"), ox.Literal('say "x" \\ y\n'),
                 ox.Literal("tagged", language="en-GB"), ox.Literal("2019-10-27", datatype=ox.NamedNode(f"{XSD}date")),
                 ox.Literal('a "quoted" date', datatype=ox.NamedNode(f"{XSD}date")), ox.Literal("tab\there")]:
        assert text_value(str(term)) == value_of(term)
