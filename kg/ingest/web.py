"""Fetch an article over HTTP(S): timeouts, a size cap, a content-type check, safe addresses.

Redirects are followed by hand so that every hop's address is checked: loopback, private,
link-local, multicast and reserved addresses (cloud metadata included) are refused unless the
caller allows private addresses explicitly.
"""

from __future__ import annotations

import ipaddress
import logging
import re
import socket
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import requests
import urllib3

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


@dataclass(frozen=True)
class Fetched:
    url: str
    body: bytes
    kind: str  # "html", "text" or "markdown"
    charset: str | None


def check_address(url: str, allow_private: bool = False) -> None:
    """Refuse URLs that are not http(s), or whose host resolves to a non-public address."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise FetchError(url, f"scheme {parts.scheme!r} is not allowed", "give an http:// or https:// URL")
    host = parts.hostname
    if not host:
        raise FetchError(url, "has no host name", "give a full URL such as https://example.org/article")
    if allow_private:
        return
    try:
        infos = socket.getaddrinfo(host, parts.port or (443 if parts.scheme == "https" else 80))
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError(url, f"host {host!r} cannot be resolved ({exc})", "check the URL") from None
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global:
            raise FetchError(
                url,
                f"host {host!r} resolves to the non-public address {address}",
                "opskg fetches public URLs only; pass --allow-private-urls to fetch from your own network",
            )


def fetch(url: str, *, timeout: float, max_bytes: int, allow_private: bool = False) -> Fetched:
    """GET ``url`` and return its body, or raise a :class:`FetchError` naming the problem.

    ``timeout`` bounds the whole fetch, redirects and body included, not only each read.
    """
    session = requests.Session()
    session.trust_env = False  # no proxies or .netrc credentials from the environment
    current = url
    deadline = time.monotonic() + timeout
    try:
        for _hop in range(MAX_REDIRECTS + 1):
            try:
                check_address(current, allow_private)
            except FetchError as exc:
                if current == url:
                    raise
                raise FetchError(url, f"redirects to {current}, which {exc.reason}", exc.fix) from None
            response = session.get(
                current,
                timeout=(timeout, timeout),
                stream=True,
                allow_redirects=False,
                headers={"User-Agent": USER_AGENT, "Accept": "text/html, text/plain;q=0.9, */*;q=0.1"},
            )
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
    except requests.ConnectionError as exc:
        if _is_read_timeout(exc):  # a stall in the middle of the body
            raise FetchError(url, f"did not answer within {timeout:g} s", "try again later") from None
        raise FetchError(url, f"cannot be reached ({_short(exc)})", "check the URL and the network") from None
    except urllib3.exceptions.ReadTimeoutError:
        raise FetchError(url, f"did not answer within {timeout:g} s", "try again later") from None
    except (urllib3.exceptions.HTTPError, OSError) as exc:  # the body, read below requests
        raise FetchError(url, f"broke off while sending ({_short(exc)})", "try again later") from None
    except requests.RequestException as exc:
        raise FetchError(url, f"request failed ({_short(exc)})", "check the URL") from None
    finally:
        session.close()


def _is_read_timeout(exc: BaseException) -> bool:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, urllib3.exceptions.ReadTimeoutError | requests.Timeout):
            return True
        nested = [a for a in current.args if isinstance(a, BaseException)]
        current = nested[0] if nested else current.__cause__ or current.__context__
    return False


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
