"""What derivation reads from the store: records of the article graphs' entities and operations, places,
publication dates, tenures, and the state the last derivation left (identity links and decisions,
canonical resources, the articles it was computed from).

Every query here is constant text: a graph or resource goes in as a bound term (``substitutions``),
a set of graphs as the query's named graphs; the largest reads are index lookups, one predicate at a
time, rather than queries that join over every article graph.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

import pyoxigraph as ox
from rdflib import Graph
from rdflib.namespace import RDF, SKOS

from kg import corpus, resolve
from kg import gazetteer as gaz
from kg.geonames import index as geonames_index
from kg.geonames.graph import CorpusPlace, gazetteer_graph
from kg.model import CORE_CLASSES
from kg.store import GraphStore
from kg.vocab import OPS, PREFIXES, IRIs

log = logging.getLogger(__name__)


def query_all(store: GraphStore, sparql: str) -> Any:
    return store.query(sparql, prefixes=PREFIXES)


def in_graph(store: GraphStore, sparql: str, graph: str) -> Any:
    """A constant query with ``?g`` bound to the graph ``graph``."""
    return store.query(sparql, prefixes=PREFIXES, substitutions={"g": ox.NamedNode(graph)})


def read(store: GraphStore, iris: IRIs, sparql: str, graphs: list[str] | None = None) -> Any:
    """A query whose ``GRAPH ?g`` ranges over the article graphs only (or the given ones): derivation
    reads what the articles say, never its own earlier output (which would make it depend on history;
    the one exception is the identity links, :func:`_stored_links`, which keep canonical IRIs stable)."""
    if graphs is None:
        graphs = [g for g in store.graph_names() if iris.is_article_graph(g)]
    return store.query(sparql, prefixes=PREFIXES, named_graphs=graphs)


def article_state(store: GraphStore, iris: IRIs) -> dict[str, str]:
    """Article -> content hash, as of the last derivation."""
    rows = in_graph(store, _ARTICLE_STATE, str(iris.identity_graph))
    return dict(row["s"].value.split(" ", 1) for row in rows)


_ARTICLE_STATE = "SELECT ?g ?s WHERE { GRAPH ?g { ?g ops:articleState ?s } }"


def tenures(store: GraphStore, iris: IRIs, canonical: dict[str, str]) -> dict[str, str]:
    """Tenure IRI -> the least tenure IRI of the same (canonical) holder and role."""
    rows = read(store, iris, "SELECT DISTINCT ?t ?p ?r WHERE { GRAPH ?g { ?t ops:holder ?p ; ops:ofRole ?r } }")
    groups: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in rows:
        key = (canonical.get(row["p"].value, row["p"].value), canonical.get(row["r"].value, row["r"].value))
        groups[key].add(row["t"].value)
    return {t: min(group) for group in groups.values() for t in group}


def canonical_resources(store: GraphStore, iris: IRIs, candidates: Iterable[str]) -> set[str]:
    """Those of ``candidates`` (IRIs) that were canonical resources in the last build: described in the
    canonical graph."""
    graph, kind = str(iris.canonical_graph), f"<{RDF.type}>"
    return {iri for iri in candidates if any(True for _ in store.match(f"<{iri}>", kind, None, graphs=[graph]))}


_STORED_LINKS = "SELECT ?a ?b ?g WHERE { GRAPH ?g { ?a owl:sameAs ?b } }"


def stored_links(store: GraphStore, iris: IRIs) -> dict[str, str]:
    """The identity links of the last build (IRI -> IRI), which keep canonical IRIs stable
    (:func:`kg.resolve.stable_links`): the one piece of derived state a build reads back. A graph of
    an earlier layout (all pairs of a cluster, more than one link per IRI) gives none: canonical
    IRIs are then chosen afresh, once."""
    links: dict[str, str] = {}
    for row in in_graph(store, _STORED_LINKS, str(iris.identity_graph)):
        a, b = row["a"].value, row["b"].value
        if a == b:
            continue
        if a in links and links[a] != b:
            log.info("identity: the stored links are not one per IRI (an earlier layout): canonical IRIs "
                     "are chosen afresh")
            return {}
        links[a] = b
    for start in links:  # a cycle (an edited graph) would keep no IRI canonical
        seen, iri = {start}, links[start]
        while iri in links:
            if iri in seen:
                log.warning("identity: the stored links hold a cycle through %s: canonical IRIs are chosen afresh",
                            iri)
                return {}
            seen.add(iri)
            iri = links[iri]
    return links


def graph_triples(store: GraphStore, graph: str) -> set[tuple[str, str, str]]:
    return {(str(q.subject), str(q.predicate), str(q.object)) for q in store.quads(graph)}


def entity_records(store: GraphStore, iris: IRIs) -> list[resolve.EntityRecord]:
    # The core classes, and the kinds of place that tell a village from a province of its name.
    # Read by index lookups (every quad of a class, every name), not by a query joining them per graph.
    classes = {str(OPS[c]) for c in (*CORE_CLASSES, "Village", "Town", "Province", "Country", "Region")}
    typed: dict[tuple[str, str], list[str]] = defaultdict(list)
    for cls in sorted(classes):
        for q, graph in quads_in_articles(store, iris, str(RDF.type), f"<{cls}>"):
            typed[(value_of(q.subject), graph)].append(cls)
    rows = []
    for q, graph in quads_in_articles(store, iris, str(SKOS.altLabel)):
        for cls in typed.get((value_of(q.subject), graph), ()):
            rows.append((value_of(q.subject), cls, value_of(q.object), graph))
    records = resolve.group_records(sorted(rows))
    by_iri = {r.iri: r for r in records}
    context = read(store, iris, "SELECT DISTINCT ?e ?org WHERE { GRAPH ?g { { ?e ops:memberOf ?org } UNION "
                            "{ ?e ops:holdsRole ?r . ?r ops:roleIn ?org } } }")
    for row in context:
        if row["e"].value in by_iri:
            by_iri[row["e"].value].orgs.add(row["org"].value)
    return records


def quads_in_articles(store: GraphStore, iris: IRIs, predicate: str,
                      obj: str | None = None) -> Iterator[tuple[ox.Quad, str]]:
    """The article graphs' quads of one predicate (and object), by index lookup, with their graph's IRI."""
    for q in store.quads(predicate=f"<{predicate}>", obj=obj):
        graph = q.graph_name.value if isinstance(q.graph_name, ox.NamedNode) else ""
        if iris.is_article_graph(graph):
            yield q, graph


def value_of(term: object) -> str:
    return term.value if isinstance(term, (ox.NamedNode, ox.Literal)) else str(term)


def operation_records(store: GraphStore, iris: IRIs, canonical: dict[str, str],
                      records: Iterable[resolve.EntityRecord]) -> list[corpus.OperationRecord]:
    """Every operation of the article graphs with what clustering compares: kinds, the named people
    killed or targeted, places (and those it was only near), dates and date expressions. Read by index
    lookups, one predicate at a time; who is named in which article comes from the entity ``records``."""
    ops: dict[str, corpus.OperationRecord] = {}
    for kind in ("Operation", "Raid", "HelicopterRaid", "AirStrike", "DroneStrike"):
        for q, graph in quads_in_articles(store, iris, str(RDF.type), f"<{OPS[kind]}>"):
            op = value_of(q.subject)
            ops.setdefault(op, corpus.OperationRecord(op, graph)).kinds.add(kind)
    named = {(r.iri, article) for r in records for article in r.articles}
    for relation, killed in ((OPS.killedIn, True), (OPS.targetedIn, False)):
        for q, graph in quads_in_articles(store, iris, str(relation)):
            target, person = ops.get(value_of(q.object)), value_of(q.subject)
            if target is None or (person, graph) not in named:
                continue
            person = canonical.get(person, person)
            target.people.add(person)
            if killed:
                target.killed.add(person)
    near = set()
    for q, graph in quads_in_articles(store, iris, str(OPS.qualifier), str(ox.Literal("near"))):
        node = str(q.subject)
        fact = {p: o for _s, p, o, _g in store.match_quads(node, None, None, graph)}
        if fact.get(f"<{RDF.predicate}>") == f"<{OPS.tookPlaceIn}>":
            near.add((fact.get(f"<{RDF.subject}>", "")[1:-1], fact.get(f"<{RDF.object}>", "")[1:-1]))
    for q, _graph in quads_in_articles(store, iris, str(OPS.tookPlaceIn)):
        op, where = value_of(q.subject), value_of(q.object)
        if op in ops:
            place = canonical.get(where, where)
            ops[op].places.add(place)
            if (op, where) in near:
                ops[op].near.add(place)
    for q, _graph in quads_in_articles(store, iris, str(OPS.date)):
        if value_of(q.subject) in ops:
            ops[value_of(q.subject)].dates.add(value_of(q.object))
    for q, _graph in quads_in_articles(store, iris, str(OPS.dateExpression)):
        if value_of(q.subject) in ops:
            ops[value_of(q.subject)].expressions.add(value_of(q.object))
    return [ops[k] for k in sorted(ops)]


def places(store: GraphStore, iris: IRIs, canonical: dict[str, str]) -> corpus.Places:
    located = {(canonical.get(r["a"].value, r["a"].value), canonical.get(r["b"].value, r["b"].value))
               for r in read(store, iris, "SELECT DISTINCT ?a ?b WHERE { GRAPH ?g { ?a ops:locatedIn ?b } }")}
    kinds = {}
    for row in read(store, iris, "SELECT DISTINCT ?l ?k WHERE { GRAPH ?g { ?l a ?k } FILTER(?k IN (ops:Country, "
                             "ops:Region, ops:Province, ops:District, ops:City, ops:Town, ops:Village, ops:Camp)) }"):
        kinds[canonical.get(row["l"].value, row["l"].value)] = row["k"].value.rsplit("#", 1)[-1]
    return corpus.Places(located, kinds)


def published(store: GraphStore, iris: IRIs) -> dict[str, str]:
    rows = read(store, iris, "SELECT ?g ?d WHERE { GRAPH ?g { ?g a ops:Article ; dct:date ?d } }")
    return {r["g"].value: r["d"].value for r in rows if iris.is_article_graph(r["g"].value)}


_CORPUS_PLACES = ("SELECT DISTINCT ?e ?n ?m WHERE { GRAPH ?g { ?e a ops:Location ; ops:gazetteerEntry ?n "
                  "OPTIONAL { ?e skos:exactMatch ?m } } }")


_NEAR_PLACES = ("SELECT DISTINCT ?e ?n WHERE { GRAPH ?g { ?e a ops:Location ; ops:near ?y . ?y ops:gazetteerEntry ?n "
                "FILTER NOT EXISTS { ?e ops:gazetteerEntry ?x } } }")


def corpus_gazetteer_graph(store: GraphStore, iris: IRIs, canonical: dict[str, str]) -> Graph:
    """The gazetteer graph of the places the article graphs name (:mod:`kg.geonames.graph`), on their
    canonical IRIs."""
    def canon(iri: str) -> str:
        return canonical.get(iri, iri)

    places = {CorpusPlace(canon(r["e"].value), r["n"].value, r["m"].value if r["m"] is not None else None)
              for r in read(store, iris, _CORPUS_PLACES)}
    places |= {CorpusPlace(canon(r["e"].value), None, near=r["n"].value) for r in read(store, iris, _NEAR_PLACES)}
    if not places:
        return Graph()
    return gazetteer_graph(sorted(places, key=lambda p: (p.iri, p.entry or "", p.exact_match or "", p.near or "")),
                           gaz.default(), geonames_index.default())


#: The identity decisions of the last build (bound to ?g: the identity graph), one row per decision.
_DECISIONS = ("SELECT ?g ?a ?b ?score ?reason WHERE { GRAPH ?g { ?d a ops:IdentityDecision ; ops:mergedEntity ?a, ?b ; "
              "ops:score ?score ; ops:reason ?reason FILTER(STR(?a) < STR(?b)) } }")


def stored_decisions(store: GraphStore, iris: IRIs) -> list[resolve.Decision]:
    """The entity decisions of the last build, kept when clusters are only extended (the operations'
    are all taken again: operation clustering compares every operation each time)."""
    out = []
    for row in in_graph(store, _DECISIONS, str(iris.identity_graph)):
        a, b = row["a"].value, row["b"].value
        if iris.kind_of(a) != "operation":
            out.append(resolve.Decision(a, b, float(row["score"].value), row["reason"].value))
    return out

