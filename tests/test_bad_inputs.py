"""The reliability issue's corpus of bad inputs (tests/data/bad/), built in one batch with good articles.

Each bad source gets one line naming the source, the reason and what to do; the rest of the batch is
built; the exit status is non-zero; the store holds exactly the good articles.
"""

from __future__ import annotations

import contextlib
import shutil
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from click.testing import CliRunner

from kg.articles import stored_articles
from kg.cli import cli
from kg.config import Settings
from kg.store import open_store
from kg.vocab import IRIs
from tests.conftest import INVENTED, ROOT

pytestmark = pytest.mark.slow
BAD = ROOT / "tests" / "data" / "bad"


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        if self.path == "/404":
            self.send_error(404)
        elif self.path == "/500":
            self.send_error(500)
        elif self.path == "/loop":
            self.send_response(302)
            self.send_header("Location", "/loop")
            self.end_headers()
        elif self.path == "/report.pdf":
            body = b"%PDF-1.4\n%fake\n"
            self.send_response(200)
            self.send_header("Content-Type", "application/pdf")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        elif self.path == "/huge":
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")  # 100 MB, streamed, no length given
            self.end_headers()
            chunk = b"word " * 20_000
            try:
                for _ in range(100 * 1024 * 1024 // len(chunk)):
                    self.wfile.write(chunk)
            except (BrokenPipeError, ConnectionResetError):
                pass
        elif self.path == "/slow":
            time.sleep(5)
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(INVENTED.encode())
        else:
            self.send_error(404)


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


URLS = {"404": "/404", "500": "/500", "loop": "/loop", "pdf": "/report.pdf", "huge": "/huge", "slow": "/slow"}


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory, server: str) -> dict[str, object]:
    work = tmp_path_factory.mktemp("bad")
    docs = work / "docs"
    shutil.copytree(BAD, docs)
    (docs / "README.md").unlink()
    (docs / "good.txt").write_text(INVENTED, encoding="utf-8")
    big = work / "fifty-megabytes.txt"
    with big.open("w", encoding="utf-8") as handle:
        line = "A raid was reported in the province, officials said on Monday. " * 16 + "\n"
        while handle.tell() < 50 * 1024 * 1024:
            handle.write(line)
    store = work / "store"
    files = sorted(str(p) for p in docs.iterdir())  # each named: a folder would skip the image and the zip
    sources = [*files, str(big), *(server + path for path in URLS.values())]
    started = time.monotonic()
    result = CliRunner().invoke(cli, ["build", *sources, "--store", str(store), "--allow-private-urls",
                                      "--timeout", "1"], catch_exceptions=False)
    return {"result": result, "store": store, "seconds": time.monotonic() - started, "server": server}


def _lines(batch: dict[str, object], needle: str) -> list[str]:
    result = batch["result"]
    return [line for line in result.stderr.splitlines()  # type: ignore[attr-defined]
            if needle in line and "error" in line.lower()]


@pytest.mark.parametrize(("name", "reason"), [
    ("empty.txt", "is empty"),
    ("whitespace.txt", "holds only whitespace"),
    ("image.png", "PNG image"),
    ("archive.zip", "ZIP archive"),
    ("latin1.txt", "is not valid utf-8"),
    ("utf16.txt", "UTF-16"),
    ("scripts-only.html", "no article text"),
    ("headline.txt", "headline or fragment"),
    ("batch.jsonl:2", "not valid JSON"),
    ("fifty-megabytes.txt", "over the"),
])
def test_each_bad_file_gets_one_clear_line(batch: dict[str, object], name: str, reason: str) -> None:
    lines = _lines(batch, name)
    assert len(lines) == 1, batch["result"].stderr  # type: ignore[attr-defined]
    assert reason in lines[0] and "(" in lines[0]  # the reason, then what to do in parentheses


@pytest.mark.parametrize(("name", "reason"), [
    ("404", "HTTP 404"), ("500", "HTTP 500"), ("loop", "redirects more than"), ("pdf", "application/pdf"),
    ("huge", "over the"), ("slow", "did not answer within"),
])
def test_each_bad_url_gets_one_clear_line(batch: dict[str, object], name: str, reason: str) -> None:
    lines = _lines(batch, batch["server"] + URLS[name])  # type: ignore[operator]
    assert len(lines) == 1, batch["result"].stderr  # type: ignore[attr-defined]
    assert reason in lines[0]


def test_the_batch_fails_but_builds_exactly_the_good_articles(batch: dict[str, object]) -> None:
    assert batch["result"].exit_code == 1  # type: ignore[attr-defined]
    assert batch["seconds"] < 60  # a slow or endless URL cannot hold the batch
    store = open_store(batch["store"], read_only=True)  # type: ignore[arg-type]
    try:
        articles = stored_articles(store, IRIs(Settings().base))
        texts = {a.id: a for a in articles.values()}
        assert set(texts) == {"good", "control-rtl", "good-one", "good-two"}
        text = next(iter(store.query(
            f"SELECT ?t WHERE {{ GRAPH ?g {{ <{texts['control-rtl'].iri}> "
            "<http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#isString> ?t } }")))["t"].value
    finally:
        store.close()
    assert "\x07" not in text and "\x1b" not in text and "\x00" not in text and "\u202e" not in text
    assert "\u062a\u0644 \u062d\u0627\u0631\u0645" in text  # the Arabic script is kept
