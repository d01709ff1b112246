"""Derived graphs: identity links and inferred triples, recomputed from the whole store.

They are written in one transaction with the ontology graph, and carry a digest of the article
contents they were computed from, so a stale state (a build killed after its articles were
stored) is detected and repaired by the next command that writes.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

from rdflib import Graph, URIRef
from rdflib.namespace import OWL

from kg import reason, resolve
from kg.ontology import ontology_graph, ontology_hash, ontology_ntriples
from kg.store import GraphStore
from kg.terms import to_rdflib
from kg.vocab import NIF, OPS, PREFIXES, IRIs

log = logging.getLogger(__name__)

CORE = ("Person", "Organization", "Location", "Operation", "Role")


@dataclass(frozen=True)
class DeriveReport:
    entities: int
    identity_triples: int
    inferred_triples: int
    seconds: float


def _query(store: GraphStore, sparql: str) -> Any:
    return store.query(sparql, prefixes=PREFIXES)


def article_hashes(store: GraphStore, iris: IRIs) -> dict[str, str]:
    """Article IRI -> content hash, for every stored article."""
    rows = _query(store, "SELECT ?g ?h WHERE { GRAPH ?g { ?g a ops:Article ; ops:contentHash ?h } }")
    return {row["g"].value: row["h"].value for row in rows if iris.is_article_graph(row["g"].value)}


def _graph_hash(store: GraphStore, graph: str) -> str | None:
    """The ``ops:contentHash`` a graph states about itself."""
    rows = list(_query(store, f"SELECT ?h WHERE {{ GRAPH <{graph}> {{ <{graph}> ops:contentHash ?h }} }}"))
    return rows[0]["h"].value if rows else None


def is_stale(store: GraphStore, iris: IRIs) -> bool:
    """True when the derived graphs were not computed from the articles and ontology now stored."""
    current = resolve.state_digest(article_hashes(store, iris).values())
    return (_graph_hash(store, str(iris.identity_graph)) != current
            or _graph_hash(store, str(iris.ontology_graph)) != ontology_hash())


def refresh(store: GraphStore, iris: IRIs) -> DeriveReport:
    """Recompute the identity and inferred graphs and rewrite them with the ontology, atomically."""
    started = time.perf_counter()
    digest = resolve.state_digest(article_hashes(store, iris).values())
    classes = ", ".join(f"ops:{c}" for c in CORE)
    rows = _query(store, "SELECT ?e ?c ?form ?g WHERE { GRAPH ?g { ?e a ?c ; skos:altLabel ?form . "
                  f"FILTER(?c IN ({classes})) }} FILTER(STRSTARTS(STR(?g), \"{iris.base}article/\")) }}")
    records = resolve.group_records((r["e"].value, r["c"].value, r["form"].value, r["g"].value) for r in rows)
    by_iri = {r.iri: r for r in records}
    context = _query(store, "SELECT DISTINCT ?e ?org WHERE { GRAPH ?g { { ?e ops:memberOf ?org } UNION "
                            "{ ?e ops:holdsRole ?r . ?r ops:roleIn ?org } } }")
    for row in context:
        if row["e"].value in by_iri:
            by_iri[row["e"].value].orgs.add(row["org"].value)
    gazetteer_iris = {r["e"].value for r in _query(store, "SELECT DISTINCT ?e WHERE { GRAPH ?g { "
                                                          "?e ops:gazetteerEntry ?n } }")}
    identity = resolve.identity_graph(records, str(iris.identity_graph), digest, gazetteer_iris)

    asserted = _asserted_for_reasoning(store, iris)
    for s, p, o in identity:
        if p == OWL.sameAs:
            asserted.add((s, p, o))
    inferred = reason.infer(asserted, ontology_graph(), iris.base)

    graphs = {
        str(iris.identity_graph): identity.serialize(format="nt"),
        str(iris.inferred_graph): inferred.serialize(format="nt"),
    }
    if _graph_hash(store, str(iris.ontology_graph)) != ontology_hash():
        # Rewritten only when it changed: its blank nodes would get new labels each time.
        graphs[str(iris.ontology_graph)] = ontology_ntriples() + (
            f"<{iris.ontology_graph}> <{OPS.contentHash}> \"{ontology_hash()}\" .\n")
    store.replace_graphs(graphs)
    report = DeriveReport(len(records), len(identity), len(inferred), time.perf_counter() - started)
    log.info("derived graphs: %d entities, %d identity triples, %d inferred triples in %.1f s",
             report.entities, report.identity_triples, report.inferred_triples, report.seconds)
    return report


def _asserted_for_reasoning(store: GraphStore, iris: IRIs) -> Graph:
    """The article graphs' facts about the world: no text, evidence or NIF structure."""
    query = (
        "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } "
        + f"FILTER(STRSTARTS(STR(?g), \"{iris.base}article/\")) "
        + f"FILTER(!STRSTARTS(STR(?p), \"{NIF}\")) "
        + "FILTER(?p NOT IN (skos:altLabel, rdf:subject, rdf:predicate, rdf:object, ops:evidence, "
        + "ops:article, ops:certainty, ops:contentHash, ops:sourceName, ops:builtWith, ops:publishedFrom, "
        + "dct:identifier, dct:title, dct:source, dct:date, itsrdf:taIdentRef)) "
        + f"FILTER(?o != <{OPS.Evidence}>) }}"
    )
    g = Graph()
    for triple in _query(store, query):
        g.add((to_rdflib(triple.subject), URIRef(triple.predicate.value), to_rdflib(triple.object)))
    return g
