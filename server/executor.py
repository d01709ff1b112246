"""Query execution with a time limit that really stops the work.

pyoxigraph cannot cancel a running query, so queries run in worker processes, each with a
read-only handle on the store. A query that outlives its time limit has its worker killed and
replaced, and the caller gets :class:`QueryTimeout` (the endpoint answers 503). Workers serialise
results themselves (with a row cap), so a slow or huge result never half-reaches the client.

Writes happen in the serving process on the read-write store; :meth:`QueryExecutor.writing`
waits for running queries, and the workers are restarted after the write so they read its result.

This module imports only the standard library and pyoxigraph: workers start fast.
"""

from __future__ import annotations

import contextlib
import json
import logging
import multiprocessing
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import pyoxigraph as ox

log = logging.getLogger(__name__)

RESULT_FORMATS = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
GRAPH_FORMATS = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/trig": ox.RdfFormat.TRIG,
    "application/n-quads": ox.RdfFormat.N_QUADS,
}


class QueryTimeout(Exception):
    """The query did not finish within its time limit; its work was stopped."""


class QueryFailed(Exception):
    """The query is invalid (``syntax`` true) or its evaluation failed."""

    def __init__(self, message: str, syntax: bool) -> None:
        super().__init__(message)
        self.syntax = syntax


@dataclass(frozen=True)
class Request:
    query: str
    #: "select" results media type (for SELECT/ASK) and graph media type (for CONSTRUCT/DESCRIBE)
    results_type: str
    graph_type: str
    union: bool = True
    default_graphs: Sequence[str] | None = None
    named_graphs: Sequence[str] | None = None
    prefixes: dict[str, str] = field(default_factory=dict)
    base_iri: str | None = None
    max_rows: int = 10_000


@dataclass(frozen=True)
class Result:
    body: bytes
    media_type: str
    #: "solutions", "boolean" or "graph"
    kind: str
    truncated: bool = False
    rows: int = 0


def evaluate(store: Any, request: Request) -> Result:
    """Evaluate and serialise a query (used by workers, and inline for in-memory stores)."""
    kwargs: dict[str, Any] = {"prefixes": request.prefixes or None, "base_iri": request.base_iri}
    if request.default_graphs is not None:
        kwargs["default_graph"] = [_graph(g) for g in request.default_graphs]
    else:
        kwargs["use_default_graph_as_union"] = request.union
    if request.named_graphs is not None:
        kwargs["named_graphs"] = [_graph(g) for g in request.named_graphs]
    try:
        result = store.query(request.query, **kwargs)
        if isinstance(result, ox.QueryBoolean):
            fmt = RESULT_FORMATS[request.results_type]
            return Result(ox.QueryBoolean.serialize(result, format=fmt) or b"", request.results_type, "boolean")
        if isinstance(result, ox.QueryTriples):
            triples, truncated = _capped(result, request.max_rows)
            body = ox.serialize(triples, None, GRAPH_FORMATS[request.graph_type], prefixes=request.prefixes or None)
            return Result(body or b"", request.graph_type, "graph", truncated, len(triples))
        return _solutions(result, request)
    except SyntaxError as exc:
        raise QueryFailed(str(exc), syntax=True) from None
    except (OSError, ValueError, TypeError) as exc:
        raise QueryFailed(str(exc), syntax=False) from None


def _capped(iterator: Iterator[Any], limit: int) -> tuple[list[Any], bool]:
    items: list[Any] = []
    for item in iterator:
        if len(items) >= limit:
            return items, True
        items.append(item)
    return items, False


def _solutions(result: Any, request: Request) -> Result:
    variables = result.variables
    rows, truncated = _capped(result, request.max_rows)
    fmt = RESULT_FORMATS[request.results_type]
    body = _serialize_solutions(variables, rows, fmt)
    return Result(body, request.results_type, "solutions", truncated, len(rows))


def _serialize_solutions(variables: list[Any], rows: list[Any], fmt: ox.QueryResultsFormat) -> bytes:
    """Serialise buffered solutions through pyoxigraph's own writer (re-parsed from JSON)."""
    bindings = []
    for row in rows:
        binding = {}
        for var in variables:
            value = row[var]
            if value is not None:
                binding[var.value] = _json_term(value)
        bindings.append(binding)
    document = json.dumps({"head": {"vars": [v.value for v in variables]}, "results": {"bindings": bindings}})
    if fmt == ox.QueryResultsFormat.JSON:
        return document.encode()
    parsed = ox.parse_query_results(document.encode(), ox.QueryResultsFormat.JSON)
    return parsed.serialize(format=fmt) or b""


def _json_term(term: Any) -> dict[str, str]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            out["datatype"] = term.datatype.value
        return out
    return {"type": "triple", "value": str(term)}


def _graph(name: str) -> ox.NamedNode | ox.DefaultGraph:
    return ox.DefaultGraph() if name == "" else ox.NamedNode(name)


def _worker(conn: Connection, path: str) -> None:
    store = ox.Store.read_only(path)
    while True:
        try:
            request = conn.recv()
        except (EOFError, KeyboardInterrupt):
            return
        if request is None:
            return
        try:
            conn.send(("ok", evaluate(store, request)))
        except QueryFailed as exc:
            conn.send(("failed", (str(exc), exc.syntax)))


class _Worker:
    def __init__(self, context: Any, path: str) -> None:
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_worker, args=(child, path), daemon=True)
        self.process.start()
        child.close()

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)
        self.conn.close()


class QueryExecutor:
    """A pool of query workers over a store directory, with a per-query time limit."""

    def __init__(self, path: Path, workers: int = 2, timeout: float = 30.0) -> None:
        self.path = str(path)
        self.timeout = timeout
        self._context = multiprocessing.get_context("spawn")
        self._idle: list[_Worker] = []
        self._lock = threading.Condition()
        self._busy = 0
        self._writing = False
        self._size = workers
        for _ in range(workers):
            self._idle.append(_Worker(self._context, self.path))

    def run(self, request: Request, timeout: float | None = None) -> Result:
        limit = self.timeout if timeout is None else timeout
        worker = self._acquire()
        started = time.monotonic()
        try:
            worker.conn.send(request)
            if not worker.conn.poll(limit):
                log.warning("query stopped after %.1f s: %s", time.monotonic() - started, request.query[:200])
                self._replace(worker)
                worker = None  # type: ignore[assignment]
                raise QueryTimeout(f"the query took longer than the {limit:g} s limit and was stopped")
            status, payload = worker.conn.recv()
        except (EOFError, BrokenPipeError, ConnectionError, OSError):
            self._replace(worker)
            worker = None  # type: ignore[assignment]
            raise QueryFailed("the query worker failed; try again", syntax=False) from None
        finally:
            if worker is not None:
                self._release(worker)
        if status == "failed":
            message, syntax = payload
            raise QueryFailed(message, syntax)
        result: Result = payload
        return result

    def _acquire(self) -> _Worker:
        with self._lock:
            while self._writing or not self._idle:
                self._lock.wait()
            self._busy += 1
            return self._idle.pop()

    def _release(self, worker: _Worker) -> None:
        with self._lock:
            self._idle.append(worker)
            self._busy -= 1
            self._lock.notify_all()

    def _replace(self, worker: _Worker) -> None:
        worker.stop()
        fresh = _Worker(self._context, self.path)
        with self._lock:
            self._idle.append(fresh)
            self._busy -= 1
            self._lock.notify_all()

    @contextlib.contextmanager
    def writing(self) -> Iterator[None]:
        """Hold queries while the caller writes, then restart the workers on the new state."""
        with self._lock:
            while self._writing:
                self._lock.wait()
            self._writing = True
            while self._busy:
                self._lock.wait()
        try:
            yield
        finally:
            old, self._idle = self._idle, []
            for worker in old:
                worker.stop()
            self._idle = [_Worker(self._context, self.path) for _ in range(self._size)]
            with self._lock:
                self._writing = False
                self._lock.notify_all()

    def close(self) -> None:
        with self._lock:
            workers, self._idle = self._idle, []
        for worker in workers:
            worker.stop()


class InlineExecutor:
    """Evaluation in the calling thread, for in-memory stores (tests): no time limit can be enforced."""

    def __init__(self, store: Any) -> None:
        self.store = getattr(store, "native", store)

    def run(self, request: Request, timeout: float | None = None) -> Result:
        return evaluate(self.store, request)

    @contextlib.contextmanager
    def writing(self) -> Iterator[None]:
        yield

    def close(self) -> None:
        pass


def _is_io_error(message: str) -> bool:
    """A read-only handle that lost a file to the writer's compaction: reopening fixes it."""
    lowered = message.lower()
    return "io error" in lowered or "no such file" in lowered or "corruption" in lowered


class ReadOnlyExecutor(QueryExecutor):
    """A :class:`QueryExecutor` over a store another process may be writing (``kg build`` while serving).

    Read-only handles see the store as it was when they opened; :meth:`refresh` reopens them when
    the store's files change, so readers move from one committed state to the next. A query that
    meets a file the writer has just removed is retried once after a refresh.
    """

    def run(self, request: Request, timeout: float | None = None) -> Result:
        try:
            return super().run(request, timeout)
        except QueryFailed as exc:
            if exc.syntax or not _is_io_error(str(exc)):
                raise
            self.refresh()
            return super().run(request, timeout)

    def refresh(self) -> None:
        """Restart the query workers on the store's current state (waits for running queries)."""
        with self.writing():
            pass
