"""``kg serve``: the endpoint on gunicorn, a production WSGI server.

One gunicorn worker process owns the read-write store (RocksDB allows one writer per directory)
and answers requests on several threads; queries run in a pool of query processes with read-only
handles (see :mod:`server.executor`), which enforces the time limit and uses every core.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from pathlib import Path
from typing import Any

from gunicorn.app.base import BaseApplication

from kg import derive
from kg.config import Settings
from kg.errors import StoreLockedError
from kg.store import open_store
from kg.vocab import IRIs
from server import ServeOptions

log = logging.getLogger(__name__)


class _Gunicorn(BaseApplication):
    def __init__(self, settings: Settings, options: ServeOptions, query_workers: int, gunicorn: dict[str, Any]) -> None:
        self.settings = settings
        self.options = options
        self.query_workers = query_workers
        self.gunicorn = gunicorn
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.gunicorn.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        # Runs in the worker process, after the fork: the store and the query processes start there.
        from server import create_app
        from server.executor import QueryExecutor, ReadOnlyExecutor

        if self.options.allow_updates:
            store = open_store(self.settings.store)
            executor = QueryExecutor(self.settings.store, workers=self.query_workers,
                                     timeout=self.options.query_timeout)
            return create_app(store, self.settings, self.options, executor)
        store = open_store(self.settings.store, read_only=True)
        read_only = ReadOnlyExecutor(self.settings.store, workers=self.query_workers,
                                     timeout=self.options.query_timeout)
        app = create_app(store, self.settings, self.options, read_only)
        StoreWatcher(app, self.settings).start()
        return app


class StoreWatcher(threading.Thread):
    """Follows a store that ``kg build`` may be writing while the server reads it read-only."""

    def __init__(self, app: Any, settings: Settings, interval: float = 2.0) -> None:
        super().__init__(name="opskg-store-watcher", daemon=True)
        self.app = app
        self.path = settings.store
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
                self.app.extensions["opskg.executor"].refresh()
                old = self.app.extensions["opskg.store"]
                self.app.extensions["opskg.store"] = open_store(self.path, read_only=True)
                old.close()
                log.info("the store changed; serving its new state")
            except OSError as exc:  # the writer is mid-way; the next round tries again
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
        query_workers: int = 2, processes: int = 2) -> None:
    """Serve; a read-only server (no updates) runs ``processes`` gunicorn workers, a writer one."""
    prepare_store(settings)
    gunicorn = {
        "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "workers": 1 if options.allow_updates else processes,
        "worker_class": "gthread",
        "threads": threads,
        "timeout": int(options.query_timeout) + 60,
        "graceful_timeout": 10,
        "accesslog": "-",
        "errorlog": "-",
        "loglevel": "info",
        "limit_request_line": 16384,
    }
    log.info("serving %s on http://%s:%d/sparql", settings.store, host, port)
    _Gunicorn(settings, options, query_workers, gunicorn).run()
