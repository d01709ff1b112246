"""The opskg endpoint: a Flask application over a :class:`kg.store.GraphStore`."""

from __future__ import annotations

from flask import Flask

from kg.config import Settings
from kg.store import GraphStore


def create_app(store: GraphStore, settings: Settings | None = None, **config: object) -> Flask:
    """The application factory: the store is handed in explicitly, never opened globally."""
    app = Flask(__name__)
    app.config.update(
        MAX_CONTENT_LENGTH=1024 * 1024,
        OPSKG_SETTINGS=settings or Settings(),
    )
    app.config.update(config)
    app.extensions["opskg.store"] = store

    from server import sparql

    app.register_blueprint(sparql.bp)
    return app
