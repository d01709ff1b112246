"""Document formats: plain text, Markdown and HTML to (title, text, published date)."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from kg.errors import EmptySourceError
from kg.ingest.dates import normalise_date

log = logging.getLogger(__name__)

#: Fewer words than this is a headline or a fragment, not an article.
MIN_WORDS = 15
#: A first line at most this long, without a final full stop, is taken as the title.
MAX_TITLE_CHARS = 200

TEXT_SUFFIXES = {".txt", ".text", ""}
MARKDOWN_SUFFIXES = {".md", ".markdown"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
KNOWN_SUFFIXES = TEXT_SUFFIXES | MARKDOWN_SUFFIXES | HTML_SUFFIXES | JSONL_SUFFIXES


@dataclass(frozen=True)
class Document:
    text: str
    title: str | None = None
    published: str | None = None


def looks_like_html(text: str) -> bool:
    head = text.lstrip()[:1024].lower()
    return head.startswith(("<!doctype html", "<html", "<?xml")) or bool(re.search(r"<(body|article|p|div)\b", head))


def from_plain(text: str) -> Document:
    """Plain text; a short first line without a final full stop is its title."""
    lines = text.strip().split("\n", 1)
    first = lines[0].strip()
    title = first if first and len(first) <= MAX_TITLE_CHARS and not first.endswith(".") else None
    return Document(text=text, title=title)


_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MD_EMPHASIS = re.compile(r"(\*\*|__|\*|_|`)(?=\S)(.+?)(?<=\S)\1")
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s*(.*?)\s*#*\s*$", re.M)
_MD_QUOTE_BULLET = re.compile(r"^\s{0,3}(?:>\s?|[-*+]\s+)", re.M)


def from_markdown(text: str) -> Document:
    """Markdown reduced to its words: links keep their text; the first heading is the title."""
    heading = _MD_HEADING.search(text)
    plain = _MD_HEADING.sub(r"\1", _md_inline(text))
    plain = _MD_QUOTE_BULLET.sub("", plain)
    title = _md_inline(heading.group(1)).strip() if heading else from_plain(plain).title
    return Document(text=plain, title=title)


def _md_inline(text: str) -> str:
    """Links reduced to their text, emphasis markers dropped."""
    return _MD_EMPHASIS.sub(r"\2", _MD_LINK.sub(r"\1", text))


def from_html(html: str, source: str, url: str | None = None) -> Document:
    """The main text of a news page, its title and its published date (from the page metadata)."""
    import trafilatura  # heavy (lxml, justext, htmldate): imported only when a page is read

    extracted = trafilatura.bare_extraction(
        html,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        favor_precision=True,  # menus and link lists are not article text
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    text = getattr(extracted, "text", None) if extracted is not None else None
    if not text or len(text.split()) < MIN_WORDS:
        raise EmptySourceError(
            source,
            "is HTML with no article text (only scripts, navigation or boilerplate)",
            "give the article page itself, or its text",
        )
    title = getattr(extracted, "title", None) or None
    raw_date = getattr(extracted, "date", None)
    published = normalise_date(raw_date) if raw_date else None
    return Document(text=text, title=title, published=published)


def check_length(text: str, source: str) -> None:
    """Refuse fragments too short to be an article (a headline alone, a caption)."""
    words = len(text.split())
    if words < MIN_WORDS:
        raise EmptySourceError(
            source,
            f"has only {words} word{'s' if words != 1 else ''}: a headline or fragment, not an article",
            f"give the full article text (at least {MIN_WORDS} words)",
        )
