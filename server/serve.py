"""``kg serve``: the endpoint on gunicorn, a production WSGI server.

Each gunicorn worker process answers requests on several threads and evaluates queries itself
(see :mod:`server.executor`). A query that outlives the time limit is answered with 503 and its
process retires: it stops taking requests, finishes the ones it has, and exits, which ends the
query; gunicorn starts a fresh process in its place. A server with updates runs one process (RocksDB
allows one writer per directory); a read-only server runs several and follows a store that
``kg build`` is writing.

RocksDB never runs in the gunicorn master: its background threads do not survive ``fork``, and a
worker forked from a master that had opened a store hangs or aborts when it exits. The store is
prepared (:func:`prepare_store`) in a short-lived child process instead, and only the workers open it.
A worker that stops writes its store out and ends at once (:func:`_close_worker`).
"""

from __future__ import annotations

import errno
import gc
import logging
import multiprocessing
import os
import queue
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from gunicorn.app.base import BaseApplication

from kg import derive
from kg.config import Settings
from kg.errors import ConfigError, OpsKGError, StoreError, StoreLockedError
from kg.store import open_store
from kg.vocab import IRIs
from server import ServeOptions

log = logging.getLogger(__name__)

#: Seconds a server stopped with SIGTERM lets the requests in hand finish (then it ends without them).
STOP_GRACE = 10
#: Seconds an idle kept-alive connection stays open: also the longest it holds a stopping server up.
KEEPALIVE = 1


class _Gunicorn(BaseApplication):
    def __init__(self, settings: Settings, options: ServeOptions, gunicorn: dict[str, Any], host: str,
                 ready: Callable[[str], None] | None = None) -> None:
        self.settings = settings
        self.options = options
        self.gunicorn = gunicorn
        self.host = host
        self.ready = ready
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.gunicorn.items():
            self.cfg.set(key, value)
        if "control_socket_disable" in self.cfg.settings:
            # gunicorn >= 25 opens a control socket at one fixed path per user (~/.gunicorn/gunicorn.ctl):
            # two servers would share it, and the first to stop would delete the other's.
            self.cfg.set("control_socket_disable", True)
        self.cfg.set("when_ready", self._announce)
        self.cfg.set("post_fork", _hold_stop_signals)
        self.cfg.set("post_worker_init", _worker_started)
        self.cfg.set("worker_exit", _close_worker)

    def _announce(self, arbiter: Any) -> None:
        """gunicorn's when_ready hook (in the master, once it listens): say where to go."""
        if self.ready is None:
            return
        ports = [address[1] for address in (listener.sock.getsockname() for listener in arbiter.LISTENERS)
                 if isinstance(address, tuple)]  # the real port, also when port 0 asked for any free one
        if ports:
            self.ready(browser_url(self.host, ports[0]))

    def load(self) -> Any:
        # Runs in the worker process, after the fork: the store opens there.
        from server import create_app
        from server.executor import Executor

        path = self.settings.store
        threads = self.gunicorn["threads"]  # one evaluation thread per request thread: no query waits for one
        if self.options.allow_updates:
            executor = Executor(open_store(path), timeout=self.options.query_timeout, threads=threads)
            return create_app(executor.store, self.settings, self.options, executor)
        executor = Executor(_open_while_written(path), timeout=self.options.query_timeout,
                            threads=threads, reopen=lambda: open_store(path, read_only=True))
        app = create_app(executor.store, self.settings, self.options, executor)
        watcher = StoreWatcher(executor, path)
        app.extensions["opskg.watcher"] = watcher
        watcher.start()
        return app


def _open_while_written(path: Path, attempts: int = 10, pause: float = 0.2) -> Any:
    """The store opened read-only, trying again for a moment while a writer's files change under the opening."""
    for _ in range(attempts - 1):
        try:
            return open_store(path, read_only=True)
        except STORE_ERRORS as exc:
            log.debug("opening the store %s failed (%s); trying again", path, exc)
            time.sleep(pause)
    return open_store(path, read_only=True)


def browser_url(host: str, port: int) -> str:
    """The address to open for a server listening on ``host`` (a wildcard host: this machine's loopback)."""
    shown = {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "::1"}.get(host, host)
    return f"http://[{shown}]:{port}/" if ":" in shown else f"http://{shown}:{port}/"


#: What opening or reading a store that another process is writing may raise: pyoxigraph reports RocksDB's
#: "Corruption: IO error: No such file or directory" (a file the writer has just deleted) as RuntimeError.
STORE_ERRORS = (OSError, OpsKGError, RuntimeError)
#: The signals that stop a worker (SIGINT and SIGQUIT at once, SIGTERM after the requests in hand).
STOP_SIGNALS = frozenset({signal.SIGINT, signal.SIGQUIT, signal.SIGTERM})
#: Set in a worker whose master was asked to stop before the worker was forked.
_stop_before_start = False


def _hold_stop_signals(arbiter: Any, _worker: Any) -> None:
    """gunicorn's post_fork hook (in the new worker): hold stop signals until the worker has started.

    Until gunicorn installs the worker's handlers, the worker runs the master's, which only queue a
    signal for a master loop that this process never runs: a Ctrl-C or a stop arriving then was lost,
    and the worker served on until the master killed it. Held, it is handled once the worker has
    started (:func:`_worker_started`), and it cannot interrupt the store's opening either. A stop
    the master had queued before the fork is found in this process's copy of its queue.
    """
    global _stop_before_start
    signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    queued = getattr(arbiter, "SIG_QUEUE", None)
    if isinstance(queued, list):  # gunicorn < 24
        _stop_before_start = any(sig in STOP_SIGNALS for sig in queued)
        return
    while queued is not None:
        try:
            _stop_before_start |= queued.get_nowait() in STOP_SIGNALS
        except queue.Empty:
            break


def _worker_started(worker: Any) -> None:
    """gunicorn's post_worker_init hook: a stuck query makes this worker stop and exit (see module doc).

    Also moves every object alive after start-up (modules, the app) out of the garbage collector's
    sight: its collections then only scan what requests allocate; installs the stop signal handlers
    (:func:`_handle_stops`); and lets the stop signals held since the fork in (:func:`_hold_stop_signals`).
    """
    gc.freeze()
    executor = worker.wsgi.extensions["opskg.executor"]

    def retire() -> None:
        log.warning("a query is still running past its time limit: this server process (pid %d) finishes "
                    "its other requests and restarts to stop it", os.getpid())
        worker.handle_exit(None, None)

    executor.on_stuck = retire
    _handle_stops(worker)
    if _stop_before_start:
        sys.exit(0)  # through gunicorn's worker_exit hook, as a stop signal would
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)  # one that came meanwhile is handled now


def _handle_stops(worker: Any) -> None:
    """Stop signal handlers in place of gunicorn's: each acts once, and none takes a lock.

    SIGINT and SIGQUIT stop the worker at once. gunicorn's handler shuts the request threads' pool
    down, which takes the pool's lock: a signal that came while the main thread held it (handing a
    request to the pool) waited for it forever, and the master killed the worker ten seconds later.
    Ctrl-C makes that likely: it sends SIGINT to every process of the server, and the master passes
    it on as SIGQUIT. Here the worker only exits: its worker_exit hook (:func:`_close_worker`) ends
    the process, pool included. SIGTERM lets the worker finish the requests in hand, but never
    beyond the master's patience (:func:`_end_before_the_master_kills`).
    """
    graceful = worker.handle_exit
    received: set[str] = set()

    def stop_now(_sig: Any, _frame: Any) -> None:
        if "now" not in received:
            received.add("now")
            worker.alive = False
            worker.cfg.worker_int(worker)
            sys.exit(0)

    def stop(sig: Any, frame: Any) -> None:
        graceful(sig, frame)
        if "graceful" not in received:
            received.add("graceful")
            _end_before_the_master_kills(worker)

    signal.signal(signal.SIGINT, stop_now)
    signal.signal(signal.SIGQUIT, stop_now)
    signal.signal(signal.SIGTERM, stop)
    signal.siginterrupt(signal.SIGTERM, False)  # as gunicorn has it: no request is disturbed


def _end_before_the_master_kills(worker: Any) -> None:
    """The master kills a worker still running ``graceful_timeout`` seconds after asking it to stop (and
    logs "SIGKILL! Perhaps out of memory?"): a worker still answering a request a second before that
    closes its store and exits by itself."""
    patience = max(worker.cfg.graceful_timeout - 1.0, 0.5)

    def end() -> None:
        log.warning("this server process (pid %d) is still answering requests %g s after it was asked to stop: "
                    "it ends without them", os.getpid(), patience)
        _close_worker(None, worker)

    timer = threading.Timer(patience, end)
    timer.daemon = True
    timer.start()


#: held by the thread that closes this worker (the main thread, or the timer of a stop that runs late)
_closing = threading.Lock()


def _close_worker(_arbiter: Any, worker: Any) -> None:
    """gunicorn's worker_exit hook: write the store out and end the process at once.

    The watcher and the evaluation threads are stopped, an update in progress is let finish, and a
    writer's store is flushed and closed. Then the process ends without the interpreter's normal exit:
    that exit would wait for request threads still answering (a stop cuts them off) and run RocksDB's
    static destructors while a query may still be running inside it (``terminate called after
    throwing an instance of 'std::system_error'``, SIGABRT). The exit status is the one gunicorn was
    exiting with.
    """
    app = getattr(worker, "wsgi", None)
    if app is None:  # the application never loaded: nothing of opskg's is running
        return
    status = _exit_status(sys.exc_info()[1])
    if threading.current_thread() is threading.main_thread():
        for sig in STOP_SIGNALS:  # a second stop signal must not cut this short
            signal.signal(sig, signal.SIG_IGN)
    _closing.acquire()  # a second caller waits here until the first one ends the process
    try:
        watcher = app.extensions.get("opskg.watcher")
        if watcher is not None:
            watcher.stop()
        executor = app.extensions["opskg.executor"]
        executor.close()
        with executor.writing():  # an update in progress ends first: nothing is half-written
            try:
                executor.store.close()
            except (OSError, OpsKGError) as exc:
                log.error("the store could not be written out on stop (%s): its log replays the last "
                          "updates when it is next opened", exc)
    finally:
        logging.shutdown()
        for stream in (sys.stdout, sys.stderr):
            stream.flush()
        os._exit(status)


def _exit_status(pending: BaseException | None) -> int:
    """The status of the exit under way (gunicorn's worker_exit hook runs while its ``sys.exit`` unwinds)."""
    if pending is None:
        return 0
    if isinstance(pending, SystemExit):
        return pending.code if isinstance(pending.code, int) else (0 if pending.code is None else 1)
    return 1


class StoreWatcher(threading.Thread):
    """Follows a store that ``kg build`` (or ``kg remove``) may be writing while the server reads it read-only.

    Each round compares the store folder's :func:`fingerprint` with the last one followed and reopens
    the store when it changed. The writer deletes and renames files at any time: a round that fails
    on the files (or on opening the store mid-way) is logged and done again at the next round; the
    thread lives until :meth:`stop`.
    """

    def __init__(self, executor: Any, path: Path, interval: float = 2.0) -> None:
        super().__init__(name="opskg-store-watcher", daemon=True)
        self.executor = executor
        self.path = path
        self.interval = interval
        self._stopping = threading.Event()
        self._last_problem: str | None = None
        try:
            self.seen: tuple[int, int] | None = fingerprint(self.path)
        except OSError as exc:
            self.seen = None  # the first round reopens the store
            self._report(exc)

    def run(self) -> None:
        while not self._stopping.wait(self.interval):
            self.check()

    def stop(self, timeout: float = 2.0) -> None:
        self._stopping.set()
        if self.is_alive() and threading.current_thread() is not self:
            self.join(timeout)

    def check(self) -> bool:
        """One round: reopen the store if it changed since the last round that succeeded; whether it did."""
        try:
            current = fingerprint(self.path)
            if current == self.seen:
                return False
            self.executor.refresh()
        except STORE_ERRORS as exc:  # the writer is mid-way: the next round tries again
            self._report(exc)
            return False
        self.seen = current  # only now: a change that could not be followed yet is tried again
        self._last_problem = None
        log.info("the store changed; serving its new state")
        return True

    def _report(self, exc: Exception) -> None:
        message = str(exc)
        level = logging.DEBUG if message == self._last_problem else logging.WARNING
        log.log(level, "could not follow the store %s yet (trying again in %g s): %s", self.path, self.interval,
                message)
        self._last_problem = message


def fingerprint(path: Path) -> tuple[int, int]:
    """Changes whenever the store commits: newest modification time and number of its files.

    A file the writer deletes between the listing and its ``stat`` is left out (the next round sees
    the folder without it). Raises :class:`OSError` when the folder itself cannot be read.
    """
    newest, count = 0, 0
    with os.scandir(path) as entries:
        for entry in entries:
            try:
                if not entry.is_file():
                    continue
                modified = entry.stat().st_mtime_ns
            except FileNotFoundError:
                continue
            count += 1
            newest = max(newest, modified)
    return newest, count


def prepare_store(settings: Settings) -> None:
    """Bring the derived graphs up to date before serving (a build may have been interrupted).

    Creates an empty store where there is none. Runs in the calling process: :func:`run` calls it
    through :func:`_in_child`.
    """
    try:
        store = open_store(settings.store)
    except StoreLockedError:
        log.warning("a build is writing the store; serving what it has committed so far")
        return
    try:
        iris = IRIs(settings.base)
        if derive.is_stale(store, iris):
            log.warning("the derived graphs are out of date; recomputing them")
            derive.refresh(store, iris)
    finally:
        store.close()


def _in_child(func: Callable[[Settings], None], settings: Settings) -> None:
    """``func(settings)`` in a forked child process, its :class:`OpsKGError` raised here (see module doc)."""
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_report_to, args=(send, func, settings), name="opskg-prepare", daemon=True)
    child.start()
    send.close()
    answered = False
    try:
        try:
            error: str | None = receive.recv()
        except EOFError:  # it died without a word (what went wrong, if anything, is on stderr)
            error = (f"preparing the store {settings.store} failed (see the messages above): check the store, "
                     "or rebuild it with `kg build`")
        answered = True
    finally:
        receive.close()
        if not answered:  # interrupted (Ctrl-C): the child goes too
            child.terminate()
        child.join()
    if error is not None:
        raise StoreError(error)


def _report_to(send: Any, func: Callable[[Settings], None], settings: Settings) -> None:
    """In the child: run ``func`` and send back None, or the message of the :class:`OpsKGError` it raised."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the parent, which ends this process
    try:
        func(settings)
    except OpsKGError as exc:
        send.send(str(exc))
    else:
        send.send(None)
    finally:
        send.close()


def check_port(host: str, port: int) -> None:
    """Raise :class:`ConfigError` (one line, naming the fix) when gunicorn could not listen on ``host:port``.

    gunicorn itself would retry for five seconds and then fail with a traceback-like log.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET  # as gunicorn chooses
    where = f"[{host}]" if ":" in host else host
    try:
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn: a stopped server's is free
            probe.bind((host, port))
    except socket.gaierror as exc:
        raise ConfigError(f"the host {host!r} is unknown ({exc.strerror}): choose another with --host") from None
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise ConfigError(f"port {port} on {where} is in use: stop the other server or choose another "
                              "with --port") from None
        if exc.errno == errno.EACCES:
            raise ConfigError(f"port {port} on {where} needs privileges: choose one above 1023 with --port"
                              ) from None
        if exc.errno in (errno.EADDRNOTAVAIL, errno.EAFNOSUPPORT):
            raise ConfigError(f"{host} is not an address of this machine: choose another with --host") from None
        raise ConfigError(f"cannot listen on port {port} on {where} ({exc.strerror}): choose another --host "
                          "or --port") from None


def run(settings: Settings, options: ServeOptions, *, host: str = "127.0.0.1", port: int = 8000, threads: int = 8,
        processes: int = 2, access_log: bool = False, ready: Callable[[str], None] | None = None) -> None:
    """Serve; a read-only server (no updates) runs ``processes`` gunicorn workers, a writer one.

    ``ready`` is called with the address to open once the server listens.
    """
    check_port(host, port)
    _in_child(prepare_store, settings)
    gunicorn = {
        "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "workers": 1 if options.allow_updates else processes,
        "worker_class": "gthread",
        "threads": threads,
        "timeout": int(options.query_timeout) + 60,
        "graceful_timeout": STOP_GRACE,
        "accesslog": "-" if access_log else None,
        "errorlog": "-",
        "loglevel": "info",
        "limit_request_line": 16384,
        "keepalive": KEEPALIVE,
    }
    _Gunicorn(settings, options, gunicorn, host, ready).run()
