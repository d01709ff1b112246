"""The dataset a query runs over, and the errors a query can cause, through the real Flask application.

The union default graph is the default dataset only: a dataset named by the query (FROM, FROM NAMED,
with IRIs or prefixed names) or by the request (default-graph-uri, named-graph-uri) replaces it, in
every default-graph setting. Every error a query can cause is a 400 with one short line.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pyoxigraph as ox
import pytest
from flask.testing import FlaskClient

from kg.sparql_text import explain_syntax_error
from kg.store import OxigraphStore
from server import ServeOptions, create_app

G1, G2 = "http://example.org/g1", "http://example.org/g2"
ONTOLOGY = "https://w3id.org/opskg/ontology"


@pytest.fixture
def data() -> Iterator[OxigraphStore]:
    store = OxigraphStore(None)
    ex = "http://example.org/"
    for graph, name in ((G1, "a"), (G2, "b"), (ONTOLOGY, "c")):
        store.native.add(ox.Quad(ox.NamedNode(ex + name), ox.NamedNode(ex + "p"), ox.Literal(name),
                                 ox.NamedNode(graph)))
    store.native.add(ox.Quad(ox.NamedNode(ex + "d"), ox.NamedNode(ex + "p"), ox.Literal("d"), ox.DefaultGraph()))
    yield store
    store.close()


def _client(store: OxigraphStore, default_graph: str) -> FlaskClient:
    return create_app(store, options=ServeOptions(default_graph=default_graph), TESTING=True).test_client()


def _values(client: FlaskClient, query: str, **params: str) -> list[str]:
    response = client.get("/sparql", query_string={"query": query, **params},
                          headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.get_data(as_text=True)
    rows = json.loads(response.data)["results"]["bindings"]
    return sorted(r["o"]["value"] + ("@" + r["g"]["value"].rsplit("/", 1)[-1] if "g" in r else "") for r in rows)


@pytest.mark.parametrize("setting", ["canonical", "union", "store"])
def test_a_query_dataset_replaces_the_default_in_every_setting(data: OxigraphStore, setting: str) -> None:
    client = _client(data, setting)
    assert _values(client, f"SELECT ?o FROM <{G1}> WHERE {{ ?s ?p ?o }}") == ["a"]
    assert _values(client, f"SELECT ?o FROM <{G1}> FROM <{G2}> WHERE {{ ?s ?p ?o }}") == ["a", "b"]
    # FROM NAMED alone: an empty default graph, one named graph
    assert _values(client, f"SELECT ?o FROM NAMED <{G1}> WHERE {{ ?s ?p ?o }}") == []
    assert _values(client, f"SELECT ?o ?g FROM NAMED <{G1}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}") == ["a@g1"]
    # a prefixed name is the same graph as the IRI
    assert _values(client, "PREFIX ex: <http://example.org/> SELECT ?o FROM ex:g2 WHERE { ?s ?p ?o }") == ["b"]
    assert _values(client, "BASE <http://example.org/> PREFIX : <> SELECT ?o FROM :g1 WHERE { ?s ?p ?o }") == ["a"]
    # the keyword glued to the prefixed name
    assert _values(client, "PREFIX : <http://example.org/> SELECT ?o FROM:g2 WHERE { ?s ?p ?o }") == ["b"]
    assert _values(client, "PREFIX : <http://example.org/> SELECT ?o ?g FROM NAMED:g2 WHERE { GRAPH ?g { ?s ?p ?o } }"
                   ) == ["b@g2"]


@pytest.mark.parametrize("setting", ["canonical", "union", "store"])
def test_a_protocol_dataset_replaces_the_default_in_every_setting(data: OxigraphStore, setting: str) -> None:
    client = _client(data, setting)
    assert _values(client, "SELECT ?o WHERE { ?s ?p ?o }", **{"default-graph-uri": G2}) == ["b"]
    assert _values(client, "SELECT ?o WHERE { ?s ?p ?o }", **{"named-graph-uri": G2}) == []


def test_without_a_dataset_the_setting_decides(data: OxigraphStore) -> None:
    everything = _values(_client(data, "union"), "SELECT ?o WHERE { ?s ?p ?o }")
    assert everything == ["a", "b", "c", "d"]
    assert _values(_client(data, "store"), "SELECT ?o WHERE { ?s ?p ?o }") == ["d"]
    # the knowledge graph: the served graphs (here the ontology's) and the store's own default graph;
    # every other graph is a named graph
    canonical = _client(data, "canonical")
    assert _values(canonical, "SELECT ?o WHERE { ?s ?p ?o }") == ["c", "d"]
    assert _values(canonical, "SELECT ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }") == ["a@g1", "b@g2", "c@ontology"]


def test_from_a_prefixed_name_of_a_graph_not_held_is_refused_like_an_iri(data: OxigraphStore) -> None:
    client = _client(data, "union")
    for query in ("PREFIX ex: <http://example.org/> SELECT * FROM ex:missing WHERE { ?s ?p ?o }",
                  "SELECT * FROM <http://example.org/missing> WHERE { ?s ?p ?o }"):
        response = client.get("/sparql", query_string={"query": query})
        assert response.status_code == 400
        assert "http://example.org/missing" in response.get_data(as_text=True)


def _error(client: FlaskClient, query: str) -> str:
    response = client.post("/sparql", data=query, content_type="application/sparql-query")
    text = response.get_data(as_text=True)
    assert response.status_code == 400, (response.status_code, text)
    assert response.mimetype == "text/plain" and text.count("\n") == 1 and len(text) < 300, text
    return text


def test_an_unknown_function_is_a_400_not_a_server_fault(data: OxigraphStore, caplog: pytest.LogCaptureFixture) -> None:
    client = _client(data, "union")
    with caplog.at_level(logging.ERROR):
        text = _error(client, "SELECT * WHERE { ?s ?p ?o FILTER(<http://example.org/f>(?o)) }")
    assert "http://example.org/f" in text and "not supported" in text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_an_unknown_prefix_is_named_with_its_place(data: OxigraphStore) -> None:
    client = _client(data, "store")
    text = _error(client, "SELECT * WHERE {\n  ?s ?p ?o .\n  ?s ex:p ?x }")
    assert "unknown prefix 'ex:'" in text and "line 3, column 6" in text and "PREFIX ex:" in text
    assert "\\u{" not in text and "..=" not in text
    # the union setting predefines ops:, rdfs: ...; the store setting does not
    labels = {"query": "SELECT * { ?s rdfs:label ?o }"}
    assert _client(data, "union").get("/sparql", query_string=labels).status_code == 200
    assert "unknown prefix 'rdfs:'" in _error(client, "SELECT * { ?s rdfs:label ?o }")


def test_a_misspelt_query_form_is_named(data: OxigraphStore) -> None:
    text = _error(_client(data, "union"), "PREFIX ex: <http://example.org/>\nSELEC * WHERE { ?s ?p ?o }")
    assert "SELECT, ASK, CONSTRUCT or DESCRIBE" in text and "'SELEC'" in text and "line 2, column 1" in text


def test_an_update_with_an_unknown_prefix_is_named(data: OxigraphStore) -> None:
    client = create_app(data, options=ServeOptions(allow_updates=True, token="t0ken-long-enough"),
                        TESTING=True).test_client()
    response = client.post("/sparql", data="INSERT DATA { ex:a ex:b ex:c }", content_type="application/sparql-update",
                           headers={"Authorization": "Bearer t0ken-long-enough"})
    assert response.status_code == 400
    assert "unknown prefix 'ex:'" in response.get_data(as_text=True)


@pytest.mark.parametrize(("accept", "media"), [
    ("application/sparql-results+json", "application/ld+json"),
    ("application/sparql-results+xml", "application/rdf+xml"),
    ("text/csv", "text/turtle"),
])
def test_a_construct_asked_for_with_a_results_format_gets_rdf(data: OxigraphStore, accept: str, media: str) -> None:
    client = _client(data, "union")
    response = client.get("/sparql", query_string={"query": "CONSTRUCT WHERE { ?s ?p ?o }"}, headers={"Accept": accept})
    assert response.status_code == 200 and response.mimetype == media
    parsed = list(ox.parse(response.data, ox.RdfFormat.from_media_type(media)))  # type: ignore[arg-type]
    assert len(parsed) == 4


def test_a_construct_with_nothing_acceptable_is_still_406(data: OxigraphStore) -> None:
    response = _client(data, "union").get("/sparql", query_string={"query": "CONSTRUCT WHERE { ?s ?p ?o }"},
                                          headers={"Accept": "image/png"})
    assert response.status_code == 406


def test_a_select_asked_for_as_turtle_is_406(data: OxigraphStore) -> None:
    response = _client(data, "union").get("/sparql", query_string={"query": "SELECT * { ?s ?p ?o }"},
                                          headers={"Accept": "text/turtle"})
    assert response.status_code == 406


def test_explanations_fall_back_to_the_engine_without_character_classes() -> None:
    message = ("error at 1:28: expected one of Prefix not found, ['%'], ['-' | '0' ..= '9' | '\\u{00B7}'], "
               "['.'], [':'], \"{\"")
    text = explain_syntax_error("SELECT * WHERE { ?s ?p ?o ", message)
    assert text.endswith("(line 1, column 28)") and "..=" not in text and "\\u{" not in text
    empty = explain_syntax_error("  # only a comment\n", "error at 2:1: expected SELECT")
    assert empty.startswith("the query is empty")
    # a keyword or prefix inside a string, an IRI or a comment is not one
    ok = 'SELECT ?x WHERE { ?x <http://x#y:z> "a:b" } # zz:top\nGROUP ?x'
    assert "unknown prefix" not in explain_syntax_error(ok, "error at 2:7: expected BY")


def test_using_graph_parameters_must_be_iris_and_cannot_smuggle_an_operation(data: OxigraphStore) -> None:
    token = "t0ken-long-enough"
    client = create_app(data, options=ServeOptions(allow_updates=True, token=token), TESTING=True).test_client()
    before = len(data.native)
    smuggled = "http://example.org/g1> WHERE { ?s ?p ?o } ; DROP ALL ; INSERT DATA { <urn:a> <urn:b> <urn:c> } #"
    for name in ("using-graph-uri", "using-named-graph-uri"):
        response = client.post(f"/sparql?{name}={smuggled}", data="DELETE { ?s ?p ?o } WHERE { ?s ?p 'zz' }",
                               content_type="application/sparql-update", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 400 and name in response.get_data(as_text=True)
    assert len(data.native) == before
    # a valid one is the update's dataset: the WHERE matches only G2's triple, whatever G1 holds
    update = f"DELETE {{ GRAPH <{G1}> {{ ?s ?p ?o }} }} WHERE {{ ?s ?p ?o }}"
    response = client.post(f"/sparql?using-graph-uri={G2}", data=update, content_type="application/sparql-update",
                           headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 204, response.get_data(as_text=True)
    assert len(data.native) == before  # G2's triple is not in G1: nothing to delete
    response = client.post(f"/sparql?using-graph-uri={G1}", data=update, content_type="application/sparql-update",
                           headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 204 and len(data.native) == before - 1


def test_an_update_calling_an_unknown_function_is_a_400(data: OxigraphStore) -> None:
    token = "t0ken-long-enough"
    client = create_app(data, options=ServeOptions(allow_updates=True, token=token), TESTING=True).test_client()
    response = client.post("/sparql", data="INSERT { ?s ?p 'x' } WHERE { ?s ?p ?o FILTER(<http://example.org/f>(?o)) }",
                           content_type="application/sparql-update", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 400 and "http://example.org/f" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/sparql", "/.well-known/void"])
def test_descriptions_are_built_from_terms_not_from_the_host_header(data: OxigraphStore, path: str) -> None:
    client = _client(data, "union")
    for host in ("x> . <urn:a> <urn:b> <urn:c", "x%3E%20.%20%3Curn:a%3E"):
        hostile = client.get(path, headers={"Host": host, "Accept": "application/n-triples"})
        assert hostile.status_code in (200, 400)
        if hostile.status_code == 200:
            assert "urn:a" not in {t.subject.value for t in ox.parse(hostile.data, ox.RdfFormat.N_TRIPLES)}
    fine = client.get(path, headers={"Host": "example.org:8000", "Accept": "application/n-triples"})
    assert fine.status_code == 200
    triples = list(ox.parse(fine.data, ox.RdfFormat.N_TRIPLES))
    assert triples and all(t.subject.value.startswith("http://example.org:8000/") for t in triples
                           if isinstance(t.subject, ox.NamedNode))
