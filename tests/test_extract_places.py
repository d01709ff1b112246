"""Place containment (ops:locatedIn) from the text and from the test gazetteer of invented places."""

from __future__ import annotations

import pytest

from kg.extract.entities import ArticleEntities, extract_entities
from kg.extract.places import extract_containment
from kg.gazetteer import demonyms
from kg.model import EntityRef, Fact
from tests.extraction_support import describe, gazetteer, parse, parse_with_labels

pytestmark = pytest.mark.slow


def containment(text: str, labels: list[tuple[str, str]] | None = None) -> tuple[ArticleEntities, list[Fact]]:
    doc = parse(text) if labels is None else parse_with_labels(text, labels)
    found = extract_entities(doc, gazetteer())
    facts = extract_containment(doc, found, gazetteer())
    assert all(f.predicate in ("locatedIn", "near") and isinstance(f.object, EntityRef) for f in facts)
    return found, [f for f in facts if f.predicate == "locatedIn"]


def nearness(text: str) -> set[tuple[str, str]]:
    """(place, place it is near) of each ops:near fact."""
    doc = parse(text)
    found = extract_entities(doc, gazetteer())
    return {(f.subject.key, f.object.key) for f in extract_containment(doc, found, gazetteer())
            if f.predicate == "near" and isinstance(f.object, EntityRef)}


def pairs(facts: list[Fact]) -> set[tuple[str, str, str]]:
    """(inner key, outer key, origin) of each fact."""
    return {(f.subject.key, f.object.key, f.origin) for f in facts if isinstance(f.object, EntityRef)}


def located(facts: list[Fact]) -> set[tuple[str, str]]:
    return {(inner, outer) for inner, outer, _origin in pairs(facts)}


@pytest.mark.parametrize(("text", "expected"), [
    ("The strike hit the town of Jisr Nawra, Kelbar province, on Monday.", ("jisr nawra", "kelbar")),
    ("The strike hit the town of Jisr Nawra, Korvath province, on Monday.", ("jisr nawra", "korvath")),
    ("The raid targeted a farm in the village of Harmush, also in Korvath.", ("harmush", "korvath")),
    ("The raid took place in the village of Harmush in the southern countryside of Velmar.", ("harmush", "velmar")),
    ("Gunmen attacked the village of Harmush in Kelbar province on Monday.", ("harmush", "kelbar")),
    ("Shelling hit Hayy Nour, a poor Marzin neighbourhood, overnight.", ("hayy nour", "marzin")),
])
def test_containment_stated_by_the_text(text: str, expected: tuple[str, str]) -> None:
    found, facts = containment(text)
    assert (*expected, "text") in pairs(facts), (pairs(facts), [(e.ref, e.kind) for e in found.entities])


def test_text_containment_is_evidenced_by_its_sentence() -> None:
    second = "The strike hit the town of Jisr Nawra, Kelbar province, before dawn."
    text = f"Officials spoke on Monday. {second}"
    _found, facts = containment(text)
    fact = next(f for f in facts if f.subject.key == "jisr nawra")
    assert text[fact.sentence.start:fact.sentence.end] == second


def test_demonym_city_is_in_its_country() -> None:
    assert demonyms()["mauritanian"] == "Mauritania"  # the shipped table, used as is
    found, facts = containment("Police arrested him in the northern Mauritanian city of Kelbat on Monday.")
    assert ("kelbat", "mauritania", "text") in pairs(facts)
    country = found.by_ref(EntityRef("Location", "mauritania"))
    # Not mentioned by name: the country entity comes from the gazetteer, without mentions.
    assert country is not None and country.kind == "Country" and country.gazetteer == "Mauritania"
    assert country.mentions == []


def test_demonym_city_uses_the_mentioned_country_entity() -> None:
    found, facts = containment("Police arrested him in the northern Mauritanian city of Kelbat on Monday. "
                               "Mauritania has denied it.")
    assert ("kelbat", "mauritania", "text") in pairs(facts)
    assert [len(e.mentions) for e in found.entities if e.ref.key == "mauritania"] == [1]


def test_demonym_of_a_country_the_gazetteer_does_not_know_gives_no_containment() -> None:
    assert demonyms()["chadian"] == "Chad"  # in the shipped table, not in the test gazetteer
    found, facts = containment("Police arrested him in the northern Chadian town of Kelbat on Monday.")
    assert facts == []
    assert [e.ref.key for e in found.entities] == ["kelbat"]


def test_a_country_the_article_does_not_name_is_left_to_the_gazetteer_graph() -> None:
    # The article's graph holds the places the article names; the corpus-wide gazetteer graph links
    # Tell Ghazal to Northland where some article names Northland.
    found, facts = containment("Gunmen attacked Tell Ghazal on Monday.")
    assert facts == []
    assert found.by_ref(EntityRef("Location", "northland")) is None


@pytest.mark.parametrize(("text", "expected"), [
    ("Residents of the hamlet, Qasr Banat, some 6 km north-west of Marzin, fled on foot.", ("qasr banat", "marzin")),
    ("Shelling struck Qasr Banat village, 4 miles outside Marzin, overnight.", ("qasr banat", "marzin")),
    ("Fighting was reported in the village of Qasr Banat, near Marzin, overnight.", ("qasr banat", "marzin")),
])
def test_a_place_measured_from_another_is_near_it_not_in_it(text: str, expected: tuple[str, str]) -> None:
    assert nearness(text) == {expected}
    _found, facts = containment(text)
    assert expected not in located(facts)


def test_a_division_is_not_inside_a_place_no_gazetteer_knows() -> None:
    # "a strike on Velmar in Qasr Banat": the province is the larger place, whatever the word order says.
    _found, facts = containment("He was killed during a strike on Velmar in Qasr Banat, officials said.")
    assert ("velmar", "qasr banat") not in located(facts)


def test_a_place_far_from_a_known_one_is_only_in_its_country() -> None:
    text = "Officials in Northland said a drone hit the village of Qasr Banat, 140 km south-west of Dumayr, on Monday."
    assert nearness(text) == set()
    _found, facts = containment(text)
    assert ("qasr banat", "northland") in located(facts) and ("qasr banat", "dumayr") not in located(facts)


@pytest.mark.parametrize("text", [
    "Shelling hit the village of Qasr Banat, 5 km south of the border town of Marzin, officials in Northland said.",
    "Shelling hit the village of Qasr Banat, east of Marzin, officials in Northland said.",  # maybe far
])
def test_a_place_measured_from_a_border_town_or_by_direction_alone_is_not_near_it(text: str) -> None:
    found, _facts = containment(text)
    assert any(e.name == "Qasr Banat" and e.ref.cls == "Location" for e in found.entities)
    assert nearness(text) == set()


def test_a_village_across_a_border_does_not_take_the_country_of_the_places_around() -> None:
    _found, facts = containment("Officials in Dumayr, Northland, said the fighters fled across the border to the "
                                "village of Qasr Banat on Monday.")
    assert not any(inner == "qasr banat" for inner, _outer in located(facts))


def test_the_x_village_of_y_names_y_the_village_not_x() -> None:
    found, _facts = containment("Troops raided a house in the Dumayr village of Qasr Banat, officials in Saren said. "
                                "Dumayr was quiet later.")
    assert {e.gazetteer for e in found.entities if e.name == "Dumayr"} == {"Dumayr"}


def test_from_without_a_distance_is_no_nearness() -> None:
    assert nearness("Families who fled Qasr Banat village from Marzin arrived on Sunday.") == set()


def test_an_unknown_village_is_in_the_country_of_the_known_place_nearest_to_it() -> None:
    _found, facts = containment("Officials in Northland said troops entered Dumayr on Monday. Ostania condemned it. "
                                "Later, a strike hit the village of Qasr Banat, killing two.")
    assert ("qasr banat", "northland", "gazetteer") in pairs(facts)


def test_an_actors_country_does_not_place_an_unknown_village() -> None:
    # Ostania is named only as the raiders' country: no place of it is named near the village.
    _found, facts = containment("Ostania said its commandos raided the village of Qasr Banat on Monday.")
    assert not any(inner == "qasr banat" for inner, _outer in located(facts))


@pytest.mark.parametrize("text", [
    "The raid hit the village of Dumayr, where the man had hidden for months. Residents of Dumayr fled to Saren.",
    "The raid hit Dumayr village near Saren before dawn. Residents of Dumayr fled.",
])
def test_a_village_among_another_provinces_places_is_not_the_city_of_its_name(text: str) -> None:
    found, _facts = containment(text)
    dumayr = [e for e in found.entities if e.ref.cls == "Location" and e.name.startswith("Dumayr")]
    assert dumayr and all(e.gazetteer is None for e in dumayr), [(e.ref, e.gazetteer) for e in dumayr]


@pytest.mark.parametrize("text", [
    "Troops entered Abu Kamal on Monday, then raided the village of Dumayr.",  # Abu Kamal: Dumayr's province
    "Troops raided the village of Dumayr on Monday.",  # no other place: reporters call small cities villages
])
def test_a_city_called_a_village_stays_the_city_unless_other_places_say_otherwise(text: str) -> None:
    found, _facts = containment(text)
    assert [e.gazetteer for e in found.entities if e.name == "Dumayr"] == ["Dumayr"]


def test_a_town_of_a_country_named_only_through_its_province_is_kept() -> None:
    # The article names Ostania, and Northland only through Korvath province.
    found, _facts = containment("Ostania said on Monday that a commander died in Korvath province. "
                                "The house raided overnight in the town of al-Misra held families.")
    misra = [e for e in found.entities if e.ref.cls == "Location" and "Misra" in e.name]
    assert [e.gazetteer for e in misra] == ["al-Misra"]


def test_gazetteer_place_is_in_its_nearest_mentioned_ancestor() -> None:
    _found, facts = containment("Gunmen attacked Tell Ghazal on Monday. Officials in Velmar and Northland said "
                                "the attack was repelled.")
    assert pairs(facts) == {("tell ghazal", "velmar", "gazetteer"), ("velmar", "northland", "gazetteer")}


def test_gazetteer_place_skips_to_the_nearest_level_the_article_mentions() -> None:
    _found, facts = containment("Gunmen attacked Tell Ghazal on Monday. Officials in Ras Tilal and Velmar said "
                                "the attack was repelled.")
    assert pairs(facts) == {("tell ghazal", "ras tilal district", "gazetteer"),
                            ("ras tilal district", "velmar", "gazetteer")}


def test_text_containment_replaces_the_gazetteer_one() -> None:
    _found, facts = containment("Gunmen attacked Tell Ghazal in Velmar on Monday, Northland officials said.")
    assert [(f.object.key, f.origin) for f in facts if f.subject.key == "tell ghazal"
            and isinstance(f.object, EntityRef)] == [("velmar", "text")]


def test_unknown_place_gets_no_gazetteer_containment() -> None:
    _found, facts = containment("Troops raided the village of Kafr Hamoud on Monday.")
    assert facts == []


@pytest.mark.parametrize("text", [
    "The envoy of Northland, in Kafr Hamoud, said the talks failed.",
    "Officials from Northland met in the town of Kafr Hamoud on Monday.",
    "Officials from Northland met in Dumayr on Monday.",
])
def test_no_country_inside_a_town(text: str) -> None:
    _found, facts = containment(text)
    assert not [f for f in facts if f.subject.key == "northland"], pairs(facts)


@pytest.mark.parametrize("text", [
    "Delegations from Northland, Korvath and Velmar attended the talks.",
    "Delegations from Ostania, Northland and Mauritania attended the talks.",
])
def test_country_in_a_list_of_places_is_in_no_other_place(text: str) -> None:
    _found, facts = containment(text)
    assert not [f for f in facts if f.subject.key in ("northland", "ostania")], pairs(facts)


@pytest.mark.parametrize(("text", "wrong"), [
    ("The group is active in Korvath, Velmar and Saren provinces.", ("korvath", "velmar")),
    ("Attacks were reported in Dumayr, Saren and Abu Zahra on Monday.", ("dumayr", "saren governorate")),
])
def test_list_of_places_is_no_containment(text: str, wrong: tuple[str, str]) -> None:
    _found, facts = containment(text)
    assert wrong not in located(facts), pairs(facts)


def test_containment_is_never_both_ways_and_never_reflexive() -> None:
    text = ("The strike hit the town of Jisr Nawra, Kelbar province, on Monday. Gunmen later attacked Tell Ghazal "
            "in Velmar. Residents of Kelbar said Jisr Nawra was quiet.")
    doc = parse_with_labels(text, [("Jisr Nawra", "GPE"), ("Kelbar", "GPE"), ("Tell Ghazal", "GPE"),
                                   ("Velmar", "GPE"), ("Kelbar", "GPE"), ("Jisr Nawra", "GPE")])
    found = extract_entities(doc, gazetteer())
    facts = located(extract_containment(doc, found, gazetteer()))
    assert ("jisr nawra", "kelbar") in facts, describe(doc)
    assert all(inner != outer and (outer, inner) not in facts for inner, outer in facts)
