"""What a resource page shows apart from its property table: a place's coordinates, and the resource's
links to other datasets (GeoNames, Wikidata, any other host).

Both are read from the resource's own triples (the page's ``OUTGOING`` rows), so they cost no query.
Coordinates come from WGS84 ``geo:lat``/``geo:long`` (the gazetteer graph's), else from
``ops:lat``/``ops:long`` (the article graphs'), and are shown once. An outbound link is the IRI object of
``skos:exactMatch``, ``owl:sameAs`` or ``rdfs:seeAlso`` outside opskg's own IRIs; only an ``http(s)`` one
gets an ``href`` (a ``javascript:`` or ``urn:`` IRI is shown as text).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from kg.vocab import OPS

#: The namespaces of the gazetteer graph (``kg/geonames/graph.py``), as strings: importing that module
#: would load the gazetteer's dependencies into the server.
GEO = "http://www.w3.org/2003/01/geo/wgs84_pos#"
GEOSPARQL = "http://www.opengis.net/ont/geosparql#"
GN = "https://www.geonames.org/ontology#"
EXTRA_PREFIXES = {"geo": GEO, "geosparql": GEOSPARQL, "gn": GN}

#: (latitude, longitude) predicates, the preferred pair first.
COORDINATE_PAIRS = ((GEO + "lat", GEO + "long"), (str(OPS) + "lat", str(OPS) + "long"))
COORDINATE_PREDICATES = frozenset(p for pair in COORDINATE_PAIRS for p in pair)
LINKING = frozenset({"http://www.w3.org/2004/02/skos/core#exactMatch", "http://www.w3.org/2002/07/owl#sameAs",
                     "http://www.w3.org/2000/01/rdf-schema#seeAlso"})
#: opskg's own IRIs, whatever base a store was built with (the base's IRIs are also recognised by the caller).
OWN = "https://w3id.org/opskg/"
#: Hosts whose links are labelled by their dataset's name rather than by the host.
DATASETS = {"sws.geonames.org": "GeoNames", "geonames.org": "GeoNames", "www.geonames.org": "GeoNames",
            "www.wikidata.org": "Wikidata", "wikidata.org": "Wikidata", "m.wikidata.org": "Wikidata"}


def _degrees(value: float, positive: str, negative: str) -> str:
    text = f"{abs(value):.5f}".rstrip("0").rstrip(".")
    return f"{text}° {positive if value >= 0 else negative}"


@dataclass(frozen=True)
class Coordinates:
    lat: float
    lon: float

    @property
    def latitude(self) -> str:
        """``37.05° N``: at most five decimals (about a metre), no trailing zeros."""
        return _degrees(self.lat, "N", "S")

    @property
    def longitude(self) -> str:
        return _degrees(self.lon, "E", "W")

    def __str__(self) -> str:
        return f"{self.latitude}, {self.longitude}"


def _number(values: Iterable[str], limit: float) -> float | None:
    for value in values:
        try:
            number = float(value)
        except ValueError:
            continue
        if math.isfinite(number) and -limit <= number <= limit:
            return number
    return None


def coordinates(values: Mapping[str, list[str]]) -> Coordinates | None:
    """The first pair of predicates with a valid latitude and longitude (``values``: predicate -> literals)."""
    for lat_p, long_p in COORDINATE_PAIRS:
        lat, lon = _number(values.get(lat_p, ()), 90), _number(values.get(long_p, ()), 180)
        if lat is not None and lon is not None:
            return Coordinates(lat, lon)
    return None


@dataclass(frozen=True)
class Outbound:
    """A link to another dataset: its IRI, what it is called on the page, and its ``href`` if it may have one."""

    iri: str
    kind: str
    relation: str
    href: str | None


def _outbound(iri: str, relation: str) -> Outbound:
    parts = urlsplit(iri)
    web = parts.scheme in ("http", "https") and bool(parts.hostname)
    host = parts.hostname or ""
    kind = DATASETS.get(host, host) if web else ""
    return Outbound(iri, kind, relation, iri if web else None)


def outbound(links: Iterable[tuple[str, str]], is_local: Callable[[str], bool]) -> list[Outbound]:
    """The links to other datasets among (relation's short name, object IRI) pairs: once per IRI, the
    named datasets first, then by host and IRI."""
    found: dict[str, Outbound] = {}
    for relation, iri in links:
        if iri not in found and not iri.startswith(OWN) and not is_local(iri):
            found[iri] = _outbound(iri, relation)
    named = set(DATASETS.values())
    return sorted(found.values(), key=lambda o: (o.kind not in named, o.href is None, o.kind, o.iri))
