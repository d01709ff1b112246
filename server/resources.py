"""Linked data: every IRI minted under the base, and the ontology, dereferenceable.

RDF clients get the resource's triples (both directions) in the format they ask for; browsers get
a page with its names, types, properties in both directions as links, the sentences that state
its facts with links to their articles, a place's coordinates, links to the same thing in other
datasets (see :mod:`server.external`), and, where coordinates and dates exist, a small map and a
timeline drawn as inline SVG (no network access). Responses vary on Accept and link to their
alternates. Every value from the articles is HTML-escaped by the templates.

The request's IRI never becomes query text: it is parsed as an IRI (a path that is not one is a
404) and bound to the constant queries' ``?iri`` as a term before evaluation. The queries project
``?iri`` and use it in triple patterns and property paths only, never in a ``BIND`` (see
:meth:`kg.store.GraphStore.query` for why).
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from typing import Any, NoReturn
from urllib.parse import quote, urlsplit

import pyoxigraph as ox
from flask import Blueprint, Flask, Response, abort, render_template, request

from kg.config import Settings
from kg.ontology import ontology_text
from kg.vocab import ONTOLOGY_IRI, OPS, PREFIXES, IRIs
from server import current_executor, current_settings, external, negotiation, served_graphs
from server.executor import GRAPH_FORMATS, QueryTimeout, Request, Result

bp = Blueprint("resources", __name__, template_folder="templates")

LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
#: The page's queries know the gazetteer graph's prefixes too, and its Turtle uses them.
PAGE_PREFIXES = {**PREFIXES, **external.EXTRA_PREFIXES}
SHORT_FORMATS = {"text/turtle": "ttl", "application/n-triples": "nt", "application/ld+json": "jsonld",
                 "application/rdf+xml": "rdf"}


def base() -> str:
    return current_settings().base


def local_path(iri: str) -> str | None:
    """The path this server answers an IRI at, if it is one of its own."""
    if iri.startswith(base()):
        return urlsplit(base()).path + quote(iri[len(base()):], safe="/#:@,;=-_.~")
    if iri.startswith(ONTOLOGY_IRI):
        return "/ontology" + ("#" + iri.split("#", 1)[1] if "#" in iri else "")
    return None


def href(iri: str) -> str | None:
    """A safe link target for an IRI: a local page, an http(s) IRI, or nothing (no javascript: links)."""
    path = local_path(iri)
    if path is not None:
        return path
    return iri if urlsplit(iri).scheme in ("http", "https") else None


def register(app: Flask) -> None:
    """Serve the base's path: ``https://w3id.org/opskg/id/person/x`` at ``/opskg/id/person/x``."""
    settings: Settings = app.extensions["opskg.settings"]
    prefix = urlsplit(settings.base).path or "/"
    app.add_url_rule(f"{prefix}<path:rest>", "resources.resource", resource, methods=["GET", "HEAD"])
    app.register_blueprint(bp)
    app.jinja_env.globals.update(href=href, local_path=local_path)


def _run(job: Request) -> Result:
    try:
        return current_executor().run(job)
    except QueryTimeout:
        abort(503, "the page's queries took too long")


def _dataset(iri: str) -> dict[str, Any]:
    """What a page of ``iri`` is drawn from: an article's own graph for an article (its text and
    structure), the knowledge graph of canonical resources for everything else (each fact once)."""
    if IRIs(base()).kind_of(iri.split("#", 1)[0]) == "article":
        return {"union": True}
    return {"union": False, "default_graphs": served_graphs()}


def _select(query: str, iri: str) -> list[dict[str, Any]]:
    """Solutions of a constant query with ``?iri`` bound to ``iri`` (an IRI already parsed)."""
    job = Request(query=query, results_type="application/sparql-results+json", graph_type="text/turtle",
                  prefixes=dict(PAGE_PREFIXES), max_rows=2000, substitutions={"iri": iri}, **_dataset(iri))
    rows: list[dict[str, Any]] = json.loads(_run(job).body)["results"]["bindings"]
    return rows


# The page's queries: constant text, the resource bound to ?iri (see the module's docstring). Each lists
# its rows in a total order, so a page is the same from one request (and one query plan) to the next.
#: The resource's triples in both directions, and its GeoSPARQL point (``<iri#point>``, a hash IRI: its
#: document is this one).
DESCRIBE = ("CONSTRUCT { ?iri ?p ?o . ?s ?q ?iri . ?point geosparql:asWKT ?wkt } WHERE { { ?iri ?p ?o } UNION "
            "{ ?s ?q ?iri } UNION { ?iri geosparql:hasGeometry ?point . ?point geosparql:asWKT ?wkt } }")
NAMES = ("SELECT DISTINCT ?iri ?l ?a ?t WHERE { OPTIONAL { ?iri rdfs:label ?l } OPTIONAL { ?iri skos:altLabel ?a } "
         "OPTIONAL { ?iri dct:title ?t } }")
OUTGOING = ("SELECT DISTINCT ?iri ?p ?o ?oLabel WHERE { ?iri ?p ?o FILTER(?p NOT IN (rdfs:label, skos:altLabel)) "
            "OPTIONAL { ?o rdfs:label ?oLabel } } ORDER BY ?p ?o LIMIT 500")
INCOMING = ("SELECT DISTINCT ?iri ?s ?p ?sLabel WHERE { ?s ?p ?iri FILTER(?p NOT IN (rdf:subject, rdf:object, "
            "itsrdf:taIdentRef, ops:about, ops:mergedEntity)) OPTIONAL { ?s rdfs:label ?sLabel } } "
            "ORDER BY ?p ?s LIMIT 500")
#: The sentences that state the resource's facts: each fused statement's evidence (the canonical graph's),
#: or an article's own evidence nodes on an article's page.
EVIDENCE = ("SELECT DISTINCT ?iri ?quote ?pred ?article ?title WHERE { ?fact rdf:predicate ?pred . "
            "{ ?fact rdf:subject ?iri } UNION { ?fact rdf:object ?iri } "
            "{ ?fact prov:wasDerivedFrom ?e } UNION { ?fact a ops:Evidence BIND(?fact AS ?e) } "
            "?e ops:article ?article ; ops:evidence ?s . ?s nif:anchorOf ?quote . "
            "OPTIONAL { ?article dct:title ?title } } "
            "ORDER BY ?pred ?article ?quote LIMIT 100")
#: The canonical resource an article's IRI (or a retired canonical IRI) now stands for, through the
#: identity graph's links (bound to ?g).
CANONICAL = ("SELECT ?iri ?c WHERE { GRAPH ?g { ?iri owl:sameAs+ ?c FILTER NOT EXISTS { ?c owl:sameAs ?next } } } "
             "LIMIT 1")
#: The resource itself when dated, the operations within it (``ops:tookPlaceWithin?``: zero or one step;
#: pyoxigraph matches zero steps only for a term in the store, which a dated resource is), and the
#: operations it took part in.
EVENTS = ("SELECT DISTINCT ?iri ?op ?label ?date WHERE { { ?op ops:tookPlaceWithin? ?iri } UNION { ?iri ?rel ?op "
          "FILTER(?rel IN (ops:killedIn, ops:targetedIn, ops:woundedIn, ops:detainedIn, ops:conducted)) } "
          "?op ops:date ?date . OPTIONAL { ?op rdfs:label ?label } } ORDER BY ?date ?op ?label LIMIT 50")
#: The resource itself and the places inside it (``ops:locatedIn?``: zero or one step, as above), and the
#: places of an operation with the places they are in; WGS84 coordinates (the gazetteer graph's) before
#: ``ops:lat``/``ops:long`` (the articles'): ``?rank`` orders them, and a place is drawn once.
POINTS = ("SELECT DISTINCT ?iri ?place ?label ?lat ?long ?rank WHERE { { ?place ops:locatedIn? ?iri } UNION "
          "{ ?iri ops:tookPlaceIn ?p0 . ?p0 ops:locatedIn* ?place } "
          "{ ?place geo:lat ?lat ; geo:long ?long BIND(0 AS ?rank) } UNION "
          "{ ?place ops:lat ?lat ; ops:long ?long BIND(1 AS ?rank) } OPTIONAL { ?place rdfs:label ?label } } "
          "ORDER BY ?place ?rank ?lat ?long ?label LIMIT 120")


@dataclass
class Page:
    iri: str
    label: str
    aliases: list[str] = field(default_factory=list)
    types: list[str] = field(default_factory=list)
    outgoing: list[tuple[str, dict[str, Any], str | None]] = field(default_factory=list)
    incoming: list[tuple[dict[str, Any], str, str | None]] = field(default_factory=list)
    evidence: list[dict[str, str]] = field(default_factory=list)
    points: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, str]] = field(default_factory=list)
    coordinates: external.Coordinates | None = None
    outbound: list[external.Outbound] = field(default_factory=list)


def resource(rest: str) -> Response:
    iri = base() + rest
    try:
        ox.NamedNode(iri)
    except ValueError:
        abort(404, "the path is not a valid IRI: nothing is known about it")

    survivor = _canonical(iri)
    if survivor is not None:
        return _see_other(survivor)

    def html() -> str:
        page = _page(iri)
        if not (page.types or page.outgoing or page.incoming or page.aliases or page.evidence):
            _unknown(iri)
        return render_template("resource.html", page=page, map=_map(page.points), timeline=_timeline(page.events))

    return _respond(iri, _rdf(iri), html)


def _canonical(iri: str) -> str | None:
    """The canonical resource ``iri`` is an alias of, or ``None`` when it is canonical itself."""
    job = Request(query=CANONICAL, results_type="application/sparql-results+json", graph_type="text/turtle",
                  union=False, prefixes=dict(PAGE_PREFIXES), max_rows=1, substitutions={"iri": iri},
                  default_graphs=[], named_graphs=[str(IRIs(base()).identity_graph)])
    rows = json.loads(_run(job).body)["results"]["bindings"]
    return str(rows[0]["c"]["value"]) if rows else None


def _see_other(iri: str) -> Response:
    """303 See Other: the same thing is described at its canonical IRI."""
    target = local_path(iri) or iri
    if request.query_string:
        target += "?" + request.query_string.decode("ascii", "replace")
    response = Response(f"see <{iri}>\n", status=303, mimetype="text/plain")
    response.headers["Location"] = target
    response.headers["Vary"] = "Accept"
    return response


def _map(points: list[dict[str, Any]], width: int = 360, height: int = 240) -> list[dict[str, Any]]:
    """Points placed in an SVG box by equirectangular projection of their bounding box."""
    if not points:
        return []
    lats, lons = [p["lat"] for p in points], [p["lon"] for p in points]
    pad = 0.5
    south, north = min(lats) - pad, max(lats) + pad
    west, east = min(lons) - pad, max(lons) + pad
    return [{**p, "x": round(20 + (p["lon"] - west) / (east - west) * (width - 40), 1),
             "y": round(20 + (north - p["lat"]) / (north - south) * (height - 40), 1)} for p in points]


def _timeline(events: list[dict[str, str]], width: int = 560) -> list[dict[str, Any]]:
    """Dated items placed along an SVG axis by their year and month."""
    def value(d: str) -> float:
        parts = d.split("-")
        return int(parts[0]) + (int(parts[1]) - 1) / 12 if len(parts) > 1 else int(parts[0])

    dated = [e for e in events if e["date"][:4].isdigit()]
    if not dated:
        return []
    low, high = min(value(e["date"]) for e in dated), max(value(e["date"]) for e in dated)
    span = (high - low) or 1.0
    return [{**e, "x": round(20 + (value(e["date"]) - low) / span * (width - 40), 1)} for e in dated]


def _respond(iri: str, rdf: Any, html: Any) -> Response:
    alternates = ", ".join(f'<{request.path}?format={short}>; rel="alternate"; type="{media}"'
                           for media, short in SHORT_FORMATS.items())
    requested = request.args.get("format")
    if requested is None and negotiation.prefers_html(request.headers.get("Accept")):
        response = Response(html(), mimetype="text/html")
    else:
        media = negotiation.choose(request.headers.get("Accept"), negotiation.GRAPHS, requested)
        if media is None:
            abort(406, "none of the accepted media types is offered: text/html or an RDF format")
        response = Response(rdf(media), mimetype=media)
    response.headers["Vary"] = "Accept"
    response.headers["Link"] = alternates
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _rdf(iri: str) -> Any:
    def render(media: str) -> bytes:
        job = Request(query=DESCRIBE, results_type="application/sparql-results+json", graph_type=media,
                      prefixes=dict(PAGE_PREFIXES), max_rows=100_000, substitutions={"iri": iri}, **_dataset(iri))
        result = _run(job)
        if not result.rows:
            _unknown(iri)
        return result.body
    return render


def _unknown(iri: str) -> NoReturn:
    abort(404, f"nothing is known about <{iri}>")


def _name(row: dict[str, Any], key: str) -> dict[str, Any]:
    term = row[key]
    label = row.get(key + "Label", {}).get("value") if row.get(key + "Label") else None
    return {"iri": term["value"] if term["type"] == "uri" else None, "value": term["value"],
            "label": label or _short(term["value"]) if term["type"] == "uri" else term["value"],
            "datatype": term.get("datatype")}


def _short(iri: str) -> str:
    for prefix, ns in PAGE_PREFIXES.items():
        if iri.startswith(ns):
            return f"{prefix}:{iri[len(ns):]}"
    return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1] or iri


def _page(iri: str) -> Page:
    labels = _select(NAMES, iri)
    # An article has no rdfs:label: its title names it.
    label = next((r["l"]["value"] for r in labels if "l" in r), None) or \
        next((r["t"]["value"] for r in labels if "t" in r), _short(iri))
    page = Page(iri, label, sorted({r["a"]["value"] for r in labels if "a" in r} - {label}))
    out = _select(OUTGOING, iri)
    seen: set[tuple[str, str]] = set()
    located: dict[str, list[str]] = {}
    links: list[tuple[str, str]] = []
    rows = []
    for row in out:
        p, o = row["p"]["value"], row["o"]
        if (p, o["value"]) in seen:
            continue
        seen.add((p, o["value"]))
        if p == TYPE:
            page.types.append(o["value"])
        elif p in external.LINKING and o["type"] == "uri":
            links.append((_short(p), o["value"]))
        if p in external.COORDINATE_PREDICATES and o["type"] == "literal":
            located.setdefault(p, []).append(o["value"])
        if p != TYPE:
            rows.append(row)
    page.coordinates = external.coordinates(located)
    page.outbound = external.outbound(links, lambda i: local_path(i) is not None)
    elsewhere = {o.iri for o in page.outbound}
    for row in rows:
        p, o = row["p"]["value"], row["o"]["value"]
        # Shown above the table: the coordinates (once, not per predicate) and the links to other datasets.
        if (page.coordinates and p in external.COORDINATE_PREDICATES) or (p in external.LINKING and o in elsewhere):
            continue
        page.outgoing.append((_short(p), _name(row, "o"), href(p)))
    incoming = _select(INCOMING, iri)
    for row in incoming:
        page.incoming.append((_name(row, "s"), _short(row["p"]["value"]), href(row["p"]["value"])))
    page.evidence = [{"quote": r["quote"]["value"], "predicate": _short(r["pred"]["value"]),
                      "article": r["article"]["value"], "title": r.get("title", {}).get("value", "")}
                     for r in _select(EVIDENCE, iri)]
    page.points = _points(iri)
    page.events = [{"iri": r["op"]["value"], "label": r.get("label", {}).get("value", _short(r["op"]["value"])),
                    "date": r["date"]["value"]} for r in _select(EVENTS, iri)]
    return page


def _points(iri: str) -> list[dict[str, Any]]:
    """Coordinates to map: the place itself, the places of an operation, the places inside a place."""
    rows = _select(POINTS, iri)
    points: list[dict[str, Any]] = []
    for r in rows:
        try:
            lat, lon = float(r["lat"]["value"]), float(r["long"]["value"])
        except ValueError:
            continue
        if points and points[-1]["iri"] == r["place"]["value"]:
            continue  # drawn already, from its preferred coordinates
        points.append({"iri": r["place"]["value"], "label": r.get("label", {}).get("value", ""), "lat": lat,
                       "lon": lon})
    return points


@functools.cache
def _ontology_triples() -> list[Any]:
    """The packaged ontology's triples, parsed once (it does not change while serving)."""
    return list(ox.parse(ontology_text().encode(), ox.RdfFormat.TURTLE))


@bp.route("/ontology", methods=["GET", "HEAD"])
@bp.route(urlsplit(ONTOLOGY_IRI).path, methods=["GET", "HEAD"])
def ontology() -> Response:
    text = ontology_text()
    graph = _ontology_triples()

    def rdf(media: str) -> bytes:
        if media == "text/turtle":
            return text.encode()
        return ox.serialize(graph, None, GRAPH_FORMATS[media]) or b""

    def html() -> str:
        terms = _ontology_terms(graph)
        return render_template("ontology.html", terms=terms, iri=ONTOLOGY_IRI)

    return _respond(ONTOLOGY_IRI, rdf, html)


def _ontology_terms(graph: list[Any]) -> list[dict[str, Any]]:
    info: dict[str, dict[str, Any]] = {}
    for t in graph:
        s = t.subject.value if isinstance(t.subject, ox.NamedNode) else None
        if s is None or not s.startswith(str(OPS)):
            continue
        entry = info.setdefault(s, {"iri": s, "name": s.rsplit("#", 1)[-1], "kinds": set(), "label": "",
                                    "comment": "", "relations": []})
        p = t.predicate.value
        if p == TYPE:
            entry["kinds"].add(_short(t.object.value))
        elif p == LABEL:
            entry["label"] = t.object.value
        elif p == "http://www.w3.org/2000/01/rdf-schema#comment":
            entry["comment"] = t.object.value
        elif isinstance(t.object, ox.NamedNode):
            entry["relations"].append((_short(p), _short(t.object.value), t.object.value))
    for entry in info.values():
        entry["kinds"] = sorted(entry["kinds"])
        entry["relations"].sort()
    return sorted(info.values(), key=lambda e: ("owl:Class" not in e["kinds"], e["name"].lower()))
