"""``kg stats``: what the store holds."""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from kg.articles import StoredArticle, stored_articles
from kg.store import GraphStore
from kg.vocab import OPS, PREFIXES, IRIs

CORE = ("Person", "Organization", "Location", "Operation", "Role", "Article")


@dataclass(frozen=True)
class Stats:
    triples_per_graph: dict[str, int]
    #: Real-world things per class: one per identity (owl:sameAs) class, however many IRIs it has.
    entities_per_class: dict[str, int]
    articles: list[StoredArticle]
    #: IRIs per class (an entity several articles name under their own IRIs counts once per IRI).
    iris_per_class: dict[str, int] | None = None

    @property
    def total_triples(self) -> int:
        return sum(self.triples_per_graph.values())


#: The number of IRIs of the class bound to ?c.
_ENTITIES = "SELECT ?c (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e a ?c } GROUP BY ?c"
#: The number of real-world things of the class bound to ?c: one IRI per owl:sameAs class (the least,
#: over asserted and inferred links alike, whichever way the links were laid out).
_THINGS = ("SELECT ?c (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e a ?c "
           "FILTER NOT EXISTS { ?e owl:sameAs ?o . ?o a ?c FILTER(STR(?o) < STR(?e)) } } GROUP BY ?c")


def collect(store: GraphStore, iris: IRIs) -> Stats:
    per_graph = {}
    for row in store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"):
        per_graph[row["g"].value] = int(row["n"].value)
    per_class = dict.fromkeys(CORE, 0)
    things = dict.fromkeys(CORE, 0)
    for name in CORE:
        for row in store.query(_ENTITIES, substitutions={"c": ox.NamedNode(OPS[name])}):
            per_class[name] = int(row["n"].value)
        for row in store.query(_THINGS, prefixes=PREFIXES, substitutions={"c": ox.NamedNode(OPS[name])}):
            things[name] = int(row["n"].value)
    articles = sorted(stored_articles(store, iris).values(), key=lambda a: a.id)
    return Stats(per_graph, things, articles, per_class)
