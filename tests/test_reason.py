"""Reasoning: each axiom the ontology relies on, equivalence with owlrl, inconsistencies."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, XSD

from kg import derive, reason, reason_delta, synthetic
from kg.cli import cli
from kg.model import Article, Entity, EntityRef, Extraction, Fact, Mention, Span
from kg.ontology import ontology_graph
from kg.rdf import article_graph
from kg.store import open_store
from kg.vocab import OPS, IRIs

BASE = "https://example.org/id/"
P = {name: URIRef(f"{BASE}{name}") for name in (
    "khalid", "khaled", "raid", "village", "district", "province", "country", "group", "role", "strike")}


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return ontology_graph()


def infer(ontology: Graph, *triples: tuple) -> Graph:  # type: ignore[type-arg]
    g = Graph()
    for t in triples:
        g.add(t)
    return reason.infer(g, ontology, BASE)


def test_inverse_properties(ontology: Graph) -> None:
    out = infer(ontology, (P["khalid"], OPS.killedIn, P["raid"]))
    assert (P["raid"], OPS.killed, P["khalid"]) in out


def test_containment_is_transitive_and_operations_are_found_in_their_country(ontology: Graph) -> None:
    out = infer(ontology,
                (P["raid"], OPS.tookPlaceIn, P["village"]),
                (P["village"], OPS.locatedIn, P["district"]),
                (P["district"], OPS.locatedIn, P["province"]),
                (P["province"], OPS.locatedIn, P["country"]))
    assert (P["village"], OPS.locatedIn, P["country"]) in out
    assert (P["raid"], OPS.tookPlaceWithin, P["country"]) in out  # the property chain on an operation's place
    assert (P["raid"], OPS.tookPlaceWithin, P["village"]) in out  # tookPlaceIn is a sub-property
    assert (P["country"], OPS.contains, P["village"]) in out


def test_types_from_domains_ranges_and_subclasses(ontology: Graph) -> None:
    out = infer(ontology, (P["khalid"], OPS.killedIn, P["strike"]), (P["strike"], RDF.type, OPS.DroneStrike))
    assert (P["khalid"], RDF.type, OPS.Person) in out  # domain
    assert (P["strike"], RDF.type, OPS.Operation) in out  # range, and DroneStrike < AirStrike < Operation
    assert (P["strike"], RDF.type, OPS.AirStrike) in out
    assert (P["khalid"], RDF.type, URIRef("http://xmlns.com/foaf/0.1/Person")) in out  # alignment


def test_place_of_death_chain(ontology: Graph) -> None:
    out = infer(ontology,
                (P["khalid"], OPS.killedIn, P["raid"]),
                (P["raid"], OPS.tookPlaceIn, P["village"]),
                (P["village"], OPS.locatedIn, P["province"]))
    assert (P["khalid"], OPS.diedIn, P["village"]) in out
    assert (P["khalid"], OPS.diedWithin, P["province"]) in out


def test_operations_against_a_group_through_membership(ontology: Graph) -> None:
    out = infer(ontology, (P["khalid"], OPS.targetedIn, P["raid"]), (P["khalid"], OPS.memberOf, P["group"]))
    assert (P["raid"], OPS.operationAgainst, P["group"]) in out


def test_same_as_propagates_facts_both_ways(ontology: Graph) -> None:
    out = infer(ontology, (P["khalid"], OWL.sameAs, P["khaled"]), (P["khaled"], OPS.killedIn, P["raid"]),
                (P["khalid"], OPS.holdsRole, P["role"]))
    assert (P["khalid"], OPS.killedIn, P["raid"]) in out
    assert (P["khaled"], OPS.holdsRole, P["role"]) in out
    assert (P["raid"], OPS.killed, P["khalid"]) in out
    assert (P["khaled"], OWL.sameAs, P["khalid"]) in out
    assert not any(s == o for s, p, o in out.triples((None, OWL.sameAs, None)))


def test_disjoint_classes_are_reported_not_inferred(ontology: Graph) -> None:
    g = Graph()
    g.add((P["village"], RDF.type, OPS.Location))
    g.add((P["village"], OPS.memberOf, P["group"]))  # domain: Person
    result = reason.reason(g, ontology, BASE)
    assert [(v.resource, {v.first, v.second}) for v in result.violations] == [
        (P["village"].n3(), {OPS.Location.n3(), OPS.Person.n3()})]


def test_literals_never_get_types(ontology: Graph) -> None:
    out = infer(ontology, (P["raid"], OPS.date, Literal("2023-04", datatype=XSD.gYearMonth)))
    assert (P["raid"], RDF.type, OPS.Operation) in out
    assert not any(isinstance(s, Literal) for s, _p, _o in out)


@pytest.mark.parametrize("size", [400, 1500])
def test_closure_equals_owlrl_on_a_varied_graph(ontology: Graph, size: int) -> None:
    """The engine and owlrl (the reference semantics) agree on every inference the ontology gives."""
    g = synthetic.graph(size, seed=size, evidence=True)
    base = synthetic.BASE
    mine = set(reason.infer(g, ontology, base))
    theirs = set(reason.reference_infer(g, ontology, base))
    assert mine == theirs, (sorted(mine - theirs)[:5], sorted(theirs - mine)[:5])
    assert len(mine) > size / 2


def _article(article_id: str, text: str, cls: str, extra: list[Fact] | None = None) -> Extraction:
    start = text.index("Tel Sirwan")
    sentence = Span(0, len(text))
    entity = Entity(EntityRef(cls, "tel sirwan"), "Tel Sirwan",
                    mentions=[Mention("Tel Sirwan", Span(start, start + 10), sentence)])
    return Extraction(Article(article_id, text, f"{article_id}.txt"), [sentence], [entity], extra or [])


def test_derivation_reports_and_resolves_an_inconsistency(tmp_path: Path) -> None:
    """One article reads a name as a person, two as a place: reported with sources, Location kept."""
    iris = IRIs("https://w3id.org/opskg/id/")
    person_text = "Officials said Tel Sirwan was killed."
    place_texts = ["Troops raided Tel Sirwan on Tuesday.", "Fighting was reported in Tel Sirwan."]
    same_place = EntityRef("Location", "tel sirwan")
    articles = [_article("a", person_text, "Person")] + [
        _article(f"b{i}", text, "Location") for i, text in enumerate(place_texts)]
    # Location and Person keys mint different IRIs; an identity link makes them one resource, as a
    # cross-article merge would.
    store_path = tmp_path / "store"
    store = open_store(store_path)
    try:
        for extraction in articles:
            store.replace_graphs({str(iris.article(extraction.article.id)):
                                  article_graph(extraction, iris).serialize(format="nt")})
        person_iri, place_iri = iris.entity("Person", "tel sirwan"), iris.entity("Location", same_place.key)
        # Identity normally comes from the resolver; an asserted owl:sameAs stands in for it here.
        link = f"<{person_iri}> <{OWL.sameAs}> <{place_iri}>"
        store.update(f"INSERT DATA {{ GRAPH <{iris.article('b0')}> {{ {link} }} }}")
        report = derive.refresh(store, iris)
    finally:
        store.close()
    assert len(report.conflicts) == 1
    conflict = report.conflicts[0]
    assert (conflict.kept, conflict.dropped) == (str(OPS.Location), str(OPS.Person))
    assert {src.article.rsplit("/", 1)[-1] for src in conflict.sources[str(OPS.Person)]} == {"a"}
    assert any(src.sentence == person_text for src in conflict.sources[str(OPS.Person)])
    check = CliRunner().invoke(cli, ["check", "--store", str(store_path)])
    assert check.exit_code == 1
    assert "kept Location, dropped Person" in check.output and "from a" in check.output
    store = open_store(store_path, read_only=True)
    try:
        assert not store.query(f"ASK {{ GRAPH <{iris.inferred_graph}> {{ ?x a <{OPS.Person}> }} }}")
        assert store.query(f"ASK {{ GRAPH <{iris.inferred_graph}> {{ <{person_iri}> a <{OPS.Location}> }} }}")
    finally:
        store.close()


class _Closure:
    """An existing closure held in memory, looked up like the store."""

    def __init__(self, lines: set[tuple[str, str, str]]) -> None:
        self.triples = lines

    def match(self, s: str | None, p: str | None, o: str | None):  # type: ignore[no-untyped-def]
        for t in self.triples:
            if (s is None or t[0] == s) and (p is None or t[1] == p) and (o is None or t[2] == o):
                yield t


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_incremental_closure_equals_the_full_one(ontology: Graph, seed: int) -> None:
    """Closing old + new from scratch and extending the old closure with the new triples agree."""
    everything = list(synthetic.triples(1200, seed=seed))
    split = int(len(everything) * 0.9)
    old, new = everything[:split], everything[split:]
    base = synthetic.BASE
    old_closure = set(old) | {tuple(line[:-2].split(" ", 2)) for line in reason.reason_terms(old, ontology, base).lines}
    increment = reason_delta.reason_increment(new, ontology, base, _Closure(old_closure))  # type: ignore[arg-type]
    full = {line for line in reason.reason_terms(everything, ontology, base).lines}
    incremental = {f"{s} {p} {o} ." for s, p, o in old_closure if s.startswith(f"<{base}")} | set(increment.lines)
    incremental -= {f"{s} {p} {o} ." for s, p, o in everything}
    assert incremental == full, (sorted(incremental - full)[:3], sorted(full - incremental)[:3])
    assert increment.lines


def _closure_lines(asserted: list[tuple[str, str, str]], ontology: Graph) -> set[str]:
    return set(reason.reason_terms(asserted, ontology, synthetic.BASE).lines)


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_a_closure_kept_up_to_date_as_statements_come_and_go_equals_the_full_one(ontology: Graph, seed: int) -> None:
    """Removing asserted triples (a merge, a refined value) and adding others: the stored closure, less
    what ``reason_change`` retracts, plus what it adds, is the closure of what is asserted afterwards."""
    import random

    everything = list(synthetic.triples(1200, seed=seed))
    random.Random(seed).shuffle(everything)
    split = int(len(everything) * 0.9)
    old, new = everything[:split], everything[split:]
    removed = old[:: 7]  # statements that leave, among them containments, memberships and types
    after = [t for t in old if t not in set(removed)] + new
    inferred = {tuple(line[:-2].split(" ", 2)) for line in _closure_lines(old, ontology)}
    change = reason_delta.reason_change(new, removed, ontology, synthetic.BASE, _Closure(set(old) | inferred),
                                        _Closure(inferred))  # type: ignore[arg-type]
    kept = {f"{s} {p} {o} ." for s, p, o in inferred} - set(change.retracted) | set(change.lines)
    kept -= {f"{s} {p} {o} ." for s, p, o in after}
    full = _closure_lines(after, ontology)
    assert kept == full, (sorted(kept - full)[:3], sorted(full - kept)[:3])
    assert change.retracted and set(change.retracted) - full  # something did leave


def _kept_up_to_date(ontology: Graph, before: list[tuple[str, str, str]], removed: list[tuple[str, str, str]],
                     added: list[tuple[str, str, str]]) -> tuple[set[str], set[str]]:
    """The closure after a change, kept up to date by ``reason_change`` and computed afresh."""
    after = [t for t in before if t not in removed] + added
    inferred = {tuple(line[:-2].split(" ", 2)) for line in reason.reason_terms(before, ontology, BASE).lines}
    change = reason_delta.reason_change(added, removed, ontology, BASE, _Closure(set(before) | inferred),
                                        _Closure(inferred))  # type: ignore[arg-type, arg-type]
    kept = {f"{s} {p} {o} ." for s, p, o in inferred} - set(change.retracted) | set(change.lines)
    kept -= {f"{s} {p} {o} ." for s, p, o in after}
    return kept, set(reason.reason_terms(after, ontology, BASE).lines)


def _nt(*triple: URIRef) -> tuple[str, str, str]:
    return triple[0].n3(), triple[1].n3(), triple[2].n3()


def test_a_containment_that_leaves_keeps_what_another_path_still_gives(ontology: Graph) -> None:
    """A village in two districts of one province: one district link leaves (a place clustered
    again), the village is still in the province; the raid there still took place within it."""
    before = [_nt(P["village"], OPS.locatedIn, P["district"]), _nt(P["village"], OPS.locatedIn, P["country"]),
              _nt(P["district"], OPS.locatedIn, P["province"]), _nt(P["country"], OPS.locatedIn, P["province"]),
              _nt(P["raid"], OPS.tookPlaceIn, P["village"])]
    kept, full = _kept_up_to_date(ontology, before, [before[0]], [])
    assert kept == full
    assert f"{P['village'].n3()} {OPS.locatedIn.n3()} {P['province'].n3()} ." in full
    assert f"{P['raid'].n3()} {OPS.tookPlaceWithin.n3()} {P['district'].n3()} ." not in full


def test_a_death_that_leaves_keeps_the_types_the_other_deaths_give(ontology: Graph) -> None:
    """Two men killed in one raid; one report leaves (a merge): the raid is still an operation (the
    property's range), the other man still a person (its domain)."""
    before = [_nt(P["khalid"], OPS.killedIn, P["raid"]), _nt(P["khaled"], OPS.killedIn, P["raid"]),
              _nt(P["raid"], OPS.tookPlaceIn, P["village"])]
    kept, full = _kept_up_to_date(ontology, before, [before[0]], [])
    assert kept == full
    assert f"{P['raid'].n3()} {RDF.type.n3()} {OPS.Operation.n3()} ." in full
    assert not any(line.startswith(P["khalid"].n3()) for line in full)


def test_an_identity_that_leaves_but_still_follows_keeps_what_it_gave(ontology: Graph) -> None:
    """khalid = khaled, and a third spelling the same as khaled: one statement that khalid is the third
    spelling leaves, but it still follows (through khaled), and so does everything it carried over."""
    third = URIRef(f"{BASE}khalid-2")
    before = [_nt(P["khalid"], OWL.sameAs, P["khaled"]), _nt(third, OWL.sameAs, P["khaled"]),
              _nt(P["khalid"], OWL.sameAs, third), _nt(P["khalid"], OPS.memberOf, P["group"])]
    kept, full = _kept_up_to_date(ontology, before, [before[2]], [])
    assert kept == full
    assert f"{third.n3()} {OPS.memberOf.n3()} {P['group'].n3()} ." in full
