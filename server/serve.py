"""``kg serve``: the endpoint on gunicorn, a production WSGI server.

One gunicorn worker process owns the read-write store (RocksDB allows one writer per directory)
and answers requests on several threads; queries run in a pool of query processes with read-only
handles (see :mod:`server.executor`), which enforces the time limit and uses every core.
"""

from __future__ import annotations

import logging
from typing import Any

from gunicorn.app.base import BaseApplication

from kg import derive
from kg.config import Settings
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
        from server.executor import QueryExecutor

        store = open_store(self.settings.store)
        executor = QueryExecutor(self.settings.store, workers=self.query_workers, timeout=self.options.query_timeout)
        return create_app(store, self.settings, self.options, executor)


def prepare_store(settings: Settings) -> None:
    """Bring the derived graphs up to date before serving (a build may have been interrupted)."""
    store = open_store(settings.store)
    try:
        iris = IRIs(settings.base)
        if derive.is_stale(store, iris):
            log.warning("the derived graphs are out of date; recomputing them")
            derive.refresh(store, iris)
    finally:
        store.close()


def run(settings: Settings, options: ServeOptions, *, host: str = "127.0.0.1", port: int = 8000, threads: int = 8,
        query_workers: int = 2) -> None:
    prepare_store(settings)
    gunicorn = {
        "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "workers": 1,
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
