"""The Service Description (GET /sparql with an RDF Accept) and the VoID description (/.well-known/void)."""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox
import pytest
from flask.testing import FlaskClient

from kg.store import OxigraphStore
from server import ServeOptions, create_app
from server.executor import Executor, Request, Result

SD = "http://www.w3.org/ns/sparql-service-description#"
VOID = "http://rdfs.org/ns/void#"
OPS = "https://w3id.org/opskg/ontology#"
TOKEN = "description-test-token"


def _graph(body: bytes, media: str) -> list[ox.Triple]:
    fmt = {"text/turtle": ox.RdfFormat.TURTLE, "application/ld+json": ox.RdfFormat.JSON_LD,
           "application/n-triples": ox.RdfFormat.N_TRIPLES}[media]
    return [q.triple for q in ox.parse(body, fmt)]


def _objects(triples: list[ox.Triple], predicate: str) -> list[ox.Term]:
    return [t.object for t in triples if t.predicate.value == predicate]


@pytest.mark.parametrize("media", ["text/turtle", "application/ld+json", "application/n-triples"])
def test_the_service_description_names_the_endpoint_and_its_features(store: OxigraphStore, media: str) -> None:
    reader = create_app(store, TESTING=True).test_client()
    response = reader.get("/sparql", headers={"Accept": media})
    assert response.status_code == 200 and response.mimetype == media
    triples = _graph(response.data, media)
    assert [o.value for o in _objects(triples, SD + "endpoint")] == ["http://localhost/sparql"]
    languages = {o.value for o in _objects(triples, SD + "supportedLanguage")}
    assert languages == {SD + "SPARQL11Query"}
    writer = create_app(store, options=ServeOptions(allow_updates=True, token=TOKEN), TESTING=True).test_client()
    languages = {o.value for o in _objects(_graph(writer.get("/sparql", headers={"Accept": media}).data, media),
                                           SD + "supportedLanguage")}
    assert languages == {SD + "SPARQL11Query", SD + "SPARQL11Update"}
    # another address, another description (nothing cached across hosts)
    other = reader.get("/sparql", headers={"Accept": media}, base_url="http://example.net:8080/")
    assert [o.value for o in _objects(_graph(other.data, media), SD + "endpoint")] == ["http://example.net:8080/sparql"]


def _void(client: FlaskClient) -> list[ox.Triple]:
    response = client.get("/.well-known/void", headers={"Accept": "text/turtle"})
    assert response.status_code == 200 and response.mimetype == "text/turtle"
    return _graph(response.data, "text/turtle")


def _partitions(triples: list[ox.Triple]) -> dict[str, int]:
    by_node: dict[str, dict[str, str]] = {}
    for t in triples:
        if t.predicate.value in (VOID + "class", VOID + "entities"):
            by_node.setdefault(str(t.subject), {})[t.predicate.value] = t.object.value
    return {p[VOID + "class"]: int(p[VOID + "entities"]) for p in by_node.values()}


def test_void_counts_the_store_and_follows_its_changes(store: OxigraphStore) -> None:
    """Entities per class of the default graph queries get: here the union of all graphs."""
    options = ServeOptions(allow_updates=True, token=TOKEN, default_graph="union")
    client = create_app(store, options=options, TESTING=True).test_client()
    store.update(f"INSERT DATA {{ GRAPH <urn:g:1> {{ <urn:p:1> a <{OPS}Person> . <urn:p:2> a <{OPS}Person> . "
                 f"<urn:o:1> a <{OPS}Operation> }} }}")
    triples = _void(client)
    assert [int(o.value) for o in _objects(triples, VOID + "triples")] == [3]
    assert _partitions(triples) == {OPS + "Operation": 1, OPS + "Person": 2}
    assert _void(client) == triples  # asked again: the same description
    inserted = client.post("/sparql", data=f"INSERT DATA {{ GRAPH <urn:g:1> {{ <urn:p:3> a <{OPS}Person> }} }}",
                           content_type="application/sparql-update", headers={"Authorization": f"Bearer {TOKEN}"})
    assert inserted.status_code == 204
    after = _void(client)
    assert [int(o.value) for o in _objects(after, VOID + "triples")] == [4]
    assert _partitions(after) == {OPS + "Operation": 1, OPS + "Person": 3}


def test_void_counts_one_entity_per_real_world_thing_in_the_knowledge_graph(store: OxigraphStore) -> None:
    """The default setting serves the knowledge graph: an article's own IRIs are not counted again."""
    client = create_app(store, TESTING=True).test_client()
    canonical = "https://w3id.org/opskg/id/graph/canonical"
    article = "https://w3id.org/opskg/id/article/a"
    store.update(f"INSERT DATA {{ GRAPH <{canonical}> {{ <urn:p:1> a <{OPS}Person> }} "
                 f"GRAPH <{article}> {{ <urn:p:1> a <{OPS}Person> . <urn:p:9> a <{OPS}Person> }} }}")
    assert _partitions(_void(client)) == {OPS + "Person": 1}


class _CountingExecutor(Executor):
    def __init__(self, store: OxigraphStore, **kwargs: Any) -> None:
        super().__init__(store, **kwargs)
        self.queries = 0

    def run(self, request: Request, timeout: float | None = None) -> Result:
        self.queries += 1
        return super().run(request, timeout)


def test_void_is_computed_once_per_store_state_and_format(store: OxigraphStore) -> None:
    executor = _CountingExecutor(store, reopen=lambda: store)
    client = create_app(store, executor=executor, TESTING=True).test_client()
    for media in ("text/turtle", "application/ld+json", "text/turtle", "application/ld+json"):
        assert client.get("/.well-known/void", headers={"Accept": media}).mimetype == media
    assert executor.queries == 2  # one per format; the repeats came from the cache
    executor.refresh()  # what a read-only server does when kg build changes the store
    client.get("/.well-known/void", headers={"Accept": "text/turtle"})
    assert executor.queries == 3
