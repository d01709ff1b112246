"""Real SPARQL clients against a live ``kg serve``: SPARQLWrapper, rdflib's SPARQLStore and
SPARQLUpdateStore, and ``requests`` with the Accept headers browsers, curl, Jena, Comunica and
YASGUI send. Two servers, started once for the module on 127.0.0.1: a read-only one over a copy of
the seeds store, and one with updates enabled (a bearer token) over an empty store.
"""

from __future__ import annotations

import gc
import shutil
import socket
import urllib.error
from collections.abc import Iterator
from pathlib import Path
from xml.dom.minidom import Document

import pytest
import requests
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF
from rdflib.plugins.stores.sparqlstore import SPARQLStore, SPARQLUpdateStore
from SPARQLWrapper import GET, JSON, JSONLD, POST, POSTDIRECTLY, RDFXML, TURTLE, URLENCODED, XML, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed, Unauthorized

from kg.store import OxigraphStore
from server import ServeOptions, create_app
from tests.live import LiveServer, running

TOKEN = "clients-token-4e8a1f"
OPS = "https://w3id.org/opskg/ontology#"
NAMES = "SELECT DISTINCT ?name WHERE { ?p a ops:Person ; rdfs:label ?name } ORDER BY ?name"
ASK = "ASK { ?a a ops:Article }"
CONSTRUCT = "CONSTRUCT { ?a a ops:Article } WHERE { ?a a ops:Article }"
TIMEOUT = 20

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
CURL = "*/*"
JENA_RESULTS = ("application/sparql-results+json, application/sparql-results+xml;q=0.9, "
                "text/tab-separated-values;q=0.7, text/csv;q=0.5, application/json;q=0.2, application/xml;q=0.2, "
                "*/*;q=0.1")
JENA_GRAPH = ("text/turtle,application/n-triples;q=0.9,application/ld+json;q=0.8,application/rdf+xml;q=0.7,"
              "*/*;q=0.5")
COMUNICA_RESULTS = "application/sparql-results+json;q=1.0,application/sparql-results+xml;q=0.7"
COMUNICA_GRAPH = "text/turtle"
YASGUI = "application/sparql-results+json,*/*;q=0.9"

#: SPARQLWrapper and rdflib's SPARQL stores leave urllib responses to the garbage collector, which
#: reports them as ResourceWarnings: accepted for tests of those libraries (collected in teardown).
CLIENT_LIBRARY = pytest.mark.filterwarnings("ignore::ResourceWarning")


@pytest.fixture(autouse=True)
def _collect_client_leftovers() -> Iterator[None]:
    yield
    gc.collect()


@pytest.fixture(scope="module")
def reader(seeds_store_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A read-only server over a copy of the seeds store (default graph: the union of all graphs)."""
    folder = tmp_path_factory.mktemp("clients-reader")
    store = folder / "store"
    shutil.copytree(seeds_store_path, store)
    (store / "LOCK").unlink(missing_ok=True)
    with running(store, folder / "serve.log") as live:
        yield live


@pytest.fixture(scope="module")
def writer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server that accepts updates with the bearer token, over an empty store."""
    folder = tmp_path_factory.mktemp("clients-writer")
    store = folder / "store"
    store.mkdir()
    with running(store, folder / "serve.log", "--allow-updates", "--token", TOKEN, "--access-log",
                 token=TOKEN) as live:
        yield live


@pytest.fixture
def socket_timeout() -> Iterator[None]:
    """rdflib's SPARQL stores call urlopen without a timeout: bound them through the socket default."""
    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(TIMEOUT)
    yield
    socket.setdefaulttimeout(previous)


@pytest.fixture(scope="module")
def expected_names(reader: LiveServer) -> list[str]:
    response = reader.request("GET", "/sparql", params={"query": NAMES},
                              headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200
    names = [b["name"]["value"] for b in response.json()["results"]["bindings"]]
    assert len(names) >= 10 and names == sorted(names)
    return names


# --- SPARQLWrapper ------------------------------------------------------------------------------


def _wrapper(server: LiveServer, query: str, fmt: str, method: str = GET, request_method: str | None = None,
             ) -> SPARQLWrapper:
    sparql = SPARQLWrapper(server.url + "/sparql")
    sparql.setQuery(query)
    sparql.setReturnFormat(fmt)
    sparql.setMethod(method)
    if request_method is not None:
        sparql.setRequestMethod(request_method)
    sparql.setTimeout(TIMEOUT)
    return sparql


def _xml_names(document: Document) -> list[str]:
    return [node.firstChild.data for node in document.getElementsByTagName("literal")]


@CLIENT_LIBRARY
@pytest.mark.parametrize(("method", "request_method"), [(GET, None), (POST, URLENCODED), (POST, POSTDIRECTLY)],
                         ids=["get", "post-form", "post-direct"])
def test_sparqlwrapper_select_json_and_xml(reader: LiveServer, expected_names: list[str], method: str,
                                           request_method: str | None) -> None:
    as_json = _wrapper(reader, NAMES, JSON, method, request_method).queryAndConvert()
    assert isinstance(as_json, dict)
    assert [b["name"]["value"] for b in as_json["results"]["bindings"]] == expected_names
    as_xml = _wrapper(reader, NAMES, XML, method, request_method).queryAndConvert()
    assert isinstance(as_xml, Document)
    assert _xml_names(as_xml) == expected_names


@CLIENT_LIBRARY
@pytest.mark.parametrize(("method", "request_method"), [(GET, None), (POST, URLENCODED), (POST, POSTDIRECTLY)],
                         ids=["get", "post-form", "post-direct"])
def test_sparqlwrapper_ask(reader: LiveServer, method: str, request_method: str | None) -> None:
    assert _wrapper(reader, ASK, JSON, method, request_method).queryAndConvert() == {"head": {}, "boolean": True}
    document = _wrapper(reader, "ASK { <urn:x:none> ?p ?o }", XML, method, request_method).queryAndConvert()
    assert isinstance(document, Document)
    assert document.getElementsByTagName("boolean")[0].firstChild.data == "false"


# SPARQLWrapper 2.0 builds its RDF result in an rdflib ConjunctiveGraph, deprecated by rdflib 7
@CLIENT_LIBRARY
@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
def test_sparqlwrapper_construct(reader: LiveServer) -> None:
    # XML for a CONSTRUCT: SPARQLWrapper asks for RDF/XML (with format=xml) and returns an rdflib Graph
    graph = _wrapper(reader, CONSTRUCT, XML).queryAndConvert()
    assert isinstance(graph, Graph)
    articles = set(graph.subjects(RDF.type, URIRef(OPS + "Article")))
    assert len(articles) == 5 and len(graph) == 5
    for fmt in (RDFXML, JSONLD):  # these also send format=rdf+xml / json-ld parameters
        assert set(_wrapper(reader, CONSTRUCT, fmt, POST, POSTDIRECTLY).queryAndConvert()) == set(graph), fmt
    turtle = _wrapper(reader, CONSTRUCT, TURTLE, POST, URLENCODED).queryAndConvert()
    assert isinstance(turtle, bytes)
    assert set(Graph().parse(data=turtle, format="turtle").subjects(RDF.type, URIRef(OPS + "Article"))) == articles


@CLIENT_LIBRARY
def test_sparqlwrapper_reports_syntax_errors(reader: LiveServer) -> None:
    with pytest.raises(QueryBadFormed):
        _wrapper(reader, "SELECT * WHERE {", JSON).query()


# --- rdflib SPARQLStore / SPARQLUpdateStore ---------------------------------------------------


@CLIENT_LIBRARY
@pytest.mark.parametrize("method", ["GET", "POST", "POST_FORM"])
@pytest.mark.usefixtures("socket_timeout")
def test_rdflib_sparqlstore_query(reader: LiveServer, expected_names: list[str], method: str) -> None:
    store = SPARQLStore(reader.url + "/sparql", method=method)
    graph = Graph(store)
    try:
        names = [str(row[0]) for row in graph.query(NAMES)]  # type: ignore[index]
        assert names == expected_names
        assert graph.query(ASK).askAnswer is True
        constructed = graph.query(CONSTRUCT).graph
        assert constructed is not None and len(constructed) == 5
    finally:
        store.close()


@CLIENT_LIBRARY
@pytest.mark.usefixtures("socket_timeout")
def test_rdflib_sparqlupdatestore_writes_with_the_token(writer: LiveServer) -> None:
    endpoint = writer.url + "/sparql"
    store = SPARQLUpdateStore(endpoint, endpoint, headers={"Authorization": f"Bearer {TOKEN}"})
    name = URIRef("http://example.org/clients/graph")
    s, p = URIRef("http://example.org/clients/s"), URIRef("http://example.org/clients/p")
    try:
        graph = Graph(store, identifier=name)
        graph.add((s, p, Literal("one")))
        graph.add((s, p, Literal(2)))
        assert set(graph.objects(s, p)) == {Literal("one"), Literal(2)}
        graph.remove((s, p, Literal("one")))
        assert set(graph.objects(s, p)) == {Literal(2)}
        stored = writer.request("GET", "/store", params={"graph": str(name)}, headers={"Accept": "text/turtle"})
        assert stored.status_code == 200
        assert set(Graph().parse(data=stored.content, format="turtle")) == {(s, p, Literal(2))}
    finally:
        store.close()
    anonymous = SPARQLUpdateStore(endpoint, endpoint)
    try:
        with pytest.raises(urllib.error.HTTPError) as refused:
            Graph(anonymous, identifier=name).add((s, p, Literal(3)))
        assert refused.value.code == 401
    finally:
        anonymous.close()


@CLIENT_LIBRARY
def test_sparqlwrapper_update_needs_the_token(writer: LiveServer) -> None:
    update = "INSERT DATA { GRAPH <http://example.org/clients/sw> { <urn:x:s> <urn:x:p> 1 } }"
    sparql = SPARQLWrapper(writer.url + "/sparql", updateEndpoint=writer.url + "/sparql")
    sparql.setMethod(POST)
    sparql.setQuery(update)
    sparql.setTimeout(TIMEOUT)
    with pytest.raises(Unauthorized):
        sparql.query()
    sparql.addCustomHttpHeader("Authorization", f"Bearer {TOKEN}")
    assert sparql.query().response.status == 204
    ask = writer.request("GET", "/sparql", params={"query": "ASK { GRAPH ?g { <urn:x:s> <urn:x:p> 1 } }"},
                         headers={"Accept": "application/json"})
    assert ask.json()["boolean"] is True


# --- requests with the Accept headers real clients send -------------------------------------------


def _media(response: requests.Response) -> str:
    return response.headers.get("Content-Type", "").split(";")[0].strip()


def test_browser_on_the_endpoint_is_sent_to_the_query_page(reader: LiveServer) -> None:
    response = reader.request("GET", "/sparql", headers={"Accept": BROWSER})
    assert response.status_code == 303
    assert response.headers["Location"] in ("/", reader.url + "/")
    page = reader.request("GET", "/", headers={"Accept": BROWSER})
    assert page.status_code == 200 and _media(page) == "text/html"


def test_service_description_for_rdf_clients(reader: LiveServer) -> None:
    response = reader.request("GET", "/sparql", headers={"Accept": JENA_GRAPH})
    assert response.status_code == 200 and _media(response) == "text/turtle"
    description = Graph().parse(data=response.content, format="turtle")
    service = URIRef("http://www.w3.org/ns/sparql-service-description#Service")
    assert (None, RDF.type, service) in description


@pytest.mark.parametrize(("client", "accept", "media"), [
    ("curl", CURL, "application/sparql-results+json"),
    ("jena", JENA_RESULTS, "application/sparql-results+json"),
    ("comunica", COMUNICA_RESULTS, "application/sparql-results+json"),
    ("yasgui", YASGUI, "application/sparql-results+json"),
    ("browser", BROWSER, "application/sparql-results+xml"),
    ("no-accept", None, "application/sparql-results+json"),
])
def test_select_with_client_accept_headers(reader: LiveServer, expected_names: list[str], client: str,
                                           accept: str | None, media: str) -> None:
    response = reader.request("GET", "/sparql", params={"query": NAMES}, headers={"Accept": accept})
    assert response.status_code == 200, response.text
    assert _media(response) == media
    assert response.headers.get("Vary") == "Accept"
    if media.endswith("json"):
        assert [b["name"]["value"] for b in response.json()["results"]["bindings"]] == expected_names


@pytest.mark.parametrize(("client", "accept", "media"), [
    ("curl", CURL, "text/turtle"),
    ("jena", JENA_GRAPH, "text/turtle"),
    ("comunica", COMUNICA_GRAPH, "text/turtle"),
    ("yasgui", YASGUI, "text/turtle"),
    ("jena-results-header", JENA_RESULTS, "application/ld+json"),  # application/json;q=0.2 beats */*;q=0.1
])
def test_construct_with_client_accept_headers(reader: LiveServer, client: str, accept: str, media: str) -> None:
    response = reader.request("POST", "/sparql", data={"query": CONSTRUCT}, headers={"Accept": accept})
    assert response.status_code == 200, response.text
    assert _media(response) == media
    graph = Graph().parse(data=response.content, format="json-ld" if media.endswith("json") else "turtle")
    assert len(set(graph.subjects(RDF.type, URIRef(OPS + "Article")))) == 5


def test_comunica_long_query_by_form_post(reader: LiveServer, expected_names: list[str]) -> None:
    padding = "# " + "x" * 20_000 + "\n"  # too long for a URL: Comunica then POSTs the form
    response = reader.request("POST", "/sparql", data={"query": padding + NAMES},
                              headers={"Accept": COMUNICA_RESULTS})
    assert response.status_code == 200 and _media(response) == "application/sparql-results+json"
    assert [b["name"]["value"] for b in response.json()["results"]["bindings"]] == expected_names


@pytest.mark.parametrize(("accept", "media"), [
    ("text/csv;q=0.5, text/tab-separated-values;q=0.9", "text/tab-separated-values"),
    ("application/sparql-results+json;q=0.4, application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/csv, application/sparql-results+json;q=0.99", "text/csv"),
    ("application/sparql-results+json; charset=utf-8", "application/sparql-results+json"),
])
def test_q_values_decide_not_the_order(reader: LiveServer, accept: str, media: str) -> None:
    response = reader.request("GET", "/sparql", params={"query": NAMES}, headers={"Accept": accept})
    assert response.status_code == 200 and _media(response) == media


def test_nothing_acceptable_is_406(reader: LiveServer) -> None:
    for query in (NAMES, CONSTRUCT):
        response = reader.request("GET", "/sparql", params={"query": query}, headers={"Accept": "image/png"})
        assert response.status_code == 406 and _media(response) == "text/plain"
        assert len(response.text) < 300


def test_wrong_content_type_is_415(reader: LiveServer) -> None:
    for media in ("text/csv", "application/json", "text/plain"):
        response = reader.request("POST", "/sparql", data=NAMES.encode(), headers={"Content-Type": media})
        assert response.status_code == 415 and _media(response) == "text/plain", media


def test_put_on_the_endpoint_is_405(reader: LiveServer) -> None:
    response = reader.request("PUT", "/sparql", data=NAMES.encode(),
                              headers={"Content-Type": "application/sparql-query"})
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"] and "POST" in response.headers["Allow"]


def test_syntax_error_is_a_short_plain_400(reader: LiveServer) -> None:
    for send in (lambda: reader.request("GET", "/sparql", params={"query": "SELECT * WHERE { ?s ?p"}),
                 lambda: reader.request("POST", "/sparql", data=b"SELECT WHERE",
                                        headers={"Content-Type": "application/sparql-query"})):
        response = send()
        assert response.status_code == 400 and _media(response) == "text/plain"
        assert "Traceback" not in response.text and 'File "' not in response.text
        assert 0 < len(response.text) < 500 and response.text.count("\n") <= 2


def test_update_syntax_error_is_a_short_plain_400(writer: LiveServer) -> None:
    response = writer.request("POST", "/sparql", data=b"INSERT DATA { <urn:x:a> <urn:x:b> ",
                              headers={"Content-Type": "application/sparql-update", **writer.auth()})
    assert response.status_code == 400 and _media(response) == "text/plain"
    assert "Traceback" not in response.text
    assert 0 < len(response.text) < 500 and response.text.count("\n") <= 2


def test_body_over_the_limit_is_413_live(reader: LiveServer) -> None:
    body = b"query=" + b"x" * (1024 * 1024)  # the default limit: 1 MiB
    try:
        response = reader.request("POST", "/sparql", data=body,
                                  headers={"Content-Type": "application/x-www-form-urlencoded"})
    except requests.ConnectionError:  # the server may close before reading everything
        pytest.fail("the server closed the connection instead of answering 413")
    assert response.status_code == 413 and _media(response) == "text/plain"


def test_body_over_a_small_limit_is_413() -> None:
    store = OxigraphStore(None)
    try:
        app = create_app(store, options=ServeOptions(max_body=1000), TESTING=True)
        client = app.test_client()
        small = client.post("/sparql", data="ASK {}", content_type="application/sparql-query")
        assert small.status_code == 200
        large = client.post("/sparql", data="ASK {}" + " " * 2000, content_type="application/sparql-query")
        assert large.status_code == 413 and large.mimetype == "text/plain"
        form = client.post("/sparql", data={"query": "ASK {}" + " " * 2000})
        assert form.status_code == 413
    finally:
        store.close()


def test_cors_on_reads_not_on_updates(reader: LiveServer, writer: LiveServer) -> None:
    origin = {"Origin": "https://example.org"}
    get = reader.request("GET", "/sparql", params={"query": ASK}, headers=origin)
    form = reader.request("POST", "/sparql", data={"query": ASK}, headers=origin)
    direct = reader.request("POST", "/sparql", data=ASK.encode(),
                            headers={"Content-Type": "application/sparql-query", **origin})
    for response in (get, form, direct):
        assert response.status_code == 200
        assert response.headers.get("Access-Control-Allow-Origin") == "*"
    preflight = reader.request("OPTIONS", "/sparql", headers={
        **origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"})
    assert preflight.status_code in (200, 204)
    assert "POST" in preflight.headers.get("Access-Control-Allow-Methods", "")
    update = writer.request("POST", "/sparql", data=b"INSERT DATA { <urn:x:a> <urn:x:b> 1 }",
                            headers={"Content-Type": "application/sparql-update", **origin, **writer.auth()})
    assert update.status_code == 204
    assert "Access-Control-Allow-Origin" not in update.headers


def test_updates_refused_without_or_with_a_wrong_token(writer: LiveServer, reader: LiveServer) -> None:
    update = b"INSERT DATA { <urn:x:refused> <urn:x:p> 1 }"
    sent: list[tuple[dict[str, str], int]] = [
        ({}, 401),
        ({"Authorization": "Bearer wrong-token"}, 403),
        ({"Authorization": f"Basic {TOKEN}"}, 401),
        ({"Authorization": f"Bearer {TOKEN}x"}, 403),
    ]
    for headers, status in sent:
        for body, media in ((update, "application/sparql-update"),
                            (b"update=" + update, "application/x-www-form-urlencoded")):
            response = writer.request("POST", "/sparql", data=body, headers={"Content-Type": media, **headers})
            assert response.status_code == status, (headers, media, response.text)
            assert TOKEN not in response.text
    ask = writer.request("GET", "/sparql", params={"query": "ASK { <urn:x:refused> ?p ?o }"},
                         headers={"Accept": "application/json"})
    assert ask.json()["boolean"] is False
    # a read-only server refuses updates whatever the token
    refused = reader.request("POST", "/sparql", data=update,
                             headers={"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"})
    assert refused.status_code == 403


def test_the_token_never_reaches_the_log(writer: LiveServer) -> None:
    # requests with the right and a wrong token, good and bad updates, then the captured server output
    for body in (b"INSERT DATA { <urn:x:log> <urn:x:p> 1 }", b"INSERT DATA { broken"):
        writer.request("POST", "/sparql", data=body, headers={"Content-Type": "application/sparql-update",
                                                              **writer.auth()})
    writer.request("POST", "/sparql", data=b"CLEAR ALL", headers={"Content-Type": "application/sparql-update",
                                                                   "Authorization": f"Bearer {TOKEN[:-1]}"})
    writer.request("PUT", "/store", params={"graph": "urn:x:g"}, data=b"<urn:x:a> <urn:x:b> 1 .",
                   headers={"Content-Type": "application/n-triples", **writer.auth()})
    log = writer.log_text()
    assert "POST /sparql" in log, "the server output was not captured"
    assert TOKEN not in log and TOKEN[:-1] not in log


def test_queries_keep_working_after_errors(reader: LiveServer, expected_names: list[str]) -> None:
    for _ in range(3):
        reader.request("GET", "/sparql", params={"query": "SELECT * WHERE {"})
    response = reader.request("GET", "/sparql", params={"query": NAMES}, headers={"Accept": CURL})
    assert [b["name"]["value"] for b in response.json()["results"]["bindings"]] == expected_names

