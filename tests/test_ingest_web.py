"""Fetching articles over HTTP: kg.ingest.web.fetch and read_sources with URLs.

Every request goes to a throw-away server on 127.0.0.1 started by the ``server`` fixture; no
test contacts any other address.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest

from kg.errors import BinarySourceError, FetchError, OversizedSourceError, SourceError
from kg.ingest import read_sources, web
from kg.ingest.sources import ReadOptions, url_id
from kg.model import Article

TIMEOUT = 0.5  # seconds: small, so the timeout tests are quick
SLOW = 1.5  # how long the slow routes stall: well over TIMEOUT

PARAGRAPHS = [
    "The council of Marrowby voted on Wednesday to rebuild the old stone bridge over the river Fenn, "
    "which was closed last winter after engineers found deep cracks in two of its arches.",
    "Councillor Ottilie Brandt said the work would start in spring and that a ferry run by the "
    "Fenn Valley Boat Club would carry pedestrians across until the bridge reopens.",
]
ARTICLE_HTML = (
    "<!DOCTYPE html><html><head><meta charset='utf-8'><title>Marrowby to rebuild its bridge</title>"
    "<meta property='article:published_time' content='2023-02-15T07:45:00Z'></head><body>"
    "<nav><a href='/'>Home</a> <a href='/local'>Local</a></nav>"
    "<article><h1>Marrowby to rebuild its bridge</h1>"
    + "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    + "</article><footer><p>The Fenn Valley Post</p></footer></body></html>"
).encode()
PLAIN_TEXT = ("Bridge to be rebuilt\n\n" + "\n".join(PARAGRAPHS) + "\n").encode()
MARKDOWN = (
    b"# Bridge to be rebuilt\n\nThe council of [Marrowby](https://marrowby.example/) voted on Wednesday "
    b"to rebuild the old stone bridge over the river Fenn, closed last winter after engineers found cracks.\n"
)
# Text with characters outside ASCII, sent as UTF-8.
CAFE_TEXT = (
    "Café Fenn reopens\n\nThe Café Fenn on the quay of Marrowby reopened on Friday under its new owner, "
    "Zoë Lindqvist, who also put up a sign in Arabic, مرحبا بكم, for visitors from the sister town."
)
CAFE_HTML = (
    "<!DOCTYPE html><html><head><meta charset='utf-8'><title>Café Fenn reopens</title></head><body>"
    "<article><h1>Café Fenn reopens</h1><p>The Café Fenn on the quay of Marrowby reopened on Friday "
    "under its new owner, Zoë Lindqvist, who also put up a sign in Arabic, مرحبا بكم, for visitors "
    "from the sister town.</p></article></body></html>"
)
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4


# --- the local server ---------------------------------------------------------------------------


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.lock = threading.Lock()
        self.connections = 0  # TCP connections accepted
        self.hits: Counter[str] = Counter()  # requests per path
        self.user_agents: list[str | None] = []
        self.stop = threading.Event()  # cuts the slow routes short at teardown

    def verify_request(self, request, client_address) -> bool:  # type: ignore[no-untyped-def]
        with self.lock:
            self.connections += 1
        return True

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.0"

    def log_message(self, format, *args) -> None:  # type: ignore[no-untyped-def]
        pass

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        with self.server.lock:
            self.server.hits[path] += 1
            self.server.user_agents.append(self.headers.get("User-Agent"))
        route = ROUTES.get(path, _not_found)
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            route(self)  # the client may give up on purpose (size limit, timeout)

    # helpers
    def reply(self, status: int, body: bytes = b"", content_type: str | None = "text/html; charset=utf-8",
              headers: dict[str, str] | None = None, length: int | None = None) -> None:
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body) if length is None else length))
        self.end_headers()
        self.wfile.write(body)

    def redirect(self, location: str, status: int = 302) -> None:
        self.reply(status, b"", headers={"Location": location})


def _not_found(h: _Handler) -> None:
    h.reply(404, b"<html><body><p>No such page</p></body></html>")


def _big_stream(h: _Handler) -> None:
    h.send_response(200)
    h.send_header("Content-Type", "text/html; charset=utf-8")
    h.end_headers()  # no Content-Length: the body ends when the connection closes
    piece = b"<p>" + b"filler words about the Fenn bridge " * 100 + b"</p>\n"
    for _ in range(64):
        h.wfile.write(piece)


def _slow(h: _Handler) -> None:
    h.server.stop.wait(SLOW)
    h.reply(200, ARTICLE_HTML)


def _stall_body(h: _Handler) -> None:
    h.send_response(200)
    h.send_header("Content-Type", "text/html; charset=utf-8")
    h.send_header("Content-Length", str(len(ARTICLE_HTML)))
    h.end_headers()
    h.wfile.write(ARTICLE_HTML[:100])
    h.wfile.flush()
    h.server.stop.wait(SLOW)
    h.wfile.write(ARTICLE_HTML[100:])


def _trickle(h: _Handler) -> None:
    # Each piece arrives well within TIMEOUT, but the whole body takes 4 * TIMEOUT.
    h.send_response(200)
    h.send_header("Content-Type", "text/html; charset=utf-8")
    h.send_header("Content-Length", str(len(ARTICLE_HTML)))
    h.end_headers()
    pieces = 8
    size = -(-len(ARTICLE_HTML) // pieces)
    for i in range(pieces):
        h.wfile.write(ARTICLE_HTML[i * size : (i + 1) * size])
        h.wfile.flush()
        if h.server.stop.wait(TIMEOUT / 2):
            return


ROUTES: dict[str, Callable[[_Handler], None]] = {
    "/news/bridge.html": lambda h: h.reply(200, ARTICLE_HTML),
    "/news/bridge.txt": lambda h: h.reply(200, PLAIN_TEXT, "text/plain; charset=utf-8"),
    "/news/bridge.md": lambda h: h.reply(200, MARKDOWN, "text/markdown; charset=utf-8"),
    "/gone": _not_found,
    "/error": lambda h: h.reply(500, b"<html><body>oops</body></html>"),
    "/loop": lambda h: h.redirect("/loop"),
    "/chain/1": lambda h: h.redirect("2"),  # relative to /chain/
    "/chain/2": lambda h: h.redirect("/chain/3", 301),
    "/chain/3": lambda h: h.redirect(f"{h.server.base}/news/bridge.html", 307),
    "/chain/to-gone": lambda h: h.redirect("/gone"),
    "/to-ftp": lambda h: h.redirect("ftp://127.0.0.1/pub/bridge.txt"),
    "/to-file": lambda h: h.redirect("file:///etc/passwd"),
    "/to-bridge": lambda h: h.redirect("/news/bridge.html"),
    "/report.pdf": lambda h: h.reply(200, b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "application/pdf"),
    "/untyped": lambda h: h.reply(200, ARTICLE_HTML, content_type=None),
    "/png-as-text": lambda h: h.reply(200, PNG, "text/plain"),
    "/png-as-html": lambda h: h.reply(200, PNG, "text/html"),
    "/big-stream": _big_stream,
    "/big-declared": lambda h: h.reply(200, ARTICLE_HTML + b" " * (5000 - len(ARTICLE_HTML))),
    "/slow": _slow,
    "/stall-body": _stall_body,
    "/trickle": _trickle,
    "/cafe-utf8.txt": lambda h: h.reply(200, CAFE_TEXT.encode(), "text/plain; charset=utf-8"),
    "/cafe-nocharset.txt": lambda h: h.reply(200, CAFE_TEXT.encode(), "text/plain"),
    "/cafe-nocharset.html": lambda h: h.reply(200, CAFE_HTML.encode(), "text/html"),
}


@pytest.fixture(scope="module")
def server() -> Iterator[_Server]:
    srv = _Server()
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield srv
    finally:
        srv.stop.set()
        srv.shutdown()
        srv.server_close()
        thread.join(timeout=5)


@pytest.fixture
def base(server: _Server) -> str:
    return server.base


def fetch(url: str, *, timeout: float = 5.0, max_bytes: int = 1_000_000, allow_private: bool = True) -> web.Fetched:
    return web.fetch(url, timeout=timeout, max_bytes=max_bytes, allow_private=allow_private)


def fetch_error(url: str, **kwargs) -> FetchError:  # type: ignore[no-untyped-def]
    with pytest.raises(SourceError) as info:
        fetch(url, **kwargs)
    assert isinstance(info.value, FetchError), info.value
    return info.value


def read_url(url: str, **options) -> Article | SourceError:  # type: ignore[no-untyped-def]
    options.setdefault("allow_private_urls", True)
    options.setdefault("timeout", 5.0)
    results = list(read_sources([url], ReadOptions(**options)))
    assert len(results) == 1, results
    return results[0]


# --- fetch: success -----------------------------------------------------------------------------


def test_fetch_html_article(server, base):
    before = server.hits["/news/bridge.html"]
    fetched = fetch(f"{base}/news/bridge.html")
    assert fetched.kind == "html"
    assert fetched.body == ARTICLE_HTML
    assert fetched.charset == "utf-8"
    assert fetched.url == f"{base}/news/bridge.html"
    assert server.hits["/news/bridge.html"] == before + 1
    assert server.user_agents[-1] == web.USER_AGENT
    assert web.USER_AGENT.startswith("opskg/")


@pytest.mark.parametrize(("path", "kind"), [("/news/bridge.txt", "text"), ("/news/bridge.md", "markdown")])
def test_fetch_text_kinds(base, path, kind):
    fetched = fetch(base + path)
    assert fetched.kind == kind
    assert fetched.body in (PLAIN_TEXT, MARKDOWN)


def test_redirect_chain_ends_at_the_article(server, base):
    before = server.hits.copy()
    fetched = fetch(f"{base}/chain/1")
    assert fetched.body == ARTICLE_HTML
    assert fetched.url == f"{base}/news/bridge.html"
    for path in ("/chain/1", "/chain/2", "/chain/3", "/news/bridge.html"):
        assert server.hits[path] == before[path] + 1, path


# --- fetch: failures ----------------------------------------------------------------------------


@pytest.mark.parametrize(("path", "status"), [("/gone", "HTTP 404 Not Found"), ("/error", "HTTP 500")])
def test_http_errors(base, path, status):
    url = base + path
    err = fetch_error(url)
    assert err.source == url
    assert str(err).startswith(f"{url}: answered {status}")


def test_redirect_chain_ending_in_404_names_the_requested_url(base):
    url = f"{base}/chain/to-gone"
    err = fetch_error(url)
    assert str(err).startswith(f"{url}: answered HTTP 404")


def test_redirect_loop(server, base):
    url = f"{base}/loop"
    before = server.hits["/loop"]
    err = fetch_error(url)
    assert str(err).startswith(f"{url}: redirects more than {web.MAX_REDIRECTS} times")
    assert server.hits["/loop"] - before == web.MAX_REDIRECTS + 1


def test_pdf_content_type(base):
    url = f"{base}/report.pdf"
    err = fetch_error(url)
    assert str(err).startswith(f"{url}: is application/pdf, not an article page")
    assert "save its text to a file" in err.fix


def test_missing_content_type(base):
    err = fetch_error(f"{base}/untyped")
    assert "is of no stated type, not an article page" in str(err)


def test_streamed_body_over_the_limit(base):
    url = f"{base}/big-stream"
    with pytest.raises(OversizedSourceError) as info:
        fetch(url, max_bytes=10_000)
    assert str(info.value).startswith(f"{url}: is over the 10,000-byte limit")
    assert "--max-bytes" in str(info.value)


def test_declared_content_length_over_the_limit(base):
    url = f"{base}/big-declared"
    with pytest.raises(OversizedSourceError) as info:
        fetch(url, max_bytes=2_000)
    # Refused from the header alone: the message gives the declared size.
    assert str(info.value).startswith(f"{url}: is 5,000 bytes, over the 2,000-byte limit")


def test_body_at_the_limit_is_accepted(base):
    assert len(fetch(f"{base}/big-declared", max_bytes=5_000).body) == 5_000


def test_slow_server_times_out(base):
    url = f"{base}/slow"
    start = time.monotonic()
    err = fetch_error(url, timeout=TIMEOUT)
    elapsed = time.monotonic() - start
    assert str(err).startswith(f"{url}: did not answer within {TIMEOUT:g} s")
    assert elapsed < SLOW - 0.3  # it gave up before the server answered


def test_body_that_stalls_times_out(base):
    url = f"{base}/stall-body"
    start = time.monotonic()
    err = fetch_error(url, timeout=TIMEOUT)
    assert time.monotonic() - start < SLOW - 0.3
    assert str(err).startswith(f"{url}: ")
    assert "timed out" in str(err) or "did not answer" in str(err)


def test_body_that_stalls_is_reported_as_a_timeout(base):
    url = f"{base}/stall-body"
    err = fetch_error(url, timeout=TIMEOUT)
    assert str(err).startswith(f"{url}: did not answer within {TIMEOUT:g} s")


def test_trickling_body_is_bounded_by_the_timeout(base):
    start = time.monotonic()
    with pytest.raises(FetchError):
        fetch(f"{base}/trickle", timeout=TIMEOUT)
    assert time.monotonic() - start < 3 * TIMEOUT


# --- address checks -----------------------------------------------------------------------------


def test_loopback_is_refused_without_the_flag_and_makes_no_connection(server, base):
    url = f"{base}/news/bridge.html"
    before = server.connections
    err = fetch_error(url, allow_private=False)
    message = str(err)
    assert message.startswith(f"{url}: host '127.0.0.1' resolves to the non-public address 127.0.0.1")
    assert "--allow-private-urls" in message
    assert server.connections == before


def test_read_sources_refuses_loopback_without_the_option(server, base):
    url = f"{base}/news/bridge.html"
    before = server.connections
    result = read_url(url, allow_private_urls=False)
    assert isinstance(result, FetchError)
    assert result.source == url
    assert "non-public address" in str(result)
    assert "--allow-private-urls" in str(result)
    assert server.connections == before


@pytest.mark.parametrize("make_url", [
    lambda base: "file:///etc/passwd",
    lambda base: base.replace("http://", "ftp://") + "/pub/bridge.txt",
    lambda base: base.replace("http://", "gopher://") + "/1",
], ids=["file", "ftp", "gopher"])
@pytest.mark.parametrize("allow_private", [False, True])
def test_non_http_schemes_are_refused_by_fetch(server, base, make_url, allow_private):
    url = make_url(base)
    scheme = url.split(":", 1)[0]
    before = server.connections
    err = fetch_error(url, allow_private=allow_private)
    assert str(err).startswith(f"{url}: scheme '{scheme}' is not allowed")
    assert "http://" in err.fix
    assert server.connections == before


@pytest.mark.parametrize("make_url", [
    lambda base: "file:///etc/passwd",
    lambda base: base.replace("http://", "ftp://") + "/pub/bridge.txt",
], ids=["file", "ftp"])
def test_non_http_schemes_are_refused_by_read_sources(server, base, make_url):
    url = make_url(base)
    before = server.connections
    result = read_url(url)
    assert isinstance(result, SourceError)
    assert result.source == url
    assert "scheme is not supported" in str(result)
    assert server.connections == before


def test_url_without_host_is_refused(server):
    before = server.connections
    err = fetch_error("http:///news/bridge.html")
    assert "has no host name" in str(err)
    assert server.connections == before


def test_every_redirect_hop_is_checked(server, base, monkeypatch):
    """The first hop passes the address check, the redirect to loopback does not."""
    calls: list[str] = []

    def fake_getaddrinfo(host, port, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(host)
        if len(calls) == 1:  # pretend the first host is public; nothing connects to this address
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("192.0.43.10", port))]
        return socket.getaddrinfo(host, port, *args, **kwargs)

    monkeypatch.setattr(web, "socket", SimpleNamespace(getaddrinfo=fake_getaddrinfo, gaierror=socket.gaierror))
    before_conn, before_hits = server.connections, server.hits.copy()
    err = fetch_error(f"{base}/to-bridge", allow_private=False)
    assert "non-public address 127.0.0.1" in str(err)
    assert "--allow-private-urls" in str(err)
    assert calls == ["127.0.0.1", "127.0.0.1"]
    assert server.connections == before_conn + 1  # the first hop only
    assert server.hits["/to-bridge"] == before_hits["/to-bridge"] + 1
    assert server.hits["/news/bridge.html"] == before_hits["/news/bridge.html"]


@pytest.mark.parametrize(("path", "scheme"), [("/to-ftp", "ftp"), ("/to-file", "file")])
def test_redirect_to_another_scheme_is_refused(server, base, path, scheme):
    before = server.connections
    err = fetch_error(base + path)
    assert f"scheme '{scheme}' is not allowed" in str(err)
    assert server.connections == before + 1  # no connection for the refused hop


@pytest.mark.parametrize("path", ["/to-ftp", "/to-file"])
def test_refused_redirect_hop_names_the_requested_url(base, path):
    url = base + path
    result = read_url(url)
    assert isinstance(result, FetchError)
    assert result.source == url
    assert url in str(result)


# --- read_sources with URLs ---------------------------------------------------------------------


def test_read_sources_html_url(base):
    url = f"{base}/news/bridge.html"
    article = read_url(url)
    assert isinstance(article, Article)
    assert article.id == url_id(url)
    assert article.id.startswith("127.0.0.1-bridge-")
    assert (article.source, article.url) == (url, url)
    assert article.title == "Marrowby to rebuild its bridge"
    for paragraph in PARAGRAPHS:
        assert paragraph in article.text
    assert "Fenn Valley Post" not in article.text
    assert (article.published, article.published_from) == ("2023-02-15", "html")


def test_read_sources_text_and_markdown_urls(base):
    text = read_url(f"{base}/news/bridge.txt")
    assert isinstance(text, Article)
    assert text.title == "Bridge to be rebuilt"
    assert text.text == PLAIN_TEXT.decode().strip("\n")
    markdown = read_url(f"{base}/news/bridge.md")
    assert isinstance(markdown, Article)
    assert markdown.title == "Bridge to be rebuilt"
    assert "council of Marrowby voted" in markdown.text
    assert "](" not in markdown.text


def test_read_sources_follows_redirects_but_keeps_the_given_url(base):
    url = f"{base}/chain/1"
    article = read_url(url)
    assert isinstance(article, Article)
    assert article.url == url
    assert article.id == url_id(url)
    assert PARAGRAPHS[0] in article.text


def test_read_sources_yields_fetch_errors_and_goes_on(base):
    urls = [f"{base}/gone", f"{base}/report.pdf", f"{base}/loop", f"{base}/news/bridge.txt"]
    results = list(read_sources(urls, ReadOptions(allow_private_urls=True, timeout=5.0)))
    assert [type(r) for r in results] == [FetchError, FetchError, FetchError, Article]
    for url, result in zip(urls[:3], results[:3], strict=True):
        assert isinstance(result, SourceError)
        assert result.source == url
        assert str(result).startswith(f"{url}: ")
        assert result.reason


def test_read_sources_size_limit_on_urls(base):
    result = read_url(f"{base}/big-stream", max_bytes=10_000)
    assert isinstance(result, OversizedSourceError)
    assert result.source == f"{base}/big-stream"


def test_read_sources_timeout_on_urls(base):
    result = read_url(f"{base}/slow", timeout=TIMEOUT)
    assert isinstance(result, FetchError)
    assert f"did not answer within {TIMEOUT:g} s" in str(result)


def test_read_sources_binary_body_sent_as_text(base):
    result = read_url(f"{base}/png-as-text")
    assert isinstance(result, BinarySourceError)
    assert result.source == f"{base}/png-as-text"


def test_read_sources_binary_body_sent_as_html(base):
    result = read_url(f"{base}/png-as-html")
    assert isinstance(result, BinarySourceError), result
    assert "PNG" in str(result)


def test_read_sources_utf8_text_with_charset(base):
    article = read_url(f"{base}/cafe-utf8.txt")
    assert isinstance(article, Article)
    assert article.text == CAFE_TEXT
    assert article.title == "Café Fenn reopens"


def test_read_sources_utf8_text_without_charset(base):
    article = read_url(f"{base}/cafe-nocharset.txt")
    assert isinstance(article, Article)
    assert "Café Fenn" in article.text
    assert "مرحبا بكم" in article.text


def test_read_sources_utf8_html_without_charset_header(base):
    article = read_url(f"{base}/cafe-nocharset.html")
    assert isinstance(article, Article)
    assert "Zoë Lindqvist" in article.text
    assert "مرحبا بكم" in article.text


def test_read_sources_url_scheme_is_case_insensitive(base):
    article = read_url(base.replace("http://", "HTTP://") + "/news/bridge.html")
    assert isinstance(article, Article), article
    assert PARAGRAPHS[0] in article.text
