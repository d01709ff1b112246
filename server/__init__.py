"""The opskg endpoint: a Flask application over a :class:`kg.store.GraphStore`.

Blueprints: ``sparql`` (SPARQL 1.1 Protocol at ``/sparql``, Graph Store Protocol at ``/store``,
VoID at ``/.well-known/void``), ``resources`` (linked-data pages for every IRI minted under the
base, and the ontology) and ``ui`` (the query page at ``/``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from flask import Flask, Response
from werkzeug.exceptions import HTTPException

from kg.config import Settings
from kg.store import GraphStore
from server.executor import InlineExecutor, QueryExecutor

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ServeOptions:
    """How the endpoint behaves: read-only unless updates are allowed with a token."""

    allow_updates: bool = False
    token: str | None = None
    query_timeout: float = 30.0
    max_rows: int = 10_000
    #: "union": the default graph is the union of all graphs; "store": the store's own default graph.
    default_graph: str = "union"
    #: Largest request body accepted, in bytes.
    max_body: int = 1024 * 1024


def create_app(store: GraphStore, settings: Settings | None = None, options: ServeOptions | None = None,
               executor: QueryExecutor | InlineExecutor | None = None, **config: Any) -> Flask:
    """The application factory: the store (and its query executor) are handed in explicitly."""
    app = Flask(__name__)
    opts = options or ServeOptions()
    app.config.update(MAX_CONTENT_LENGTH=opts.max_body, JSON_SORT_KEYS=False)
    app.config.update(config)
    app.extensions["opskg.store"] = store
    app.extensions["opskg.settings"] = settings or Settings()
    app.extensions["opskg.options"] = opts
    app.extensions["opskg.executor"] = executor or InlineExecutor(store)

    from server import resources, sparql, ui

    app.register_blueprint(sparql.bp)
    resources.register(app)
    app.register_blueprint(ui.bp)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response:
        message = error.description or error.name
        response = Response(f"{error.code} {error.name}: {message}\n", status=error.code, mimetype="text/plain")
        for key, value in (error.get_headers() if hasattr(error, "get_headers") else []):
            if key.lower() not in ("content-type", "content-length"):
                response.headers[key] = value
        return response

    @app.errorhandler(Exception)
    def internal_error(error: Exception) -> Response:
        log.exception("internal error: %s", error)
        return Response("500 Internal Server Error: the server failed; see its log\n", status=500,
                        mimetype="text/plain")

    return app
