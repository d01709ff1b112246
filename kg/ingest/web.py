"""Fetch an article over HTTP(S): timeouts, a size cap, a content-type check, safe addresses.

Redirects are followed by hand, one request per hop. Unless the caller allows private addresses,
every connection is opened by :class:`PublicOnlyAdapter`, which resolves the host name once, refuses
it if any of its addresses is loopback, private, link-local, multicast, reserved or unspecified
(cloud metadata included, IPv4-mapped IPv6 too), and then connects to exactly the addresses it
vetted. The check and the connection therefore see the same DNS answer: a host name that resolves
to a public address for a check and to a private one a moment later (DNS rebinding) cannot slip
through. The Host header, TLS SNI and certificate checks are untouched, as only the socket is made
differently.
"""

from __future__ import annotations

import errno
import http.client
import ipaddress
import logging
import re
import socket
import ssl
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError
from urllib3.util.connection import allowed_gai_family

from kg import __version__
from kg.errors import FetchError, OversizedSourceError

log = logging.getLogger(__name__)

MAX_REDIRECTS = 10
USER_AGENT = f"opskg/{__version__} (+https://w3id.org/opskg)"
ARTICLE_TYPES = {
    "text/html": "html",
    "application/xhtml+xml": "html",
    "text/plain": "text",
    "text/markdown": "markdown",
    "text/x-markdown": "markdown",
}
NON_PUBLIC_FIX = "opskg fetches public URLs only; pass --allow-private-urls to fetch from your own network"
SERVER_FIX = "check the host and port in the URL, and that the server is up"

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class Fetched:
    url: str
    body: bytes
    kind: str  # "html", "text" or "markdown"
    charset: str | None


# --- which addresses may be contacted ------------------------------------------------------------


def is_public_address(address: IPAddress) -> bool:
    """True for an address on the public internet.

    False for loopback, private, shared (CGNAT), link-local (169.254.169.254, the cloud metadata
    service, included), multicast, reserved, unspecified and documentation addresses; an IPv4
    address inside IPv6 (``::ffff:127.0.0.1``, 6to4) is judged as the IPv4 address it carries.
    """
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is not None:
            address = embedded
        elif address.is_site_local:
            return False
    return address.is_global and not (
        address.is_private or address.is_loopback or address.is_link_local or address.is_multicast
        or address.is_reserved or address.is_unspecified
    )


def check_url(url: str) -> None:
    """Refuse URLs that are not http(s), have no host or do not parse; the address is checked when connecting."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - a port that is not a number (or out of range) raises here
    except ValueError as exc:
        raise FetchError(url, f"is not a valid URL ({exc})", "check the URL") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise FetchError(url, f"scheme {parts.scheme!r} is not allowed", "give an http:// or https:// URL")
    if not parts.hostname:
        raise FetchError(url, "has no host name", "give a full URL such as https://example.org/article")


def _resolve_public(host: str, port: int) -> list[tuple[Any, ...]]:
    """Resolve ``host`` once and return its addresses, or raise a :class:`FetchError` if any is not public.

    A host name with one non-public address is refused whole: it is either misconfigured or
    pointing at this network on purpose.
    """
    try:
        infos = socket.getaddrinfo(host, port, allowed_gai_family(), socket.SOCK_STREAM)
    except UnicodeError:
        raise FetchError(host, f"host {host!r} is not a valid host name", "check the URL") from None
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]))
        if not is_public_address(address):
            log.debug("refused to connect to %s (%s): not a public address", host, address)
            shown = _show_address(address)
            raise FetchError(host, f"host {host!r} resolves to the non-public address {shown}", NON_PUBLIC_FIX)
    return list(infos)


def _show_address(address: IPAddress) -> str:
    """``address``, with the IPv4 address it carries if it is IPv4-mapped or 6to4: ``::ffff:7f00:1 (127.0.0.1)``."""
    text = str(address)
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is not None and str(embedded) not in text:
            return f"{text} ({embedded})"
    return text


def _connect_public(conn: HTTPConnection) -> socket.socket:
    """Open the socket of ``conn`` to one of the vetted addresses of its host, in the resolver's order."""
    infos = _resolve_public(conn.host.strip("[]"), conn.port or 0)
    error: OSError | None = None
    for family, kind, proto, _name, sockaddr in infos:
        sock: socket.socket | None = None
        try:
            sock = socket.socket(family, kind, proto)
            for option in conn.socket_options or ():
                sock.setsockopt(*option)
            if conn.timeout is None or isinstance(conn.timeout, int | float):  # else urllib3's "default" token
                sock.settimeout(conn.timeout)
            if conn.source_address:
                sock.bind(conn.source_address)
            sock.connect(sockaddr)
            return sock
        except OSError as exc:
            error = exc
            if sock is not None:
                sock.close()
    raise error if error is not None else OSError(f"no address found for {conn.host}")


def _new_public_conn(conn: HTTPConnection) -> socket.socket:
    """What ``HTTPConnection._new_conn`` does, through :func:`_connect_public`, with urllib3's errors."""
    try:
        sock = _connect_public(conn)
    except socket.gaierror as exc:
        raise NameResolutionError(conn.host, conn, exc) from exc
    except TimeoutError as exc:
        raise ConnectTimeoutError(
            conn, f"Connection to {conn.host} timed out. (connect timeout={conn.timeout})"
        ) from exc
    except OSError as exc:
        raise NewConnectionError(conn, f"Failed to establish a new connection: {exc}") from exc
    sys.audit("http.client.connect", conn, conn.host, conn.port)
    return sock


class _PublicHTTPConnection(HTTPConnection):
    def _new_conn(self) -> socket.socket:
        return _new_public_conn(self)


class _PublicHTTPSConnection(HTTPSConnection):
    def _new_conn(self) -> socket.socket:
        return _new_public_conn(self)


class _PublicHTTPConnectionPool(HTTPConnectionPool):
    ConnectionCls = _PublicHTTPConnection


class _PublicHTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = _PublicHTTPSConnection


class PublicOnlyAdapter(HTTPAdapter):
    """A requests transport adapter whose every new connection goes to a vetted public address.

    The host name is resolved once per connection, inside the connection, and the socket is
    connected to the addresses of that one answer; a non-public answer raises a
    :class:`FetchError` before any packet is sent. TLS still verifies the certificate against the
    host name, and SNI and the Host header still carry it. Not for use with proxies: the proxy's
    address would be checked, not the target's.
    """

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": _PublicHTTPConnectionPool,
            "https": _PublicHTTPSConnectionPool,
        }


# --- fetching --------------------------------------------------------------------------------------


def fetch(url: str, *, timeout: float, max_bytes: int, allow_private: bool = False) -> Fetched:
    """GET ``url`` and return its body, or raise a :class:`FetchError` naming the problem.

    ``timeout`` bounds the whole fetch, redirects and body included, not only each read.
    """
    session = requests.Session()
    # No proxies (they would defeat the address check) and no .netrc credentials from the environment.
    session.trust_env = False
    if not allow_private:
        guard = PublicOnlyAdapter()
        session.mount("http://", guard)
        session.mount("https://", guard)
    current = url
    deadline = time.monotonic() + timeout
    try:
        for _hop in range(MAX_REDIRECTS + 1):
            response = _get(session, url, current, timeout)
            if response.is_redirect:
                location = response.headers.get("Location", "")
                response.close()
                current = urljoin(current, location)
                continue
            with response:
                return _read(url, response, max_bytes, deadline, timeout)
        raise FetchError(url, f"redirects more than {MAX_REDIRECTS} times", "check the URL in a browser")
    except requests.Timeout:
        raise FetchError(url, f"did not answer within {timeout:g} s", "try again later") from None
    except urllib3.exceptions.ReadTimeoutError:
        raise FetchError(url, f"did not answer within {timeout:g} s", "try again later") from None
    except (urllib3.exceptions.HTTPError, OSError) as exc:  # the body, read below requests
        raise FetchError(url, f"broke off while sending ({_short(exc)})", "try again later") from None
    except requests.RequestException as exc:
        raise FetchError(url, f"request failed ({_short(exc)})", "check the URL") from None
    finally:
        session.close()


def _get(session: requests.Session, url: str, current: str, timeout: float) -> requests.Response:
    """One hop: GET ``current`` without following redirects; errors name ``url``, the URL asked for."""
    try:
        check_url(current)
        log.debug("GET %s", current)
        return session.get(
            current,
            timeout=(timeout, timeout),
            stream=True,
            allow_redirects=False,
            headers={"User-Agent": USER_AGENT, "Accept": "text/html, text/plain;q=0.9, */*;q=0.1"},
        )
    except FetchError as exc:  # a refused scheme, host or address
        raise _hop_error(url, current, exc.reason, exc.fix) from None
    except requests.exceptions.InvalidURL as exc:
        raise _hop_error(url, current, f"is not a valid URL ({_short(exc)})", "check the URL") from None
    except requests.ConnectTimeout:
        raise _hop_error(url, current, f"cannot connect to {_host_port(current)} (timed out after {timeout:g} s)",
                         f"{SERVER_FIX}; or try again later") from None
    except requests.ConnectionError as exc:
        if _is_read_timeout(exc):
            raise FetchError(url, f"did not answer within {timeout:g} s", "try again later") from None
        reason, fix = _connection_problem(exc, current)
        raise _hop_error(url, current, reason, fix) from None


def _hop_error(url: str, current: str, reason: str, fix: str) -> FetchError:
    if current == url:
        return FetchError(url, reason, fix)
    return FetchError(url, f"redirects to {current}; {reason}", fix)


def _host_port(url: str) -> str:
    parts = urlsplit(url)
    host = parts.hostname or "?"
    try:
        port = parts.port
    except ValueError:
        port = None
    if port is None:
        port = 443 if parts.scheme.lower() == "https" else 80
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _connection_problem(exc: requests.ConnectionError, current: str) -> tuple[str, str]:
    """The reason and the fix for a connection that could not be opened or broke off before the answer."""
    chain = list(_exception_chain(exc))
    where = f"cannot connect to {_host_port(current)}"

    def first(kind: type[BaseException] | tuple[type[BaseException], ...]) -> Any:
        return next((e for e in chain if isinstance(e, kind)), None)

    if (cert := first(ssl.SSLCertVerificationError)) is not None:
        detail = cert.verify_message or cert.reason or "not valid"
        return (f"{where} (TLS certificate not accepted: {detail})",
                "check the host name in the URL; the server's certificate must be valid for it "
                "and signed by a trusted authority")
    if (tls := first(ssl.SSLError)) is not None:
        detail = tls.reason.replace("_", " ").lower() if tls.reason else _short(tls)
        return (f"{where} (TLS handshake failed: {detail})",
                "check that the server speaks HTTPS on this port, or try http:// instead")
    if isinstance(exc, requests.exceptions.SSLError):
        return f"{where} (TLS handshake failed)", "check that the server speaks HTTPS on this port"
    if (dns := first(socket.gaierror)) is not None:
        host = urlsplit(current).hostname
        if dns.errno in (socket.EAI_NONAME, getattr(socket, "EAI_NODATA", socket.EAI_NONAME)):
            detail = f"host name {host!r} not found"
        elif dns.errno == socket.EAI_AGAIN:
            detail = f"the DNS lookup of {host!r} failed for now"
        else:
            detail = f"host name {host!r} cannot be resolved: {dns.strerror or dns}"
        return f"{where} ({detail})", "check the host name in the URL, and that this machine can reach a DNS server"
    if first(ConnectionRefusedError) is not None:
        return f"{where} (connection refused)", SERVER_FIX
    if first(TimeoutError) is not None:
        return f"{where} (timed out)", f"{SERVER_FIX}; or try again later"
    if first(http.client.RemoteDisconnected) is not None:
        return "closed the connection without answering", "try again later"
    if first(ConnectionResetError) is not None:
        return f"{where} (connection reset by the server)", "try again later"
    if (os_error := first(OSError)) is not None:
        if os_error.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH):
            detail = "network unreachable" if os_error.errno == errno.ENETUNREACH else "host unreachable"
            return f"{where} ({detail})", "check the URL, and this machine's network connection"
        return f"{where} ({os_error.strerror or _short(os_error)})", SERVER_FIX
    return f"cannot be reached ({_short(exc)})", "check the URL and the network"


def _exception_chain(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and the exceptions it wraps (in its arguments, urllib3's ``reason``, its causes), each once."""
    seen: set[int] = set()
    pending: list[BaseException] = [exc]
    while pending:
        current = pending.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        pending.extend(arg for arg in current.args if isinstance(arg, BaseException))
        if isinstance(current, urllib3.exceptions.MaxRetryError) and current.reason is not None:
            pending.append(current.reason)
        pending.extend(linked for linked in (current.__cause__, current.__context__) if linked is not None)


def _is_read_timeout(exc: BaseException) -> bool:
    return any(isinstance(e, urllib3.exceptions.ReadTimeoutError | requests.ReadTimeout)
               for e in _exception_chain(exc))


def _declared_charset(content_type: str) -> str | None:
    """The charset parameter of a Content-Type header, if the server stated one."""
    match = re.search(r"charset\s*=\s*[\"']?([\w.:-]+)", content_type, re.I)
    return match.group(1) if match else None


def _read(url: str, response: requests.Response, max_bytes: int, deadline: float, timeout: float) -> Fetched:
    if response.status_code >= 400:
        raise FetchError(url, f"answered HTTP {response.status_code} {response.reason}", "check the URL")
    media = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    kind = ARTICLE_TYPES.get(media)
    if kind is None:
        raise FetchError(
            url,
            f"is {media or 'of no stated type'}, not an article page",
            "give the URL of an HTML or text article, or save its text to a file",
        )
    declared = response.headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise OversizedSourceError(url, f"is {int(declared):,} bytes, over the {max_bytes:,}-byte limit",
                                   "raise --max-bytes if this is really one article")
    chunks: list[bytes] = []
    size = 0
    while chunk := response.raw.read1(65536, decode_content=True):  # returns what has arrived
        if time.monotonic() > deadline:
            raise FetchError(url, f"did not answer within {timeout:g} s", "try again later")
        size += len(chunk)
        if size > max_bytes:
            raise OversizedSourceError(url, f"is over the {max_bytes:,}-byte limit",
                                       "raise --max-bytes if this is really one article")
        chunks.append(chunk)
    charset = _declared_charset(response.headers.get("Content-Type", ""))
    return Fetched(url=response.url or url, body=b"".join(chunks), kind=kind, charset=charset)


def _short(exc: Exception) -> str:
    text = str(exc)
    return text if len(text) <= 160 else text[:157] + "..."
