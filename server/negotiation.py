"""Content negotiation: the Accept headers real clients send, with q-values, to one media type."""

from __future__ import annotations

from werkzeug.datastructures import MIMEAccept

#: Results of SELECT and ASK: canonical media type -> the aliases clients also ask for.
RESULTS: dict[str, tuple[str, ...]] = {
    "application/sparql-results+json": ("application/json", "text/javascript", "application/javascript"),
    "application/sparql-results+xml": ("application/xml", "text/xml"),
    "text/csv": (),
    "text/tab-separated-values": ("text/tsv",),
}
#: RDF graphs (CONSTRUCT, DESCRIBE, resources, the Graph Store): canonical type -> aliases.
GRAPHS: dict[str, tuple[str, ...]] = {
    "text/turtle": ("application/x-turtle", "text/n3", "application/turtle"),
    "application/n-triples": ("text/plain",),
    "application/ld+json": ("application/json",),
    "application/rdf+xml": ("application/xml", "text/xml"),
    "application/trig": (),
    "application/n-quads": (),
}
#: Short names for the ``format`` parameter (downloads from the query page, scripts).
SHORT = {
    "json": "application/sparql-results+json", "xml": "application/sparql-results+xml", "csv": "text/csv",
    "tsv": "text/tab-separated-values", "turtle": "text/turtle", "ttl": "text/turtle",
    "ntriples": "application/n-triples", "nt": "application/n-triples", "jsonld": "application/ld+json",
    "rdfxml": "application/rdf+xml", "rdf": "application/rdf+xml", "trig": "application/trig",
    "nquads": "application/n-quads", "nq": "application/n-quads",
}


def choose(accept: MIMEAccept, table: dict[str, tuple[str, ...]], requested: str | None = None) -> str | None:
    """The canonical media type to answer with, or ``None`` when nothing acceptable is offered.

    ``requested`` (a ``format`` parameter, short name or media type) wins over the Accept header when
    the table offers it.
    """
    if requested:
        wanted = SHORT.get(requested.lower(), requested.lower())
        for canonical, aliases in table.items():
            if wanted == canonical or wanted in aliases:
                return canonical
        # A format this table cannot give (SPARQLWrapper sends format=xml with Accept:
        # application/rdf+xml for a CONSTRUCT): the Accept header decides.
    offers: list[str] = []
    owner: dict[str, str] = {}
    for canonical, aliases in table.items():
        for media in (canonical, *aliases):
            offers.append(media)
            owner.setdefault(media, canonical)
    if not accept:
        return next(iter(table))  # no Accept header: anything will do
    best = _without_parameters(accept).best_match(offers)
    return owner[best] if best else None


def _without_parameters(accept: MIMEAccept) -> MIMEAccept:
    """``text/turtle; charset=utf-8`` asks for Turtle: media-type parameters must not prevent a match."""
    return MIMEAccept([(value.split(";", 1)[0].strip(), quality) for value, quality in accept])


def prefers_html(accept: MIMEAccept) -> bool:
    """Whether a browser is asking (HTML is preferred over RDF and results)."""
    if not accept:
        return False
    html = accept.quality("text/html")
    rdf = max(accept.quality(m) for m in ("text/turtle", "application/rdf+xml", "application/ld+json",
                                          "application/n-triples", "application/sparql-results+json"))
    return html > 0 and html >= rdf and "text/html" in [v for v, _q in accept]
