"""What derivation reads from the store: records of the article graphs' entities, index lookups of one
predicate over the article graphs (:mod:`kg.inputs` reads the rest of an article through them), and the
state the last derivation left (identity links and decisions, canonical resources and their names, the
articles it was computed from).

Every query here is constant text: a graph or resource goes in as a bound term (``substitutions``),
a set of graphs as the query's named graphs; the largest reads are index lookups, one predicate at a
time, rather than queries that join over every article graph.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterator, Mapping
from typing import Any

import pyoxigraph as ox
from rdflib import Graph
from rdflib.namespace import RDF, RDFS, SKOS

from kg import gazetteer as gaz
from kg import resolve
from kg.geonames import index as geonames_index
from kg.geonames.graph import CorpusPlace, gazetteer_graph
from kg.identity_graph import decision_node
from kg.lookups import Lookups, by_subject, value_of
from kg.model import CORE_CLASSES
from kg.store import GraphStore
from kg.vocab import OPS, PREFIXES, IRIs

log = logging.getLogger(__name__)


def in_graph(store: GraphStore, sparql: str, graph: str) -> Any:
    """A constant query with ``?g`` bound to the graph ``graph``."""
    return store.query(sparql, prefixes=PREFIXES, substitutions={"g": ox.NamedNode(graph)})


def article_state(store: GraphStore, iris: IRIs) -> dict[str, str]:
    """Article -> content hash, as of the last derivation."""
    rows = in_graph(store, _ARTICLE_STATE, str(iris.identity_graph))
    return dict(row["s"].value.split(" ", 1) for row in rows)


_ARTICLE_STATE = "SELECT ?g ?s WHERE { GRAPH ?g { ?g ops:articleState ?s } }"


class CanonicalResources:
    """The canonical resources of the last build: the IRIs the canonical graph types (``in``: one index
    lookup per IRI, remembered)."""

    def __init__(self, store: GraphStore, iris: IRIs) -> None:
        self.store = store
        self.graph = str(iris.canonical_graph)
        self._seen: dict[str, bool] = {}

    def __contains__(self, iri: object) -> bool:
        if not isinstance(iri, str):
            return False
        if iri not in self._seen:
            found = self.store.quads(self.graph, subject=f"<{iri}>", predicate=str_iri(RDF.type))
            self._seen[iri] = next(found, None) is not None
        return self._seen[iri]


class Labels(Mapping[str, str]):
    """Canonical IRI -> name: those ``computed`` by this derivation, else those the canonical graph of the
    last build holds (one lookup per IRI), for the IRIs that are still canonical."""

    def __init__(self, store: GraphStore, iris: IRIs, canonical: Mapping[str, str], computed: dict[str, str]) -> None:
        self.store = store
        self.graph = str(iris.canonical_graph)
        self.canonical = canonical
        self.computed = computed

    def stored(self, iri: str) -> str | None:
        for q in self.store.quads(self.graph, subject=f"<{iri}>", predicate=str_iri(RDFS.label)):
            return value_of(q.object)
        return None

    def __getitem__(self, iri: str) -> str:
        if iri in self.computed:
            return self.computed[iri]
        label = self.stored(iri) if self.canonical.get(iri, iri) == iri else None
        if label is None:
            raise KeyError(iri)
        return label

    def __iter__(self) -> Iterator[str]:
        """Every name (a scan of the canonical graph's)."""
        stored = {value_of(q.subject) for q in self.store.quads(self.graph, predicate=str_iri(RDFS.label))}
        return iter(sorted({i for i in stored if self.canonical.get(i, i) == i} | set(self.computed)))

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def changed(self) -> set[str]:
        """The IRIs (N-Triples) whose computed name is not the one the canonical graph holds."""
        return {f"<{iri}>" for iri, label in self.computed.items() if self.stored(iri) != label}


def str_iri(iri: str) -> str:
    return f"<{iri}>"


_STORED_LINKS = "SELECT ?a ?b ?g WHERE { GRAPH ?g { ?a owl:sameAs ?b } }"


def stored_links(store: GraphStore, iris: IRIs) -> dict[str, str] | None:
    """The identity links of the last build (IRI -> IRI), which keep canonical IRIs stable
    (:func:`kg.resolve.stable_links`): the one piece of derived state a build reads back. ``None`` when
    they are not one link per IRI to another IRI without cycles (a graph of an earlier layout, all pairs
    of a cluster, or one edited by hand): the derivation is then a full one, which writes the identity
    graph whole and chooses canonical IRIs afresh, once."""
    links: dict[str, str] = {}
    for row in in_graph(store, _STORED_LINKS, str(iris.identity_graph)):
        a, b = row["a"].value, row["b"].value
        if a == b or (a in links and links[a] != b):
            log.warning("identity: the stored links are not one per IRI to another IRI (an earlier layout, or an "
                        "edited graph): derived in full, canonical IRIs chosen afresh")
            return None
        links[a] = b
    for start in links:  # a cycle (an edited graph) would keep no IRI canonical
        seen, iri = {start}, links[start]
        while iri in links:
            if iri in seen:
                log.warning("identity: the stored links hold a cycle through %s: derived in full, canonical IRIs "
                            "chosen afresh", iri)
                return None
            seen.add(iri)
            iri = links[iri]
    return links


def graph_triples(store: GraphStore, graph: str) -> set[tuple[str, str, str]]:
    return {(str(q.subject), str(q.predicate), str(q.object)) for q in store.quads(graph)}


def entity_records(lookups: Lookups, graphs: list[str] | None = None) -> list[resolve.EntityRecord]:
    """The records of the entities the article graphs name (or the given article graphs: then each
    record holds what those articles say of it only)."""
    # The core classes, and the kinds of place that tell a village from a province of its name.
    # Read by index lookups (every quad of a class, every name), not by a query joining them per graph.
    classes = {str(OPS[c]) for c in (*CORE_CLASSES, "Village", "Town", "Province", "Country", "Region")}
    typed: dict[tuple[str, str], list[str]] = defaultdict(list)
    for cls in sorted(classes):
        for subject, _cls, graph in lookups.values(str(RDF.type), f"<{cls}>", graphs):
            typed[(subject, graph)].append(cls)
    rows = []
    for subject, name, graph in lookups.values(str(SKOS.altLabel), graphs=graphs):
        for cls in typed.get((subject, graph), ()):
            rows.append((subject, cls, name, graph))
    records = resolve.group_records(sorted(rows))
    by_iri = {r.iri: r for r in records}
    for (entity, _graph), orgs in by_subject(lookups, str(OPS.memberOf), graphs=graphs).items():
        if entity in by_iri:
            by_iri[entity].orgs.update(orgs)
    role_in = by_subject(lookups, str(OPS.roleIn), graphs=graphs)
    for (entity, graph), roles in by_subject(lookups, str(OPS.holdsRole), graphs=graphs).items():
        if entity in by_iri:
            for role in roles:
                by_iri[entity].orgs.update(role_in.get((role, graph), ()))
    return records


def corpus_gazetteer_graph(places: list[CorpusPlace]) -> Graph:
    """The gazetteer graph of the places the article graphs name (:mod:`kg.geonames.graph`)."""
    if not places:
        return Graph()
    return gazetteer_graph(places, gaz.default(), geonames_index.default())


#: The identity decisions of the last build (bound to ?g: the identity graph), one row per decision.
_DECISIONS = ("SELECT ?g ?d ?a ?b ?score ?reason WHERE { GRAPH ?g { ?d a ops:IdentityDecision ; "
              "ops:mergedEntity ?a, ?b ; ops:score ?score ; ops:reason ?reason FILTER(STR(?a) < STR(?b)) } }")


def stored_decisions(store: GraphStore, iris: IRIs) -> dict[str, resolve.Decision | None]:
    """The decisions of the last derivation (the entities' and the operations'), by their node in the
    identity graph, their two IRIs in the order written; ``None`` for a node that does not read as one
    decision (two scores or reasons)."""
    out: dict[str, resolve.Decision | None] = {}
    graph = str(iris.identity_graph)
    for row in in_graph(store, _DECISIONS, graph):
        node, a, b = row["d"].value, row["a"].value, row["b"].value
        if decision_node(graph, a, b) != node:
            a, b = b, a  # as written: its node is named after the IRI it names first
        decision = resolve.Decision(a, b, float(row["score"].value), row["reason"].value)
        out[node] = None if node in out else decision  # a second row: a second score or reason
    return out

