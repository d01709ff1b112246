"""A read-only ``kg serve`` keeps answering while ``kg build`` writes the same store, then serves the new state."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

from tests.conftest import INVENTED, write_article
from tests.live import running

GRAPHS = "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
KILLED = "ASK { ?p <http://www.w3.org/2000/01/rdf-schema#label> ?name FILTER(CONTAINS(STR(?name), \"Karran\")) }"


def test_queries_keep_answering_during_a_build_and_then_see_it(seeds_copy: Path, tmp_path: Path) -> None:
    article = write_article(tmp_path / "new", "raid.txt", INVENTED)
    with running(seeds_copy, tmp_path / "serve.log", "--processes", "2") as server:
        def count() -> int:  # a new connection each time: the requests spread over both processes
            response = server.request("GET", "/sparql", params={"query": GRAPHS},
                                      headers={"Accept": "text/csv", "Connection": "close"})
            assert response.status_code == 200, response.text
            return int(response.text.splitlines()[1])

        def ask(query: str) -> bool:
            response = server.request("GET", "/sparql", params={"query": query},
                                      headers={"Accept": "application/sparql-results+json", "Connection": "close"})
            assert response.status_code == 200, response.text
            return bool(response.json()["boolean"])

        before = count()
        assert not ask(KILLED)
        statuses: list[int] = []
        done = threading.Event()

        def poll() -> None:
            while not done.is_set():
                statuses.append(server.request("GET", "/sparql", params={"query": GRAPHS}).status_code)
                time.sleep(0.05)

        poller = threading.Thread(target=poll)
        poller.start()
        kg = Path(sys.executable).with_name("kg")
        try:
            build = subprocess.run([str(kg), "build", str(article), "--store", str(seeds_copy)],
                                   capture_output=True, text=True, timeout=300, check=False)
        finally:
            done.set()
            poller.join()
        assert build.returncode == 0, build.stderr
        assert statuses and set(statuses) == {200}, statuses

        # Each server process follows the store on its own (a process may have caught the build half-way,
        # its article in but not the derived graphs yet): ask until every one has the build's end.
        deadline = time.monotonic() + 30
        seen: list[tuple[int, bool]] = []
        while time.monotonic() < deadline:
            seen = [(count(), ask(KILLED)) for _ in range(8)]
            if set(seen) == {(before + 1, True)}:
                break
            time.sleep(0.5)
        assert set(seen) == {(before + 1, True)}, (before, seen, server.log_text()[-2000:])
        assert "Exception in thread" not in server.log_text(), server.log_text()[-3000:]  # no watcher died


ARTICLES = "SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a a ops:Article }"


def test_every_server_process_follows_a_removal(seeds_copy: Path, tmp_path: Path) -> None:
    """`kg remove` deletes store files as it compacts: no server process may stay on the old state."""
    with running(seeds_copy, tmp_path / "serve.log", "--processes", "2") as server:
        def articles() -> int:  # a new connection each time: the requests spread over both processes
            response = server.request("GET", "/sparql", params={"query": ARTICLES},
                                      headers={"Accept": "text/csv", "Connection": "close"})
            assert response.status_code == 200, response.text
            return int(response.text.splitlines()[1])

        before = articles()
        kg = Path(sys.executable).with_name("kg")
        removal = subprocess.run([str(kg), "remove", "000_a5610a94d15bdeb7", "--store", str(seeds_copy)],
                                 capture_output=True, text=True, timeout=120, check=False)
        assert removal.returncode == 0, removal.stderr

        # The watchers look every 2 s: give them a few rounds, then every request must see the removal.
        deadline = time.monotonic() + 12
        seen: list[int] = []
        while time.monotonic() < deadline:
            seen = [articles() for _ in range(20)]
            if seen == [before - 1] * 20:
                break
            time.sleep(0.5)
        log = server.log_text()
        assert seen == [before - 1] * 20, (before, seen, log[-3000:])
        assert "Traceback" not in log and "Exception in thread" not in log, log[-3000:]
