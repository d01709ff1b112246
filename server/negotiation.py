"""Content negotiation: the Accept headers real clients send, with q-values, to one media type.

Answers are memoised per Accept header (clients send the same few headers again and again), so a
request pays for parsing its header only the first time the server meets it.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header


class Offers:
    """Media types one kind of answer can take: canonical type -> the aliases clients also ask for."""

    def __init__(self, types: dict[str, tuple[str, ...]]) -> None:
        self.types = types
        #: every media type a client may name, and the canonical type it stands for
        self.owner = {media: canonical for canonical, aliases in reversed(types.items())
                      for media in (*aliases, canonical)}
        self.offers = [media for canonical, aliases in types.items() for media in (canonical, *aliases)]

    def __iter__(self) -> Iterator[str]:
        return iter(self.types)

    def items(self) -> Iterator[tuple[str, tuple[str, ...]]]:
        return iter(self.types.items())


#: Results of SELECT and ASK.
RESULTS = Offers({
    "application/sparql-results+json": ("application/json", "text/javascript", "application/javascript"),
    "application/sparql-results+xml": ("application/xml", "text/xml"),
    "text/csv": (),
    "text/tab-separated-values": ("text/tsv",),
})
#: RDF graphs (CONSTRUCT, DESCRIBE, resources, the Graph Store).
GRAPHS = Offers({
    "text/turtle": ("application/x-turtle", "text/n3", "application/turtle"),
    "application/n-triples": ("text/plain",),
    "application/ld+json": ("application/json",),
    "application/rdf+xml": ("application/xml", "text/xml"),
    "application/trig": (),
    "application/n-quads": (),
})

#: Short names for the ``format`` parameter (downloads from the query page, scripts).
SHORT = {
    "json": "application/sparql-results+json", "xml": "application/sparql-results+xml", "csv": "text/csv",
    "tsv": "text/tab-separated-values", "turtle": "text/turtle", "ttl": "text/turtle",
    "ntriples": "application/n-triples", "nt": "application/n-triples", "jsonld": "application/ld+json",
    "rdfxml": "application/rdf+xml", "rdf": "application/rdf+xml", "trig": "application/trig",
    "nquads": "application/n-quads", "nq": "application/n-quads",
}


def choose(accept: str | None, table: Offers, requested: str | None = None) -> str | None:
    """The canonical media type to answer with, or ``None`` when nothing acceptable is offered.

    ``accept`` is the request's Accept header as sent. ``requested`` (a ``format`` parameter, short
    name or media type) wins over the Accept header when the table offers it.
    """
    if requested:
        wanted = SHORT.get(requested.lower(), requested.lower())
        if wanted in table.owner:
            return table.owner[wanted]
        # A format this table cannot give (SPARQLWrapper sends format=xml with Accept:
        # application/rdf+xml for a CONSTRUCT): the Accept header decides.
    if not accept:
        return next(iter(table))  # no Accept header: anything will do
    return _best(accept, table)


@lru_cache(maxsize=512)
def _best(accept: str, table: Offers) -> str | None:
    best = _without_parameters(parse_accept_header(accept, MIMEAccept)).best_match(table.offers)
    return table.owner[best] if best else None


def _without_parameters(accept: MIMEAccept) -> MIMEAccept:
    """``text/turtle; charset=utf-8`` asks for Turtle: media-type parameters must not prevent a match."""
    return MIMEAccept([(value.split(";", 1)[0].strip(), quality) for value, quality in accept])


@lru_cache(maxsize=512)
def prefers_html(accept: str | None) -> bool:
    """Whether a browser is asking (HTML is preferred over RDF and results)."""
    if not accept:
        return False
    parsed = parse_accept_header(accept, MIMEAccept)
    html = parsed.quality("text/html")
    rdf = max(parsed.quality(m) for m in ("text/turtle", "application/rdf+xml", "application/ld+json",
                                          "application/n-triples", "application/sparql-results+json"))
    return html > 0 and html >= rdf and "text/html" in [v for v, _q in parsed]
