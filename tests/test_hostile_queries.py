"""Hostile requests against a real ``kg serve``: each gets the right status and a short plain message within
the query time limit plus one second, no outbound connection is made, and the next normal query is answered.

A local listener records every connection made to it; the queries that name it (SERVICE, FROM, LOAD) must
leave it untouched.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.live import LiveServer, copy_store, running

TIME_LIMIT = 2.0
TOKEN = "s3cret-t0ken-for-tests"
NORMAL = "SELECT (COUNT(*) AS ?n) WHERE { ?o a <https://w3id.org/opskg/ontology#Operation> }"


class Listener:
    """A TCP listener on 127.0.0.1 that counts the connections it accepts."""

    def __init__(self) -> None:
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.socket.settimeout(0.2)
        self.port = int(self.socket.getsockname()[1])
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.socket.accept()
            except TimeoutError:
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self.socket.close()


@pytest.fixture(scope="module")
def server(seeds_store_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    store = copy_store(seeds_store_path, tmp_path_factory.mktemp("hostile") / "store")
    log = store.parent / "serve.log"
    with running(store, log, "--query-timeout", str(TIME_LIMIT), "--allow-updates", "--token", TOKEN,
                 token=TOKEN) as live:
        yield live


@pytest.fixture
def listener() -> Iterator[Listener]:
    listening = Listener()
    yield listening
    listening.close()


def _post_query(server: LiveServer, text: str) -> tuple[int, str, float]:
    started = time.monotonic()
    response = server.request("POST", "/sparql", data=text.encode(),
                              headers={"Content-Type": "application/sparql-query", "Accept": "text/csv"})
    return response.status_code, response.text, time.monotonic() - started


def _answers_normally(server: LiveServer) -> None:
    status, body, _ = _post_query(server, NORMAL)
    assert status == 200, body
    assert int(body.splitlines()[1]) > 0


def _short_plain(server: LiveServer, text: str, statuses: set[int]) -> str:
    status, body, elapsed = _post_query(server, text)
    assert status in statuses, (status, body[:300])
    assert elapsed < TIME_LIMIT + 1, f"answered after {elapsed:.2f} s"
    if status >= 400:
        assert "\n" not in body.strip() and len(body) < 400, body[:500]
    _answers_normally(server)
    return body


def test_cartesian_product_over_the_store_times_out(server: LiveServer) -> None:
    body = _short_plain(server, "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }", {503})
    assert "limit" in body.lower()


def test_a_stopped_query_stops_using_the_cpu(server: LiveServer) -> None:
    # pyoxigraph cannot cancel a query: the server process that ran it must end, or it would spin on
    status, _, _ = _post_query(server, "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }")
    assert status == 503
    deadline = time.monotonic() + 15  # the query runs on for the grace period, then its process retires
    while "restarts to stop it" not in server.log_text() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert "restarts to stop it" in server.log_text()
    _answers_normally(server)  # a fresh process serves
    time.sleep(1.0)
    before = server.cpu_seconds()
    time.sleep(3.0)
    used = server.cpu_seconds() - before
    assert used < 0.5, f"the server used {used:.2f} s of CPU in 3 idle seconds: the stopped query is still running"


def test_deep_property_path_times_out(server: LiveServer) -> None:
    path = "(!<urn:x:none>|^!<urn:x:none>)*"
    _short_plain(server, f"SELECT (COUNT(*) AS ?n) WHERE {{ ?a {path} ?b . ?b {path} ?c . ?c ?p ?d }}", {503})


def test_huge_values_block_is_refused_as_too_large(server: LiveServer) -> None:
    rows = " ".join(f'"value number {i}"' for i in range(120_000))
    body = _short_plain(server, f"SELECT ?v WHERE {{ VALUES ?v {{ {rows} }} }}", {413})
    assert "large" in body.lower()


def test_large_values_block_under_the_limit_is_answered_or_times_out(server: LiveServer) -> None:
    rows = " ".join(f"<urn:v:{i}>" for i in range(20_000))
    _short_plain(server, f"SELECT * WHERE {{ VALUES ?v {{ {rows} }} ?s ?p ?o }}", {200, 503})


def test_catastrophic_regex_is_bounded(server: LiveServer) -> None:
    # The store's regex engine runs in linear time; whether it finishes or hits the limit, it is bounded.
    query = ('SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o . ?x ?q ?y '
             'FILTER(REGEX(CONCAT(STR(?o), STR(?y), "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!"), "^(a+)+$")) }')
    _short_plain(server, query, {200, 503})


def test_ten_megabyte_query_is_refused(server: LiveServer) -> None:
    query = "SELECT * WHERE { ?s ?p ?o } #" + "x" * (10 * 1024 * 1024)
    body = _short_plain(server, query, {413})
    assert "large" in body.lower()


@pytest.mark.parametrize("template", [
    "SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
    # a '#' inside an IRI with a \u escape, or after an escaped local-name character, is not a comment
    "PREFIX e: <http://e/\\u0041#> SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "PREFIX e: <http://e/> SELECT * WHERE {{ ?s e:a\\#b ?o . SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ SERVICE#comment\n<{url}>{{ ?s ?p ?o }} }}",
    # the keyword glued to a prefixed name: the parser reads SERVICE <prefix IRI + x>
    "PREFIX : <{url}> SELECT * WHERE {{ SERVICE:x {{ ?s ?p ?o }} }}",
    "PREFIX : <{url}> select * where {{ service:x{{ ?s ?p ?o }} }}",
    "PREFIX : <{url}> SELECT * WHERE {{ SERVICE: {{ ?s ?p ?o }} }}",
])
def test_service_to_a_local_port_makes_no_connection(server: LiveServer, listener: Listener, template: str) -> None:
    query = template.format(url=f"http://127.0.0.1:{listener.port}/sparql")
    body = _short_plain(server, query, {400})
    assert "SERVICE" in body
    time.sleep(0.3)
    assert listener.connections == 0


def test_from_a_local_file_or_url_is_refused_without_reading(server: LiveServer, listener: Listener) -> None:
    for graph in ("file:///etc/passwd", f"http://127.0.0.1:{listener.port}/graph"):
        body = _short_plain(server, f"SELECT * FROM <{graph}> WHERE {{ ?s ?p ?o }}", {400})
        assert "root:" not in body and graph in body
    named = _short_plain(server, "SELECT * FROM NAMED <file:///etc/passwd> WHERE { GRAPH ?g { ?s ?p ?o } }", {400})
    assert "root:" not in named
    time.sleep(0.3)
    assert listener.connections == 0


@pytest.mark.parametrize("template", ["LOAD <{url}data.ttl>", "PREFIX : <{url}> LOAD:data.ttl",
                                      "PREFIX : <{url}> INSERT {{ ?s ?p ?o }} WHERE {{ SERVICE:x {{ ?s ?p ?o }} }}"])
def test_load_is_refused_with_and_without_the_token(server: LiveServer, listener: Listener, template: str) -> None:
    update = template.format(url=f"http://127.0.0.1:{listener.port}/")
    anonymous = server.request("POST", "/sparql", data=update.encode(),
                               headers={"Content-Type": "application/sparql-update"})
    assert anonymous.status_code == 401
    authorised = server.request("POST", "/sparql", data=update.encode(),
                                headers={"Content-Type": "application/sparql-update", **server.auth()})
    assert authorised.status_code == 400 and ("LOAD" in authorised.text or "SERVICE" in authorised.text)
    as_query = _short_plain(server, update, {400})
    assert as_query
    time.sleep(0.3)
    assert listener.connections == 0


def test_updates_need_the_exact_token_which_never_reaches_the_log(server: LiveServer) -> None:
    update = "INSERT DATA { GRAPH <urn:hostile:test> { <urn:a> <urn:b> <urn:c> } }"
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Bearer {TOKEN}x"},
                    {"Authorization": f"Basic {TOKEN}"}):
        refused = server.request("POST", "/sparql", data=update.encode(),
                                 headers={"Content-Type": "application/sparql-update", **headers})
        assert refused.status_code in (401, 403), refused.status_code
        assert TOKEN not in refused.text
    accepted = server.request("POST", "/sparql", data=update.encode(),
                              headers={"Content-Type": "application/sparql-update", **server.auth()})
    assert accepted.status_code == 204, accepted.text
    server.update("DROP GRAPH <urn:hostile:test>")
    assert TOKEN not in server.log_text()


def test_a_syntax_error_gets_one_short_line(server: LiveServer) -> None:
    # The parser lists every character class it expected here (several hundred characters).
    body = _short_plain(server, "SELECT ?x WHERE { ?s ?p ?o } GROUP BY", {400})
    assert "parse" in body and "line 1, column 38" in body and len(body) <= 300
