"""The opskg endpoint: a Flask application over a :class:`kg.store.GraphStore`.

Blueprints: ``sparql`` (SPARQL 1.1 Protocol at ``/sparql``, Graph Store Protocol at ``/store``,
VoID at ``/.well-known/void``), ``resources`` (linked-data pages for every IRI minted under the
base, and the ontology) and ``ui`` (the query page at ``/``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from flask import Flask, Response, current_app, request
from werkzeug.exceptions import HTTPException

from kg.config import Settings
from kg.store import GraphStore
from kg.vocab import IRIs
from server.executor import Executor

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ServeOptions:
    """How the endpoint behaves: read-only unless updates are allowed with a token."""

    allow_updates: bool = False
    token: str | None = None
    query_timeout: float = 30.0
    max_rows: int = 10_000
    #: "canonical": the default graph is the knowledge graph of canonical resources (the derived graphs,
    #: :attr:`kg.vocab.IRIs.served_graphs`, with the store's own default graph); "union": the union of all
    #: graphs; "store": the store's own default graph.
    default_graph: str = "canonical"
    #: Largest request body accepted, in bytes.
    max_body: int = 1024 * 1024


def current_executor() -> Executor:
    """The executor (and through it the store) of the application handling this request."""
    executor: Executor = current_app.extensions["opskg.executor"]
    return executor


def current_settings() -> Settings:
    settings: Settings = current_app.extensions["opskg.settings"]
    return settings


def served_graphs() -> list[str]:
    """The default graph of the "canonical" setting: the knowledge graph's graphs and the store's own
    default graph ("")."""
    return [*IRIs(current_settings().base).served_graphs, ""]


def current_options() -> ServeOptions:
    options: ServeOptions = current_app.extensions["opskg.options"]
    return options


def create_app(store: GraphStore, settings: Settings | None = None, options: ServeOptions | None = None,
               executor: Executor | None = None, **config: Any) -> Flask:
    """The application factory: the store (and the executor that queries it) are handed in explicitly."""
    app = Flask(__name__)
    opts = options or ServeOptions()
    app.config.update(MAX_CONTENT_LENGTH=opts.max_body, JSON_SORT_KEYS=False)
    app.config.update(config)
    app.extensions["opskg.settings"] = settings or Settings()
    app.extensions["opskg.options"] = opts
    app.extensions["opskg.executor"] = executor or Executor(store, timeout=opts.query_timeout)

    from server import resources, sparql, ui

    app.register_blueprint(sparql.bp)
    resources.register(app)
    app.register_blueprint(ui.bp)

    @app.before_request
    def refuse_oversized_body() -> Response | None:
        length = request.content_length
        if length is None or length <= opts.max_body:
            return None
        _drain(request.environ.get("wsgi.input"), length)
        return Response(f"413 Request Entity Too Large: the request body has {length:,} bytes; this server accepts "
                        f"at most {opts.max_body:,} (send a shorter query, or load large data with kg build)\n",
                        status=413, mimetype="text/plain", headers={"Connection": "close"})

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response:
        message = error.description or error.name
        response = Response(f"{error.code} {error.name}: {message}\n", status=error.code, mimetype="text/plain")
        for key, value in error.get_headers():
            if key.lower() not in ("content-type", "content-length"):
                response.headers[key] = value
        return response

    @app.errorhandler(Exception)
    def internal_error(error: Exception) -> Response:
        log.exception("internal error: %s", error)
        return Response("500 Internal Server Error: the server failed; see its log\n", status=500,
                        mimetype="text/plain")

    return app


#: An oversized body up to this size is read and dropped so that the client, still sending, gets the 413
#: instead of a reset connection; a larger one is cut off.
DRAIN_LIMIT = 64 * 1024 * 1024


def _drain(stream: Any, length: int) -> None:
    if stream is None or length > DRAIN_LIMIT:
        return
    remaining = length
    while remaining > 0:
        chunk = stream.read(min(remaining, 1 << 16))
        if not chunk:
            return
        remaining -= len(chunk)
