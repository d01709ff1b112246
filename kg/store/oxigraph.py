"""The embedded store: pyoxigraph (RocksDB) with SPARQL 1.1.

Writes use pyoxigraph's own API (never SPARQL text): ``remove_graph`` and ``remove`` (one transaction
each), and for additions ``extend`` (one transaction) or, from :data:`BULK_FROM` quads on, the bulk
loader (``bulk_extend``: it writes RocksDB table files and ingests them all in one step, which is
atomic as a transaction is, in half the time per quad). pyoxigraph 0.5 offers no transaction that
both removes and adds outside SPARQL Update, so :meth:`OxigraphStore.replace_graphs` is not one
transaction: it parses every document first (a bad one changes nothing), removes each replaced graph
whole, then removes the ``remove`` triples one by one, each in its own transaction, in the order given
(graph by graph in the mapping's order, each document's triples in its order), then adds every new
triple in one atomic write, for which it parses the documents again, one quad at a time (their Python
objects are never all held at once; pyoxigraph holds what it writes). A process killed part way leaves
each replaced graph absent, as before, or complete, never mixed; the ``remove`` triples removed up to
some point of that order; the added triples all there or none. :meth:`OxigraphStore.put_graphs` (a
build's batch of articles) is the same with no ``remove``, and adds in a transaction below
:data:`BULK_PUT_FROM` quads (a transaction releases the GIL while it writes; the build writes in a
thread of its own). Callers keep their state marker in a replaced graph, or first in ``remove`` when no
graph is replaced (an article's graph holds its content hash; the identity graph holds the digest the
derived graphs were computed from), so an interrupted write reads as "not stored" or "stale" and is
redone.
A reader may briefly see a replaced graph absent (while the additions are parsed and written). A bulk
load holds the GIL while it writes (a transaction does not): other threads of the process wait for it
(while it takes quads parsed one at a time, the derived graphs', they run between two).

RocksDB keeps what a transaction wrote in memory tables until they are flushed to disk; pyoxigraph
lets them grow with what a process writes, so a long build's memory would follow the corpus. The
store flushes them after every :data:`FLUSH_EVERY` quads written by transactions.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from sys import intern
from typing import BinaryIO

import pyoxigraph as ox

from kg.errors import QueryError, QuerySyntaxError, RDFSyntaxError, StoreError, StoreLockedError
from kg.store.base import GraphStore, QueryResult, Term, check_graphs, graph_node

log = logging.getLogger(__name__)

#: Quads written between two flushes of RocksDB's memory tables to disk (about 800 bytes of memory each: an
#: entry in each index).
FLUSH_EVERY = 25_000

#: From this many quads on, an addition goes through the bulk loader. Measured (pyoxigraph 0.5.13, a
#: store of 300 articles): a transaction takes 12-16 µs per quad, the bulk loader 6-8 µs from 10,000
#: quads on and about 15 ms for any write (the two are even near 3,000 quads). A transaction's cost per
#: quad also grows with the store (16.6 µs at 2,400 articles), the bulk loader's does not (5.8 µs).
BULK_FROM = 5_000

#: From this many quads on, a write of article graphs (:meth:`OxigraphStore.put_graphs`) goes through the
#: bulk loader too: a transaction holds what it writes in memory (a build writes about 20,000 at a time;
#: one very long article may hold more).
BULK_PUT_FROM = 200_000

#: The number of quads in the named graph bound to ?g.
_COUNT_GRAPH = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"


class OxigraphStore(GraphStore):
    """A persistent (or, with ``path=None``, in-memory) pyoxigraph store."""

    def __init__(self, path: Path | None, *, read_only: bool = False) -> None:
        self.path = path
        self.read_only = read_only
        self._unflushed = 0
        try:
            if path is None:
                self._store = ox.Store()
            elif read_only:
                self._store = ox.Store.read_only(str(path))
            else:
                path.mkdir(parents=True, exist_ok=True)
                self._store = ox.Store(str(path))
        except (OSError, RuntimeError) as exc:  # RuntimeError: RocksDB's "Corruption: IO error" mid-write
            if "lock" in str(exc).lower():
                raise StoreLockedError(
                    f"the store {path} is open in another process (a running `kg build` or `kg serve`): "
                    "wait for it, stop it, or use another --store"
                ) from None
            raise StoreError(f"the store {path} cannot be opened ({exc}): check the path, or remove a "
                             "directory that is not an opskg store") from None
        if path is not None and not read_only:
            _remove_unloaded(path)

    @property
    def native(self) -> ox.Store:
        """The pyoxigraph store itself, for code that speaks its API (the endpoint's query evaluation)."""
        return self._store

    # --- reading ------------------------------------------------------------------------

    def query(self, sparql: str, *, union: bool = True, default_graphs: Sequence[str] | None = None,
              named_graphs: Sequence[str] | None = None, prefixes: Mapping[str, str] | None = None,
              substitutions: Mapping[str, Term] | None = None) -> QueryResult:
        kwargs: dict[str, object] = {}
        if prefixes:
            kwargs["prefixes"] = dict(prefixes)
        if default_graphs is not None:
            kwargs["default_graph"] = [ox.DefaultGraph() if g == "" else graph_node(g) for g in default_graphs]
        else:
            kwargs["use_default_graph_as_union"] = union
        if named_graphs is not None:
            kwargs["named_graphs"] = [graph_node(g) for g in named_graphs]
        if substitutions:
            kwargs["substitutions"] = {ox.Variable(name): term for name, term in substitutions.items()}
        try:
            return self._store.query(sparql, **kwargs)  # type: ignore[arg-type]
        except SyntaxError as exc:
            raise QuerySyntaxError(f"the SPARQL query does not parse: {exc}") from None

    def graph_names(self) -> list[str]:
        return sorted(g.value for g in self._store.named_graphs() if isinstance(g, ox.NamedNode))

    def quads(self, graph: str | None = None, *, subject: str | None = None, predicate: str | None = None,
              obj: str | None = None) -> Iterator[ox.Quad]:
        node = graph_node(graph) if graph is not None else None
        target = ox.Literal(obj[1:-1]) if obj is not None and obj.startswith('"') else _iri(obj)
        return iter(self._store.quads_for_pattern(_iri(subject), _iri(predicate), target, node))

    def match(self, subject: str | None, predicate: str | None, obj: str | None,
              graphs: Sequence[str] | None = None) -> Iterator[tuple[str, str, str]]:
        pattern = _iri(subject), _iri(predicate), _iri(obj)
        for graph in [None] if graphs is None else [_graph(g) for g in graphs]:
            for quad in self._store.quads_for_pattern(*pattern, graph):
                yield str(quad.subject), str(quad.predicate), str(quad.object)

    def match_quads(self, subject: str | None, predicate: str | None, obj: str | None,
                    graph: str | None = None) -> Iterator[tuple[str, str, str, str]]:
        target = graph_node(graph) if graph is not None else None
        for quad in self._store.quads_for_pattern(_iri(subject), _iri(predicate), _iri(obj), target):
            name = quad.graph_name.value if isinstance(quad.graph_name, ox.NamedNode) else ""
            # the subject, predicate and graph interned: a lookup's rows repeat them (a derivation holds
            # the triples of every resource it fuses again, more as clusters grow). Only the store's own
            # terms are interned, each freed once unused (CPython 3.12.0-3.12.5 keep them: bounded by
            # the store's terms)
            yield intern(str(quad.subject)), intern(str(quad.predicate)), str(quad.object), intern(name)

    def count(self, graph: str | None = None) -> int:
        if graph is None:
            return len(self._store)
        rows = self._store.query(_COUNT_GRAPH, substitutions={ox.Variable("g"): graph_node(graph)})
        for row in rows:  # type: ignore[union-attr]
            return int(row["n"].value)
        return 0  # no such graph

    def dump(self, output: BinaryIO, fmt: ox.RdfFormat, graphs: Sequence[str] | None = None,
             prefixes: Mapping[str, str] | None = None) -> None:
        names = self.graph_names() if graphs is None else list(graphs)
        if fmt.supports_datasets:
            quads = (q for name in names for q in self.quads(name))
            ox.serialize(quads, output, fmt, prefixes=dict(prefixes or {}))
        else:
            # A triple format holds one graph: the union of the chosen graphs, without repeats.
            seen: set[ox.Triple] = set()
            for name in names:
                for quad in self.quads(name):
                    seen.add(quad.triple)
            ox.serialize(sorted(seen, key=str), output, fmt, prefixes=dict(prefixes or {}))

    # --- writing ------------------------------------------------------------------------

    def update(self, sparql: str, *, base_iri: str | None = None) -> None:
        self._check_writable()
        try:
            self._store.update(sparql, base_iri=base_iri)
        except SyntaxError as exc:
            raise QuerySyntaxError(f"the SPARQL update does not parse: {exc}") from None
        except RuntimeError as exc:  # what the update asks and the engine cannot do (an unknown function)
            raise QueryError(f"the SPARQL update could not be applied: {exc}") from None

    def replace_graphs(self, graphs: Mapping[str, str], add: Mapping[str, str] | None = None,
                       remove: Mapping[str, str] | None = None) -> None:
        """See :meth:`GraphStore.replace_graphs`, and this module's docstring for what a crash leaves."""
        self._check_writable()
        # Everything is parsed and checked before the first write. What is added is parsed again for the write,
        # one quad at a time, rather than held as a list of quads in between (a derivation adds some 125,000 at
        # a time: its peak memory was 46 MB higher with the list; parsing them once more takes about 0.1 s).
        replaced = [graph_node(name) for name in graphs]
        removed = [q for name, ntriples in (remove or {}).items() for q in _quads(name, ntriples)]
        documents = [(graph_node(name), ntriples) for name, ntriples in [*graphs.items(), *(add or {}).items()]]
        count = sum(_checked(node, ntriples) for node, ntriples in documents)
        self._remove(replaced, removed)  # first: a graph holding a state marker is gone before anything changes
        self._add((q for node, ntriples in documents for q in _parsed(node, ntriples)), count)

    def put_graphs(self, graphs: Mapping[str, Sequence[ox.Quad]]) -> None:
        """See :meth:`GraphStore.put_graphs`: the quads go to the store as they are, not as text parsed
        again, the graphs' earlier contents removed first. A blank node among them names the store's own
        node with that label (an article graph has none). In one transaction, not through the bulk
        loader, below :data:`BULK_PUT_FROM` quads: a transaction releases the GIL while it writes, so
        that a build analyses its next articles meanwhile (:mod:`kg.build`); the bulk loader holds it."""
        self._check_writable()
        nodes = check_graphs(graphs)  # every name and quad checked before the first write
        self._remove(nodes)
        quads = [q for quads in graphs.values() for q in quads]
        self._add(quads, len(quads), bulk=len(quads) >= BULK_PUT_FROM)

    def _remove(self, graphs: Iterable[ox.NamedNode], quads: Sequence[ox.Quad] = ()) -> None:
        """Remove whole graphs, each in a transaction, then ``quads``, one transaction each."""
        try:
            for node in graphs:
                self._store.remove_graph(node)
            for quad in quads:
                self._store.remove(quad)
        except OSError as exc:
            raise self._disk_error(exc) from None
        self._written(len(quads))

    def _add(self, quads: Iterable[ox.Quad], count: int, *, bulk: bool = True) -> None:
        """Add the ``count`` ``quads`` in one atomic write: from :data:`BULK_FROM` quads on with the bulk
        loader if ``bulk``, else in a transaction."""
        if not count:
            return
        try:
            if bulk and count >= BULK_FROM:
                self._store.bulk_extend(quads)
                return
            self._store.extend(quads)
        except OSError as exc:
            raise self._disk_error(exc) from None
        self._written(count)

    def _written(self, quads: int) -> None:
        """Flush the memory tables to disk once enough was written since the last flush."""
        self._unflushed += quads
        if self._unflushed >= FLUSH_EVERY and self.path is not None:
            try:
                self._store.flush()
            except OSError as exc:
                raise self._disk_error(exc) from None
            self._unflushed = 0

    def _disk_error(self, exc: OSError) -> StoreError:
        return StoreError(f"the store {self.path or '(in memory)'} cannot write to disk ({exc}): check the free "
                          "space and the directory's permissions")

    def load(self, data: bytes, fmt: ox.RdfFormat, graph: str | None = None) -> None:
        self._check_writable()
        target = graph_node(graph) if graph is not None else None
        try:
            self._store.load(data, format=fmt, to_graph=target) if target else self._store.load(data, format=fmt)
        except SyntaxError as exc:
            raise RDFSyntaxError(f"the RDF data does not parse: {exc}") from None

    def remove_graphs(self, names: Iterable[str]) -> None:
        """Remove named graphs, each in its own transaction, after checking every name."""
        self._check_writable()
        for node in [graph_node(name) for name in names]:
            self._store.remove_graph(node)

    def drop_graph(self, name: str | None) -> None:
        self._check_writable()
        self._store.remove_graph(ox.DefaultGraph() if name is None else graph_node(name))

    def close(self) -> None:
        if not self.read_only and self.path is not None:
            self._store.flush()
        del self._store

    def _check_writable(self) -> None:
        if self.read_only:
            raise StoreError(f"the store {self.path} is open read-only: stop the other process to write to it")


def open_store(path: Path | None, *, read_only: bool = False, fallback_read_only: bool = False) -> OxigraphStore:
    """Open the store; with ``fallback_read_only``, read a locked store as a read-only snapshot."""
    try:
        return OxigraphStore(path, read_only=read_only)
    except StoreLockedError:
        if not fallback_read_only or path is None:
            raise
        log.warning("the store %s is in use by another process; reading it read-only", path)
        return OxigraphStore(path, read_only=True)


def _iri(value: str | None) -> ox.NamedNode | None:
    """An IRI in N-Triples syntax as a term (``None``: any term). One of up to 512 characters is made
    once while it is asked for often (a derivation looks up the same resources again and again): at most
    8,192 of them are kept, about 2 MB of ordinary IRIs (a bound a build reaches early: a larger one filled
    only as the corpus grew, and a long build's memory with it; the name caches are bounded too, at
    :data:`kg.names.CACHE_SIZE`)."""
    if value is None:
        return None
    return _short_iri(value) if len(value) <= 512 else _named(value)


def _named(value: str) -> ox.NamedNode:
    if not (value.startswith("<") and value.endswith(">")):
        raise ValueError(f"match takes IRIs in N-Triples syntax, not {value!r}")
    return ox.NamedNode(value[1:-1])


_short_iri = functools.lru_cache(maxsize=1 << 13)(_named)


@functools.lru_cache(maxsize=64)
def _graph(name: str) -> ox.NamedNode:
    """:func:`graph_node`, each graph's made once (a lookup names the same few graphs every time)."""
    return graph_node(name)


def _remove_unloaded(path: Path) -> None:
    """Remove the files a bulk load killed part way left (``bulk-*.sst``: written, never ingested; an
    ingested one is in the store under another name). Only the writer, which holds the store's lock,
    bulk loads."""
    for leftover in path.glob("bulk-*.sst"):
        log.info("removing %s, left by a write that was killed", leftover)
        leftover.unlink(missing_ok=True)


def _quads(name: str, ntriples: str) -> list[ox.Quad]:
    """An N-Triples document as quads of the graph ``name``, a blank node naming the store's own node with
    its label (what is removed)."""
    graph = graph_node(name)
    try:
        return list(_parsed(graph, ntriples, fresh=False))
    except SyntaxError as exc:
        raise _unparsable(graph, exc) from None


def _checked(graph: ox.NamedNode, ntriples: str) -> int:
    """The number of triples in an N-Triples document for ``graph``, once it is found to parse (nothing is kept;
    ``graph`` names it in the error)."""
    try:
        return sum(1 for _ in ox.parse(ntriples, ox.RdfFormat.N_TRIPLES))
    except SyntaxError as exc:
        raise _unparsable(graph, exc) from None


def _unparsable(graph: ox.NamedNode, exc: SyntaxError) -> StoreError:
    """The error for a document of ``graph`` that does not parse (only a bug can produce one here)."""
    return StoreError(f"internal error: the graph <{graph.value}> could not be written: its N-Triples do not "
                      f"parse ({exc})")


def _parsed(graph: ox.NamedNode, ntriples: str, *, fresh: bool = True) -> Iterator[ox.Quad]:
    """The triples of an N-Triples document as quads of ``graph``, one at a time. With ``fresh``, its blank
    nodes become new ones, shared by no other document or graph (as SPARQL's INSERT DATA does); without,
    a blank node names the store's own node with that label. A ``SyntaxError`` is the caller's to turn into
    a :class:`StoreError` (after :func:`_checked`, it would be a bug)."""
    for t in ox.parse(ntriples, ox.RdfFormat.N_TRIPLES, rename_blank_nodes=fresh):
        yield ox.Quad(t.subject, t.predicate, t.object, graph)
