"""Query evaluation with a time limit that really stops the work.

Queries run in the serving process, each on an evaluation thread while the request thread waits
for it with the time limit (pyoxigraph releases the GIL while it evaluates). pyoxigraph cannot
cancel a running query, so a query that outlives its limit is answered with :class:`QueryTimeout`
(the endpoint's 503) and the executor calls ``on_stuck``: under ``kg serve`` the server process
then stops taking requests, finishes the ones it has, and exits, which ends the query; the
process manager starts a fresh one. Results are serialised in full (with a row cap) before the
response starts, so a slow or huge result never half-reaches the client.

This module imports only the standard library and pyoxigraph.
"""

from __future__ import annotations

import contextlib
import io
import logging
import queue
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
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
    #: the query's own top-level LIMIT, when it has one (see :func:`server.inspect.inspect`)
    query_limit: int | None = None
    #: variable name -> IRI, bound as a parsed term before evaluation (never pasted into the text)
    substitutions: Mapping[str, str] | None = None


@dataclass(frozen=True)
class Result:
    body: bytes
    media_type: str
    #: "solutions", "boolean" or "graph"
    kind: str
    truncated: bool = False
    #: rows or triples in the body (None: not counted, for a result its own LIMIT kept under the cap)
    rows: int | None = 0


def evaluate(store: Any, request: Request) -> Result:
    """Evaluate a query on a pyoxigraph store and serialise its result, at most ``max_rows`` of it."""
    kwargs: dict[str, Any] = {"prefixes": request.prefixes or None, "base_iri": request.base_iri}
    if request.default_graphs is not None:
        kwargs["default_graph"] = [_graph(g) for g in request.default_graphs]
    else:
        kwargs["use_default_graph_as_union"] = request.union
    if request.named_graphs is not None:
        kwargs["named_graphs"] = [_graph(g) for g in request.named_graphs]
    try:
        if request.substitutions:
            kwargs["substitutions"] = {ox.Variable(k): ox.NamedNode(v) for k, v in request.substitutions.items()}
        result = store.query(request.query, **kwargs)
        if isinstance(result, ox.QueryBoolean):
            fmt = RESULT_FORMATS[request.results_type]
            return Result(ox.QueryBoolean.serialize(result, format=fmt) or b"", request.results_type, "boolean")
        if isinstance(result, ox.QueryTriples):
            return _graph_result(result, request)
        return _solutions(result, request)
    except SyntaxError as exc:
        raise QueryFailed(str(exc), syntax=True) from None
    except (OSError, ValueError, TypeError, RuntimeError) as exc:
        # pyoxigraph raises RuntimeError for what a query asks and the engine cannot do (an unknown
        # function): the query's fault, not the server's.
        raise QueryFailed(str(exc), syntax=False) from None


class _Full(Exception):
    """Raised by :class:`_LineSink` to stop a writer once it has enough lines."""


class _LineSink(io.RawIOBase):
    """Collects a line-per-item serialisation (TSV results, N-Triples) and stops it after ``limit`` lines.

    In both formats a line is exactly one item: newlines inside terms are escaped.
    """

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit
        self.lines = 0
        self.full = False
        self._chunks: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        chunk = bytes(data)
        if not chunk:
            return 0
        if self.full or self.lines >= self.limit:  # anything after line ``limit`` means there is more
            self.full = True
            raise _Full
        count = chunk.count(b"\n")
        ends_a_line = chunk.endswith(b"\n")
        if self.lines + count < self.limit or (self.lines + count == self.limit and ends_a_line):
            self.lines += count  # a chunk may end inside a line: the next chunks complete it
            self._chunks.append(chunk)
            return len(chunk)
        end = -1
        for _ in range(self.limit - self.lines):
            end = chunk.index(b"\n", end + 1)
        self._chunks.append(chunk[: end + 1])  # whole lines only: never half an item
        self.lines, self.full = self.limit, True
        raise _Full

    def value(self) -> bytes:
        """The complete lines written (a writer that was not stopped ends its output with a newline)."""
        return b"".join(self._chunks)


def _drain(result: Any, fmt: Any, limit: int) -> tuple[bytes, bool]:
    """The result serialised natively in a line format, cut after ``limit`` lines; and whether it was cut."""
    sink = _LineSink(limit)
    try:
        result.serialize(sink, fmt)
    except (_Full, OSError):
        if not sink.full:
            raise
    return sink.value(), sink.full


def _solutions(result: Any, request: Request) -> Result:
    """SELECT results: written as TSV by pyoxigraph (one line per row, so the cap is exact), then converted.

    A query whose own LIMIT keeps it within the cap is written in the requested format at once.
    """
    fmt = RESULT_FORMATS[request.results_type]
    if request.query_limit is not None and request.query_limit <= request.max_rows:
        return Result(result.serialize(format=fmt) or b"", request.results_type, "solutions", rows=None)
    tsv, truncated = _drain(result, ox.QueryResultsFormat.TSV, request.max_rows + 1)  # + the header line
    body = tsv if fmt == ox.QueryResultsFormat.TSV else (
        ox.parse_query_results(tsv, ox.QueryResultsFormat.TSV).serialize(format=fmt) or b"")
    return Result(body, request.results_type, "solutions", truncated, max(tsv.count(b"\n") - 1, 0))


def _graph_result(result: Any, request: Request) -> Result:
    """CONSTRUCT and DESCRIBE results: written as N-Triples (one line per triple), then converted."""
    ntriples, truncated = _drain(result, ox.RdfFormat.N_TRIPLES, request.max_rows)
    fmt = GRAPH_FORMATS[request.graph_type]
    body = ntriples if fmt == ox.RdfFormat.N_TRIPLES else (
        ox.serialize(ox.parse(ntriples, ox.RdfFormat.N_TRIPLES), None, fmt, prefixes=request.prefixes or None) or b"")
    return Result(body, request.graph_type, "graph", truncated, ntriples.count(b"\n"))


def _graph(name: str) -> ox.NamedNode | ox.DefaultGraph:
    return ox.DefaultGraph() if name == "" else ox.NamedNode(name)


class _Job:
    def __init__(self, store: Any, request: Request) -> None:
        self.store = store
        self.request = request
        self.result: Result | None = None
        #: when an evaluation thread took the job up (the time limit counts from there)
        self.started: float | None = None
        self.finished = False
        #: what evaluation raised, handed to the waiting request thread to raise there
        self.error: Exception | None = None
        self._done = threading.Lock()  # held until the job has run: waiting on a lock is the cheapest wake-up
        self._done.acquire()

    def run(self) -> None:
        self.started = time.monotonic()
        try:
            self.result = evaluate(self.store, self.request)
        except Exception as exc:  # noqa: BLE001 - carried to the request thread, which raises it
            # Without its traceback: the frames hold pyoxigraph results, which must be freed on this thread.
            exc.__context__ = exc.__cause__ = None
            self.error = exc.with_traceback(None)
        finally:
            self.finished = True
            self._done.release()

    def wait(self, limit: float) -> bool:
        """Wait until the job is done or has run for ``limit`` seconds; whether it is done.

        Time spent queued for a thread does not count (it is normally none: a server has as many
        evaluation threads as request threads).
        """
        remaining = limit
        while not self._done.acquire(timeout=remaining):
            started = self.started
            if started is None:
                remaining = limit  # still queued
                continue
            remaining = started + limit - time.monotonic()
            if remaining <= 0:
                return False
        return True


class Executor:
    """Evaluates queries in this process, each on one of ``threads`` evaluation threads, with a time limit.

    The limit counts from the moment the query is handed over, so ``threads`` should be at least the
    number of requests the server handles at once (a query never waits for a thread).

    ``store`` is a :class:`kg.store.GraphStore` (its pyoxigraph store is queried). ``reopen``, when
    given, opens the store again: a read-only server follows a store that ``kg build`` is writing.
    A store that is replaced is not closed: requests still using it keep it alive until they end.
    A query past its limit is answered with :class:`QueryTimeout` at once; if it is still running
    ``grace`` seconds later, ``on_stuck`` is called (its thread cannot be stopped otherwise).
    """

    def __init__(self, store: Any, *, timeout: float = 30.0, threads: int = 4, grace: float = 2.0,
                 reopen: Callable[[], Any] | None = None, on_stuck: Callable[[], None] | None = None) -> None:
        self.store = store
        self.timeout = timeout
        self.grace = grace
        self.reopen = reopen
        self.on_stuck = on_stuck
        #: queries that outlived their limit and may still be running
        self.stuck = 0
        #: changes with every write and every reopening: what was computed from the store before is stale
        self.generation = 0
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._write_lock = threading.Lock()
        self._reopen_lock = threading.Lock()
        self._threads = [self._start_thread() for _ in range(threads)]

    def _start_thread(self) -> threading.Thread:
        thread = threading.Thread(target=self._serve_jobs, name="opskg-query", daemon=True)
        thread.start()
        return thread

    def _serve_jobs(self) -> None:
        while (job := self._jobs.get()) is not None:
            job.run()

    def run(self, request: Request, timeout: float | None = None) -> Result:
        limit = self.timeout if timeout is None else timeout
        generation, started = self.generation, time.monotonic()
        try:
            return self._run(request, limit)
        except QueryFailed as exc:
            if self.reopen is None or exc.syntax or not _is_io_error(str(exc)):
                raise
            # The writer removed a file this handle was reading: read its new state, in the time left.
            self.refresh(generation)
            return self._run(request, max(limit - (time.monotonic() - started), 0.1))

    def _run(self, request: Request, limit: float) -> Result:
        job = _Job(self.store.native, request)
        self._jobs.put(job)
        if not job.wait(limit):
            self._abandon(job)
            raise QueryTimeout(f"the query took longer than the {limit:g} s limit and was stopped")
        if job.error is not None:
            raise job.error
        assert job.result is not None
        return job.result

    def _abandon(self, job: _Job) -> None:
        """The job's thread is taken by the query: replace it; if the query runs on, end it (``on_stuck``)."""
        log.warning("a query outlived its time limit: %s", " ".join(job.request.query.split())[:200])
        self._threads.append(self._start_thread())
        check = threading.Timer(self.grace, self._check_stuck, args=(job,))
        check.daemon = True
        check.start()

    def _check_stuck(self, job: _Job) -> None:
        if job.finished:
            return  # it ended a little late: nothing is left to stop
        self.stuck += 1
        if self.on_stuck is not None:
            self.on_stuck()

    @contextlib.contextmanager
    def writing(self) -> Iterator[None]:
        """Serialise writes (queries keep running: each reads a consistent snapshot)."""
        with self._write_lock:
            try:
                yield
            finally:
                self.generation += 1

    def refresh(self, seen: int | None = None) -> None:
        """Open the store again (when ``reopen`` is given): later queries read its current state.

        ``seen``: the generation the caller read from; if another thread has reopened the store since,
        its handle is used instead of opening yet another.
        """
        if self.reopen is None:
            return
        with self._reopen_lock:
            if seen is not None and seen != self.generation:
                return
            self.store = self.reopen()
            self.generation += 1

    def close(self) -> None:
        for _ in self._threads:
            self._jobs.put(None)


def _is_io_error(message: str) -> bool:
    """A read-only handle that lost a file to the writer's compaction: reopening fixes it."""
    lowered = message.lower()
    return "io error" in lowered or "no such file" in lowered or "corruption" in lowered
