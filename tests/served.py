"""The served graphs of a store, written so that two derivations of the same articles compare equal.

Which IRI of an identity cluster is canonical depends on the order articles came in, and a fused
statement's IRI is minted from its canonical terms: each IRI is written as the least IRI of its
cluster, and each fused statement by its (so written) terms.
"""

from __future__ import annotations

from kg.store import GraphStore
from kg.vocab import IRIs

Quad = tuple[str, str, str, str]


def served(store: GraphStore, iris: IRIs) -> set[Quad]:
    """(graph, subject, predicate, object) of the canonical, corpus, gazetteer and inferred graphs."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.get(x, x) != x:
            x = parent[x]
        return x

    for q in store.quads(str(iris.identity_graph)):
        if q.predicate.value == "http://www.w3.org/2002/07/owl#sameAs":
            a, b = find(str(q.subject)), find(str(q.object))
            parent[max(a, b)] = min(a, b)
    quads = [(graph, str(q.subject), str(q.predicate), str(q.object))
             for graph in iris.served_graphs if graph != str(iris.ontology_graph) for q in store.quads(graph)]
    parts: dict[str, dict[str, str]] = {}
    for _g, s, p, o in quads:
        if "/fact/" in s and p.rsplit("#", 1)[-1] in ("subject>", "predicate>", "object>"):
            parts.setdefault(s, {})[p] = find(o)
    fact = {node: " ".join(v for _k, v in sorted(terms.items())) for node, terms in parts.items()}
    return {(g, fact.get(s, find(s)), p, fact.get(o, find(o))) for g, s, p, o in quads}
