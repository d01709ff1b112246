"""The gazetteer graph: what the gazetteer knows about the places the corpus names.

Recomputed with the other derived graphs, from the places of every article graph (their
``ops:gazetteerEntry`` and ``skos:exactMatch``). For each such place:

- ``ops:locatedIn`` to every place of its containment chain (village -> division -> country, the
  curated chain completed by GeoNames' division) that the corpus names anywhere, so "operations in
  Korvath province" finds a raid in a village whose article names only the country; a place the
  gazetteer does not know but the text puts near one it knows (``ops:near``: "a village 20 km west
  of Marzin") is in that place's divisions;
- its GeoNames IRI (``skos:exactMatch``), WGS84 coordinates (``geo:lat``/``geo:long``) and a GeoSPARQL
  point (``geo:hasGeometry``/``geo:asWKT``);
- the GeoNames chain itself on the GeoNames IRIs (``gn:parentFeature``, ``gn:name``), for places no
  article names (a query can walk from a place to a division by GeoNames' name).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import SKOS

from kg.gazetteer import Gazetteer, Place
from kg.geonames.index import GeoIndex, GeoPlace
from kg.geonames.places import GeoLayer
from kg.vocab import OPS

GEO = Namespace("http://www.w3.org/2003/01/geo/wgs84_pos#")
GEOSPARQL = Namespace("http://www.opengis.net/ont/geosparql#")
GN = Namespace("https://www.geonames.org/ontology#")


@dataclass(frozen=True)
class CorpusPlace:
    """A place entity of the corpus: its IRI, its gazetteer entry, its GeoNames IRI if the article gave one."""

    iri: str
    entry: str | None
    exact_match: str | None = None
    #: For a place the gazetteer does not know: the entry of a place the text says it is near.
    near: str | None = None


def _geonameid(iri: str | None) -> int | None:
    if iri and iri.startswith("https://sws.geonames.org/"):
        digits = iri.rstrip("/").rsplit("/", 1)[-1]
        return int(digits) if digits.isdigit() else None
    return None


def chain(layer: GeoLayer, place: Place) -> list[Place]:
    """The places containing ``place``, innermost first: its curated ancestors, with the GeoNames
    division added when the curated chain goes straight to the country."""
    ancestors = list(layer.gazetteer.ancestors(place))
    if place.kind in ("province", "country", "region") or any(a.kind == "province" for a in ancestors):
        return ancestors
    geo = layer.link(place)
    parent = layer.index.parent(geo) if geo is not None else None
    if parent is None or parent.kind != "province":
        return ancestors
    division = layer.add(parent)
    if division.name == place.name or division in ancestors:
        return ancestors
    return [division, *(a for a in layer.gazetteer.ancestors(division) if a not in ancestors), *ancestors]


def gazetteer_graph(places: Iterable[CorpusPlace], gazetteer: Gazetteer, index: GeoIndex) -> Graph:
    layer = GeoLayer(gazetteer, index)
    resolved: dict[str, tuple[CorpusPlace, Place]] = {}
    anchors: dict[str, set[str]] = {}
    for corpus_place in places:
        if corpus_place.entry is None:
            if corpus_place.near in gazetteer.places:
                anchors.setdefault(corpus_place.iri, set()).add(corpus_place.near)
            continue
        place = gazetteer.places.get(corpus_place.entry)
        geonameid = _geonameid(corpus_place.exact_match)
        if place is None and geonameid is not None:
            geo = index.get(geonameid)
            place = layer.add(geo) if geo is not None else None
        if place is not None:
            resolved[corpus_place.iri] = (corpus_place, place)
    by_entry: dict[str, list[str]] = {}
    for iri, (_c, place) in resolved.items():
        by_entry.setdefault(place.name, []).append(iri)
    g = Graph()
    g.bind("geo", GEO)
    g.bind("geosparql", GEOSPARQL)
    g.bind("gn", GN)
    for iri, (_c, place) in sorted(resolved.items()):
        node = URIRef(iri)
        _contained(g, node, chain(layer, place), by_entry)
        geo = layer.link(place)
        if geo is not None:
            g.add((node, SKOS.exactMatch, URIRef(geo.iri)))
            _geonames_chain(g, layer, geo)
        lat, lon = (place.lat, place.lon) if place.lat is not None else (geo.lat, geo.lon) if geo else (None, None)
        if lat is not None and lon is not None:
            g.add((node, GEO.lat, Literal(lat)))
            g.add((node, GEO.long, Literal(lon)))
            point = URIRef(f"{iri}#point")
            g.add((node, GEOSPARQL.hasGeometry, point))
            g.add((point, GEOSPARQL.asWKT, Literal(f"POINT({lon} {lat})", datatype=GEOSPARQL.wktLiteral)))
    for iri, near in sorted(anchors.items()):
        if iri not in resolved and len(near) == 1:  # a place near X is in X's divisions, not in X
            # (when articles measure it from different places, which divisions is not certain)
            _contained(g, URIRef(iri), chain(layer, gazetteer.places[next(iter(near))]), by_entry)
    return g


def _contained(g: Graph, node: URIRef, ancestors: list[Place], by_entry: dict[str, list[str]]) -> None:
    for ancestor in ancestors:
        for outer in by_entry.get(ancestor.name, ()):
            if outer != str(node):
                g.add((node, OPS.locatedIn, URIRef(outer)))


def _geonames_chain(g: Graph, layer: GeoLayer, geo: GeoPlace) -> None:
    current: GeoPlace | None = geo
    while current is not None:
        node = URIRef(current.iri)
        g.add((node, GN.name, Literal(current.name)))
        parent = layer.index.parent(current)
        if parent is not None:
            g.add((node, GN.parentFeature, URIRef(parent.iri)))
        current = parent
