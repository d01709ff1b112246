"""The endpoint: the Flask app through its test client, and `kg serve` over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests
from flask.testing import FlaskClient

from kg.store import OxigraphStore
from server import create_app
from tests.live import running

QUERY = "SELECT DISTINCT ?name WHERE { ?p a ops:Person ; rdfs:label ?name } ORDER BY ?name"


@pytest.fixture
def client(seeds_store: OxigraphStore) -> FlaskClient:
    return create_app(seeds_store, TESTING=True).test_client()


def _names(payload: dict) -> list[str]:  # type: ignore[type-arg]
    return [b["name"]["value"] for b in payload["results"]["bindings"]]


@pytest.mark.slow
def test_get_post_form_and_post_direct_agree(client: FlaskClient) -> None:
    by_get = client.get("/sparql", query_string={"query": QUERY})
    by_form = client.post("/sparql", data={"query": QUERY})
    by_body = client.post("/sparql", data=QUERY, content_type="application/sparql-query")
    for response in (by_get, by_form, by_body):
        assert response.status_code == 200
        assert response.mimetype == "application/sparql-results+json"
    assert _names(by_get.json) == _names(by_form.json) == _names(by_body.json)
    assert len(_names(by_get.json)) >= 10


@pytest.mark.slow
def test_ask_and_construct(client: FlaskClient) -> None:
    ask = client.get("/sparql", query_string={"query": "ASK { ?a a ops:Article }"})
    assert ask.json == {"head": {}, "boolean": True}
    construct = client.get("/sparql", query_string={"query": "CONSTRUCT WHERE { ?a a ops:Article }"})
    assert construct.mimetype == "text/turtle" and b"Article" in construct.data


@pytest.mark.slow
def test_errors_are_short_plain_text(client: FlaskClient) -> None:
    bad = client.get("/sparql", query_string={"query": "SELECT WHERE {"})
    assert bad.status_code == 400 and bad.mimetype == "text/plain" and b"Traceback" not in bad.data
    description = client.get("/sparql", headers={"Accept": "text/turtle"})  # no query: the service description
    assert description.status_code == 200
    service = ox.NamedNode("http://www.w3.org/ns/sparql-service-description#Service")
    assert any(t.object == service for t in ox.parse(description.data, ox.RdfFormat.TURTLE)), description.text
    assert client.post("/sparql", data="", content_type="application/x-www-form-urlencoded").status_code == 400
    assert client.post("/sparql", data="x", content_type="text/csv").status_code == 415


@pytest.fixture
def live_server(seeds_copy: Path, tmp_path: Path) -> Iterator[str]:
    with running(seeds_copy, tmp_path / "serve.log") as server:
        yield server.url


def test_kg_serve_answers_over_http(live_server: str) -> None:
    response = requests.get(live_server + "/sparql", params={"query": QUERY}, timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/sparql-results+json")
    names = _names(response.json())
    assert len(names) >= 10 and names == sorted(names)
    posted = requests.post(live_server + "/sparql", data={"query": "ASK { ?s a ops:Operation }"}, timeout=10)
    assert posted.status_code == 200 and "boolean" in posted.json()
