"""The store interface every backend implements.

The builder and the server use only these methods, so another SPARQL 1.1 store (over the
SPARQL Protocol and Graph Store Protocol) can be added without touching either. Results use
pyoxigraph's term and result classes, which can also be parsed from any endpoint's standard
result formats (``pyoxigraph.parse_query_results``).

No method builds SPARQL text from its arguments: graph names are parsed as IRIs (a name that is not
one is a ``ValueError``), data is parsed as RDF, and values reach a query only as bound terms
(``substitutions``).
"""

from __future__ import annotations

import abc
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, BinaryIO

import pyoxigraph as ox

#: What ``query`` returns: solutions (SELECT), a boolean (ASK) or triples (CONSTRUCT/DESCRIBE).
QueryResult = Any
#: A value bound to a query variable.
Term = ox.NamedNode | ox.BlankNode | ox.Literal


class GraphStore(abc.ABC):
    """A quad store with SPARQL 1.1 whose default graph for queries is the union of its graphs."""

    @abc.abstractmethod
    def query(self, sparql: str, *, union: bool = True, default_graphs: Sequence[str] | None = None,
              named_graphs: Sequence[str] | None = None, prefixes: Mapping[str, str] | None = None,
              substitutions: Mapping[str, Term] | None = None) -> QueryResult:
        """Evaluate a SPARQL query.

        ``union`` makes the default graph the union of all graphs; ``default_graphs`` makes it the union
        of the graphs named (``""``: the store's own default graph) instead; ``prefixes`` are predefined
        for the query (its own PREFIX declarations win). ``substitutions`` binds variables (by name,
        without ``?``) to terms before evaluation: the way to put a value into a query, whose text
        stays constant. A SELECT must project the variables it substitutes.

        pyoxigraph binds them as the initial solution of a query it has already optimised without
        knowing them: use a substituted variable in triple patterns, property paths and CONSTRUCT
        templates. In an expression (``BIND``, ``FILTER``) of a group that does not also match it
        in a triple pattern, the optimiser takes it for never bound and may drop the expression:
        ``{ BIND(?iri AS ?x) }`` leaves ``?x`` unbound.
        """

    @abc.abstractmethod
    def update(self, sparql: str, *, base_iri: str | None = None) -> None:
        """Apply a SPARQL update atomically; relative IRIs in it resolve against ``base_iri``."""

    @abc.abstractmethod
    def replace_graphs(self, graphs: Mapping[str, str], add: Mapping[str, str] | None = None,
                       remove: Mapping[str, str] | None = None) -> None:
        """Replace each named graph's content with an N-Triples document, remove the triples of
        ``remove`` from their graphs and add those of ``add``.

        N-Triples is the interchange form so that a remote store can take it as is
        (a Graph Store Protocol PUT); an empty document removes the graph. Every document is
        parsed before anything is written: a document that does not parse, or a name that is not
        an IRI, changes nothing. What a backend guarantees when it fails part way (a crash) is
        documented by the backend.
        """

    def put_graphs(self, graphs: Mapping[str, Sequence[ox.Quad]]) -> None:
        """Replace named graphs' contents with quads given as terms, each graph's in that graph (what a
        build writes for a batch of articles; a quad in another graph is a ``ValueError``, and nothing is
        written). This default writes them as N-Triples through :meth:`replace_graphs`; a backend that
        holds terms writes them as they are, with no text in between."""
        check_graphs(graphs)
        self.replace_graphs({name: (ox.serialize([q.triple for q in quads], format=ox.RdfFormat.N_TRIPLES)
                                    or b"").decode() for name, quads in graphs.items()})

    def as_read(self, triples: Iterable[ox.Triple | ox.Quad], texts: dict[str, str]) -> list[tuple[str, str, str]]:
        """``triples`` (or quads' triples) as N-Triples terms in the form reading them back from the store gives them
        (:meth:`match`, :meth:`quads`), without reading them: what a build hands its derivation of the
        graphs it wrote. The store keeps a typed literal as its value, so it reads back in canonical form
        (``"1.00"^^xsd:decimal`` as ``"1"``, an ``xsd:nonNegativeInteger`` as an ``xsd:integer``): such a
        literal is put through an in-memory pyoxigraph store once (a backend that reads terms back in
        other forms overrides this), and two triples that are one in the store are given once. ``texts``
        maps each term's text to the form read back, so that a term's text is made once and shared by
        every triple that holds it (give the same mapping for the graphs handed on together)."""
        out = []
        for t in triples:
            s, p, o = str(t.subject), str(t.predicate), str(t.object)
            read = texts.get(o)
            if read is None:
                read = texts[o] = _read_back(t.object) if o.endswith(">") and o.startswith('"') else o
            out.append((texts.setdefault(s, s), texts.setdefault(p, p), read))
        return list(dict.fromkeys(out))

    @abc.abstractmethod
    def load(self, data: bytes, fmt: ox.RdfFormat, graph: str | None = None) -> None:
        """Atomically add an RDF document (into ``graph`` when the format holds triples only)."""

    @abc.abstractmethod
    def remove_graphs(self, names: Iterable[str]) -> None:
        """Remove named graphs (all names are checked to be IRIs before any graph is removed)."""

    @abc.abstractmethod
    def drop_graph(self, name: str | None) -> None:
        """Remove one named graph (nothing happens if there is none), or with ``None`` empty the
        store's default graph: the Graph Store Protocol's DELETE, and the first half of its PUT."""

    @abc.abstractmethod
    def graph_names(self) -> list[str]:
        """Names of the non-empty named graphs."""

    @abc.abstractmethod
    def quads(self, graph: str | None = None, *, subject: str | None = None, predicate: str | None = None,
              obj: str | None = None) -> Iterator[ox.Quad]:
        """Every quad, or every quad of one named graph; only those with the given subject, predicate and
        object when they are given (N-Triples IRIs, or a plain literal without escapes: ``"near"``)."""

    @abc.abstractmethod
    def match(self, subject: str | None, predicate: str | None, obj: str | None,
              graphs: Sequence[str] | None = None) -> Iterator[tuple[str, str, str]]:
        """Triples of any graph (or of the named ``graphs``) matching a pattern of N-Triples IRIs
        (``None`` matches anything), returned as N-Triples terms; a triple held by several graphs may
        come more than once."""

    @abc.abstractmethod
    def match_quads(self, subject: str | None, predicate: str | None, obj: str | None,
                    graph: str | None = None) -> Iterator[tuple[str, str, str, str]]:
        """Quads of any graph (or of ``graph``) matching a pattern of N-Triples IRIs, as (subject,
        predicate, object) N-Triples terms and the graph's IRI ("" for the default graph)."""

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


_PROBE = ox.NamedNode("urn:opskg:probe")


def _read_back(literal: ox.Literal | ox.NamedNode | ox.BlankNode | ox.Triple) -> str:
    """A typed literal's text as a pyoxigraph store reads it back (its value's canonical form)."""
    probe = ox.Store()
    probe.add(ox.Quad(_PROBE, _PROBE, literal))
    return str(next(iter(probe)).object)


def graph_node(name: str) -> ox.NamedNode:
    """A graph name as a term; ``ValueError`` if it is not an absolute IRI."""
    try:
        return ox.NamedNode(name)
    except ValueError as exc:
        raise ValueError(f"{name!r} is not an absolute IRI, so it cannot name a graph ({exc})") from None


def check_graphs(graphs: Mapping[str, Sequence[ox.Quad]]) -> list[ox.NamedNode]:
    """The names of ``graphs`` as terms, each an IRI, and every quad in the graph it is given for
    (:meth:`GraphStore.put_graphs`); ``ValueError`` otherwise."""
    nodes = []
    for name, quads in graphs.items():
        node = graph_node(name)
        nodes.append(node)
        stray = next((q for q in quads if q.graph_name != node), None)
        if stray is not None:
            raise ValueError(f"a quad given for the graph <{name}> is in {stray.graph_name}: {stray}")
    return nodes
