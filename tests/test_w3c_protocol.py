"""The 34 tests of the W3C SPARQL 1.1 Protocol test suite (protocol/manifest.ttl), over real HTTP.

One ``kg serve`` for the whole session, on a fresh empty store, started with
``--allow-updates --token ... --default-graph store``. Each test empties the store, loads the
graphs its ``ut:graphData`` names (under the names their labels give), then sends the manifest's
requests in order with the manifest's headers; ``/sparql/`` in the manifest's paths is this
server's ``/sparql``. Each response is checked for the expected status class, result format and
boolean.

This endpoint accepts updates only with a bearer token (``Authorization: Bearer <token>``, which
the manifest cannot know): the harness adds it to every update request. A request the manifest
expects to be refused (4xx) must then be refused for the reason under test, not with 401/403.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Graph, URIRef

from tests.w3c import (
    HttpRequest,
    LiveServer,
    check_result_format,
    empty_update_server,
    graph_data,
    http_requests,
    is_update,
    load_dataset,
    manifest_entries,
    read_manifest,
    status_ok,
    suite_root,
    suite_root_or_none,
)

TOKEN = "w3c-protocol-token-5b2d"
MANIFEST = "protocol/manifest.ttl"


def _entries() -> tuple[Graph | None, list[URIRef]]:
    root = suite_root_or_none()
    if root is None:
        return None, []
    graph = read_manifest(root, MANIFEST)
    return graph, manifest_entries(graph)


GRAPH, ENTRIES = _entries()


def _params() -> list[object]:
    if GRAPH is None:
        return [pytest.param(None, id="w3c-suite")]
    return [pytest.param(entry, id=str(entry).rsplit("#", 1)[-1]) for entry in ENTRIES]


@pytest.fixture(scope="module", params=["store", "union", "canonical"])
def protocol_server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One server per default-graph setting: the protocol behaves the same in both."""
    suite_root()
    with empty_update_server(tmp_path_factory, "w3c-protocol", TOKEN, request.param) as live:
        yield live


def _send(server: LiveServer, request: HttpRequest) -> None:
    assert request.path.startswith("/sparql/"), request.path
    path = "/sparql" + request.path[len("/sparql/"):]
    headers: dict[str, str | None] = {"Accept": None}  # only the manifest's headers
    headers.update(request.headers)
    if is_update(request):
        headers.update(server.auth())
    response = server.send_raw(request.method, path, headers, request.body)
    assert status_ok(response.status_code, request.statuses), (
        f"{request.method} {path}: HTTP {response.status_code}, expected {sorted(map(str, request.statuses))}: "
        f"{response.text[:300]}")
    if response.status_code >= 400:
        assert response.status_code not in (401, 403), f"refused for the token, not the request: {response.text}"
        return
    check_result_format(response, request)


@pytest.mark.parametrize("entry", _params())
def test_protocol(protocol_server: LiveServer, entry: URIRef | None) -> None:
    root = suite_root()
    assert GRAPH is not None and entry is not None
    load_dataset(protocol_server, [], graph_data(GRAPH, entry, root))
    protocol_server.loaded = None  # the requests below may write
    for request in http_requests(GRAPH, entry):
        _send(protocol_server, request)


def test_manifest_has_34_tests() -> None:
    suite_root()
    assert len(ENTRIES) == 34
    assert GRAPH is not None
    assert sum(1 for e in ENTRIES for r in http_requests(GRAPH, e) if is_update(r)) >= 10


# --- what the manifest leaves open -------------------------------------------------------------


def _kasei(name: str) -> str:
    return f"http://kasei.us/2009/09/sparql/data/{name}.rdf"


def test_protocol_dataset_replaces_the_query_dataset(protocol_server: LiveServer) -> None:
    """query_multiple_dataset's ASK cannot tell; this can: FROM <data3> is overridden."""
    root = suite_root()
    load_dataset(protocol_server, [], {_kasei(f"data{i}"): root / f"protocol/data{i}.nt" for i in (1, 2, 3)})
    query = f"SELECT ?s FROM <{_kasei('data3')}> WHERE {{ ?s a ?type }}"
    alone = protocol_server.request("GET", "/sparql", params={"query": query},
                                    headers={"Accept": "application/sparql-results+json"})
    assert [b["s"]["value"] for b in alone.json()["results"]["bindings"]] == [_kasei("data3")]
    overridden = protocol_server.request("GET", "/sparql",
                                         params={"query": query, "default-graph-uri": _kasei("data1")},
                                         headers={"Accept": "application/sparql-results+json"})
    assert [b["s"]["value"] for b in overridden.json()["results"]["bindings"]] == [_kasei("data1")]


def test_named_graph_uri_alone_gives_an_empty_default_graph(protocol_server: LiveServer) -> None:
    """The protocol's dataset replaces the query's whole dataset, FROM included: with only
    named-graph-uri, the default graph is empty (as with FROM NAMED alone in a query)."""
    root = suite_root()
    load_dataset(protocol_server, [root / "protocol/data2.nt"], {_kasei(f"data{i}"): root / f"protocol/data{i}.nt"
                                                                  for i in (1, 3)})
    params = {"query": f"SELECT ?s FROM <{_kasei('data3')}> WHERE {{ ?s a ?type }}",
              "named-graph-uri": _kasei("data1")}
    response = protocol_server.request("GET", "/sparql", params=params,
                                       headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200 and response.json()["results"]["bindings"] == []
    params["query"] = "SELECT ?g ?s WHERE { GRAPH ?g { ?s a ?type } }"
    response = protocol_server.request("GET", "/sparql", params=params,
                                       headers={"Accept": "application/sparql-results+json"})
    assert [(b["g"]["value"], b["s"]["value"]) for b in response.json()["results"]["bindings"]] == [
        (_kasei("data1"), _kasei("data1"))]


def test_a_protocol_graph_the_store_lacks_is_empty(protocol_server: LiveServer) -> None:
    """default-graph-uri of a graph the store does not hold: an empty graph, never fetched."""
    root = suite_root()
    load_dataset(protocol_server, [], {_kasei("data1"): root / "protocol/data1.nt"})
    unknown = {"query": "ASK { ?s ?p ?o }", "default-graph-uri": "http://example.org/not-in-the-store"}
    response = protocol_server.request("GET", "/sparql", params=unknown, headers={"Accept": "application/json"})
    assert response.status_code == 200 and response.json()["boolean"] is False
    known = {"query": "ASK { ?s ?p ?o }", "default-graph-uri": _kasei("data1")}
    response = protocol_server.request("GET", "/sparql", params=known, headers={"Accept": "application/json"})
    assert response.status_code == 200 and response.json()["boolean"] is True
    bad = protocol_server.request("GET", "/sparql", params={"query": "ASK {}", "named-graph-uri": "not an IRI"})
    assert bad.status_code == 400 and "IRI" in bad.text


def test_update_without_the_token_is_refused_and_changes_nothing(protocol_server: LiveServer) -> None:
    load_dataset(protocol_server, [], {})
    update = "INSERT DATA { <http://example.org/s> <http://example.org/p> 1 }"
    for headers, status in (({}, 401), ({"Authorization": "Bearer wrong"}, 403)):
        response = protocol_server.request("POST", "/sparql", data=update.encode(),
                                           headers={"Content-Type": "application/sparql-update", **headers})
        assert response.status_code == status
    ask = protocol_server.request("GET", "/sparql", params={"query": "ASK { ?s ?p ?o }"},
                                  headers={"Accept": "application/json"})
    assert ask.json()["boolean"] is False


def test_server_log_never_shows_the_token(protocol_server: LiveServer) -> None:
    assert protocol_server.log_text(), "the server log was not captured"
    assert TOKEN not in protocol_server.log_text()


def test_suite_files_exist() -> None:
    root = suite_root()
    assert GRAPH is not None
    for entry in ENTRIES:
        for path in graph_data(GRAPH, entry, root).values():
            assert Path(path).is_file(), path
