"""A resource page's coordinates and its links to other datasets, on invented resources in an in-memory store.

Every ``skos:exactMatch`` / ``owl:sameAs`` / ``rdfs:seeAlso`` IRI outside opskg is listed under "Elsewhere":
an http(s) one as a link labelled by its dataset (GeoNames, Wikidata) or host, any other scheme as text, so a
``javascript:`` IRI never becomes clickable. (The seeds' pages: ``tests/test_linked_data.py``.)
"""

from __future__ import annotations

import lxml.html
import pytest
from flask.testing import FlaskClient

from kg.store import OxigraphStore
from server import create_app
from server.external import Coordinates

ID = "https://w3id.org/opskg/id/"
PAGE = "/opskg/id/"
HOSTILE = "javascript:window.__pwned=1"
ODD_HOST = "https://gazette.example.net/places/vel'arroch?a=1&b=2"
LOOKALIKE = "https://sws.geonames.org.lookalike.example/3/"
DATA = f"""
PREFIX ops: <https://w3id.org/opskg/ontology#>
PREFIX geo: <http://www.w3.org/2003/01/geo/wgs84_pos#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
INSERT DATA {{
  GRAPH <{ID}graph/canonical> {{
    <{ID}location/vel-arroch> a ops:Location ; rdfs:label "Vel Arroch" ; ops:lat "-12.4"  ; ops:long "-70.3" ;
        ops:locatedIn <{ID}location/orsk-marra> .
    <{ID}location/tollen-ford> a ops:Location ; rdfs:label "Tollen Ford" ; ops:lat "8.25" ; ops:long "101.125" ;
        owl:sameAs <urn:x-invented:tollen>, <{ID}location/tollen> .
    <{ID}person/maren-quill> a ops:Person ; rdfs:label "Maren Quill" ;
        skos:exactMatch <http://www.wikidata.org/entity/Q987654321> ;
        owl:sameAs <{HOSTILE}>, <JAVASCRIPT:void(0)>, <http:no-host> ;
        rdfs:seeAlso <{ODD_HOST}>, <{LOOKALIKE}> .
  }}
  GRAPH <{ID}graph/gazetteer> {{
    <{ID}location/vel-arroch> geo:lat -12.5 ; geo:long -70.25 ;
        skos:exactMatch <https://sws.geonames.org/1234567/>, <{ID}location/vel-arroch-town> .
    <{ID}location/orsk-marra> a ops:Location ; rdfs:label "Orsk Marra" ; geo:lat -11.0 ; geo:long -71.5 .
  }}
}}"""


@pytest.fixture
def client(store: OxigraphStore) -> FlaskClient:
    store.update(DATA)
    return create_app(store, TESTING=True).test_client()


def _page(client: FlaskClient, path: str) -> tuple[str, lxml.html.HtmlElement]:
    response = client.get(PAGE + path, headers={"Accept": "text/html"})
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    html = response.get_data(as_text=True)
    return html, lxml.html.fromstring(html)


def _text(element: lxml.html.HtmlElement) -> str:
    return " ".join(element.text_content().split())


def _properties(doc: lxml.html.HtmlElement) -> list[str]:
    return [_text(th) for th in doc.xpath("//table[@class='props']//th")]


def test_a_place_shows_its_wgs84_coordinates_once_and_its_geonames_link(client: FlaskClient) -> None:
    _, doc = _page(client, "location/vel-arroch")
    shown = doc.xpath("//p[@class='coordinates']")
    assert len(shown) == 1 and _text(shown[0]) == "Coordinates: 12.5° S, 70.25° W"  # geo:, not ops:
    assert [d.get("value") for d in shown[0].xpath(".//data")] == ["-12.5", "-70.25"]
    assert not {"geo:lat", "geo:long", "ops:lat", "ops:long"} & set(_properties(doc))
    links = doc.xpath("//p[@class='outbound']//a")
    assert [(a.get("href"), _text(a)) for a in links] == [("https://sws.geonames.org/1234567/", "GeoNames")]
    assert {"noopener", "noreferrer"} <= set(links[0].get("rel").split())
    # The same place under another opskg IRI is a property, not a link elsewhere.
    assert "skos:exactMatch" in _properties(doc)
    # The map draws it, and the places inside another, from their WGS84 coordinates (one point each).
    assert [_text(a) for a in doc.xpath("//svg[@class='map']//a")] == ["Vel Arroch"]
    _, outer = _page(client, "location/orsk-marra")
    mapped = {a.get("href"): _text(a) for a in outer.xpath("//svg[@class='map']//a")}
    assert mapped == {PAGE + "location/vel-arroch": "Vel Arroch", PAGE + "location/orsk-marra": "Orsk Marra"}


def test_without_wgs84_coordinates_a_place_shows_its_article_coordinates(client: FlaskClient) -> None:
    _, doc = _page(client, "location/tollen-ford")
    assert _text(doc.xpath("//p[@class='coordinates']")[0]) == "Coordinates: 8.25° N, 101.125° E"
    assert [_text(c) for c in doc.xpath("//p[@class='outbound']/code")] == ["urn:x-invented:tollen"]
    assert not doc.xpath("//p[@class='outbound']//a")
    assert [_text(a) for a in doc.xpath("//svg[@class='map']//a")] == ["Tollen Ford"]


def test_outbound_links_are_labelled_and_only_http_ones_are_links(client: FlaskClient) -> None:
    html, doc = _page(client, "person/maren-quill")
    assert not doc.xpath("//p[@class='coordinates']")
    outbound = doc.xpath("//p[@class='outbound']")[0]
    links = [(a.get("href"), _text(a)) for a in outbound.xpath(".//a")]
    assert links == [("http://www.wikidata.org/entity/Q987654321", "Wikidata"),
                     (ODD_HOST, "gazette.example.net"),
                     (LOOKALIKE, "sws.geonames.org.lookalike.example")]
    assert all({"noopener", "noreferrer"} <= set(a.get("rel").split()) for a in outbound.xpath(".//a"))
    # Not web addresses: shown, as text.
    assert sorted(_text(c) for c in outbound.xpath(".//code")) == sorted([HOSTILE, "JAVASCRIPT:void(0)",
                                                                        "http:no-host"])
    assert not [a for a in doc.xpath("//a[@href]") if not a.get("href").startswith(("/", "?", "http://", "https://"))]
    assert 'href="javascript' not in html.lower() and "href=\"http:no-host" not in html
    assert "vel&#39;arroch?a=1&amp;b=2" in html  # the IRI is escaped in the attribute
    assert not {"skos:exactMatch", "owl:sameAs", "rdfs:seeAlso"} & set(_properties(doc))


def test_the_rdf_of_a_resource_has_its_coordinates_and_links(client: FlaskClient) -> None:
    turtle = client.get(PAGE + "location/vel-arroch", headers={"Accept": "text/turtle"}).get_data(as_text=True)
    assert "geo:lat -12.5" in turtle or 'geo:lat "-12.5"' in turtle
    assert "<https://sws.geonames.org/1234567/>" in turtle
    person = client.get(PAGE + "person/maren-quill", headers={"Accept": "application/n-triples"})
    assert f"<{HOSTILE}>" in person.get_data(as_text=True)


@pytest.mark.parametrize(("lat", "lon", "shown"), [
    (37.05, 41.23, "37.05° N, 41.23° E"), (-33.0, -70.666666666, "33° S, 70.66667° W"), (0.0, 0.0, "0° N, 0° E")])
def test_coordinates_are_written_in_degrees(lat: float, lon: float, shown: str) -> None:
    assert str(Coordinates(lat, lon)) == shown
