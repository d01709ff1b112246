"""``kg serve``: the endpoint on gunicorn, a production WSGI server.

Each gunicorn worker process answers requests on several threads and evaluates queries itself
(see :mod:`server.executor`). A query that outlives the time limit is answered with 503 and its
process retires: it stops taking requests, finishes the ones it has, and exits, which ends the
query; gunicorn starts a fresh process in its place. A server with updates runs one process (RocksDB
allows one writer per directory); a read-only server runs several and follows a store that
``kg build`` is writing.
"""

from __future__ import annotations

import gc
import logging
import os
import threading
import time
from pathlib import Path
from typing import Any

from gunicorn.app.base import BaseApplication

from kg import derive
from kg.config import Settings
from kg.errors import OpsKGError, StoreLockedError
from kg.store import open_store
from kg.vocab import IRIs
from server import ServeOptions

log = logging.getLogger(__name__)


class _Gunicorn(BaseApplication):
    def __init__(self, settings: Settings, options: ServeOptions, gunicorn: dict[str, Any]) -> None:
        self.settings = settings
        self.options = options
        self.gunicorn = gunicorn
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.gunicorn.items():
            self.cfg.set(key, value)
        self.cfg.set("post_worker_init", _retire_when_stuck)
        self.cfg.set("worker_exit", _end_stuck_queries)

    def load(self) -> Any:
        # Runs in the worker process, after the fork: the store opens there.
        from server import create_app
        from server.executor import Executor

        path = self.settings.store
        threads = self.gunicorn["threads"]  # one evaluation thread per request thread: no query waits for one
        if self.options.allow_updates:
            executor = Executor(open_store(path), timeout=self.options.query_timeout, threads=threads)
            return create_app(executor.store, self.settings, self.options, executor)
        executor = Executor(open_store(path, read_only=True), timeout=self.options.query_timeout,
                            threads=threads, reopen=lambda: open_store(path, read_only=True))
        app = create_app(executor.store, self.settings, self.options, executor)
        StoreWatcher(executor, path).start()
        return app


def _retire_when_stuck(worker: Any) -> None:
    """gunicorn's post_worker_init hook: a stuck query makes this worker stop and exit (see module doc).

    Also moves every object alive after start-up (modules, the app) out of the garbage collector's
    sight: its collections then only scan what requests allocate.
    """
    gc.freeze()
    executor = worker.wsgi.extensions["opskg.executor"]

    def retire() -> None:
        log.warning("a query is still running past its time limit: this server process (pid %d) finishes "
                    "its other requests and restarts to stop it", os.getpid())
        worker.handle_exit(None, None)

    executor.on_stuck = retire


def _end_stuck_queries(_arbiter: Any, worker: Any) -> None:
    """gunicorn's worker_exit hook: exit at once when a query thread is stuck (normal exit would wait for it)."""
    executor = getattr(worker, "wsgi", None) and worker.wsgi.extensions["opskg.executor"]
    if executor is not None and executor.stuck:
        logging.shutdown()
        os._exit(0)


class StoreWatcher(threading.Thread):
    """Follows a store that ``kg build`` may be writing while the server reads it read-only."""

    def __init__(self, executor: Any, path: Path, interval: float = 2.0) -> None:
        super().__init__(name="opskg-store-watcher", daemon=True)
        self.executor = executor
        self.path = path
        self.interval = interval
        self.seen = fingerprint(self.path)

    def run(self) -> None:
        while True:
            time.sleep(self.interval)
            current = fingerprint(self.path)
            if current == self.seen:
                continue
            self.seen = current
            try:
                self.executor.refresh()
                log.info("the store changed; serving its new state")
            except (OSError, OpsKGError) as exc:  # the writer is mid-way; the next round tries again
                log.warning("could not follow the store's change yet: %s", exc)


def fingerprint(path: Path) -> tuple[int, int]:
    """Changes whenever the store commits: newest modification time and number of its files."""
    newest, count = 0, 0
    for entry in os.scandir(path):
        if entry.is_file():
            count += 1
            newest = max(newest, entry.stat().st_mtime_ns)
    return newest, count


def prepare_store(settings: Settings) -> None:
    """Bring the derived graphs up to date before serving (a build may have been interrupted)."""
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


def run(settings: Settings, options: ServeOptions, *, host: str = "127.0.0.1", port: int = 8000, threads: int = 8,
        processes: int = 2, access_log: bool = False) -> None:
    """Serve; a read-only server (no updates) runs ``processes`` gunicorn workers, a writer one."""
    prepare_store(settings)
    gunicorn = {
        "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "workers": 1 if options.allow_updates else processes,
        "worker_class": "gthread",
        "threads": threads,
        "timeout": int(options.query_timeout) + 60,
        "graceful_timeout": 10,
        "accesslog": "-" if access_log else None,
        "errorlog": "-",
        "loglevel": "info",
        "limit_request_line": 16384,
    }
    log.info("serving %s on http://%s:%d/sparql", settings.store, host, port)
    _Gunicorn(settings, options, gunicorn).run()
