"""extract_entities on invented articles: one entity per referent, with every surface form kept.

Where a case depends on a label the statistical model may or may not give ("a short form the
model labelled ORG"), the test sets that label itself with ``parse_with_labels``.
"""

from __future__ import annotations

import pytest
from spacy.tokens import Doc

from kg.extract.entities import ArticleEntities, extract_entities
from kg.model import Entity
from tests.extraction_support import describe, gazetteer, parse, parse_with_labels

pytestmark = pytest.mark.slow


def entities_of(doc: Doc) -> ArticleEntities:
    """extract_entities, with the invariants every result must keep."""
    found = extract_entities(doc, gazetteer())
    refs = [e.ref for e in found.entities]
    assert len(refs) == len(set(refs)), f"two entities share a ref: {refs}"
    for e in found.entities:
        for m in e.mentions:
            assert doc.text[m.span.start:m.span.end] == m.text, (e.ref, m)
            assert found.at[(m.span.start, m.span.end)] == e.ref
    assert set(found.at.values()) <= set(refs)
    return found


def of_class(found: ArticleEntities, cls: str) -> list[Entity]:
    return [e for e in found.entities if e.ref.cls == cls]


def listed(found: ArticleEntities) -> list[tuple[str, str, list[str]]]:
    """The entities with their surface forms: readable in an assertion message."""
    return [(e.ref.cls, e.ref.key, sorted(e.surface_forms)) for e in found.entities]


def holding(found: ArticleEntities, form: str) -> list[Entity]:
    """The entities that have ``form`` among their surface forms."""
    return [e for e in found.entities if form in e.surface_forms]


def test_one_entity_per_person_across_full_and_short_forms() -> None:
    doc = parse("Abu Yahya al-Tikriti, a senior commander of the Northern Front, was killed in a raid on Monday. "
                "Officials said al-Tikriti had been hiding in the village of Kafr Hamoud. Tikriti was 45.")
    people = of_class(entities_of(doc), "Person")
    assert len(people) == 1, describe(doc)
    person = people[0]
    assert person.name == "Abu Yahya al-Tikriti"
    assert {"Abu Yahya al-Tikriti", "al-Tikriti", "Tikriti"} <= person.surface_forms
    assert len(person.mentions) == 3


def test_short_forms_join_their_person_whatever_the_model_labelled_them() -> None:
    text = ("Abu Yahya al-Tikriti was killed in a raid on Monday. Officials said al-Tikriti had been hiding "
            "in a farmhouse. Tikriti was 45.")
    doc = parse_with_labels(text, [("Abu Yahya al-Tikriti", "PERSON"), ("al-Tikriti", "GPE"), ("Tikriti", "ORG")])
    found = entities_of(doc)
    assert [e.ref.cls for e in found.entities] == ["Person"], describe(doc)
    assert len(found.entities[0].mentions) == 3


def test_people_sharing_a_nisba_with_different_kunyas_stay_apart() -> None:
    doc = parse("Abu Yahya al-Tikriti and Abu Bilal al-Tikriti were killed in the raid. "
                "Officials said Abu Bilal al-Tikriti had led the cell for two years.")
    people = {e.name: e for e in of_class(entities_of(doc), "Person")}
    assert set(people) == {"Abu Yahya al-Tikriti", "Abu Bilal al-Tikriti"}, describe(doc)
    assert len(people["Abu Bilal al-Tikriti"].mentions) == 2
    assert people["Abu Yahya al-Tikriti"].surface_forms == {"Abu Yahya al-Tikriti"}


@pytest.mark.parametrize("apostrophe", ["'", "’"])
def test_possessive_is_stripped(apostrophe: str) -> None:
    doc = parse(f"Forces raided the home of Khalid al-Rawi on Monday. Khalid al-Rawi{apostrophe}s brother was "
                "detained.")
    people = of_class(entities_of(doc), "Person")
    assert len(people) == 1, describe(doc)
    assert people[0].surface_forms == {"Khalid al-Rawi"}
    assert [m.text for m in people[0].mentions] == ["Khalid al-Rawi", "Khalid al-Rawi"]


@pytest.mark.parametrize("phrase", ["also known as", "better known as", "alias", "a.k.a."])
def test_person_alias_joins_the_main_name(phrase: str) -> None:
    doc = parse(f"Forces killed Omar Khalil al-Jubouri, {phrase} Abu Usama al-Karkhi, in the raid.")
    people = of_class(entities_of(doc), "Person")
    assert len(people) == 1, describe(doc)
    assert people[0].name == "Omar Khalil al-Jubouri"
    assert people[0].surface_forms == {"Omar Khalil al-Jubouri", "Abu Usama al-Karkhi"}


def test_later_mentions_of_an_alias_join_the_same_person() -> None:
    doc = parse("Omar Khalil al-Jubouri, also known as Abu Usama al-Karkhi, was killed. "
                "Officials said Abu Usama al-Karkhi had run the group's finances.")
    people = of_class(entities_of(doc), "Person")
    assert [(p.name, len(p.mentions)) for p in people] == [("Omar Khalil al-Jubouri", 3)], describe(doc)


def test_unknown_organization_and_its_acronym_are_one_entity() -> None:
    doc = parse("Fighters of the Brigade of the Black Banner (BBB) attacked the checkpoint. "
                "The BBB said it had lost two men.")
    orgs = of_class(entities_of(doc), "Organization")
    assert len(orgs) == 1, describe(doc)
    assert orgs[0].surface_forms == {"Brigade of the Black Banner", "BBB"}
    assert len(orgs[0].mentions) == 3


def test_gazetteer_aliases_are_one_entity_named_after_the_entry() -> None:
    doc = parse("Fighters of the Desert Supporters Movement (HAS) attacked the checkpoint. "
                "HAS later said Harakat Ansar al-Sahra had lost two men.")
    orgs = of_class(entities_of(doc), "Organization")
    assert len(orgs) == 1, describe(doc)
    org = orgs[0]
    assert (org.name, org.gazetteer, org.kind) == ("Harakat Ansar al-Sahra", "Harakat Ansar al-Sahra", "ArmedGroup")
    assert org.surface_forms == {"Harakat Ansar al-Sahra", "Desert Supporters Movement", "HAS"}


@pytest.mark.parametrize(("name", "label"), [("Hamid al-Ghamdi", "ORG"), ("Hamid al-Ghamdi", "GPE"),
                                             ("al-Ghamdi", "ORG"), ("Hamid Saleh Ghamdi", "ORG")])
def test_name_before_regime_is_a_person(name: str, label: str) -> None:
    doc = parse_with_labels(f"Witnesses said the {name} regime had fallen.", [(name, label)])
    found = entities_of(doc)
    assert [(e.ref.cls, e.name) for e in found.entities] == [("Person", name)], describe(doc)


def test_single_word_before_regime_stays_what_the_model_said() -> None:
    """The control: "the Dergue regime" names a group, not a person (no nisba, one word)."""
    doc = parse_with_labels("Witnesses said the Dergue regime had fallen.", [("Dergue", "ORG")])
    assert [(e.ref.cls, e.name) for e in entities_of(doc).entities] == [("Organization", "Dergue")]


@pytest.mark.parametrize("short", ["Ghamdi", "Al-Ghamdi"])
@pytest.mark.parametrize("label", ["ORG", "GPE"])
def test_short_form_of_a_person_labelled_otherwise_becomes_that_person(short: str, label: str) -> None:
    text = f"Hamid Saleh al-Ghamdi was killed on Monday. Residents said {short} had lived there for a year."
    doc = parse_with_labels(text, [("Hamid Saleh al-Ghamdi", "PERSON"), (short, label)])
    found = entities_of(doc)
    assert [(e.ref.cls, e.name) for e in found.entities] == [("Person", "Hamid Saleh al-Ghamdi")], describe(doc)
    assert found.entities[0].surface_forms == {"Hamid Saleh al-Ghamdi", short}


def test_concatenated_known_names_are_layout_debris() -> None:
    text = "Photographers from NorthlandReuters and Reuters saw Colonel James McAllister at the scene."
    doc = parse_with_labels(text, [("NorthlandReuters", "ORG"), ("Reuters", "ORG"), ("James McAllister", "PERSON")])
    names = {(e.ref.cls, e.name) for e in entities_of(doc).entities}
    # A CamelCase word is dropped only when it runs known names together: McAllister stays.
    assert names == {("Organization", "Reuters"), ("Person", "James McAllister")}, describe(doc)


def test_place_labelled_differently_in_its_mentions_gets_one_class() -> None:
    text = ("Troops raided Kafr Hamoud on Monday. Kafr Hamoud residents said the raid lasted two hours. "
            "Officials in Kafr Hamoud condemned it.")
    doc = parse_with_labels(text, [("Kafr Hamoud", "GPE"), ("Kafr Hamoud", "ORG"), ("Kafr Hamoud", "GPE")])
    found = entities_of(doc)
    assert [(e.ref.cls, e.name, len(e.mentions)) for e in found.entities] == [("Location", "Kafr Hamoud", 3)]


def test_gazetteer_place_labelled_as_a_person_stays_the_place() -> None:
    text = "Gunmen attacked Dumayr on Monday. Dumayr residents said the raid lasted two hours."
    doc = parse_with_labels(text, [("Dumayr", "GPE"), ("Dumayr", "PERSON")])
    found = entities_of(doc)
    assert [(e.ref.cls, e.gazetteer, e.kind, len(e.mentions)) for e in found.entities] == \
        [("Location", "Dumayr", "City", 2)], describe(doc)


def test_village_named_by_a_place_phrase_stays_a_place_when_the_model_calls_it_a_person() -> None:
    # The installed model does label the second mention PERSON in this very text.
    text = ("Troops raided the village of Khirbat Mansour on Monday. Residents of Khirbat Mansour said "
            "the raid lasted two hours.")
    doc = parse_with_labels(text, [("Khirbat Mansour", "GPE"), ("Khirbat Mansour", "PERSON")])
    found = entities_of(doc)
    assert [(e.ref.cls, e.name, e.kind) for e in found.entities] == [("Location", "Khirbat Mansour", "Village")], \
        describe(doc)


def test_province_and_its_capital_are_two_linked_entities() -> None:
    doc = parse("Clashes erupted in Saren Governorate on Sunday. Officials in the city of Saren said the curfew "
                "was lifted.")
    found = entities_of(doc)
    assert sorted((e.gazetteer, e.kind) for e in of_class(found, "Location")) == \
        [("Saren", "City"), ("Saren Governorate", "Province")], describe(doc)


@pytest.mark.parametrize("sentence", [
    "Omar Khalil al-Jubouri, referred to as Abu Usama al-Karkhi, was killed in the raid.",
    "Omar Khalil al-Jubouri “Abu Usama al-Karkhi” was killed in the raid.",
    "Omar Khalil al-Jubouri (Abu Usama al-Karkhi) was killed in the raid.",
])
def test_more_alias_statements_join_the_main_name(sentence: str) -> None:
    doc = parse_with_labels(sentence, [("Omar Khalil al-Jubouri", "PERSON"), ("Abu Usama al-Karkhi", "PERSON")])
    people = of_class(entities_of(doc), "Person")
    assert len(people) == 1, describe(doc)
    assert people[0].surface_forms == {"Omar Khalil al-Jubouri", "Abu Usama al-Karkhi"}


def test_a_possessive_real_name_statement_joins_the_person() -> None:
    text = "Abu Usama al-Karkhi was killed. Al-Karkhi's real name was Omar Khalil al-Jubouri, the group said."
    doc = parse_with_labels(text, [("Abu Usama al-Karkhi", "PERSON"), ("Al-Karkhi", "PERSON"),
                                   ("Omar Khalil al-Jubouri", "PERSON")])
    people = of_class(entities_of(doc), "Person")
    assert len(people) == 1, describe(doc)


def test_a_person_after_a_preposition_of_place_is_a_place() -> None:
    text = "A blast hit a market in Khan Dabbas on Monday. Omar Khalil al-Jubouri was killed."
    doc = parse_with_labels(text, [("Khan Dabbas", "PERSON"), ("Omar Khalil al-Jubouri", "PERSON")])
    found = entities_of(doc)
    assert [e.name for e in of_class(found, "Location")] == ["Khan Dabbas"], describe(doc)
    assert [e.name for e in of_class(found, "Person")] == ["Omar Khalil al-Jubouri"]


@pytest.mark.parametrize(("text", "labels"), [
    ("The Daily Courier Logo sits above the story.", [("Daily Courier Logo", "ORG")]),
    ("Fighters hoped to reach Paradise, the preacher said.", [("Paradise", "GPE")]),
    ("Two Reapers flew over the town.", [("Reapers", "ORG")]),
    ("Washington lists the group as a Foreign Terrorist Organization.",
     [("Foreign Terrorist Organization", "ORG")]),
    ("Drone Strike Kills Rebel Commander in the north.", [("Drone Strike Kills Rebel Commander", "PERSON")]),
])
def test_non_names_are_no_entities(text: str, labels: list[tuple[str, str]]) -> None:
    doc = parse_with_labels(text, labels)
    assert entities_of(doc).entities == [], describe(doc)


def test_a_repaired_name_keeps_its_page_words_as_the_mention() -> None:
    text = "Forces killed Yusuf Hamdan al- Rifai on Monday."
    doc = parse(text)
    people = of_class(entities_of(doc), "Person")
    assert [p.name for p in people] == ["Yusuf Hamdan al-Rifai"], describe(doc)


def test_another_spelling_of_a_group_the_model_called_a_person_joins_the_group() -> None:
    text = "Harakat Ansar al-Sahra named a new emir. Harakat Ansar al-Sahraa fighters fired shots."
    doc = parse_with_labels(text, [("Harakat Ansar al-Sahra", "ORG"), ("Harakat Ansar al-Sahraa", "PERSON")])
    orgs = of_class(entities_of(doc), "Organization")
    assert len(orgs) == 1 and not of_class(entities_of(doc), "Person"), describe(doc)


def test_a_person_named_like_a_group_is_a_group() -> None:
    text = "Fighters of the Tariq ibn Ziyad Brigades said they had shelled the base."
    doc = parse_with_labels(text, [("Tariq ibn Ziyad Brigades", "PERSON")])
    found = entities_of(doc)
    assert [e.name for e in of_class(found, "Organization")] == ["Tariq ibn Ziyad Brigades"], describe(doc)


def test_a_quoted_other_name_before_a_comma_joins_the_person() -> None:
    text = "The strike killed Omar Khalil al-Jubouri “Abu Usama al-Karkhi,” the ministry said."
    doc = parse_with_labels(text, [("Omar Khalil al-Jubouri", "PERSON"), ("Abu Usama al-Karkhi", "PERSON")])
    assert len(of_class(entities_of(doc), "Person")) == 1, describe(doc)


@pytest.mark.parametrize("name", ["Jaysh al-Wadi", "Liwa Salah al-Tamimi", "Kataib al-Nour"])
def test_arabic_group_words_make_a_group(name: str) -> None:
    doc = parse_with_labels(f"Fighters of {name} shelled the base on Monday.", [(name, "PERSON")])
    found = entities_of(doc)
    assert [e.name for e in of_class(found, "Organization")] == [name], describe(doc)


@pytest.mark.parametrize("text", [
    "Fighters of the Abu Ghazal group attacked a checkpoint near Marzin on Monday.",
    "The Abu Ghazal is blamed for kidnappings in Korvath. Abu Ghazal militants fled into the hills.",
])
def test_a_group_named_like_a_man_is_the_group(text: str) -> None:
    found = entities_of(parse(text))
    assert [e.ref.cls for e in holding(found, "Abu Ghazal")] == ["Organization"], listed(found)


@pytest.mark.parametrize("text", [
    "Abu Ghazal was killed near Marzin on Monday, and Umm Ghazal, his wife, was taken into custody. Abu Ghazal "
    "had run the group's finances.",
    "Northland troops arrested Abu Ghazal near Marzin on Monday. His wife, Umm Ghazal, was detained with him. "
    "Abu Ghazal had run the group's finances.",
    "Umm Ghazal, whose husband Abu Ghazal was shot dead by Northland troops near Marzin, is now in custody. "
    "Abu Ghazal had run the group's finances.",
])
def test_a_group_s_name_used_for_a_man_is_the_man_and_his_wife_is_not_him(text: str) -> None:
    found = entities_of(parse(text))
    assert [e.ref.cls for e in holding(found, "Abu Ghazal")] == ["Person"], listed(found)
    assert [e.ref.cls for e in holding(found, "Umm Ghazal")] == ["Person"]
    assert holding(found, "Abu Ghazal") != holding(found, "Umm Ghazal")


@pytest.mark.parametrize(("text", "form"), [
    ("Jets struck the Wadi Karam area in southern Northland on Monday.", "Wadi Karam"),
    ("The strike hit the Tell Safra refugee camp on Monday.", "Tell Safra"),
])
def test_a_name_before_area_or_camp_is_a_place(text: str, form: str) -> None:
    found = entities_of(parse(text))
    assert [e.ref.cls for e in holding(found, form)] == ["Location"], listed(found)

