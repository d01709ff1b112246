"""Sentences where a reading rule would misfire if it were looser: killings that are no operation, people
described alike who are not the dead, bystanders, denied memberships, groups that are no places.

Every name is invented; places and groups come from the test gazetteer (``tests/data/gazetteer/``).
"""

from __future__ import annotations

import pytest

from kg.corpus import OperationRecord, Places, cluster_operations
from kg.extract import extract
from kg.extract.entities import extract_entities
from kg.model import Article, EntityRef, Extraction
from tests.extraction_support import gazetteer, parse

pytestmark = pytest.mark.slow


def read(text: str, published: str = "2023-03-10") -> Extraction:
    return extract(parse(text), Article(id="misfire", text=text, source="misfire.txt", published=published),
                   gazetteer())


def operations(x: Extraction) -> list[EntityRef]:
    return [e.ref for e in x.entities if e.ref.cls == "Operation"]


def subjects(x: Extraction, predicate: str) -> set[str]:
    names = {e.ref: e.name for e in x.entities}
    return {names.get(f.subject, f.subject.key) for f in x.facts if f.predicate == predicate}


@pytest.mark.parametrize("text", [
    "Rebels from the hills killed five soldiers at a checkpoint outside Marzin on Monday.",
    "Northlander militants shot dead Tarek Jaber, a shopkeeper, in Marzin last week.",
    "Insurgent forces killed two policemen on the road to Abu Zahra on Sunday.",
    "A Northland suicide attack killed Tarek Jaber outside a bank in Marzin on Monday.",
    "Northern Front drones hit a fuel depot near Marzin on Friday, killing Tarek Jaber.",
    "Three Northland soldiers were killed by a drone at their base near Marzin on Friday.",
])
def test_killings_by_no_state_are_no_operation(text: str) -> None:
    x = read(text)
    assert operations(x) == [], x.facts


def test_a_gunman_s_earlier_killing_is_not_the_security_forces_operation() -> None:
    x = read("Police shot dead a gunman in Marzin on Monday. Two days earlier the gunman had killed Tarek Jaber, "
             "a bank guard, witnesses said.")
    assert "Tarek Jaber" not in subjects(x, "killedIn")


@pytest.mark.parametrize("second", [
    "Army commander Salim Haddad called the strike a success.",
    "Salim Haddad, a commander of the Northern Front, promised revenge.",
    "Salim Haddad, another commander of the front, got away unhurt.",
])
def test_someone_described_alike_who_speaks_or_escapes_is_not_the_unnamed_dead(second: str) -> None:
    x = read("A drone strike killed a senior commander of the Northern Front near Marzin on Monday. " + second)
    assert "Salim Haddad" not in subjects(x, "killedIn")


def test_a_named_child_killed_is_not_the_target() -> None:
    x = read("Northland jets bombed a farm near Marzin on Monday, killing Tarek Jaber, a 12-year-old shepherd.")
    assert "Tarek Jaber" in subjects(x, "killedIn")
    assert "Tarek Jaber" not in subjects(x, "targetedIn")


@pytest.mark.parametrize("text", [
    "Salim Haddad never joined the Northern Front, his family insists.",
    "Salim Haddad did not join the Northern Front, officials now say.",
    "Salim Haddad, a police officer, fought with Northern Front gunmen in Marzin.",
])
def test_denied_or_hostile_ties_are_no_membership(text: str) -> None:
    assert subjects(read(text), "memberOf") == set()


def test_a_group_called_like_a_man_stays_a_group() -> None:
    text = ("A kidnapping gang called Abu Ghazal operates in Korvath. Abu Ghazal has kidnapped "
            "dozens of traders.")
    found = extract_entities(parse(text), gazetteer())
    assert {e.ref.cls for e in found.entities if "Abu Ghazal" in e.surface_forms} == {"Organization"}


def test_a_group_s_camp_keeps_the_group() -> None:
    found = extract_entities(parse("Northland jets struck a Harakat Ansar al-Sahra camp near Marzin."), gazetteer())
    assert {e.ref.cls for e in found.entities if "Harakat Ansar al-Sahra" in e.surface_forms} == {"Organization"}


def test_the_place_of_a_campaign_of_other_things_is_not_a_strike_s() -> None:
    x = read("A vaccination campaign in Korvath province reached 10,000 children. This year alone, raids have "
             "killed Tarek Jaber and Salim Haddad.")
    names = {e.ref: e.name for e in x.entities}
    places = {names[f.object] for f in x.facts if f.predicate == "tookPlaceIn" and isinstance(f.object, EntityRef)}
    assert "Korvath" not in places


CITY, DISTRICT = "loc:marzin", "loc:old-quarter"
PLACES = Places({(DISTRICT, CITY)}, {CITY: "City", DISTRICT: "District"})


def _strike(iri: str, article: str, killed: str, places: set[str]) -> OperationRecord:
    return OperationRecord(iri, article, kinds={"AirStrike"}, people={killed}, killed={killed}, places=places,
                           dates={"2023-03-09"})


def test_strikes_on_a_city_that_day_naming_different_dead_and_a_district_stay_apart() -> None:
    canonical, _ = cluster_operations([_strike("op:a", "a", "p:x", {CITY, DISTRICT}),
                                       _strike("op:b", "b", "p:y", {CITY})], PLACES)
    assert len(set(canonical.values())) == 2


def test_one_strike_on_a_city_that_day_told_without_any_district_is_one() -> None:
    canonical, _ = cluster_operations([_strike("op:a", "a", "p:x", {CITY}), _strike("op:b", "b", "p:y", {CITY})],
                                      PLACES)
    assert len(set(canonical.values())) == 1
