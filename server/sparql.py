"""The SPARQL 1.1 Protocol endpoint at ``/sparql`` (queries over the union of all graphs)."""

from __future__ import annotations

import logging

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, request

from kg.errors import QueryError
from kg.store import GraphStore
from kg.vocab import PREFIXES

log = logging.getLogger(__name__)
bp = Blueprint("sparql", __name__)

SPARQL_QUERY = "application/sparql-query"
FORM = "application/x-www-form-urlencoded"


def _store() -> GraphStore:
    store: GraphStore = current_app.extensions["opskg.store"]
    return store


def _plain(message: str, status: int) -> Response:
    return Response(message.rstrip() + "\n", status=status, mimetype="text/plain")


@bp.route("/sparql", methods=["GET", "POST"])
def endpoint() -> Response:
    if request.method == "GET":
        queries = request.args.getlist("query")
    else:
        media = (request.mimetype or "").lower()
        if media == SPARQL_QUERY:
            queries = [request.get_data(as_text=True)]
        elif media == FORM:
            queries = request.form.getlist("query")
        else:
            return _plain(f"unsupported media type {media or '(none)'}: POST {SPARQL_QUERY} or {FORM}", 415)
    if len(queries) != 1:
        return _plain("give exactly one 'query' parameter", 400)
    try:
        result = _store().query(queries[0], prefixes=PREFIXES)
        if isinstance(result, ox.QueryTriples):
            body = ox.serialize(result, None, ox.RdfFormat.TURTLE)
            return Response(body, mimetype="text/turtle")
        if isinstance(result, ox.QueryBoolean):
            return Response(b'{"head":{},"boolean":%s}' % (b"true" if result else b"false"),
                            mimetype="application/sparql-results+json")
        body = result.serialize(format=ox.QueryResultsFormat.JSON)
        return Response(body, mimetype="application/sparql-results+json")
    except QueryError as exc:
        return _plain(str(exc), 400)
    except (OSError, ValueError) as exc:
        log.warning("query failed: %s", exc)
        return _plain(f"the query could not be evaluated: {exc}", 500)
