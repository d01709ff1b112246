"""Fetching articles over HTTP: kg.ingest.web.fetch and read_sources with URLs.

Every request goes to a throw-away server on 127.0.0.1 (or 127.0.0.2) started by a fixture. No
test contacts any other address: the autouse ``connects`` fixture records every socket connection
and refuses, inside this process, any to an address that is not loopback. Host names are invented
and answered by the ``dns`` fixture; 127.0.0.2 plays a public address where ``pretend_public`` says.
"""

from __future__ import annotations

import contextlib
import errno
import ipaddress
import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

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

    def __init__(self, host: str = "127.0.0.1", tls: ssl.SSLContext | None = None) -> None:
        super().__init__((host, 0), _Handler)
        self.lock = threading.Lock()
        self.connections = 0  # TCP connections accepted
        self.hits: Counter[str] = Counter()  # requests per path
        self.user_agents: list[str | None] = []
        self.hosts: list[str | None] = []  # Host headers
        self.stop = threading.Event()  # cuts the slow routes short at teardown
        self.scheme = "http"
        self.sni: list[str | None] = []  # the server names that TLS clients asked for
        if tls is not None:  # the handshake runs in accept(); a failed one is dropped by socketserver
            tls.sni_callback = self._record_sni
            self.socket = tls.wrap_socket(self.socket, server_side=True)
            self.scheme = "https"

    def _record_sni(self, _sock: ssl.SSLObject, name: str | None, _context: ssl.SSLContext) -> None:
        self.sni.append(name)

    def verify_request(self, request, client_address) -> bool:  # type: ignore[no-untyped-def]
        with self.lock:
            self.connections += 1
        return True

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    @property
    def base(self) -> str:
        return f"{self.scheme}://{self.server_address[0]!s}:{self.port}"


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
            self.server.hosts.append(self.headers.get("Host"))
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
    "/redirect": lambda h: h.redirect(parse_qs(urlsplit(h.path).query)["to"][0]),  # /redirect?to=URL
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


@contextlib.contextmanager
def serving(host: str = "127.0.0.1", tls: ssl.SSLContext | None = None) -> Iterator[_Server]:
    srv = _Server(host, tls)
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield srv
    finally:
        srv.stop.set()
        srv.shutdown()
        srv.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="module")
def server() -> Iterator[_Server]:
    with serving() as srv:
        yield srv


@pytest.fixture
def base(server: _Server) -> str:
    return server.base


STAND_IN = "127.0.0.2"  # plays a public address in the tests that use ``pretend_public``
SOME_PUBLIC_ADDRESS = "192.0.43.10"  # a global address; the ``connects`` fixture never lets a test reach it


@pytest.fixture(scope="module")
def stand_in() -> Iterator[_Server]:
    """A second server, on 127.0.0.2."""
    with serving(STAND_IN) as srv:
        yield srv


@pytest.fixture
def pretend_public(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let the address guard take 127.0.0.2 for a public address; every other address is judged as usual."""
    real = web.is_public_address
    stand_in = ipaddress.ip_address(STAND_IN)
    monkeypatch.setattr(web, "is_public_address", lambda address: address == stand_in or real(address))


@pytest.fixture(autouse=True)
def connects(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every address a socket connects to during the test; any but loopback is refused in-process."""
    attempts: list[Any] = []

    class LoopbackOnly(socket.socket):
        def connect(self, address: Any) -> None:
            attempts.append(address)
            if self.family in (socket.AF_INET, socket.AF_INET6) and not ipaddress.ip_address(address[0]).is_loopback:
                raise ConnectionRefusedError(errno.ECONNREFUSED, f"the tests reach no address but loopback: {address}")
            super().connect(address)

    monkeypatch.setattr(socket, "socket", LoopbackOnly)
    return attempts


class FakeDNS:
    """``socket.getaddrinfo`` for invented host names; other names go to the real resolver.

    ``add(name, *answers)``: the n-th lookup of ``name`` gets the n-th answer (the last one from then
    on); an answer is a list of addresses, or an exception to raise.
    """

    def __init__(self, real: Callable[..., Any]) -> None:
        self.real = real
        self.answers: dict[str, list[list[str] | OSError]] = {}
        self.lookups: list[str] = []

    def add(self, name: str, *answers: list[str] | OSError) -> None:
        self.answers[name] = list(answers)

    def getaddrinfo(self, host: Any, port: Any, family: int = 0, type: int = 0, proto: int = 0,
                    flags: int = 0) -> list[Any]:
        if host not in self.answers:
            return self.real(host, port, family, type, proto, flags)
        self.lookups.append(host)
        answers = self.answers[host]
        answer = answers[min(self.lookups.count(host), len(answers)) - 1]
        if isinstance(answer, OSError):
            raise answer
        port = int(port or 0)
        return [
            (socket.AF_INET6, socket.SOCK_STREAM, 6, "", (ip, port, 0, 0)) if ":" in ip
            else (socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, port))
            for ip in answer
        ]


@pytest.fixture
def dns(monkeypatch: pytest.MonkeyPatch) -> FakeDNS:
    fake = FakeDNS(socket.getaddrinfo)
    monkeypatch.setattr(socket, "getaddrinfo", fake.getaddrinfo)
    return fake


@pytest.fixture
def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def full_backlog(host: str) -> Iterator[int]:
    """A port on ``host`` whose accept queue is full, so that a new connection attempt hangs."""
    listener = socket.socket()
    clients: list[socket.socket] = []
    try:
        listener.bind((host, 0))
        listener.listen(0)
        port = int(listener.getsockname()[1])
        for _ in range(4):
            client = socket.socket()
            client.setblocking(False)
            with contextlib.suppress(BlockingIOError):
                client.connect((host, port))
            clients.append(client)
        time.sleep(0.05)
        yield port
    finally:
        for client in clients:
            client.close()
        listener.close()


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


def test_every_redirect_hop_is_checked(server, stand_in, pretend_public, connects):
    """The first hop (a "public" server) is allowed; its redirect to loopback is refused."""
    target = f"{server.base}/news/bridge.html"
    url = f"{stand_in.base}/redirect?to={target}"
    before_conn, before_hits = server.connections, server.hits["/news/bridge.html"]
    before_redirects = stand_in.hits["/redirect"]
    err = fetch_error(url, allow_private=False)
    assert str(err).startswith(
        f"{url}: redirects to {target}; host '127.0.0.1' resolves to the non-public address 127.0.0.1"
    ), err
    assert "--allow-private-urls" in err.fix
    assert stand_in.hits["/redirect"] == before_redirects + 1
    assert connects == [(STAND_IN, stand_in.port)]  # the first hop only
    assert server.connections == before_conn
    assert server.hits["/news/bridge.html"] == before_hits


def test_redirect_hops_are_followed_through_the_guard(stand_in, pretend_public, connects):
    url = f"{stand_in.base}/chain/1"
    fetched = fetch(url, allow_private=False)
    assert fetched.body == ARTICLE_HTML
    assert fetched.url == f"{stand_in.base}/news/bridge.html"
    assert connects and all(address == (STAND_IN, stand_in.port) for address in connects)


# --- the address guard: resolved once, checked when connecting ---------------------------------


@pytest.mark.parametrize("address", [
    "127.0.0.1", "127.3.4.5", "10.1.2.3", "172.16.0.1", "192.168.1.1", "100.64.0.1",  # loopback, private, CGNAT
    "169.254.169.254", "0.0.0.0", "224.0.0.251", "239.255.255.250", "240.0.0.1", "255.255.255.255",
    "192.0.2.1", "198.51.100.1", "203.0.113.1",  # documentation
    "::1", "::", "fe80::1", "fc00::1", "fd12:3456::1", "fec0::1", "ff02::1", "ff0e::1", "2001:db8::1",
    "::ffff:127.0.0.1", "::ffff:169.254.169.254", "::ffff:10.0.0.1",  # IPv4-mapped
    "2002:7f00:1::", "2002:a9fe:a9fe::",  # 6to4 around 127.0.0.1 and 169.254.169.254
    "64:ff9b::7f00:1",  # NAT64
])
def test_non_public_addresses(address):
    assert not web.is_public_address(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["8.8.8.8", "192.0.43.10", "2606:4700::1111", "::ffff:8.8.8.8", "2002:808:808::"])
def test_public_addresses(address):
    assert web.is_public_address(ipaddress.ip_address(address))


def test_cloud_metadata_address_is_refused_before_connecting(connects):
    url = "http://169.254.169.254/latest/meta-data/"
    err = fetch_error(url, allow_private=False)
    assert str(err).startswith(f"{url}: host '169.254.169.254' resolves to the non-public address 169.254.169.254")
    assert connects == []


@pytest.mark.parametrize(("answer", "shown"), [
    (["127.0.0.1"], {"127.0.0.1"}),
    (["10.0.0.7"], {"10.0.0.7"}),
    (["169.254.169.254"], {"169.254.169.254"}),
    (["::1"], {"::1"}),
    (["fe80::1"], {"fe80::1"}),
    (["::ffff:127.0.0.1"], {"::ffff:7f00:1 (127.0.0.1)", "::ffff:127.0.0.1"}),  # Python 3.11 / 3.13 spelling
    ([SOME_PUBLIC_ADDRESS, "127.0.0.1"], {"127.0.0.1"}),  # one private address among public ones refuses the name
], ids=["loopback", "private", "metadata", "ipv6-loopback", "link-local", "ipv4-mapped", "mixed"])
def test_host_name_resolving_to_a_non_public_address_is_refused(server, dns, connects, answer, shown):
    dns.add("intranet.example", answer)
    url = f"http://intranet.example:{server.port}/news/bridge.html"
    before = server.connections
    err = fetch_error(url, allow_private=False)
    prefix = f"{url}: host 'intranet.example' resolves to the non-public address "
    assert str(err).startswith(prefix), err
    assert err.reason.split("non-public address ", 1)[1] in shown
    assert err.fix == web.NON_PUBLIC_FIX
    assert connects == []
    assert server.connections == before
    assert dns.lookups == ["intranet.example"]  # resolved once


def test_dns_rebinding_cannot_reach_a_private_address(server, dns, connects):
    """The name is public when first resolved and loopback from then on (DNS rebinding).

    The fetch must connect only to the address it checked, never to the local listener; the
    public address is refused by the ``connects`` fixture, so the fetch fails to connect. A fetch
    that checks one DNS answer and connects by another reaches the listener and succeeds.
    """
    dns.add("rebind.example", [SOME_PUBLIC_ADDRESS], ["127.0.0.1"])
    url = f"http://rebind.example:{server.port}/news/bridge.html"
    before_conn, before_hits = server.connections, server.hits["/news/bridge.html"]
    with pytest.raises(FetchError) as info:
        fetch(url, allow_private=False)
    assert server.connections == before_conn
    assert server.hits["/news/bridge.html"] == before_hits
    assert connects == [(SOME_PUBLIC_ADDRESS, server.port)]
    assert str(info.value).startswith(f"{url}: cannot connect to rebind.example:{server.port} (connection refused)")


def test_dns_rebinding_to_a_private_address_is_refused_on_a_later_connection(server, stand_in, dns, pretend_public,
                                                                             connects):
    """Public at the first connection, loopback at the next one: the next one is refused."""
    dns.add("rebind.example", [STAND_IN], ["127.0.0.1"])
    url = f"http://rebind.example:{stand_in.port}/news/bridge.html"
    assert fetch(url, allow_private=False).body == ARTICLE_HTML  # HTTP/1.0: the connection is closed after
    before = server.connections
    err = fetch_error(url, allow_private=False)
    assert str(err).startswith(f"{url}: host 'rebind.example' resolves to the non-public address 127.0.0.1")
    assert connects == [(STAND_IN, stand_in.port)]
    assert server.connections == before


def test_public_host_name_keeps_its_host_header(stand_in, dns, pretend_public, connects):
    dns.add("news.example", [STAND_IN])
    url = f"http://news.example:{stand_in.port}/news/bridge.html"
    fetched = fetch(url, allow_private=False)
    assert fetched.body == ARTICLE_HTML
    assert stand_in.hosts[-1] == f"news.example:{stand_in.port}"
    assert connects == [(STAND_IN, stand_in.port)]


def test_allow_private_fetches_a_host_name_on_this_machine(server, dns):
    dns.add("intranet.example", ["127.0.0.1"])
    fetched = fetch(f"http://intranet.example:{server.port}/news/bridge.html", allow_private=True)
    assert fetched.body == ARTICLE_HTML


# --- HTTPS --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path]]:
    """Self-signed certificates (and keys) for news.example and other.example, made with openssl."""
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is not installed")
    folder = tmp_path_factory.mktemp("tls")
    made = {}
    for name in ("news.example", "other.example"):
        cert, key = folder / f"{name}.pem", folder / f"{name}.key"
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
             "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", f"/CN={name}",
             "-addext", f"subjectAltName=DNS:{name}"],
            check=True, capture_output=True, timeout=60,
        )
        made[name] = (cert, key)
    return made


@contextlib.contextmanager
def tls_server(certificates: dict[str, tuple[Path, Path]], name: str, host: str) -> Iterator[_Server]:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificates[name])
    with serving(host, context) as srv:
        yield srv


@pytest.fixture
def trust(monkeypatch: pytest.MonkeyPatch) -> Callable[[Path], None]:
    """``trust(cert)``: the fetches of this test accept ``cert`` (and only it) as a certificate authority."""

    def trust_only(cert: Path) -> None:
        class Trusting(requests.Session):
            def __init__(self) -> None:
                super().__init__()
                self.verify = str(cert)

        monkeypatch.setattr(requests, "Session", Trusting)

    return trust_only


def test_https_through_the_guard_verifies_the_host_name(certificates, dns, pretend_public, trust, connects):
    dns.add("news.example", [STAND_IN])
    trust(certificates["news.example"][0])
    with tls_server(certificates, "news.example", STAND_IN) as srv:
        url = f"https://news.example:{srv.port}/news/bridge.html"
        fetched = fetch(url, allow_private=False)
        assert fetched.body == ARTICLE_HTML
        assert srv.sni == ["news.example"]
        assert srv.hosts == [f"news.example:{srv.port}"]
    assert connects == [(STAND_IN, srv.port)]


def test_https_certificate_for_another_name_is_refused(certificates, dns, pretend_public, trust):
    dns.add("news.example", [STAND_IN])
    trust(certificates["other.example"][0])
    with tls_server(certificates, "other.example", STAND_IN) as srv:
        url = f"https://news.example:{srv.port}/news/bridge.html"
        err = fetch_error(url, allow_private=False)
        assert srv.hits["/news/bridge.html"] == 0
    assert str(err).startswith(f"{url}: cannot connect to news.example:{srv.port} (TLS certificate not accepted: "), err
    assert "news.example" in err.reason.split("not accepted: ", 1)[1]
    assert "certificate" in err.fix


@pytest.mark.parametrize("guarded", [False, True], ids=["allow-private", "guarded"])
def test_untrusted_certificate_is_refused(certificates, dns, request, guarded):
    if guarded:
        request.getfixturevalue("pretend_public")
    dns.add("news.example", [STAND_IN])
    with tls_server(certificates, "news.example", STAND_IN) as srv:
        url = f"https://news.example:{srv.port}/news/bridge.html"
        err = fetch_error(url, allow_private=not guarded)
        assert srv.hits["/news/bridge.html"] == 0
    assert str(err).startswith(f"{url}: cannot connect to news.example:{srv.port} (TLS certificate not accepted: "), err
    assert "self-signed" in err.reason or "self signed" in err.reason


def test_https_to_a_plain_http_server_names_the_tls_failure(server):
    url = f"https://127.0.0.1:{server.port}/news/bridge.html"
    err = fetch_error(url)
    assert str(err).startswith(f"{url}: cannot connect to 127.0.0.1:{server.port} (TLS handshake failed: "), err
    assert "HTTPS" in err.fix
    assert "Max retries" not in str(err) and "urllib3" not in str(err)


# --- connection failures ------------------------------------------------------------------------


@pytest.mark.parametrize("guarded", [False, True], ids=["allow-private", "guarded"])
def test_connection_refused(request, guarded):
    host = STAND_IN if guarded else "127.0.0.1"
    if guarded:
        request.getfixturevalue("pretend_public")
    with socket.socket() as sock:
        sock.bind((host, 0))
        port = int(sock.getsockname()[1])  # closed again below: nothing listens there
    url = f"http://{host}:{port}/news/bridge.html"
    err = fetch_error(url, allow_private=not guarded)
    assert str(err) == f"{url}: cannot connect to {host}:{port} (connection refused) ({web.SERVER_FIX})"


def test_connection_refused_on_a_redirect_hop(base, closed_port):
    target = f"http://127.0.0.1:{closed_port}/article"
    url = f"{base}/redirect?to={target}"
    err = fetch_error(url)
    assert str(err).startswith(f"{url}: redirects to {target}; cannot connect to 127.0.0.1:{closed_port} "
                               "(connection refused)")


@pytest.mark.parametrize("guarded", [False, True], ids=["allow-private", "guarded"])
def test_connection_timeout(request, guarded):
    host = STAND_IN if guarded else "127.0.0.1"
    if guarded:
        request.getfixturevalue("pretend_public")
    with full_backlog(host) as port:
        url = f"http://{host}:{port}/news/bridge.html"
        start = time.monotonic()
        err = fetch_error(url, timeout=TIMEOUT, allow_private=not guarded)
        assert time.monotonic() - start < 4 * TIMEOUT
    assert str(err).startswith(f"{url}: cannot connect to {host}:{port} (timed out after {TIMEOUT:g} s)"), err
    assert "server is up" in err.fix


@pytest.mark.parametrize("guarded", [False, True], ids=["allow-private", "guarded"])
@pytest.mark.parametrize(("failure", "detail"), [
    (socket.gaierror(socket.EAI_NONAME, "Name or service not known"), "host name 'nowhere.example' not found"),
    (socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution"),
     "the DNS lookup of 'nowhere.example' failed for now"),
], ids=["unknown", "temporary"])
def test_host_name_that_cannot_be_resolved(dns, connects, failure, detail, guarded):
    dns.add("nowhere.example", failure)
    url = "http://nowhere.example/news/bridge.html"
    err = fetch_error(url, allow_private=not guarded)
    assert str(err).startswith(f"{url}: cannot connect to nowhere.example:80 ({detail})"), err
    assert "host name in the URL" in err.fix
    assert connects == []


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


@pytest.mark.parametrize(("url", "reason"), [
    ("http://[::1/x", "Invalid IPv6 URL"),
    ("http://exa mple.test/", "invalid character"),
    ("http://example.test:99999/", "Port out of range"),
])
def test_a_malformed_url_is_a_clear_fetch_error(url: str, reason: str) -> None:
    with pytest.raises(FetchError) as caught:
        web.fetch(url, timeout=2, max_bytes=1000)
    message = str(caught.value)
    assert "is not a valid URL" in message and reason in message and "check the URL" in message
