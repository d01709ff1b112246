"""Index lookups of one predicate (and object) over the article graphs: how derivation reads an article
beyond its names (:mod:`kg.inputs`, :func:`kg.readers.entity_records`), one predicate at a time rather
than by queries that join over every article graph.

They go to the store, or to the article graphs a build handed on (``handed``: graph IRI -> N-Triples
terms as reading them back gives them, :meth:`kg.store.GraphStore.as_read`), which are read from
memory: reading an article graph back from the store costs about 5 µs a triple.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterator, Mapping

import pyoxigraph as ox
from rdflib.namespace import RDF

from kg.store import GraphStore
from kg.vocab import IRIs

Triple = tuple[str, str, str]


class Lookups:
    """The article graphs of ``store``, those ``handed`` on read from memory."""

    def __init__(self, store: GraphStore, iris: IRIs, handed: Mapping[str, list[Triple]] | None = None) -> None:
        self.store = store
        self.iris = iris
        self.handed = handed or {}
        self._index: dict[str, dict[str, list[tuple[str, str]]]] | None = None
        self._all_handed: bool | None = None

    def values(self, predicate: str, obj: str | None = None,
               graphs: list[str] | None = None) -> Iterator[tuple[str, str, str]]:
        """(subject, object, article graph) of every triple of ``predicate`` (an IRI) in the article graphs
        (or the given ones), with the object ``obj`` (N-Triples) if given; IRIs and literals' lexical
        forms, as :func:`value_of` gives them."""
        if graphs is None:
            if not self._every_graph_handed():
                for q in self.store.quads(predicate=f"<{predicate}>", obj=obj):
                    graph = q.graph_name.value if isinstance(q.graph_name, ox.NamedNode) else ""
                    if self.iris.is_article_graph(graph):
                        yield value_of(q.subject), value_of(q.object), graph
                return
            graphs = list(self.handed)
        index = self._indexed().get(f"<{predicate}>", {})
        for graph in graphs:
            if graph in self.handed:
                for s, o in index.get(graph, ()):
                    if obj is None or o == obj:
                        yield text_value(s), text_value(o), graph
            else:
                for q in self.store.quads(graph, predicate=f"<{predicate}>", obj=obj):
                    yield value_of(q.subject), value_of(q.object), graph

    def about(self, node: str, graph: str) -> list[Triple]:
        """What the article graph ``graph`` says of ``node`` (an IRI), as N-Triples terms."""
        if graph in self.handed:
            subject = f"<{node}>"
            return [t for t in self.handed[graph] if t[0] == subject]
        return [(s, p, o) for s, p, o, _g in self.store.match_quads(f"<{node}>", None, None, graph)]

    def _every_graph_handed(self) -> bool:
        if self._all_handed is None:
            self._all_handed = bool(self.handed) and all(
                g in self.handed for g in self.store.graph_names() if self.iris.is_article_graph(g))
        return self._all_handed

    def _indexed(self) -> dict[str, dict[str, list[tuple[str, str]]]]:
        """predicate -> graph -> (subject, object) of the handed graphs, made at the first lookup."""
        if self._index is None:
            self._index = defaultdict(lambda: defaultdict(list))
            for graph, triples in self.handed.items():
                for s, p, o in triples:
                    self._index[p][graph].append((s, o))
        return self._index


def by_subject(lookups: Lookups, predicate: str, obj: str | None = None,
               graphs: list[str] | None = None) -> dict[tuple[str, str], list[str]]:
    """(subject, article graph) -> the objects (IRIs, literals' lexical forms) of one predicate there, in
    order."""
    out: dict[tuple[str, str], list[str]] = defaultdict(list)
    for s, o, graph in lookups.values(predicate, obj, graphs):
        out[(s, graph)].append(o)
    for values in out.values():
        values.sort()
    return out


def typed(lookups: Lookups, cls: str, graphs: list[str] | None = None) -> set[tuple[str, str]]:
    """(subject, article graph) of everything an article graph types ``cls``."""
    return set(by_subject(lookups, str(RDF.type), f"<{cls}>", graphs))


def value_of(term: object) -> str:
    """A term's value: an IRI's, a literal's lexical form; a blank node as N-Triples."""
    return term.value if isinstance(term, (ox.NamedNode, ox.Literal)) else str(term)


def text_value(term: str) -> str:
    """What :func:`value_of` gives for the term written ``term`` in N-Triples: an IRI, a literal or a
    blank node (article graphs hold no quoted triples)."""
    if term.startswith("<"):
        return term[1:-1]
    if term.startswith('"'):
        body = term[1:term.rindex('"')]  # the closing quote: a language tag or datatype holds none
        return body if "\\" not in body else _unescaped(term)
    return term


@functools.lru_cache(maxsize=4096)
def _unescaped(literal: str) -> str:
    """A literal's lexical form, its escapes read by pyoxigraph's N-Triples parser."""
    quad = next(iter(ox.parse(f"<urn:x:s> <urn:x:p> {literal} .".encode(), ox.RdfFormat.N_TRIPLES)))
    return value_of(quad.object)
