"""SPARQL 1.1 Protocol (``/sparql``), Graph Store HTTP Protocol (``/store``) and VoID.

Queries: GET, POST ``application/x-www-form-urlencoded`` and POST ``application/sparql-query``,
with ``default-graph-uri`` / ``named-graph-uri``; results negotiated (JSON, XML, CSV, TSV; RDF
formats for CONSTRUCT and DESCRIBE). Updates: POST form or ``application/sparql-update``, only when
the server was started with updates allowed, with a bearer token. Status codes: 400 bad request or
syntax, 401/403 updates refused, 405 wrong method, 406 nothing acceptable, 413 too large, 415 wrong
media type, 503 time limit; errors are one short line of plain text.
"""

from __future__ import annotations

import hmac
import json
import logging
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qs

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, redirect, request, url_for
from werkzeug.exceptions import HTTPException

from kg.errors import QuerySyntaxError, RDFSyntaxError, StoreError
from kg.sparql_text import explain_syntax_error, shorten
from kg.store import GraphStore
from kg.vocab import PREFIXES, IRIs
from server import current_executor, current_options, current_settings, negotiation
from server.executor import GRAPH_FORMATS, QueryFailed, QueryTimeout, Request
from server.inspect import add_using, declares_dataset, inspect

log = logging.getLogger(__name__)
bp = Blueprint("sparql", __name__)

FORM = "application/x-www-form-urlencoded"
SPARQL_QUERY = "application/sparql-query"
SPARQL_UPDATE = "application/sparql-update"
RDF_UPLOAD = {
    "text/turtle": ox.RdfFormat.TURTLE, "application/x-turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES, "text/plain": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML, "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/trig": ox.RdfFormat.TRIG, "application/n-quads": ox.RdfFormat.N_QUADS,
}


class Refused(HTTPException):
    """A short plain-text error with a status code."""

    def __init__(self, code: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(description=message)
        self.code = code
        self._headers = headers or {}

    def get_headers(self, environ: Any = None, scope: Any = None) -> list[tuple[str, str]]:
        return [("Content-Type", "text/plain; charset=utf-8"), *self._headers.items()]


def _store() -> GraphStore:
    store: GraphStore = current_executor().store
    return store


def _iris() -> IRIs:
    return IRIs(current_settings().base)


@bp.after_request
def cors(response: Response) -> Response:
    """Reads may come from any web page; writes need the token, which a page cannot hold."""
    if request.method in ("GET", "HEAD", "OPTIONS") or (request.path == "/sparql" and request.method == "POST"
                                                         and "update" not in _params_cache()):
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Access-Control-Expose-Headers"] = "OpsKG-Truncated, Link, Vary"
    return response


def _params_cache() -> dict[str, list[str]]:
    cached = getattr(request, "_opskg_params", None)
    return cached if cached is not None else {}


@bp.route("/sparql", methods=["OPTIONS"])
@bp.route("/store", methods=["OPTIONS"])
def preflight() -> Response:
    response = Response(status=204)
    response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
    response.headers["Access-Control-Allow-Headers"] = "Content-Type, Accept"
    response.headers["Access-Control-Max-Age"] = "86400"
    return response


# --- the SPARQL endpoint ----------------------------------------------------------------------


@bp.route("/sparql", methods=["GET", "POST", "PUT", "DELETE", "PATCH"])
def endpoint() -> Response:
    if request.method not in ("GET", "POST"):
        raise Refused(405, f"{request.method} is not a SPARQL protocol method: use GET or POST",
                      {"Allow": "GET, POST, OPTIONS"})
    params = _parameters()
    request._opskg_params = params  # type: ignore[attr-defined]
    queries, updates = params.get("query", []), params.get("update", [])
    if queries and updates:
        raise Refused(400, "give a query or an update, not both")
    if len(queries) > 1:
        raise Refused(400, "give exactly one 'query' parameter")
    if len(updates) > 1:
        raise Refused(400, "give exactly one 'update' parameter")
    if updates:
        if request.method == "GET":
            raise Refused(400, "updates are sent with POST, never GET")
        return _update(updates[0], params)
    if not queries:
        if request.method == "GET":
            if negotiation.prefers_html(request.headers.get("Accept")):
                return redirect(url_for("ui.page"), code=303)  # type: ignore[return-value]
            return _service_description()
        raise Refused(400, "the request has no 'query' or 'update'")
    return _query(queries[0], params)


def _parameters() -> dict[str, list[str]]:
    """Protocol parameters from the URL and, for form posts, the body; checks the media type."""
    params: dict[str, list[str]] = {k: request.args.getlist(k) for k in request.args}
    if request.method == "GET":
        return params
    media = (request.mimetype or "").lower()
    body = request.get_data(cache=True)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise Refused(400, "the request body is not UTF-8") from None
    if media == FORM:
        for key, values in parse_qs(text, keep_blank_values=True, strict_parsing=False).items():
            params.setdefault(key, []).extend(values)
    elif media == SPARQL_QUERY:
        params["query"] = [text]
    elif media == SPARQL_UPDATE:
        params["update"] = [text]
    elif not media:
        raise Refused(415, f"the request has no Content-Type: send {FORM}, {SPARQL_QUERY} or {SPARQL_UPDATE}")
    else:
        raise Refused(415, f"unsupported media type {media}: send {FORM}, {SPARQL_QUERY} or {SPARQL_UPDATE}")
    return params


def _query(text: str, params: dict[str, list[str]]) -> Response:
    options = current_options()
    prefixes = dict(PREFIXES) if options.default_graph == "union" else {}
    found = inspect(text, prefixes)
    if found.uses_service:
        raise Refused(400, "SERVICE is not supported: this endpoint makes no requests to other servers")
    defaults, named = params.get("default-graph-uri"), params.get("named-graph-uri")
    # Listing the graphs costs a scan: only a query or request that names graphs pays for it.
    graphs = set(_store().graph_names()) if found.dataset or defaults or named else set()
    unknown = [g for g in found.dataset if g not in graphs]
    if unknown:
        raise Refused(400, f"FROM <{unknown[0]}>: not a graph of this store (remote datasets are not fetched)")
    for graph in (defaults or []) + (named or []):
        # A graph the store does not hold is an empty graph (it is never fetched): the protocol's
        # dataset parameters must not turn a valid request into an error.
        if graph not in graphs and not _is_iri(graph):
            raise Refused(400, f"<{graph}> is not an absolute IRI")
    requested = next(iter(params.get("format") or params.get("output") or []), None)
    results_type = negotiation.choose(request.headers.get("Accept"), negotiation.RESULTS, requested)
    graph_type = negotiation.choose(request.headers.get("Accept"), negotiation.GRAPHS, requested)
    if graph_type is None and results_type is not None:
        graph_type = _graph_fallback(results_type)
    protocol_dataset = defaults is not None or named is not None
    job = Request(
        query=text,
        results_type=results_type or "application/sparql-results+json",
        graph_type=graph_type or "text/turtle",
        # The union is the default dataset only: a dataset the request or the query names replaces it.
        union=options.default_graph == "union" and not protocol_dataset and not found.declares_dataset,
        default_graphs=(defaults or []) if protocol_dataset else None,  # named-graph-uri alone: empty default
        named_graphs=(named or []) if protocol_dataset else None,
        prefixes=prefixes,
        base_iri=_service_base(),
        max_rows=options.max_rows,
        query_limit=found.limit,
    )
    try:
        result = current_executor().run(job)
    except QueryTimeout as exc:
        raise Refused(503, str(exc), {"Retry-After": "5"}) from None
    except QueryFailed as exc:
        if exc.syntax:
            raise Refused(400, f"the query does not parse: {explain_syntax_error(text, str(exc), prefixes)}") from None
        raise Refused(400, f"the query could not be evaluated: {shorten(str(exc))}") from None
    if (results_type if result.kind in ("solutions", "boolean") else graph_type) is None:
        offered = ", ".join(negotiation.RESULTS if result.kind != "graph" else negotiation.GRAPHS)
        raise Refused(406, f"none of the accepted media types can be produced; this query gives: {offered}")
    response = Response(result.body, mimetype=result.media_type)
    response.headers["Vary"] = "Accept"
    if result.truncated:
        response.headers["OpsKG-Truncated"] = f"max-rows={options.max_rows}"
    return response


def _graph_fallback(results_type: str) -> str:
    """The RDF format of a CONSTRUCT or DESCRIBE whose client accepts only SPARQL results formats.

    Clients that send one Accept header for every query (rdflib's ``SPARQLStore(returnFormat="json")``
    asks for JSON results even for CONSTRUCT) get the graph in the RDF syntax of the same family,
    as widely used servers answer them rather than with 406: JSON results -> JSON-LD, XML results ->
    RDF/XML, anything else -> Turtle. The response's Content-Type says which.
    """
    if results_type == "application/sparql-results+json":
        return "application/ld+json"
    if results_type == "application/sparql-results+xml":
        return "application/rdf+xml"
    return "text/turtle"


def _service_base() -> str | None:
    """The base IRI of queries and updates: the endpoint's own address (when it is a valid IRI)."""
    return _valid_iri(f"{request.scheme}://{request.host}{request.root_path}{request.path}")


@lru_cache(maxsize=64)
def _valid_iri(text: str) -> str | None:
    return text if _is_iri(text) else None


def _is_iri(text: str) -> bool:
    try:
        ox.NamedNode(text)
    except ValueError:
        return False
    return True


def _authorized() -> None:
    """Updates need the server's permission and the bearer token (compared in constant time)."""
    options = current_options()
    if not options.allow_updates or not options.token:
        raise Refused(403, "updates are disabled: start kg serve with --allow-updates --token TOKEN")
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Refused(401, "updates need 'Authorization: Bearer <token>'", {"WWW-Authenticate": "Bearer"})
    if not hmac.compare_digest(token.encode(), options.token.encode()):
        raise Refused(403, "the token is not valid", {"WWW-Authenticate": 'Bearer error="invalid_token"'})


def _update(text: str, params: dict[str, list[str]]) -> Response:
    _authorized()
    found = inspect(text)
    if found.uses_load:
        raise Refused(400, "LOAD is not supported: this endpoint fetches nothing from other servers")
    if found.uses_service:
        raise Refused(400, "SERVICE is not supported: this endpoint makes no requests to other servers")
    using, using_named = params.get("using-graph-uri", []), params.get("using-named-graph-uri", [])
    if (using or using_named) and declares_dataset(text):
        raise Refused(400, "the update names its own dataset (USING or WITH) and the request gives one too")
    base = _service_base()
    if base is not None:  # relative IRIs resolve against the endpoint, as for queries
        text = f"BASE <{base}> {text}"
    try:
        with current_executor().writing():
            _store().update(add_using(text, using, using_named))
    except QuerySyntaxError as exc:
        raise Refused(400, explain_syntax_error(text, str(exc), update=True)) from None
    except (OSError, StoreError, ValueError) as exc:
        raise Refused(400, f"the update could not be applied: {exc}") from None
    return Response(status=204)


def _service_description() -> Response:
    options = current_options()
    media = negotiation.choose(request.headers.get("Accept"), negotiation.GRAPHS) or "text/turtle"
    response = Response(_describe_service(request.url_root.rstrip("/"), options.allow_updates,
                                          options.default_graph == "union", media), mimetype=media)
    response.headers["Vary"] = "Accept"
    return response


@lru_cache(maxsize=32)
def _describe_service(base: str, updates: bool, union: bool, media: str) -> bytes:
    """The Service Description (it changes only with the server's address and options)."""
    update = "\n    sd:supportedLanguage sd:SPARQL11Update ;" if updates else ""
    union_feature = "\n    sd:feature sd:UnionDefaultGraph ;" if union else ""
    formats = " ,\n        ".join(f"<http://www.w3.org/ns/formats/{f}>" for f in (
        "SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV", "Turtle",
        "N-Triples", "JSON-LD", "RDF_XML", "TriG", "N-Quads"))
    return _turtle_as(f"""@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .
@prefix void: <http://rdfs.org/ns/void#> .

<{base}/sparql#service> a sd:Service ;
    sd:endpoint <{base}/sparql> ;
    sd:supportedLanguage sd:SPARQL11Query ;{update}{union_feature}
    sd:resultFormat {formats} ;
    sd:defaultDataset [ a sd:Dataset ; void:sparqlEndpoint <{base}/sparql> ;
        sd:defaultGraph [ a sd:Graph ] ] .
""", media)


def _turtle_as(turtle: str, media: str) -> bytes:
    """A description written here in Turtle, in the negotiated RDF format."""
    return ox.serialize(ox.parse(turtle.encode(), ox.RdfFormat.TURTLE), None, GRAPH_FORMATS[media]) or b""


# --- the Graph Store HTTP Protocol ----------------------------------------------------------


@bp.route("/store", methods=["GET", "HEAD", "PUT", "POST", "DELETE"])
def graph_store() -> Response:
    graph = request.args.get("graph")
    default = "default" in request.args
    if (graph is None) == (not default):
        raise Refused(400, "name one graph: ?graph=<IRI> or ?default")
    if graph is not None and not _is_iri(graph):  # the IRI also goes into SPARQL text: check it
        raise Refused(400, f"<{graph}> is not an absolute IRI")
    name = None if default else graph
    if request.method in ("GET", "HEAD"):
        return _read_graph(name)
    _authorized()
    return _write_graph(name)


def _read_graph(name: str | None) -> Response:
    store = _store()
    if name is not None and name not in store.graph_names():
        raise Refused(404, f"there is no graph <{name}>")
    media = negotiation.choose(request.headers.get("Accept"), negotiation.GRAPHS,
                               request.args.get("format"))
    if media is None:
        raise Refused(406, "none of the accepted media types is an RDF format this server writes")
    target = f"GRAPH <{name}> {{ ?s ?p ?o }}" if name is not None else "?s ?p ?o"
    job = Request(query=f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {target} }}",
                  results_type="application/sparql-results+json", graph_type=media, union=False,
                  prefixes=dict(PREFIXES), max_rows=10**9)
    try:
        result = current_executor().run(job)
    except QueryTimeout as exc:
        raise Refused(503, str(exc)) from None
    response = Response(result.body if request.method == "GET" else b"", mimetype=media)
    response.headers["Vary"] = "Accept"
    return response


def _write_graph(name: str | None) -> Response:
    store = _store()
    existed = name is None or name in store.graph_names()
    if request.method == "DELETE":
        if not existed:
            raise Refused(404, f"there is no graph <{name}>")
        with current_executor().writing():
            store.update("CLEAR SILENT DEFAULT" if name is None else f"DROP SILENT GRAPH <{name}>")
        return Response(status=204)
    media = (request.mimetype or "").lower()
    if media == "multipart/form-data" and request.method == "POST":
        # An HTML form upload: every file of the form is an RDF document merged into the graph.
        documents = [(part.read(), (part.mimetype or "").lower()) for _, part in request.files.items(multi=True)]
        if not documents:
            raise Refused(400, "the form holds no RDF document")
    else:
        documents = [(request.get_data(), media)]
    for data, media in documents:
        fmt = RDF_UPLOAD.get(media)
        if fmt is None:
            raise Refused(415, f"unsupported media type {media or '(none)'}: send Turtle, N-Triples, RDF/XML or "
                               "JSON-LD")
        try:
            list(ox.parse(data, fmt))  # validate before touching the store: a bad document changes nothing
        except SyntaxError as exc:
            raise Refused(400, f"the RDF document does not parse: {exc}") from None
    with current_executor().writing():
        try:
            if request.method == "PUT":
                store.update("CLEAR SILENT DEFAULT" if name is None else f"DROP SILENT GRAPH <{name}>")
            for data, media in documents:
                store.load(data, RDF_UPLOAD[media], name)
        except RDFSyntaxError as exc:
            raise Refused(400, str(exc)) from None
    return Response(status=201 if not existed else 204)


# --- VoID -------------------------------------------------------------------------------------


@bp.route("/.well-known/void", methods=["GET"])
def void() -> Response:
    """A VoID description of the dataset: size, classes, the endpoint (computed once per store state)."""
    executor = current_executor()
    media = negotiation.choose(request.headers.get("Accept"), negotiation.GRAPHS) or "text/turtle"
    cache: dict[Any, Any] = current_app.extensions.setdefault("opskg.void", {"generation": None, "bodies": {}})
    if cache["generation"] != executor.generation:  # the store changed: every description is stale
        cache["generation"], cache["bodies"] = executor.generation, {}
    key = (request.url_root, media)
    body = cache["bodies"].get(key)
    if body is None:
        body = _describe_dataset(request.url_root.rstrip("/"), media)
        if len(cache["bodies"]) < 32:  # hosts and formats come from clients: keep a bounded few
            cache["bodies"][key] = body
    response = Response(body, mimetype=media)
    response.headers["Vary"] = "Accept"
    return response


def _describe_dataset(base: str, media: str) -> bytes:
    classes = []
    job = Request(query="SELECT ?c (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e a ?c FILTER(STRSTARTS(STR(?c), "
                        "\"https://w3id.org/opskg/ontology#\")) } GROUP BY ?c ORDER BY ?c",
                  results_type="application/sparql-results+json", graph_type="text/turtle",
                  union=True, max_rows=1000)
    for binding in json.loads(current_executor().run(job).body)["results"]["bindings"]:
        classes.append((binding["c"]["value"], binding["n"]["value"]))
    partitions = " ,\n        ".join(f"[ void:class <{c}> ; void:entities {n} ]" for c, n in classes)
    return _turtle_as(f"""@prefix void: <http://rdfs.org/ns/void#> .
@prefix dct: <http://purl.org/dc/terms/> .

<{base}/.well-known/void#dataset> a void:Dataset ;
    dct:title "opskg knowledge graph" ;
    void:sparqlEndpoint <{base}/sparql> ;
    void:triples {_store().count()} ;
    void:uriSpace "{_iris().base}" ;
    void:vocabulary <https://w3id.org/opskg/ontology#> ;
    void:classPartition {partitions or '[]'} .
""", media)
