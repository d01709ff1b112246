"""Expand SOURCE arguments (files, directories, URLs, JSON Lines, ``-``) into articles.

Publication dates come from, in order: an explicit option or JSON field, a leading
``date YYYY-MM-DD`` line, the HTML metadata, a dateline near the top of the text.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import sys
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import BinaryIO

from kg.errors import MalformedRecordError, OversizedSourceError, SourceError
from kg.ingest import formats
from kg.ingest.dates import find_dateline, normalise_date, split_date_line
from kg.ingest.decode import clean_text, decode_text, html_charset
from kg.model import Article

log = logging.getLogger(__name__)

_ID_CHARS = re.compile(r"[^a-z0-9_.-]+")


@dataclass(frozen=True)
class ReadOptions:
    max_bytes: int = 10 * 1024 * 1024
    timeout: float = 20.0
    encoding: str = "utf-8"
    allow_private_urls: bool = False
    #: An explicit publication date for every article read (``--published``).
    published: str | None = None


def article_id(name: str) -> str:
    """A readable article id from a file stem or URL: lower case, ``[a-z0-9_.-]``, accents folded."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    ident = _ID_CHARS.sub("-", ascii_name.lower()).strip("-.")
    return ident[:100] or "article"


def url_id(url: str) -> str:
    """``https://site.org/2022/10/raid-kills-leader.html`` -> ``site.org-raid-kills-leader-1a2b3c4d``."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    tail = [p for p in parts.path.split("/") if p]
    stem = Path(tail[-1]).stem if tail else ""
    digest = hashlib.sha1(url.encode()).hexdigest()[:8]
    return article_id(f"{parts.hostname or 'url'}-{stem}")[:80] + f"-{digest}"


def read_sources(sources: Iterable[str], options: ReadOptions | None = None,
                 stdin: BinaryIO | None = None) -> Iterator[Article | SourceError]:
    """Yield an article or an error per source; directories are walked recursively, sorted."""
    opts = options or ReadOptions()
    for source in sources:
        if source == "-":
            yield from _guard("stdin", lambda: [_read_stdin(stdin, opts)])
        elif source.lower().startswith(("http://", "https://")):
            yield from _guard(source, partial(_read_url_list, source, opts))
        else:
            path = Path(source)
            if path.is_dir():
                yield from _read_directory(path, opts)
            elif path.is_file():
                yield from _read_file(path, opts)
            elif "://" in source:
                yield SourceError(source, "is a URL whose scheme is not supported", "give an http(s):// URL")
            else:
                yield SourceError(source, "does not exist", "check the path")


def _guard(source: str, produce: Callable[[], Iterable[Article]]) -> Iterator[Article | SourceError]:
    try:
        yield from produce()
    except SourceError as exc:
        yield exc


def _read_directory(root: Path, opts: ReadOptions) -> Iterator[Article | SourceError]:
    skipped: list[str] = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        rel = path.relative_to(root)
        if any(part.startswith(".") for part in rel.parts):
            continue
        if path.suffix.lower() not in formats.KNOWN_SUFFIXES:
            skipped.append(str(path))
            continue
        yield from _read_file(path, opts)
    if skipped:
        shown = ", ".join(skipped[:5]) + (" ..." if len(skipped) > 5 else "")
        log.warning("%s: skipped %d file(s) that are not text, Markdown, HTML or JSON Lines: %s",
                    root, len(skipped), shown)


def _read_file(path: Path, opts: ReadOptions) -> Iterator[Article | SourceError]:
    source = str(path)
    try:
        size = path.stat().st_size
        if path.suffix.lower() in formats.JSONL_SUFFIXES:
            yield from _read_jsonl(path, opts)
            return
        if size > opts.max_bytes:
            raise OversizedSourceError(source, f"is {size:,} bytes, over the {opts.max_bytes:,}-byte limit",
                                       "split it into articles, or raise --max-bytes")
        data = path.read_bytes()
        text = decode_text(data, source, opts.encoding)
        suffix = path.suffix.lower()
        if suffix in formats.HTML_SUFFIXES or (suffix not in formats.MARKDOWN_SUFFIXES
                                                 and formats.looks_like_html(text)):
            kind = "html"
        elif suffix in formats.MARKDOWN_SUFFIXES:
            kind = "markdown"
        else:
            kind = "text"
        yield _make_article(article_id(path.stem), source, text, kind, opts)
    except SourceError as exc:
        yield exc
    except OSError as exc:
        yield SourceError(source, f"cannot be read ({exc.strerror or exc})", "check its permissions")


def _read_jsonl(path: Path, opts: ReadOptions) -> Iterator[Article | SourceError]:
    base = article_id(path.stem)
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            source = f"{path}:{number}"
            if not raw.strip():
                continue
            try:
                yield _record_article(raw, source, number, f"{base}-{number}", opts)
            except SourceError as exc:
                yield exc


def _record_article(raw: bytes, source: str, number: int, default_id: str, opts: ReadOptions) -> Article:
    if len(raw) > opts.max_bytes:
        raise OversizedSourceError(source, f"is {len(raw):,} bytes, over the {opts.max_bytes:,}-byte limit",
                                   "raise --max-bytes if this is really one article")
    line = raw.removesuffix(b"\n").removesuffix(b"\r")  # the line ending is not part of the record
    try:
        record = json.loads(line.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise MalformedRecordError(source, "is not UTF-8", "JSON Lines files must be UTF-8") from None
    except json.JSONDecodeError as exc:
        raise _json_error(source, number, exc) from None
    if not isinstance(record, dict):
        raise MalformedRecordError(source, "is not a JSON object", 'write {"text": "..."} per line')
    body = record.get("text") if record.get("text") is not None else record.get("html")
    if not isinstance(body, str):
        raise MalformedRecordError(source, "has no 'text' or 'html' string", 'write {"text": "..."} per line')
    url = record.get("url") if isinstance(record.get("url"), str) else None
    if url is not None and not _is_web_address(url):
        raise MalformedRecordError(source, f"has a 'url' that is not an http(s) address: {url[:80]!r}",
                                   "give the article's web address (percent-encoded), or leave 'url' out")
    published = record.get("published")
    if published is not None and (not isinstance(published, str) or normalise_date(published) is None):
        raise MalformedRecordError(source, f"has an unreadable 'published' value {published!r}",
                                   "write it as YYYY-MM-DD")
    ident = record.get("id")
    ident = article_id(str(ident)) if ident else (url_id(url) if url else default_id)
    kind = "html" if record.get("text") is None else "text"
    title = record.get("title") if isinstance(record.get("title"), str) else None
    return _make_article(ident, source, clean_text(body), kind, opts, url=url, title=title,
                         published=normalise_date(published) if published else None)


def _json_error(source: str, number: int, exc: json.JSONDecodeError) -> MalformedRecordError:
    """``path:3: is not valid JSON at line 3, column 17: invalid control character U+0009 in a string``.

    ``exc`` comes from parsing one line without its line ending, so its column is the column in the
    file (counted in characters, from 1).
    """
    fix = "fix or remove the line"
    if exc.msg.startswith("Invalid control character"):
        char = exc.doc[exc.pos] if exc.pos < len(exc.doc) else ""
        what = f"invalid control character U+{ord(char):04X} in a string" if char else "invalid control character"
        if char:
            fix = f"write it escaped, as \\u{ord(char):04x}, or remove the line"
    elif exc.msg == "Extra data":
        what = "more text after the end of the JSON value"
    else:
        # json's messages end in "at" ("Unterminated string starting at"): the position follows here.
        what = re.sub(r"\s+(?:starting\s+)?at$", "", exc.msg)
        what = what[:1].lower() + what[1:]
    return MalformedRecordError(source, f"is not valid JSON at line {number}, column {exc.colno}: {what}", fix)


def _is_web_address(url: str) -> bool:
    """An absolute http(s) IRI without characters an IRI may not hold (it becomes ``dct:source``)."""
    lowered = url.lower()
    if not lowered.startswith(("http://", "https://")) or len(url) <= len("https://"):
        return False
    return not any(ch in url for ch in ' <>"{}|\\^`') and all(ord(ch) > 0x20 for ch in url)


def _read_url_list(url: str, opts: ReadOptions) -> list[Article]:
    return [_read_url(url, opts)]


def _read_stdin(stdin: BinaryIO | None, opts: ReadOptions) -> Article:
    stream = stdin if stdin is not None else sys.stdin.buffer
    data = stream.read(opts.max_bytes + 1)
    if len(data) > opts.max_bytes:
        raise OversizedSourceError("stdin", f"is over the {opts.max_bytes:,}-byte limit",
                                   "raise --max-bytes if this is really one article")
    text = decode_text(data, "stdin", opts.encoding)
    kind = "html" if formats.looks_like_html(text) else "text"
    digest = hashlib.sha256(text.encode()).hexdigest()[:12]
    return _make_article(f"stdin-{digest}", "stdin", text, kind, opts)


def _read_url(url: str, opts: ReadOptions) -> Article:
    from kg.ingest import web  # requests and urllib3 are loaded only when a URL is read

    fetched = web.fetch(url, timeout=opts.timeout, max_bytes=opts.max_bytes,
                        allow_private=opts.allow_private_urls)
    if fetched.kind == "html":
        charset = fetched.charset or html_charset(fetched.body) or "utf-8"
        text = decode_text(fetched.body, url, charset)
        return _make_article(url_id(url), url, text, "html", opts, url=url)
    text = decode_text(fetched.body, url, fetched.charset or "utf-8")
    return _make_article(url_id(url), url, text, fetched.kind, opts, url=url)


def _make_article(ident: str, source: str, text: str, kind: str, opts: ReadOptions, *,
                  url: str | None = None, title: str | None = None, published: str | None = None) -> Article:
    if kind == "html":
        doc = formats.from_html(text, source, url)
    elif kind == "markdown":
        doc = formats.from_markdown(text)
    else:
        doc = formats.from_plain(text)
    date_line, body = split_date_line(doc.text)
    body = body.strip("\n")
    formats.check_length(body, source)
    candidates = [
        (opts.published, "option"),
        (published, "field"),
        (date_line, "date-line"),
        (doc.published, "html"),
    ]
    chosen, origin = next(((d, o) for d, o in candidates if d), (None, None))
    if chosen is None:  # the text's own dateline, sought only when nothing else gives a date
        chosen = find_dateline(body)
        origin = "dateline" if chosen else None
    if title is None:
        title = doc.title if kind != "text" else formats.from_plain(body).title
    return Article(id=ident, text=body, source=source, title=title, url=url,
                   published=chosen, published_from=origin)
