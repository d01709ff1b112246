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

from kg.errors import QueryError, QuerySyntaxError, RDFSyntaxError, StoreError
from kg.sparql_text import explain_syntax_error, shorten
from kg.store import GraphStore
from kg.vocab import OPS, PREFIXES, IRIs
from server import current_executor, current_options, current_settings, negotiation, served_graphs
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
    prefixes = dict(PREFIXES) if options.default_graph != "store" else {}
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
    own_dataset = protocol_dataset or found.declares_dataset
    if protocol_dataset:
        default_graphs: list[str] | None = defaults or []  # named-graph-uri alone: an empty default graph
    elif options.default_graph == "canonical" and not own_dataset:
        default_graphs = served_graphs()
    else:
        default_graphs = None
    job = Request(
        query=text,
        results_type=results_type or "application/sparql-results+json",
        graph_type=graph_type or "text/turtle",
        # The union or the canonical graphs are the default dataset only: a dataset the request or the
        # query names replaces it.
        union=options.default_graph == "union" and not own_dataset,
        default_graphs=default_graphs,
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
    using = [_graph_parameter(g, "using-graph-uri") for g in params.get("using-graph-uri", [])]
    using_named = [_graph_parameter(g, "using-named-graph-uri") for g in params.get("using-named-graph-uri", [])]
    if (using or using_named) and declares_dataset(text):
        raise Refused(400, "the update names its own dataset (USING or WITH) and the request gives one too")
    try:
        with current_executor().writing():
            # relative IRIs resolve against the endpoint, as for queries
            _store().update(add_using(text, using, using_named), base_iri=_service_base())
    except QuerySyntaxError as exc:
        raise Refused(400, explain_syntax_error(text, str(exc), update=True)) from None
    except QueryError as exc:
        raise Refused(400, shorten(str(exc))) from None
    except (OSError, StoreError, ValueError) as exc:
        raise Refused(400, f"the update could not be applied: {shorten(str(exc))}") from None
    return Response(status=204)


def _graph_parameter(value: str, name: str) -> ox.NamedNode:
    try:
        return ox.NamedNode(value)
    except ValueError:
        raise Refused(400, f"{name}: <{value}> is not an absolute IRI") from None


def _service_description() -> Response:
    options = current_options()
    media = negotiation.choose(request.headers.get("Accept"), negotiation.GRAPHS) or "text/turtle"
    response = Response(_describe_service(request.url_root.rstrip("/"), options.allow_updates,
                                          options.default_graph == "union", media), mimetype=media)
    response.headers["Vary"] = "Accept"
    return response


SD = "http://www.w3.org/ns/sparql-service-description#"
VOID = "http://rdfs.org/ns/void#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RESULT_FORMATS = ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV", "Turtle",
                  "N-Triples", "JSON-LD", "RDF_XML", "TriG", "N-Quads")


def _sd(name: str) -> ox.NamedNode:
    return ox.NamedNode(SD + name)


def _void(name: str) -> ox.NamedNode:
    return ox.NamedNode(VOID + name)


def _own(base: str, path: str) -> ox.NamedNode:
    """An address of this server (``base`` comes from the request's Host header: checked as an IRI)."""
    try:
        return ox.NamedNode(base + path)
    except ValueError:
        raise Refused(400, "the request's Host header does not make a valid IRI") from None


@lru_cache(maxsize=32)
def _describe_service(base: str, updates: bool, union: bool, media: str) -> bytes:
    """The Service Description (it changes only with the server's address and options)."""
    service, endpoint = _own(base, "/sparql#service"), _own(base, "/sparql")
    dataset, graph = ox.BlankNode(), ox.BlankNode()
    languages = [_sd("SPARQL11Query"), *([_sd("SPARQL11Update")] if updates else [])]
    triples = [
        ox.Triple(service, RDF_TYPE, _sd("Service")),
        ox.Triple(service, _sd("endpoint"), endpoint),
        *(ox.Triple(service, _sd("supportedLanguage"), language) for language in languages),
        *([ox.Triple(service, _sd("feature"), _sd("UnionDefaultGraph"))] if union else []),
        *(ox.Triple(service, _sd("resultFormat"), ox.NamedNode(f"http://www.w3.org/ns/formats/{f}"))
          for f in RESULT_FORMATS),
        ox.Triple(service, _sd("defaultDataset"), dataset),
        ox.Triple(dataset, RDF_TYPE, _sd("Dataset")),
        ox.Triple(dataset, _void("sparqlEndpoint"), endpoint),
        ox.Triple(dataset, _sd("defaultGraph"), graph),
        ox.Triple(graph, RDF_TYPE, _sd("Graph")),
    ]
    return _serialize(triples, media, {"sd": SD, "void": VOID})


def _serialize(triples: list[ox.Triple], media: str, prefixes: dict[str, str]) -> bytes:
    """A description built here as terms, in the negotiated RDF format."""
    return ox.serialize(triples, None, GRAPH_FORMATS[media], prefixes=prefixes) or b""


# --- the Graph Store HTTP Protocol ----------------------------------------------------------


@bp.route("/store", methods=["GET", "HEAD", "PUT", "POST", "DELETE"])
def graph_store() -> Response:
    graph = request.args.get("graph")
    default = "default" in request.args
    if (graph is None) == (not default):
        raise Refused(400, "name one graph: ?graph=<IRI> or ?default")
    if graph is not None and not _is_iri(graph):
        raise Refused(400, f"<{graph}> is not an absolute IRI")
    name = None if default else graph
    if request.method in ("GET", "HEAD"):
        return _read_graph(name)
    _authorized()
    return _write_graph(name)


#: One graph's triples: the named graph ?g (bound by substitution), or the store's default graph.
_NAMED_GRAPH = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"
_DEFAULT_GRAPH = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"


def _read_graph(name: str | None) -> Response:
    store = _store()
    if name is not None and name not in store.graph_names():
        raise Refused(404, f"there is no graph <{name}>")
    media = negotiation.choose(request.headers.get("Accept"), negotiation.GRAPHS,
                               request.args.get("format"))
    if media is None:
        raise Refused(406, "none of the accepted media types is an RDF format this server writes")
    job = Request(query=_NAMED_GRAPH if name is not None else _DEFAULT_GRAPH,
                  results_type="application/sparql-results+json", graph_type=media, union=False,
                  prefixes=dict(PREFIXES), max_rows=10**9,
                  substitutions={"g": name} if name is not None else None)
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
            store.drop_graph(name)
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
                store.drop_graph(name)
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
    # entities per class of the default graph queries get: in the knowledge graph, one per real-world
    # thing, not one per article's IRI
    setting = current_options().default_graph
    job = Request(query=_CLASS_SIZES, results_type="application/sparql-results+json", graph_type="text/turtle",
                  union=setting == "union", default_graphs=served_graphs() if setting == "canonical" else None,
                  max_rows=1000)
    dataset = _own(base, "/.well-known/void#dataset")
    triples = [
        ox.Triple(dataset, RDF_TYPE, _void("Dataset")),
        ox.Triple(dataset, ox.NamedNode("http://purl.org/dc/terms/title"), ox.Literal("opskg knowledge graph")),
        ox.Triple(dataset, _void("sparqlEndpoint"), _own(base, "/sparql")),
        ox.Triple(dataset, _void("triples"), ox.Literal(str(_store().count()), datatype=XSD_INTEGER)),
        ox.Triple(dataset, _void("uriSpace"), ox.Literal(_iris().base)),
        ox.Triple(dataset, _void("vocabulary"), ox.NamedNode(str(OPS))),
    ]
    for binding in json.loads(current_executor().run(job).body)["results"]["bindings"]:
        partition = ox.BlankNode()
        triples += [ox.Triple(dataset, _void("classPartition"), partition),
                    ox.Triple(partition, _void("class"), ox.NamedNode(binding["c"]["value"])),
                    ox.Triple(partition, _void("entities"), ox.Literal(binding["n"]["value"], datatype=XSD_INTEGER))]
    return _serialize(triples, media, {"void": VOID, "dct": "http://purl.org/dc/terms/"})


XSD_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
#: Entities per class of the ontology.
_CLASS_SIZES = ("SELECT ?c (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e a ?c FILTER(STRSTARTS(STR(?c), "
                "\"https://w3id.org/opskg/ontology#\")) } GROUP BY ?c ORDER BY ?c")
