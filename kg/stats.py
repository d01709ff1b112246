"""``kg stats``: what the store holds."""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from kg.articles import StoredArticle, stored_articles
from kg.store import GraphStore
from kg.vocab import OPS, IRIs

CORE = ("Person", "Organization", "Location", "Operation", "Role", "Article")


@dataclass(frozen=True)
class Stats:
    triples_per_graph: dict[str, int]
    #: Real-world things per class: the canonical resources, one per identity cluster.
    entities_per_class: dict[str, int]
    articles: list[StoredArticle]
    #: IRIs per class (an entity several articles name under their own IRIs counts once per IRI).
    iris_per_class: dict[str, int] | None = None

    @property
    def total_triples(self) -> int:
        return sum(self.triples_per_graph.values())


#: The number of IRIs of the class bound to ?c that the article graphs name.
_ENTITIES = "SELECT ?c (COUNT(DISTINCT ?e) AS ?n) WHERE { GRAPH ?g { ?e a ?c } } GROUP BY ?c"
#: The number of real-world things of the class bound to ?c, over the canonical and inferred graphs (the
#: query's named graphs): the canonical resources, one per identity cluster.
_THINGS = _ENTITIES


def collect(store: GraphStore, iris: IRIs) -> Stats:
    per_graph = {}
    for row in store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"):
        per_graph[row["g"].value] = int(row["n"].value)
    articles = [g for g in per_graph if iris.is_article_graph(g)]
    derived = [str(iris.canonical_graph), str(iris.inferred_graph)]
    per_class = dict.fromkeys(CORE, 0)
    things = dict.fromkeys(CORE, 0)
    for name in CORE:
        for row in store.query(_ENTITIES, substitutions={"c": ox.NamedNode(OPS[name])},
                               named_graphs=articles):
            per_class[name] = int(row["n"].value)
        for row in store.query(_THINGS, substitutions={"c": ox.NamedNode(OPS[name])}, named_graphs=derived):
            things[name] = int(row["n"].value)
    stored = sorted(stored_articles(store, iris).values(), key=lambda a: a.id)
    return Stats(per_graph, things, stored, per_class)
