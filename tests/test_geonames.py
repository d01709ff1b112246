"""GeoNames places: the index, the disambiguation rule, the gazetteer layer and graph and the NER
component, on invented countries, divisions and places (Northland, Southland, Korvath, Marzin...)
built into a small index under ``tmp_path``; one smoke test on the real data.
"""

from __future__ import annotations

import fcntl
import json
import os
import threading
import time
from functools import cache
from pathlib import Path

import pytest
import spacy
from rdflib import URIRef
from spacy.tokens import Doc, Span

import kg.components  # noqa: F401  (registers the span extensions)
from kg import gazetteer as gaz
from kg.components.geonames_ner import GeoNamesRecognizer
from kg.errors import OpsKGError
from kg.gazetteer import Gazetteer, Place
from kg.geonames import index
from kg.geonames.choose import Context, choose
from kg.geonames.graph import GN, CorpusPlace, gazetteer_graph
from kg.geonames.index import GeoIndex, GeoPlace
from kg.geonames.places import GeoLayer
from kg.vocab import OPS

# -- the rule on invented rows ------------------------------------------------------------------------


def _p(id_: int, kind: str, country: str, admin1: str | None, population: int) -> GeoPlace:
    return GeoPlace(id_, f"Place{id_}", kind, country, admin1, population, 1.0, 2.0)


VILLAGE = _p(1, "village", "XA", "07", 800)          # near the article's other place
GOVERNORATE = _p(2, "province", "XA", "03", 400_000)  # the same name, another division
ABROAD = _p(3, "town", "XB", "01", 50_000)
WORLD = _p(4, "city", "XC", "02", 8_000_000)
SMALL_NAMESAKE = _p(5, "town", "XA", "09", 12_000)
FAR_COUNTRY = _p(6, "country", "XD", None, 300_000)


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


def test_a_country_is_kept_wherever_it_is() -> None:
    context = Context(frozenset({"XA"}), frozenset(), frozenset({"XA"}))
    assert choose([FAR_COUNTRY, ABROAD], context) == FAR_COUNTRY
    assert choose([FAR_COUNTRY], Context()) == FAR_COUNTRY


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
    assert index.ascii_name("Marzīn") == "Marzin"
    assert index.ascii_name("Korvāthʼ") == "Korvath"


# -- an invented index ----------------------------------------------------------------------------------

COUNTRIES = {
    "XN": {"geonameid": 9000001, "name": "Northland", "iso3": "XNL", "population": 5_000_000},
    "XS": {"geonameid": 9000002, "name": "Southland", "iso3": "XSL", "population": 3_000_000},
}
ADMIN1 = [("XN.01", "Korvath", 9001001), ("XN.02", "Marzin", 9001002), ("XN.03", "Velmora", 9001003),
          ("XS.01", "Selvan", 9001004)]
#: geonameid: (name, country, division, population, alternate names)
CITIES: dict[int, tuple[str, str, str, int, list[str]]] = {
    9100001: ("Korvath", "XN", "01", 250_000, ["Korvāth"]),
    9100002: ("Marzīn", "XN", "01", 800, ["Marzin"]),   # a village near Tarnfell
    9100003: ("Tarnfell", "XN", "01", 20_000, []),
    9100004: ("Elmwick", "XN", "03", 600, []),           # two villages of one name in one division
    9100005: ("Elmwick", "XN", "03", 700, []),
    9100006: ("Elmwick", "XS", "01", 12_000, []),
    9100007: ("Grandport", "XS", "01", 2_000_000, []),   # a world city abroad
    9100008: ("Grandport", "XN", "03", 15_000, []),      # and its namesake in Northland
    9100009: ("Ostrel", "XN", "02", 900, []),            # a name no other place has
    9100010: ("Brackwater", "XN", "02", 40_000, []),     # the southern governorate Marzin's main town
}


def _write_cities(data: Path, cities: dict[int, tuple[str, str, str, int, list[str]]]) -> None:
    rows = {str(id_): {"geonameid": id_, "name": name, "latitude": 40.0 + id_ % 100 / 10, "longitude": 20.5,
                       "countrycode": iso, "population": population, "timezone": "Etc/UTC",
                       "admin1code": admin1, "alternatenames": alternates}
            for id_, (name, iso, admin1, population, alternates) in cities.items()}
    (data / "cities500.json").write_text(json.dumps(rows), encoding="utf-8")


def _write_admin1(path: Path, rows: list[tuple[str, str, int]]) -> None:
    lines = ["# invented first-level divisions", "code\tname\tasciiname\tgeonameid",
             *(f"{code}\t{name}\t{name}\t{id_}" for code, name, id_ in rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture
def sources(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """The invented data directory and divisions table; the cache directory under ``tmp_path``."""
    monkeypatch.setenv("OPSKG_CACHE_DIR", str(tmp_path / "cache"))
    data = tmp_path / "data"
    data.mkdir()
    (data / "countries.json").write_text(json.dumps(COUNTRIES), encoding="utf-8")
    _write_cities(data, CITIES)
    admin1 = tmp_path / "admin1.tsv"
    _write_admin1(admin1, ADMIN1)
    return data, admin1


@pytest.fixture
def ix(sources: tuple[Path, Path]) -> GeoIndex:
    return index.open_index(*sources)


def _gazetteer() -> Gazetteer:
    """An invented curated gazetteer: two countries, a division and a town of Northland."""
    g = Gazetteer()
    for place in (Place("Northland", "country", None), Place("Southland", "country", None),
                  Place("Korvath Province", "province", "Northland"),
                  Place("Tarnfell", "town", "Korvath Province", (), 41.0, 20.5)):
        g.add_place(place)
    g.finish()
    return g


@pytest.fixture
def layer(ix: GeoIndex) -> GeoLayer:
    return GeoLayer(_gazetteer(), ix)


def test_the_index_is_built_into_the_cache_directory(sources: tuple[Path, Path], tmp_path: Path) -> None:
    ix = index.open_index(*sources)
    assert ix.path.parent == tmp_path / "cache" and ix.path.name.startswith("geonames-")
    northland = ix.country("XN")
    assert northland is not None and northland.id == 9000001 and ix.find("XNL") == (northland,)
    marzin = ix.find("Marzin")
    assert [(p.id, p.kind) for p in marzin] == [(9001002, "province"), (9100002, "village")]
    assert marzin[0].population == 40_900  # a division counts the people of its populated places
    village = marzin[1]
    assert village.name == "Marzīn" and village.iri == "https://sws.geonames.org/9100002/"
    province = ix.parent(village)
    assert province is not None and province.id == 9001001 and ix.parent(province) == northland
    assert ix.find("Korvāth")[0].kind == "province"  # 250,000 + 20,800 people outrank the city


def test_the_index_is_built_once(sources: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    first = index.open_index(*sources)

    def fail(*_args: object) -> Path:
        raise AssertionError("built twice")

    monkeypatch.setattr(index, "build", fail)
    assert index.open_index(*sources).path == first.path


def test_changed_data_is_rebuilt_and_the_stale_index_removed(sources: tuple[Path, Path]) -> None:
    data, admin1 = sources
    old = index.open_index(data, admin1).path
    _write_cities(data, {**CITIES, 9100011: ("Quenby", "XN", "03", 3_000, [])})
    new = index.open_index(data, admin1)
    assert new.path != old and not old.exists()
    assert [p.id for p in new.find("Quenby")] == [9100011]
    _write_admin1(admin1, [*ADMIN1, ("XS.02", "Dorran", 9001005)])
    newer = index.open_index(data, admin1)
    assert newer.path != new.path and not new.path.exists()
    assert [p.kind for p in newer.find("Dorran")] == ["province"]


def test_an_unreadable_index_is_an_error_that_says_to_delete_it(sources: tuple[Path, Path]) -> None:
    path = index.index_path(*sources)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not a database at all" * 100)
    with pytest.raises(OpsKGError, match=r"unreadable.*delete it"):
        index.open_index(*sources)


def test_bad_data_is_an_error(sources: tuple[Path, Path]) -> None:
    data, admin1 = sources
    (data / "cities500.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(OpsKGError, match="cannot be built from"):
        index.open_index(data, admin1)


def test_an_unwritable_cache_directory_is_an_error_naming_it(sources: tuple[Path, Path], tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv("OPSKG_CACHE_DIR", str(blocker / "opskg"))  # under a file: no directory can be made
    with pytest.raises(OpsKGError, match=r"cache directory .*a-file/opskg .*set OPSKG_CACHE_DIR to a writable"):
        index.open_index(*sources)
    # The directory exists but the index cannot be written into it.
    cache = tmp_path / "cache"
    monkeypatch.setenv("OPSKG_CACHE_DIR", str(cache))
    path = index.index_path(*sources)
    cache.mkdir()
    path.with_name(f"{path.name}.{os.getpid()}.partial").mkdir()
    with pytest.raises(OpsKGError, match="set OPSKG_CACHE_DIR to a writable directory"):
        index.open_index(*sources)


def test_a_second_process_waits_for_the_build_and_uses_it(sources: tuple[Path, Path],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    path = index.index_path(*sources)
    path.parent.mkdir(parents=True)
    opened: list[object] = []
    with (path.parent / index.LOCK_NAME).open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # this test is the first builder
        waiter = threading.Thread(target=lambda: opened.append(_open_or_error(sources)))
        waiter.start()
        time.sleep(0.3)
        assert waiter.is_alive() and not opened  # waiting for the lock
        index.build(path, *sources)

        def fail(*_args: object) -> Path:
            raise AssertionError("built twice")

        monkeypatch.setattr(index, "build", fail)
    waiter.join(10)
    assert len(opened) == 1 and isinstance(opened[0], GeoIndex) and opened[0].path == path


def _open_or_error(sources: tuple[Path, Path]) -> object:
    try:
        return index.open_index(*sources)
    except (OpsKGError, AssertionError) as exc:
        return exc


# -- the gazetteer layer on the invented index -----------------------------------------------------------


def test_curated_rows_link_to_geonames(layer: GeoLayer) -> None:
    g = layer.gazetteer
    assert layer.link(g.places["Northland"]) == layer.index.get(9000001)
    assert layer.link(g.places["Korvath Province"]) == layer.index.get(9001001)
    assert layer.link(g.places["Tarnfell"]) == layer.index.get(9100003)


def test_a_village_near_a_named_place_is_in_that_places_division(layer: GeoLayer) -> None:
    g = layer.gazetteer
    place = layer.resolve("Marzin", layer.context([g.places["Northland"], g.places["Tarnfell"]]))
    assert place is not None and place.geonameid == 9100002 and place.source == "geonames"
    assert place.name == "Marzin, Korvath Province" and place.kind == "village"
    assert [a.name for a in g.ancestors(place)] == ["Korvath Province", "Northland"]


def test_without_a_named_division_the_governorate_wins(layer: GeoLayer) -> None:
    theatre = Context(frozenset({"XN"}), frozenset(), frozenset({"XN"}))
    place = layer.resolve("Marzin", theatre)
    assert place is not None and place.geonameid == 9001002 and place.kind == "province"
    assert place.name == "Marzin, Northland"
    # "the village of Marzin": a village outside a named division is too small to trust.
    assert layer.resolve("Marzin", theatre, wants="village") is None


def test_a_world_city_abroad_beats_a_town_of_its_name_in_the_theatre(layer: GeoLayer) -> None:
    theatre = Context(frozenset({"XN"}), frozenset(), frozenset({"XN"}))
    place = layer.resolve("Grandport", theatre)
    assert place is not None and place.geonameid == 9100007 and place.name == "Grandport, Selvan"
    assert [a.name for a in layer.gazetteer.ancestors(place)] == ["Selvan", "Southland"]


def test_added_names_do_not_depend_on_what_was_added_before(ix: GeoIndex) -> None:
    ids = [9100004, 9100005, 9100006, 9100009, 9100002, 9001002, 9100007, 9100008]
    names = []
    for order in (ids, ids[::-1]):
        layer = GeoLayer(_gazetteer(), ix)
        added = {}
        for id_ in order:
            geo = ix.get(id_)
            assert geo is not None
            added[id_] = layer.add(geo).name
        names.append(added)
        assert layer.gazetteer.find_places("Ostrel") == []  # an added row is never found by a name lookup
    assert names[0] == names[1]
    assert names[0] == {
        9100004: "Elmwick, Velmora (9100004)", 9100005: "Elmwick, Velmora (9100005)",
        9100006: "Elmwick, Selvan", 9100009: "Ostrel", 9100002: "Marzin, Korvath Province",
        9001002: "Marzin, Northland", 9100007: "Grandport, Selvan", 9100008: "Grandport, Velmora"}


def test_the_gazetteer_graph_links_corpus_places_along_the_chain(ix: GeoIndex) -> None:
    places = [CorpusPlace("http://x/marzin", "Marzin, Korvath Province", "https://sws.geonames.org/9100002/"),
              CorpusPlace("http://x/korvath", "Korvath Province"), CorpusPlace("http://x/northland", "Northland")]
    graph = gazetteer_graph(places, _gazetteer(), ix)
    located = {(str(s), str(o)) for s, o in graph.subject_objects(OPS.locatedIn)}
    assert located == {("http://x/marzin", "http://x/korvath"), ("http://x/marzin", "http://x/northland"),
                       ("http://x/korvath", "http://x/northland")}
    parents = {(str(s), str(o)) for s, o in graph.subject_objects(GN.parentFeature)}
    assert ("https://sws.geonames.org/9100002/", "https://sws.geonames.org/9001001/") in parents
    assert any(str(o).startswith("POINT(20.5 ") for o in graph.objects(None, None))


def test_a_place_near_a_known_one_is_in_its_divisions_not_in_it(ix: GeoIndex) -> None:
    places = [CorpusPlace("http://x/marzin", "Marzin, Korvath Province", "https://sws.geonames.org/9100002/"),
              CorpusPlace("http://x/korvath", "Korvath Province"), CorpusPlace("http://x/northland", "Northland"),
              CorpusPlace("http://x/qasr-banat", None, near="Marzin, Korvath Province"),
              CorpusPlace("http://x/nowhere", None, near="No Such Place")]
    graph = gazetteer_graph(places, _gazetteer(), ix)
    located = {o.split("/")[-1] for o in graph.objects(URIRef("http://x/qasr-banat"), OPS.locatedIn)}
    assert located == {"korvath", "northland"}
    assert set(graph.objects(URIRef("http://x/nowhere"), OPS.locatedIn)) == set()


# -- the NER component on the invented index --------------------------------------------------------------


@cache
def _blank() -> spacy.language.Language:
    return spacy.blank("en")


def _doc(words: list[str], ents: list[tuple[int, int, str, str | None]]) -> Doc:
    doc = Doc(_blank().vocab, words=words)
    doc.ents = [Span(doc, start, end, label=label) for start, end, label, _c in ents]
    for ent, (_s, _e, _l, canonical) in zip(doc.ents, ents, strict=True):
        ent._.opskg_canonical = canonical
    return doc


@pytest.fixture
def recognizer(ix: GeoIndex) -> GeoNamesRecognizer:
    return GeoNamesRecognizer(_blank(), "opskg_geonames", True, gazetteer=_gazetteer(), geo_index=ix)


def _ent(doc: Doc, text: str) -> Span:
    return next(e for e in doc.ents if e.text == text)


def test_the_component_resolves_a_place_in_the_articles_context(recognizer: GeoNamesRecognizer) -> None:
    doc = recognizer(_doc(["Shelling", "hit", "Marzin", "near", "Tarnfell", "."],
                          [(2, 3, "GPE", None), (4, 5, "GPE", "place:Tarnfell")]))
    marzin = _ent(doc, "Marzin")
    assert marzin._.opskg_canonical == "place:Marzin, Korvath Province" and marzin._.opskg_kind == "village"


def test_a_name_before_force_is_no_place(recognizer: GeoNamesRecognizer) -> None:
    doc = recognizer(_doc(["The", "Marzin", "Force", "attacked", "Tarnfell", "."],
                          [(1, 2, "GPE", None), (4, 5, "GPE", "place:Tarnfell")]))
    assert _ent(doc, "Marzin")._.opskg_canonical is None


def test_a_name_taken_for_a_person_becomes_a_place_only_in_a_named_division(
        recognizer: GeoNamesRecognizer) -> None:
    words = ["Two", "men", "were", "killed", "in", "Marzin", "near", "Tarnfell", "."]
    doc = recognizer(_doc(words, [(5, 6, "PERSON", None), (7, 8, "GPE", "place:Tarnfell")]))
    marzin = _ent(doc, "Marzin")
    assert marzin.label_ == "GPE" and marzin._.opskg_canonical == "place:Marzin, Korvath Province"
    words = ["Two", "men", "were", "killed", "in", "Brackwater", ",", "Northland", "."]
    doc = recognizer(_doc(words, [(5, 6, "PERSON", None), (7, 8, "GPE", "place:Northland")]))
    assert _ent(doc, "Brackwater").label_ == "PERSON"  # a town of the country, but no division is named


def test_the_component_can_be_off(ix: GeoIndex) -> None:
    off = GeoNamesRecognizer(_blank(), "opskg_geonames", False, gazetteer=_gazetteer(), geo_index=ix)
    doc = off(_doc(["Shelling", "hit", "Marzin", "near", "Tarnfell", "."],
                   [(2, 3, "GPE", None), (4, 5, "GPE", "place:Tarnfell")]))
    assert _ent(doc, "Marzin")._.opskg_canonical is None


# -- the real data ------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_the_real_index_on_a_well_known_capital() -> None:
    """A smoke test of the installed GeoNames data and the shipped gazetteer.

    It uses the default cache directory (``OPSKG_CACHE_DIR``, else ``~/.cache/opskg``), where the
    index is built once per machine (about 40 s) and then reused: a fresh directory under
    ``tmp_path`` would cost that build on every run."""
    ix = index.default()
    copenhagen = next(p for p in ix.find("Copenhagen") if p.country == "DK")
    assert copenhagen.id == 2618425 and copenhagen.kind == "city"
    region = ix.parent(copenhagen)
    assert region is not None and (region.id, region.name, region.kind) == (6418538, "Capital Region", "province")
    assert ix.parent(region) == ix.country("DK")
    layer = GeoLayer(gaz.load(), ix)
    assert layer.link(layer.gazetteer.places["Copenhagen"]) == copenhagen
    assert layer.add(region).name == "Capital Region, Denmark"
