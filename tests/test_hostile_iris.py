"""Hostile IRIs against a real ``kg serve``: every route that takes an IRI (a resource path under each prefix the
base mints, ``/store?graph=``, the protocol's ``default-graph-uri`` / ``named-graph-uri``, the ontology) answers
without a 5xx and without connecting anywhere.

The IRIs try to close the IRI the server might paste into query text (``>``, ``\\u003e``), end the pattern (``}``),
comment out the rest (``#``), and add a SERVICE or LOAD aimed at a local listener that counts the connections it
gets; others carry spaces, quotes and newlines. The request IRI reaches a query only as a parsed term, so none
of this can change a query: an invalid IRI is a 404 on a resource path and a 400 on a parameter.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
import requests

from kg.config import Settings
from kg.vocab import ENTITY_KINDS, ONTOLOGY_IRI
from tests.live import LiveServer, copy_store, running
from tests.test_hostile_queries import Listener

BASE = Settings().base
BASE_PATH = urlsplit(BASE).path
#: every path segment the base mints IRIs under, one it does not, and the base itself
PREFIXES = [*sorted(set(ENTITY_KINDS.values())), "article", "graph", "no-such-kind", ""]
ACCEPTS = {"html": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8", "rdf": "text/turtle"}
HARMLESS = "SELECT * WHERE { ?s ?p ?o } LIMIT 1"


@pytest.fixture(scope="module")
def module_listener() -> Iterator[Listener]:
    listening = Listener()
    yield listening
    listening.close()


@pytest.fixture
def listener(module_listener: Listener) -> Listener:
    """The listener, its count reset: each test answers for the connections made during it."""
    module_listener.connections = 0
    return module_listener


@pytest.fixture(scope="module", params=["union", "store"])
def server(request: pytest.FixtureRequest, seeds_store_path: Path,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    store = copy_store(seeds_store_path, tmp_path_factory.mktemp(f"iris-{request.param}") / "store")
    with running(store, store.parent / "serve.log", "--default-graph", request.param, "--processes", "1") as live:
        yield live


def payloads(port: int) -> list[str]:
    """IRI tails (after ``x``) that would rewrite a query built by pasting ``<{iri}>`` into its text."""
    service = f"http://127.0.0.1:{port}/sparql"
    return [
        f"x> ?p ?o }} WHERE {{ SERVICE <{service}> {{?s ?p ?o}} }} #",  # the reported one
        f"x> ?p ?o }} UNION {{ SERVICE <{service}> {{ ?s ?p ?o }} }} }} #",
        f"x>?p ?o}}WHERE{{SERVICE<{service}>{{?s ?p ?o}}}}#",  # no spaces
        f"x\\u003e ?p ?o }} WHERE {{ SERVICE <{service}> {{ ?s ?p ?o }} }} #",  # an escaped '>'
        f"x\\u003E?p?o}}WHERE{{SERVICE<{service}>{{?s?p?o}}}}#",
        f"x> . }} ; LOAD <http://127.0.0.1:{port}/data.ttl> ; INSERT DATA {{ <urn:a> <urn:b> <urn:c> }} #",
        "x> ?p ?o }",
        "x}",
        "x#frag> } #",
        'x" "quoted\' \'single',
        "x\n?p ?o } #\n",
        "x\r\nHost: evil",
        "x <y> z",
        "x\u0000nul",
        "x%3E%20percent-encoded-twice",
        "caf\u00e9-\u0644\u0627-\U0001F600",  # a valid IRI: an unknown resource
    ]


def _resource_paths(port: int) -> list[str]:
    """Request targets (percent-encoded once) under every prefix; a few keep '>', '{', '}' and '"' raw."""
    paths = []
    for prefix in PREFIXES:
        head = BASE_PATH + (prefix + "/" if prefix else "")
        for tail in payloads(port):
            paths.append(head + quote(tail, safe=""))
        paths.append(head + quote(payloads(port)[0], safe="<>{}\"/:?"))
    return paths


def _check(response: requests.Response, what: str, failures: list[str]) -> None:
    if response.status_code >= 500:
        failures.append(f"{what}: {response.status_code} {response.text[:200]}")


def _verdict(listener: Listener, failures: list[str], requests_sent: int) -> None:
    """No 5xx among the responses, and no connection to the listener (every case is sent before judging)."""
    time.sleep(0.3)  # a connection the server started would have arrived by now
    summary = (f"{len(failures)} of {requests_sent} requests answered 5xx; the listener got "
               f"{listener.connections} connection(s)")
    assert not failures and listener.connections == 0, summary + "\n" + "\n".join(failures[:10])


@pytest.mark.parametrize("accept", sorted(ACCEPTS))
def test_resource_paths_under_every_prefix(server: LiveServer, listener: Listener, accept: str) -> None:
    statuses: dict[int, int] = {}
    failures: list[str] = []
    paths = _resource_paths(listener.port)
    for path in paths:
        response = server.send_raw("GET", path, {"Accept": ACCEPTS[accept]}, None)
        _check(response, path, failures)
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
    _verdict(listener, failures, len(paths))
    # an invalid IRI, or one nothing is known about, is not found (a raw '"' may be refused as a bad request)
    assert set(statuses) <= {400, 404}, statuses


@pytest.mark.parametrize("accept", sorted(ACCEPTS))
def test_an_invalid_resource_iri_is_a_short_404(server: LiveServer, listener: Listener, accept: str) -> None:
    response = server.send_raw("GET", BASE_PATH + "person/" + quote(payloads(listener.port)[0], safe=""),
                               {"Accept": ACCEPTS[accept]}, None)
    assert response.status_code == 404, response.text[:300]
    assert "IRI" in response.text and len(response.text) < 1000
    _verdict(listener, [], 1)


@pytest.mark.parametrize("accept", sorted(ACCEPTS))
def test_graph_store_graph_parameter(server: LiveServer, listener: Listener, accept: str) -> None:
    graphs = [BASE + "graph/identity" + tail for tail in payloads(listener.port)]
    graphs += [f"http://127.0.0.1:{listener.port}/graph", "file:///etc/passwd", BASE + "article/" + payloads(0)[0]]
    failures: list[str] = []
    for graph in graphs:
        for method in ("GET", "HEAD"):
            response = server.request(method, "/store", params={"graph": graph}, headers={"Accept": ACCEPTS[accept]})
            _check(response, f"{method} /store?graph={graph!r}", failures)
            if response.status_code < 500:
                assert response.status_code in (400, 404), (graph, response.status_code, response.text[:300])
            assert "root:" not in response.text
    _verdict(listener, failures, 2 * len(graphs))


@pytest.mark.parametrize("accept", sorted(ACCEPTS))
def test_protocol_dataset_parameters(server: LiveServer, listener: Listener, accept: str) -> None:
    graphs = [BASE + "graph/identity" + tail for tail in payloads(listener.port)]
    graphs += [f"http://127.0.0.1:{listener.port}/graph", "file:///etc/passwd"]
    failures: list[str] = []
    for graph in graphs:
        for key in ("default-graph-uri", "named-graph-uri"):
            for method in ("GET", "POST"):
                params = {"query": HARMLESS, key: graph}
                response = (server.request("GET", "/sparql", params=params, headers={"Accept": ACCEPTS[accept]})
                            if method == "GET" else
                            server.request("POST", "/sparql", data=params, headers={"Accept": ACCEPTS[accept]}))
                _check(response, f"{method} /sparql {key}={graph!r}", failures)
                assert "root:" not in response.text
    _verdict(listener, failures, 4 * len(graphs))


@pytest.mark.parametrize("accept", sorted(ACCEPTS))
def test_ontology_route(server: LiveServer, listener: Listener, accept: str) -> None:
    failures: list[str] = []
    sent = 0
    for route in ("/ontology", urlsplit(ONTOLOGY_IRI).path):
        for tail in payloads(listener.port):
            encoded = quote(tail, safe="")
            for path in (f"{route}?x={encoded}", f"{route}?format={encoded}", f"{route}/{encoded}",
                         f"{route}#{encoded}", f"{route}{encoded}"):
                response = server.send_raw("GET", path, {"Accept": ACCEPTS[accept]}, None)
                _check(response, path, failures)
                sent += 1
    _verdict(listener, failures, sent)


def test_the_server_still_answers(server: LiveServer, listener: Listener) -> None:
    """After all of the above: pages and queries work (nothing was changed, nothing is stuck)."""
    query = "SELECT ?g WHERE { GRAPH ?g { ?g a <https://w3id.org/opskg/ontology#Article> } } ORDER BY ?g LIMIT 1"
    response = server.request("GET", "/sparql", params={"query": query},
                              headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.text
    article = response.json()["results"]["bindings"][0]["g"]["value"]
    for accept in ACCEPTS.values():
        page = server.request("GET", urlsplit(article).path, headers={"Accept": accept})
        assert page.status_code == 200 and article in page.text, (accept, page.status_code, page.text[:300])
    assert server.request("GET", "/ontology", headers={"Accept": "text/turtle"}).status_code == 200
    assert "internal error" not in server.log_text(), server.log_text()[-3000:]
    _verdict(listener, [], 2)
