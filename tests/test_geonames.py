"""GeoNames places: the disambiguation rule on invented rows, and the real index on well-known places."""

from __future__ import annotations

import pytest

from kg import gazetteer as gaz
from kg.geonames import index
from kg.geonames.choose import Context, choose
from kg.geonames.graph import CorpusPlace, gazetteer_graph
from kg.geonames.index import GeoPlace
from kg.geonames.places import GeoLayer
from kg.vocab import OPS


def _p(id_: int, kind: str, country: str, admin1: str | None, population: int) -> GeoPlace:
    return GeoPlace(id_, f"Place{id_}", kind, country, admin1, population, 1.0, 2.0)


VILLAGE = _p(1, "village", "XA", "07", 800)          # near the article's other place
GOVERNORATE = _p(2, "province", "XA", "03", 400_000)  # the same name, another division
ABROAD = _p(3, "town", "XB", "01", 50_000)
WORLD = _p(4, "city", "XC", "02", 8_000_000)
SMALL_NAMESAKE = _p(5, "town", "XA", "09", 12_000)


def test_a_place_in_a_division_the_article_names_wins() -> None:
    context = Context(frozenset({"XA"}), frozenset({("XA", "07")}), frozenset({"XA"}))
    assert choose([GOVERNORATE, VILLAGE], context) == VILLAGE


def test_without_such_a_division_the_larger_feature_wins() -> None:
    context = Context(frozenset({"XA"}), frozenset(), frozenset({"XA"}))
    assert choose([VILLAGE, GOVERNORATE], context) == GOVERNORATE


def test_a_place_in_a_country_the_article_places_nothing_in_is_dropped() -> None:
    context = Context(frozenset({"XA", "XB"}), frozenset(), frozenset({"XA"}))
    assert choose([ABROAD], context) is None
    assert choose([VILLAGE], context) is None  # too small to trust outside a named division


def test_a_world_city_beats_a_small_namesake_in_the_theatre() -> None:
    context = Context(frozenset({"XA"}), frozenset(), frozenset({"XA"}))
    assert choose([SMALL_NAMESAKE, WORLD], context) == WORLD


def test_the_kind_the_text_asks_for() -> None:
    context = Context(frozenset({"XA"}), frozenset({("XA", "07")}), frozenset({"XA"}))
    assert choose([VILLAGE, GOVERNORATE], context, wants="province") == GOVERNORATE


def test_a_name_taken_for_a_person_needs_a_named_division() -> None:
    theatre = Context(frozenset({"XA"}), frozenset(), frozenset({"XA"}))
    assert choose([SMALL_NAMESAKE], theatre, strict=True) is None
    named = Context(frozenset({"XA"}), frozenset({("XA", "09")}), frozenset({"XA"}))
    assert choose([SMALL_NAMESAKE], named, strict=True) == SMALL_NAMESAKE


def test_ascii_names() -> None:
    assert index.ascii_name("Jarābulus") == "Jarabulus"
    assert index.ascii_name("Karbalāʼ") == "Karbala"


# -- the real index (built once per machine into the cache directory) -----------------------------------


@pytest.fixture(scope="module")
def layer() -> GeoLayer:
    # A fresh copy of the shipped gazetteer: the layer adds rows to it.
    return GeoLayer(gaz.load(), index.default())


def test_a_well_known_city_has_its_geonames_id_and_division() -> None:
    ix = index.default()
    idlib = next(p for p in ix.find("Idlib") if p.kind == "city")
    assert idlib.id == 169389 and idlib.country == "SY"
    province = ix.parent(idlib)
    assert province is not None and province.kind == "province" and province.id == 169387
    assert ix.parent(province) == ix.country("SY")


def test_a_village_gets_its_whole_chain(layer: GeoLayer) -> None:
    syria = layer.gazetteer.places["Syria"]
    place = layer.resolve("Kafr Takharim", layer.context([syria, layer.gazetteer.places["Idlib Governorate"]]))
    assert place is not None and place.source == "geonames" and place.geonameid == 168629
    assert [a.name for a in layer.gazetteer.ancestors(place)] == ["Idlib Governorate", "Syria"]


def test_curated_rows_link_to_geonames(layer: GeoLayer) -> None:
    linked = layer.link(layer.gazetteer.places["Aleppo Governorate"])
    assert linked is not None and linked.kind == "province" and linked.country == "SY"
    city = layer.link(layer.gazetteer.places["Aleppo"])
    assert city is not None and city.id == 170063


def test_the_gazetteer_graph_links_corpus_places_along_the_chain() -> None:
    g = gaz.load()
    places = [CorpusPlace("http://x/atmeh", "Atmeh"), CorpusPlace("http://x/idlib-province", "Idlib Governorate"),
              CorpusPlace("http://x/syria", "Syria")]
    graph = gazetteer_graph(places, g, index.default())
    located = {(str(s), str(o)) for s, o in graph.subject_objects(OPS.locatedIn)}
    assert ("http://x/atmeh", "http://x/idlib-province") in located
    assert ("http://x/atmeh", "http://x/syria") in located
    assert ("http://x/idlib-province", "http://x/syria") in located
    wkt = [str(o) for o in graph.objects(None, None) if str(o).startswith("POINT(")]
    assert wkt
