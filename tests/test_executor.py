"""Query evaluation in the endpoint (server.executor): the row cap, exact results in every format, the time limit."""

from __future__ import annotations

import csv
import io
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import replace

import pyoxigraph as ox
import pytest
from flask.testing import FlaskClient

from kg.store import OxigraphStore
from server import ServeOptions, create_app
from server.executor import GRAPH_FORMATS, RESULT_FORMATS, Executor, QueryFailed, QueryTimeout, Request
from server.inspect import inspect

EX = "http://example.org/"
#: literals that a line-based intermediate form must keep intact: newlines, tabs, quotes, backslashes,
#: non-ASCII, language tags, datatypes
AWKWARD = [
    ox.Literal("line one\nline two\r\nthree"),
    ox.Literal('tab\there, "quoted", back\\slash'),
    ox.Literal("Raqqa — الرقة", language="ar"),
    ox.Literal("2019-10-27", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date")),
    ox.Literal("1.5", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal")),
    ox.Literal(""),
]


@pytest.fixture
def store() -> Iterator[OxigraphStore]:
    kg_store = OxigraphStore(None)
    native = kg_store.native
    for i in range(50):
        native.add(ox.Quad(ox.NamedNode(f"{EX}s{i:02d}"), ox.NamedNode(f"{EX}n"), ox.Literal(str(i)),
                           ox.NamedNode(f"{EX}g")))
    for i, literal in enumerate(AWKWARD):
        native.add(ox.Quad(ox.NamedNode(f"{EX}a{i}"), ox.NamedNode(f"{EX}label"), literal, ox.NamedNode(f"{EX}g")))
    native.add(ox.Quad(ox.BlankNode("b1"), ox.NamedNode(f"{EX}label"), ox.Literal("blank"), ox.NamedNode(f"{EX}g")))
    yield kg_store
    kg_store.close()


def _request(query: str, media: str = "application/sparql-results+json", max_rows: int = 10_000) -> Request:
    return Request(query=query, results_type=media, graph_type=media if media in GRAPH_FORMATS else "text/turtle",
                   max_rows=max_rows)


def _rows(body: bytes, media: str) -> int:
    if media == "application/sparql-results+json":
        return len(json.loads(body)["results"]["bindings"])
    parsed = ox.parse_query_results(body, RESULT_FORMATS[media]) if media != "text/csv" else None
    if parsed is not None:
        return len(list(parsed))
    return len(list(csv.reader(io.StringIO(body.decode())))) - 1


@pytest.mark.parametrize("media", sorted(RESULT_FORMATS))
def test_rows_over_the_cap_are_cut_exactly(store: OxigraphStore, media: str) -> None:
    executor = Executor(store)
    query = f"SELECT ?s ?o WHERE {{ ?s <{EX}n> ?o }} ORDER BY ?s"
    capped = executor.run(_request(query, media, max_rows=7))
    assert capped.truncated and capped.rows == 7 and _rows(capped.body, media) == 7
    whole = executor.run(_request(query, media, max_rows=50))
    assert not whole.truncated and whole.rows == 50 and _rows(whole.body, media) == 50
    over = executor.run(_request(query, media, max_rows=49))
    assert over.truncated and _rows(over.body, media) == 49
    if media == "application/sparql-results+json":  # the first rows, in the query's order
        assert [b["s"]["value"] for b in json.loads(capped.body)["results"]["bindings"]] == [
            f"{EX}s{i:02d}" for i in range(7)]


def test_awkward_terms_come_back_unchanged(store: OxigraphStore) -> None:
    query = f"SELECT ?s ?o ?unbound WHERE {{ ?s <{EX}label> ?o }}"
    body = Executor(store).run(_request(query)).body
    expected = store.native.query(query, use_default_graph_as_union=True).serialize(
        format=ox.QueryResultsFormat.JSON)
    key = lambda b: json.dumps(b, sort_keys=True)  # noqa: E731
    assert sorted(json.loads(body)["results"]["bindings"], key=key) == sorted(
        json.loads(expected)["results"]["bindings"], key=key)
    assert json.loads(body)["head"]["vars"] == ["s", "o", "unbound"]
    assert len(json.loads(body)["results"]["bindings"]) == len(AWKWARD) + 1


def test_a_select_without_variables_keeps_its_single_row(store: OxigraphStore) -> None:
    result = Executor(store).run(_request("SELECT * {}"))
    assert json.loads(result.body) == {"head": {"vars": []}, "results": {"bindings": [{}]}}
    assert result.rows == 1 and not result.truncated


@pytest.mark.parametrize("media", sorted(GRAPH_FORMATS))
def test_graphs_are_capped_and_complete(store: OxigraphStore, media: str) -> None:
    executor = Executor(store)
    query = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
    whole = executor.run(_request(query, media))
    expected = list(store.native.query(query, use_default_graph_as_union=True))
    parsed = {q.triple if isinstance(q, ox.Quad) else q for q in ox.parse(whole.body, GRAPH_FORMATS[media])}
    assert not whole.truncated and len(parsed) == len(expected) == 57
    assert {str(t.object) for t in parsed} >= {str(literal) for literal in AWKWARD}
    capped = executor.run(_request(query, media, max_rows=5))
    assert capped.truncated and len(list(ox.parse(capped.body, GRAPH_FORMATS[media]))) == 5


def test_syntax_errors_and_failures_are_told_apart(store: OxigraphStore) -> None:
    executor = Executor(store)
    with pytest.raises(QueryFailed) as syntax:
        executor.run(_request("SELECT WHERE {"))
    assert syntax.value.syntax


SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def test_a_query_over_its_limit_times_out_and_reports_itself_stuck(store: OxigraphStore) -> None:
    stuck: list[int] = []
    executor = Executor(store, timeout=0.2, threads=1, grace=0.2, on_stuck=lambda: stuck.append(1))
    started = time.monotonic()
    with pytest.raises(QueryTimeout, match=r"0\.2 s"):
        executor.run(_request(SLOW))
    assert time.monotonic() - started < 1.5
    assert stuck == []  # the client has its answer; the query may still end by itself
    time.sleep(0.4)
    assert stuck == [1] and executor.stuck == 1  # it did not: the process must end it
    # the lost thread is replaced: a normal query is still answered while the stuck one runs on
    assert executor.run(_request("ASK { ?s ?p ?o }")).body.startswith(b"{")


def test_a_query_that_ends_soon_after_its_limit_is_not_reported_stuck(store: OxigraphStore) -> None:
    # The grace period is set from how long the query takes on this machine now (a loaded machine is slower).
    started = time.monotonic()
    Executor(store, timeout=60).run(_request(SLOW))
    took = time.monotonic() - started
    stuck: list[int] = []
    executor = Executor(store, timeout=took / 10, grace=took * 3, on_stuck=lambda: stuck.append(1))
    with pytest.raises(QueryTimeout):
        executor.run(_request(SLOW))
    time.sleep(took * 3.5)
    assert stuck == [] and executor.stuck == 0


def test_concurrent_queries_each_get_their_own_result(store: OxigraphStore) -> None:
    executor = Executor(store, threads=4)
    results: dict[int, int] = {}

    def ask(i: int) -> None:
        body = executor.run(_request(f'SELECT ?s WHERE {{ ?s <{EX}n> "{i}" }}')).body
        results[i] = len(json.loads(body)["results"]["bindings"])
        assert json.loads(body)["results"]["bindings"][0]["s"]["value"] == f"{EX}s{i:02d}"

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == {i: 1 for i in range(40)}


def test_the_endpoint_marks_a_cut_result(store: OxigraphStore) -> None:
    options = ServeOptions(max_rows=3, default_graph="union")
    client: FlaskClient = create_app(store, options=options, TESTING=True).test_client()
    response = client.get("/sparql", query_string={"query": f"SELECT ?s WHERE {{ ?s <{EX}n> ?o }}"},
                          headers={"Accept": "text/csv"})
    assert response.status_code == 200
    assert response.headers["OpsKG-Truncated"] == "max-rows=3"
    assert len(response.data.decode().strip().splitlines()) == 4  # the header and three rows
    small = client.get("/sparql", query_string={"query": f"SELECT ?s WHERE {{ <{EX}s01> <{EX}n> ?o }}"})
    assert "OpsKG-Truncated" not in small.headers


@pytest.mark.parametrize(("query", "limit"), [
    ("SELECT * { ?s ?p ?o } LIMIT 20", 20),
    ("select * where { ?s ?p ?o } limit 7 offset 2", 7),
    ("SELECT * {} LIMIT 5 VALUES ?x { 1 }", 5),
    ("SELECT * { { SELECT * { ?s ?p ?o } LIMIT 5 } }", None),  # a sub-query's LIMIT bounds only the sub-query
    ('SELECT * { ?s ?p "LIMIT 3" } # LIMIT 4', None),  # in a string and a comment
    ("SELECT * { ?s ?p ?o }", None),
])
def test_the_query_own_limit_is_read_only_at_the_top_level(query: str, limit: int | None) -> None:
    assert inspect(query).limit == limit


@pytest.mark.parametrize("media", sorted(RESULT_FORMATS))
def test_a_query_within_the_cap_by_its_own_limit_is_written_directly(store: OxigraphStore, media: str) -> None:
    executor = Executor(store)
    query = f"SELECT ?s ?o WHERE {{ ?s <{EX}label> ?o }} ORDER BY ?s LIMIT 6"
    direct = executor.run(replace(_request(query, media), query_limit=6))
    counted = executor.run(_request(query, media))
    assert direct.body == counted.body and not direct.truncated and direct.rows is None and counted.rows == 6
    over = executor.run(replace(_request(query, media, max_rows=4), query_limit=6))  # a LIMIT above the cap
    assert over.truncated and _rows(over.body, media) == 4


def test_an_unexpected_error_reaches_the_caller_and_keeps_the_thread(store: OxigraphStore) -> None:
    executor = Executor(store, threads=1)
    with pytest.raises(KeyError):
        executor.run(_request("SELECT * {}", media="application/unknown"))
    assert executor.run(_request("ASK {}")).kind == "boolean"  # the one evaluation thread still serves


@pytest.fixture
def big_store() -> Iterator[OxigraphStore]:
    """Enough data that pyoxigraph writes a result in many chunks (about 8 KiB each)."""
    kg_store = OxigraphStore(None)
    kg_store.native.extend(ox.Quad(ox.NamedNode(f"{EX}item/{i:04d}"), ox.NamedNode(f"{EX}text"),
                                   ox.Literal(f"item {i} " + "words\tand\nlines " * (i % 7)), ox.NamedNode(f"{EX}g"))
                           for i in range(1500))
    yield kg_store
    kg_store.close()


def _items(body: bytes, media: str) -> int:
    """Rows or triples in a body; parsing fails on half an item."""
    if media in GRAPH_FORMATS:
        return len(list(ox.parse(body, GRAPH_FORMATS[media])))
    return _rows(body, media)


@pytest.mark.parametrize(("query", "media"), [
    (f"CONSTRUCT {{ ?s <{EX}text> ?o }} WHERE {{ ?s <{EX}text> ?o }}", "application/n-triples"),
    (f"CONSTRUCT {{ ?s <{EX}text> ?o }} WHERE {{ ?s <{EX}text> ?o }}", "text/turtle"),
    (f"SELECT ?s ?o WHERE {{ ?s <{EX}text> ?o }}", "text/tab-separated-values"),
    (f"SELECT ?s ?o WHERE {{ ?s <{EX}text> ?o }}", "application/sparql-results+json"),
])
def test_a_cut_result_holds_whole_items_at_every_cap(big_store: OxigraphStore, query: str, media: str) -> None:
    executor = Executor(big_store)
    for cap in [*range(1, 300), 1499, 1500, 1501]:  # every cap: some fall where a chunk ends mid-line
        result = executor.run(_request(query, media, max_rows=cap))
        assert _items(result.body, media) == min(cap, 1500) and result.truncated == (cap < 1500), cap


@pytest.mark.parametrize("query", [
    # an IRI with a \u escape and a '#' must not start a comment that hides the rest of the line
    "PREFIX e: <http://e/\\u0041#> SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
    "PREFIX e: <http://e/> SELECT * WHERE { ?s e:a\\#b ?o . SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
    "SELECT * WHERE { ?s ?p '''a # b''' . SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
])
def test_no_escape_hides_a_service_clause(query: str) -> None:
    assert inspect(query).uses_service


def test_escapes_and_oddities_do_not_fake_a_top_level_limit() -> None:
    nested = "PREFIX e: <http://e/\\u0041#> SELECT * WHERE { {\nSELECT ?x { ?x ?p ?o } LIMIT 1 } ?a ?b ?c }"
    assert inspect(nested).limit is None
    assert inspect("SELECT * { ?s ?p ?o } LIMIT " + "9" * 5000).limit is None  # no huge integer
    assert inspect("SELECT * { { ?s ?p ?o } LIMIT 3").limit is None  # unbalanced: it will not parse


def test_waiting_for_a_thread_does_not_count_against_the_limit(store: OxigraphStore) -> None:
    executor = Executor(store, threads=1)
    slow = threading.Thread(target=executor.run, args=(_request(SLOW), 10.0))
    slow.start()
    time.sleep(0.1)  # the only thread is busy with the slow query for about a second
    result = executor.run(_request("ASK { ?s ?p ?o }"), timeout=0.5)
    slow.join()
    assert result.kind == "boolean" and executor.stuck == 0


def test_concurrent_reopenings_open_the_store_once(store: OxigraphStore) -> None:
    opened: list[OxigraphStore] = []
    lock = threading.Lock()

    def reopen() -> OxigraphStore:
        time.sleep(0.05)
        with lock:
            opened.append(store)
        return store

    executor = Executor(store, reopen=reopen)
    seen = executor.generation
    threads = [threading.Thread(target=executor.refresh, args=(seen,)) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(opened) == 1 and executor.generation == seen + 1


@pytest.mark.parametrize(("query", "service"), [
    ("SELECT * { service silent <http://e/>{ ?s ?p ?o } }", True),
    ("SELECT * { SERVICE#c\n<http://e/>#d\n{ ?s ?p ?o } }", True),
    ("PREFIX e: <http://e/> SELECT * { SERVICE e:x { ?s ?p ?o } }", True),
    ("SELECT * { SERVICE ?x { ?s ?p ?o } }", True),
    ("PREFIX sd: <http://www.w3.org/ns/sparql-service-description#> SELECT * { ?s a sd:Service }", False),
    # a prefix spelt like the keyword, right before a group, reads as SERVICE: refused (the safe side)
    ("PREFIX service: <http://e/> SELECT * { GRAPH service:g { ?s ?p <http://e/service> } }", True),
    ("PREFIX service: <http://e/> SELECT * { ?s service:p <http://e/service> }", False),
    ('SELECT ?service { ?service ?p "customer service" }', False),
])
def test_service_is_found_by_its_shape_too(query: str, service: bool) -> None:
    assert inspect(query).uses_service is service
