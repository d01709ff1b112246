"""Place containment (ops:locatedIn) from the text and from the test gazetteer of invented places."""

from __future__ import annotations

import pytest

from kg.extract.entities import ArticleEntities, extract_entities
from kg.extract.places import demonyms, extract_containment
from kg.model import EntityRef, Fact
from tests.extraction_support import describe, gazetteer, parse, parse_with_labels

pytestmark = pytest.mark.slow


def containment(text: str, labels: list[tuple[str, str]] | None = None) -> tuple[ArticleEntities, list[Fact]]:
    doc = parse(text) if labels is None else parse_with_labels(text, labels)
    found = extract_entities(doc, gazetteer())
    facts = extract_containment(doc, found, gazetteer())
    assert all(f.predicate == "locatedIn" and isinstance(f.object, EntityRef) for f in facts)
    return found, facts


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


def test_gazetteer_place_is_in_its_country_when_no_ancestor_is_mentioned() -> None:
    found, facts = containment("Gunmen attacked Tell Ghazal on Monday.")
    assert pairs(facts) == {("tell ghazal", "northland", "gazetteer")}
    northland = found.by_ref(EntityRef("Location", "northland"))
    assert northland is not None and northland.kind == "Country" and northland.mentions == []


def test_gazetteer_place_is_in_its_nearest_mentioned_ancestor() -> None:
    _found, facts = containment("Gunmen attacked Tell Ghazal on Monday. Officials in Velmar and Northland said "
                                "the attack was repelled.")
    assert pairs(facts) == {("tell ghazal", "velmar", "gazetteer"), ("velmar", "northland", "gazetteer")}


def test_gazetteer_place_skips_to_the_nearest_level_the_article_mentions() -> None:
    _found, facts = containment("Gunmen attacked Tell Ghazal on Monday. Officials in Ras Tilal and Velmar said "
                                "the attack was repelled.")
    assert pairs(facts) == {("tell ghazal", "ras tilal district", "gazetteer"),
                            ("ras tilal district", "velmar", "gazetteer"), ("velmar", "northland", "gazetteer")}


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
