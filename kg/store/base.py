"""The store interface every backend implements.

The builder and the server use only these methods, so another SPARQL 1.1 store (over the
SPARQL Protocol and Graph Store Protocol) can be added without touching either. Results use
pyoxigraph's term and result classes, which can also be parsed from any endpoint's standard
result formats (``pyoxigraph.parse_query_results``).
"""

from __future__ import annotations

import abc
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, BinaryIO

import pyoxigraph as ox

#: What ``query`` returns: solutions (SELECT), a boolean (ASK) or triples (CONSTRUCT/DESCRIBE).
QueryResult = Any


class GraphStore(abc.ABC):
    """A quad store with SPARQL 1.1 whose default graph for queries is the union of its graphs."""

    @abc.abstractmethod
    def query(self, sparql: str, *, union: bool = True, default_graphs: Sequence[str] | None = None,
              named_graphs: Sequence[str] | None = None,
              prefixes: Mapping[str, str] | None = None) -> QueryResult:
        """Evaluate a SPARQL query.

        ``union`` makes the default graph the union of all graphs; ``prefixes`` are predefined
        for the query (its own PREFIX declarations win).
        """

    @abc.abstractmethod
    def update(self, sparql: str) -> None:
        """Apply a SPARQL update atomically."""

    @abc.abstractmethod
    def replace_graphs(self, graphs: Mapping[str, str], add: Mapping[str, str] | None = None,
                       remove: Mapping[str, str] | None = None) -> None:
        """Atomically replace each named graph's content with an N-Triples document, remove the
        triples of ``remove`` from their graphs and add those of ``add``, in one transaction.

        N-Triples is the interchange form so that a remote store can take it as is
        (a Graph Store Protocol PUT); an empty document removes the graph.
        """

    @abc.abstractmethod
    def load(self, data: bytes, fmt: ox.RdfFormat, graph: str | None = None) -> None:
        """Atomically add an RDF document (into ``graph`` when the format holds triples only)."""

    @abc.abstractmethod
    def remove_graphs(self, names: Iterable[str]) -> None:
        """Atomically remove named graphs."""

    @abc.abstractmethod
    def graph_names(self) -> list[str]:
        """Names of the non-empty named graphs."""

    @abc.abstractmethod
    def quads(self, graph: str | None = None) -> Iterator[ox.Quad]:
        """Every quad, or every quad of one named graph."""

    @abc.abstractmethod
    def match(self, subject: str | None, predicate: str | None, obj: str | None) -> Iterator[tuple[str, str, str]]:
        """Triples of any graph matching a pattern of N-Triples IRIs (``None`` matches anything),
        returned as N-Triples terms; a triple held by several graphs may come more than once."""

    @abc.abstractmethod
    def count(self, graph: str | None = None) -> int:
        """Number of quads in the store or in one named graph."""

    @abc.abstractmethod
    def dump(self, output: BinaryIO, fmt: ox.RdfFormat, graphs: Sequence[str] | None = None,
             prefixes: Mapping[str, str] | None = None) -> None:
        """Serialise the given graphs (all when ``None``) to ``output``."""

    @abc.abstractmethod
    def close(self) -> None:
        """Flush and release the store."""

    def __enter__(self) -> GraphStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
