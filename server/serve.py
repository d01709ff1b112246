"""``kg serve``: the endpoint on gunicorn, a production WSGI server.

One worker process owns the store (RocksDB allows one writer per directory) and answers
requests on several threads; pyoxigraph evaluates queries without holding the GIL.
"""

from __future__ import annotations

import logging
from typing import Any

from gunicorn.app.base import BaseApplication

from kg import derive
from kg.config import Settings
from kg.store import open_store
from kg.vocab import IRIs

log = logging.getLogger(__name__)


class _Gunicorn(BaseApplication):
    def __init__(self, settings: Settings, options: dict[str, Any]) -> None:
        self.settings = settings
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        # Runs in the worker process, after the fork: the store is opened there, not in the master.
        from server import create_app

        store = open_store(self.settings.store)
        return create_app(store, self.settings)


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


def run(settings: Settings, *, host: str = "127.0.0.1", port: int = 8000, threads: int = 8) -> None:
    prepare_store(settings)
    options = {
        "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "workers": 1,
        "worker_class": "gthread",
        "threads": threads,
        "timeout": 120,
        "graceful_timeout": 10,
        "accesslog": "-",
        "errorlog": "-",
        "loglevel": "info",
    }
    log.info("serving %s on http://%s:%d/sparql", settings.store, host, port)
    _Gunicorn(settings, options).run()
