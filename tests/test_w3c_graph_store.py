"""The W3C SPARQL 1.1 Graph Store Protocol tests (graph-store-protocol/), against a live ``kg serve``.

The manifests describe each test as a sequence of HTTP requests (``ht:`` vocabulary) with the
expected status codes, response content type and body (compared by graph isomorphism). The
graph store here is ``/store`` (the manifests' ``/gsp``), with indirect graph identification only
(``?graph=IRI`` and ``?default``): tests that require mf:DirectGraphIdentification or
mf:POSTGraphCreation are skipped, and a separate test checks that those requests are refused
cleanly. Writes carry the bearer token this server requires. The store is emptied before each test.

Below the manifest tests, the protocol's statuses and media types are checked one by one: 201 for
a new graph, 204 for a replaced one, 404, 400 for a document that does not parse (which then
changes nothing), 415, 401/403 without or with a wrong token, and content negotiation on GET.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
from rdflib import Graph, URIRef

from tests.w3c import (
    MF,
    HttpRequest,
    LiveServer,
    compare_graphs,
    empty_update_server,
    http_requests,
    included_manifests,
    manifest_entries,
    read_manifest,
    same_media,
    status_ok,
    suite_root,
    suite_root_or_none,
)

TOKEN = "w3c-gsp-token-93fa"
SUPPORTED = {MF.IndirectGraphIdentification}
PERSON = "http://www.example/gsp/person/1.ttl"
TURTLE = "text/turtle"
DOC = b'@prefix foaf: <http://xmlns.com/foaf/0.1/> . <http://www.example/gsp/person/1> foaf:name "Ann" .'
MORE = b'@prefix foaf: <http://xmlns.com/foaf/0.1/> . <http://www.example/gsp/person/1> foaf:age 42 .'


def _cases() -> list[object]:
    root = suite_root_or_none()
    if root is None:
        return [pytest.param(None, None, id="w3c-suite")]
    params = []
    for relative in included_manifests(root, "graph-store-protocol/manifest.ttl"):
        graph = read_manifest(root, relative)
        for entry in manifest_entries(graph):
            needs = set(graph.objects(entry, MF.requires)) - SUPPORTED
            marks = [pytest.mark.skip(reason=f"requires {', '.join(sorted(str(n).rsplit('#')[-1] for n in needs))}, "
                                             "which /store does not offer (see test_unsupported_features_are_refused)")
                     ] if needs else []
            params.append(pytest.param(graph, entry, id=str(entry).rsplit("#", 1)[-1], marks=marks))
    return params


@pytest.fixture(scope="module", params=["store", "union", "canonical"])
def gsp_server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One server per default-graph setting: the Graph Store Protocol behaves the same in both."""
    with empty_update_server(tmp_path_factory, "w3c-gsp", TOKEN, request.param) as live:
        yield live


def _send(server: LiveServer, request: HttpRequest) -> None:
    assert request.path.startswith("/gsp"), request.path
    path = "/store" + request.path[len("/gsp"):]
    headers: dict[str, str | None] = {"Accept": None}
    headers.update(request.headers)
    if request.method not in ("GET", "HEAD"):
        headers.update(server.auth())
    response = server.send_raw(request.method, path, headers, request.body)
    assert status_ok(response.status_code, request.statuses), (
        f"{request.method} {path}: HTTP {response.status_code}, expected {sorted(map(str, request.statuses))}: "
        f"{response.text[:300]}")
    if request.content_type is not None:
        assert same_media(response.headers.get("Content-Type"), request.content_type), response.headers
    if request.method == "HEAD":
        assert response.content == b""
    if request.response_body is not None:
        expected = Graph().parse(data=request.response_body, format="turtle")
        actual = Graph().parse(data=response.content, format="turtle")
        compare_graphs(actual, expected)


@pytest.mark.parametrize(("manifest", "entry"), _cases())
def test_graph_store_protocol(gsp_server: LiveServer, manifest: Graph | None, entry: URIRef | None) -> None:
    suite_root()
    assert manifest is not None and entry is not None
    gsp_server.clear()
    for request in http_requests(manifest, entry):
        _send(gsp_server, request)


def test_manifests_hold_the_expected_tests() -> None:
    cases = [c for c in _cases() if c.values[0] is not None]  # type: ignore[attr-defined]
    if not cases:
        suite_root()
    assert len(cases) == 13  # manifest-direct.ttl lists 4 of its 5 tests
    runnable = [c for c in cases if not c.marks]  # type: ignore[attr-defined]
    assert len(runnable) == 8


def test_unsupported_features_are_refused(gsp_server: LiveServer) -> None:
    """Direct identification (a path per graph) and POST-to-create get a clean 4xx, nothing written."""
    gsp_server.clear()
    direct = gsp_server.request("PUT", "/store/person/1.ttl", data=DOC,
                                headers={"Content-Type": TURTLE, **gsp_server.auth()})
    assert direct.status_code == 404
    create = gsp_server.request("POST", "/store", data=DOC, headers={"Content-Type": TURTLE, **gsp_server.auth()})
    assert create.status_code == 400 and "?graph=" in create.text
    both = gsp_server.request("GET", "/store", params={"graph": PERSON, "default": ""})
    assert both.status_code == 400
    assert not _graph(gsp_server, None) and _get(gsp_server, PERSON).status_code == 404


# --- statuses and media types, one by one ------------------------------------------------------


def _params(graph: str | None) -> dict[str, str]:
    return {"default": ""} if graph is None else {"graph": graph}


def _write(server: LiveServer, method: str, graph: str | None, body: bytes, media: str = TURTLE,
           token: bool = True) -> int:
    headers = {"Content-Type": media, **(server.auth() if token else {})}
    return server.request(method, "/store", params=_params(graph), data=body, headers=headers).status_code


def _get(server: LiveServer, graph: str | None, accept: str = TURTLE) -> requests.Response:
    return server.request("GET", "/store", params=_params(graph), headers={"Accept": accept})


def _graph(server: LiveServer, graph: str | None) -> Graph:
    response = server.request("GET", "/store", params=_params(graph), headers={"Accept": "application/n-triples"})
    assert response.status_code == 200, response.text
    return Graph().parse(data=response.content, format="nt")


def _expected(*documents: bytes) -> Graph:
    graph = Graph()
    for document in documents:
        graph.parse(data=document, format="turtle")
    return graph


@pytest.mark.parametrize("graph", [None, PERSON], ids=["default", "named"])
def test_put_post_get_delete(gsp_server: LiveServer, graph: str | None) -> None:
    gsp_server.clear()
    assert _write(gsp_server, "PUT", graph, DOC) == (204 if graph is None else 201)  # the default graph always exists
    compare_graphs(_graph(gsp_server, graph), _expected(DOC))
    assert _write(gsp_server, "PUT", graph, DOC) == 204  # replaced
    assert _write(gsp_server, "POST", graph, MORE) == 204  # merged
    compare_graphs(_graph(gsp_server, graph), _expected(DOC, MORE))
    assert _write(gsp_server, "PUT", graph, MORE) == 204  # PUT replaces the whole graph
    compare_graphs(_graph(gsp_server, graph), _expected(MORE))
    delete = gsp_server.request("DELETE", "/store", params=_params(graph), headers=gsp_server.auth())
    assert delete.status_code == 204
    if graph is None:
        assert len(_graph(gsp_server, None)) == 0
    else:
        assert _get(gsp_server, graph).status_code == 404
        again = gsp_server.request("DELETE", "/store", params=_params(graph), headers=gsp_server.auth())
        assert again.status_code == 404


def test_post_creates_a_missing_graph(gsp_server: LiveServer) -> None:
    gsp_server.clear()
    assert _write(gsp_server, "POST", PERSON, DOC) == 201
    compare_graphs(_graph(gsp_server, PERSON), _expected(DOC))


def test_named_graph_writes_leave_the_default_graph_alone(gsp_server: LiveServer) -> None:
    gsp_server.clear()
    assert _write(gsp_server, "PUT", None, MORE) == 204
    assert _write(gsp_server, "PUT", PERSON, DOC) == 201
    compare_graphs(_graph(gsp_server, None), _expected(MORE))
    compare_graphs(_graph(gsp_server, PERSON), _expected(DOC))


def test_bad_documents_and_media_types_change_nothing(gsp_server: LiveServer) -> None:
    gsp_server.clear()
    assert _write(gsp_server, "PUT", PERSON, DOC) == 201
    bad = gsp_server.request("PUT", "/store", params=_params(PERSON), data=b"<http://a> <http://b> .",
                             headers={"Content-Type": TURTLE, **gsp_server.auth()})
    assert bad.status_code == 400 and bad.headers["Content-Type"].startswith("text/plain")
    assert "Traceback" not in bad.text
    assert _write(gsp_server, "PUT", PERSON, DOC, media="application/pdf") == 415
    assert _write(gsp_server, "POST", PERSON, DOC, media="") == 415
    compare_graphs(_graph(gsp_server, PERSON), _expected(DOC))


@pytest.mark.parametrize("name", ["not an IRI", "relative/graph", "http://example.org/a>b"])
def test_graph_names_must_be_absolute_iris(gsp_server: LiveServer, name: str) -> None:
    gsp_server.clear()
    for method in ("PUT", "POST", "DELETE", "GET"):
        headers = {"Content-Type": TURTLE, **(gsp_server.auth() if method != "GET" else {})}
        response = gsp_server.request(method, "/store", params={"graph": name}, data=DOC, headers=headers)
        assert response.status_code == 400, (method, response.status_code, response.text)
        assert "Traceback" not in response.text
    assert len(_graph(gsp_server, None)) == 0


def test_other_rdf_formats_are_accepted(gsp_server: LiveServer) -> None:
    gsp_server.clear()
    nt = b'<http://www.example/gsp/person/1> <http://xmlns.com/foaf/0.1/name> "Ann" .\n'
    xml = (b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:foaf="http://xmlns.com/foaf/0.1/">'
           b'<rdf:Description rdf:about="http://www.example/gsp/person/1"><foaf:name>Ann</foaf:name>'
           b"</rdf:Description></rdf:RDF>")
    jsonld = b'{"@id": "http://www.example/gsp/person/1", "http://xmlns.com/foaf/0.1/name": "Ann"}'
    for body, media in ((nt, "application/n-triples"), (xml, "application/rdf+xml"), (jsonld, "application/ld+json")):
        assert _write(gsp_server, "PUT", PERSON, body, media=media) in (201, 204), media
        compare_graphs(_graph(gsp_server, PERSON), _expected(DOC))


def test_get_negotiates_rdf_formats(gsp_server: LiveServer) -> None:
    gsp_server.clear()
    _write(gsp_server, "PUT", PERSON, DOC)
    for accept, media, fmt in (("text/turtle", "text/turtle", "turtle"),
                               ("application/rdf+xml", "application/rdf+xml", "xml"),
                               ("application/ld+json", "application/ld+json", "json-ld"),
                               ("application/n-triples;q=0.5, text/turtle;q=0.9", "text/turtle", "turtle"),
                               ("*/*", "text/turtle", "turtle")):
        response = _get(gsp_server, PERSON, accept)
        assert response.status_code == 200, accept
        assert response.headers["Content-Type"].split(";")[0] == media, accept
        compare_graphs(Graph().parse(data=response.content, format=fmt), _expected(DOC))
    assert _get(gsp_server, PERSON, "image/png").status_code == 406


def test_writes_need_the_token(gsp_server: LiveServer) -> None:
    gsp_server.clear()
    assert _write(gsp_server, "PUT", PERSON, DOC, token=False) == 401
    wrong = gsp_server.request("PUT", "/store", params=_params(PERSON), data=DOC,
                               headers={"Content-Type": TURTLE, "Authorization": "Bearer not-the-token"})
    assert wrong.status_code == 403
    delete = gsp_server.request("DELETE", "/store", params=_params(None))
    assert delete.status_code == 401
    assert _get(gsp_server, PERSON).status_code == 404
    assert TOKEN not in gsp_server.log_text()
