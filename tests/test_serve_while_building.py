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
        def count() -> int:
            response = server.request("GET", "/sparql", params={"query": GRAPHS}, headers={"Accept": "text/csv"})
            assert response.status_code == 200, response.text
            return int(response.text.splitlines()[1])

        def ask(query: str) -> bool:
            response = server.request("GET", "/sparql", params={"query": query},
                                      headers={"Accept": "application/sparql-results+json"})
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

        # Each server process follows the store on its own; ask until every one has moved on.
        deadline = time.monotonic() + 30
        seen: list[int] = []
        while time.monotonic() < deadline:
            seen = [count() for _ in range(8)]
            if all(n == before + 1 for n in seen):
                break
            time.sleep(0.5)
        assert seen and all(n == before + 1 for n in seen), (before, seen, server.log_text()[-2000:])
        assert ask(KILLED)
