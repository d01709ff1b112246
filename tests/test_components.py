"""opskg's spaCy components on short invented sentences: the gazetteer recognizer, person names, place phrases.

Where a behaviour depends on what the statistical model said ("a kunya the model labels ORG"),
the test sets the model's entities itself (``parse_with_labels``) so that it checks the
component, not the model version; other tests run the whole pipeline.
"""

from __future__ import annotations

import pytest
from spacy.language import Language

from tests.extraction_support import covering, describe, entity, parse, parse_with_labels, pipeline

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module", autouse=True)
def nlp() -> Language:
    return pipeline()


def test_pipeline_order() -> None:
    names = pipeline().pipe_names
    assert names.index("ner") < names.index("opskg_gazetteer") < names.index("opskg_names") \
        < names.index("opskg_places")


# --- opskg_gazetteer --------------------------------------------------------------------------


@pytest.mark.parametrize("alias", ["Desert Supporters Movement", "desert supporters movement",
                                   "DESERT SUPPORTERS MOVEMENT", "Desert supporters Movement"])
def test_multi_word_org_alias_matches_whatever_the_case(alias: str) -> None:
    doc = parse(f"Fighters of the {alias} attacked a checkpoint on Tuesday.")
    span = entity(doc, alias)
    assert span is not None, describe(doc)
    assert span.label_ == "ORG"
    assert span._.opskg_canonical == "org:Harakat Ansar al-Sahra"
    assert span._.opskg_kind == "armed_group"


def test_short_acronym_matches_only_in_capitals() -> None:
    doc = parse("HAS fighters attacked a checkpoint near the border on Tuesday.")
    span = entity(doc, "HAS")
    assert span is not None and span._.opskg_canonical == "org:Harakat Ansar al-Sahra", describe(doc)
    for text, word in [("The commander has said that the raid was a success.", "has"),
                       ("Has the raid ended, officials asked on Tuesday.", "Has")]:
        doc = parse(text)
        assert not covering(doc, word), describe(doc)


@pytest.mark.parametrize(("text", "word", "canonical"), [
    ("Gunmen attacked Summit on Monday.", "Summit", "place:Summit"),
    ("Officials said Delta carried out the raid.", "Delta", "org:Delta Force"),
])
def test_single_word_name_matches_as_a_proper_noun(text: str, word: str, canonical: str) -> None:
    doc = parse(text)
    span = entity(doc, word)
    assert span is not None and span._.opskg_canonical == canonical, describe(doc)


@pytest.mark.parametrize(("text", "word"), [
    ("Summit talks collapsed on Monday.", "Summit"),  # sentence-initial common noun
    ("The river delta was flooded after the storm.", "delta"),
])
def test_single_word_name_not_matched_as_a_common_noun(text: str, word: str) -> None:
    doc = parse(text)
    assert not [e for e in covering(doc, word) if e._.opskg_canonical], describe(doc)


@pytest.mark.parametrize(("text", "canonical", "kind"), [
    ("Gunmen attacked a convoy in Saren on Friday, officials said.", "place:Saren Governorate", "province"),
    ("The governor of Saren visited the wounded on Friday.", "place:Saren Governorate", "province"),
    ("Gunmen attacked a convoy in the city of Saren on Friday, officials said.", "place:Saren", "city"),
    ("Gunmen attacked a convoy in Saren city on Friday, officials said.", "place:Saren", "city"),
])
def test_bare_name_of_province_and_capital(text: str, canonical: str, kind: str) -> None:
    """"Saren" names both the province "Saren Governorate" and its capital: the province unless the text says city."""
    doc = parse(text)
    span = entity(doc, "Saren")
    assert span is not None, describe(doc)
    assert (span._.opskg_canonical, span._.opskg_kind) == (canonical, kind)


def test_town_of_a_country_the_article_does_not_mention_is_not_linked() -> None:
    doc = parse("Police in Brennick arrested two men, Northland officials said.")
    assert entity(doc, "Northland") is not None, describe(doc)
    assert not [e for e in covering(doc, "Brennick") if e._.opskg_canonical], describe(doc)


@pytest.mark.parametrize("text", [
    "Police in Brennick arrested two men on Monday.",  # no country named at all
    "Police in Brennick arrested two men, officials in Ostania and Northland said.",  # its country is named
])
def test_town_is_linked_when_no_country_or_its_own_is_mentioned(text: str) -> None:
    doc = parse(text)
    span = entity(doc, "Brennick")
    assert span is not None and span._.opskg_canonical == "place:Brennick", describe(doc)
    assert span._.opskg_kind == "town"


# --- opskg_names ------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "name", "model_says"), [
    ("Officials said Abu Yahya al-Tikriti had fled the village.", "Abu Yahya al-Tikriti",
     [("Abu Yahya al-Tikriti", "ORG")]),
    ("Officials said Abu Yahya al-Tikriti had fled the village.", "Abu Yahya al-Tikriti",
     [("Abu Yahya al-Tikriti", "NORP")]),
    ("Officials said Abu Yahya al-Tikriti had fled the village.", "Abu Yahya al-Tikriti",
     [("Abu Yahya", "NORP"), ("al-Tikriti", "PERSON")]),
    ("Officials said Abu ‘Amr had fled the village.", "Abu ‘Amr", [("Abu ‘Amr", "ORG")]),
    ("Officials said Umm Zubayda had fled the village.", "Umm Zubayda", [("Umm Zubayda", "NORP")]),
    ("Officials said Umm Zubayda had fled the village.", "Umm Zubayda", []),
])
def test_kunya_is_one_person_whatever_the_model_said(text: str, name: str, model_says: list[tuple[str, str]]) -> None:
    doc = parse_with_labels(text, model_says)
    spans = covering(doc, name)
    assert [(s.text, s.label_) for s in spans] == [(name, "PERSON")], describe(doc)


def test_kunya_found_by_the_whole_pipeline() -> None:
    doc = parse("Umm Zubayda was detained by the forces on Sunday.")
    assert [(s.text, s.label_) for s in covering(doc, "Umm Zubayda")] == [("Umm Zubayda", "PERSON")], describe(doc)


@pytest.mark.parametrize(("text", "model_says", "full"), [
    ("Forces detained Jassem Wahid al-Dulaimi on Monday.", [("Wahid al-Dulaimi", "PERSON")],
     "Jassem Wahid al-Dulaimi"),
    ("Forces detained Jassem Wahid al-Dulaimi on Monday.", [("Jassem", "NORP"), ("Wahid al-Dulaimi", "PERSON")],
     "Jassem Wahid al-Dulaimi"),
    ("Forces detained Omar Khalil al-Jubouri on Monday.", [("Omar Khalil", "PERSON")], "Omar Khalil al-Jubouri"),
    # a first name the model took for an unknown place
    ("A strike killed Zubair Karim Haddad al-Marzini, officials said.",
     [("Zubair", "GPE"), ("Karim Haddad al-Marzini", "PERSON")], "Zubair Karim Haddad al-Marzini"),
])
def test_name_parts_the_model_split_off_are_joined_back(text: str, model_says: list[tuple[str, str]],
                                                        full: str) -> None:
    doc = parse_with_labels(text, model_says)
    assert [(s.text, s.label_) for s in covering(doc, full)] == [(full, "PERSON")], describe(doc)


def test_given_name_at_sentence_start_is_joined_back() -> None:
    doc = parse_with_labels("Jassem Wahid al-Dulaimi was detained on Monday.", [("Wahid al-Dulaimi", "PERSON")])
    assert [(s.text, s.label_) for s in covering(doc, "Jassem Wahid al-Dulaimi")] == \
        [("Jassem Wahid al-Dulaimi", "PERSON")], describe(doc)


@pytest.mark.parametrize(("text", "model_span", "name"), [
    ("Colonel Ann Tull said the raid was over.", "Colonel Ann Tull", "Ann Tull"),
    ("Reporters said General Ruth Abernathy was there.", "General Ruth Abernathy", "Ruth Abernathy"),
    ("Reporters said President Daniel Okafor was there.", "President Daniel Okafor", "Daniel Okafor"),
    ("Lieutenant General Mark Halloran said the raid was over.", "Lieutenant General Mark Halloran", "Mark Halloran"),
])
def test_titles_are_trimmed_from_person_spans(text: str, model_span: str, name: str) -> None:
    doc = parse_with_labels(text, [(model_span, "PERSON")])
    assert [(s.text, s.label_) for s in covering(doc, model_span)] == [(name, "PERSON")], describe(doc)


def test_titles_are_not_part_of_person_spans_in_the_whole_pipeline() -> None:
    doc = parse("Eastern Command spokesman Colonel Ann Tull said General Ruth Abernathy approved the raid.")
    people = [e.text for e in doc.ents if e.label_ == "PERSON"]
    assert people == ["Ann Tull", "Ruth Abernathy"], describe(doc)


@pytest.mark.parametrize("model_says", [[("Abu Zahra", "PERSON")], [("Abu Zahra", "ORG")], []])
def test_known_place_starting_with_abu_stays_a_place(model_says: list[tuple[str, str]]) -> None:
    doc = parse_with_labels("Gunmen attacked Abu Zahra on Sunday night.", model_says)
    span = entity(doc, "Abu Zahra")
    assert span is not None and span.label_ == "GPE", describe(doc)
    assert (span._.opskg_canonical, span._.opskg_kind) == ("place:Abu Zahra", "city")


def test_unknown_abu_name_in_the_same_place_is_a_person() -> None:
    """The control for the test above: without the gazetteer entry, "Abu X" is a kunya."""
    doc = parse_with_labels("Gunmen attacked Abu Zahir on Sunday night.", [("Abu Zahir", "GPE")])
    assert [(s.text, s.label_) for s in covering(doc, "Abu Zahir")] == [("Abu Zahir", "PERSON")], describe(doc)


# --- opskg_places -----------------------------------------------------------------------------


@pytest.mark.parametrize("model_label", ["PERSON", "ORG", "FAC", None])
@pytest.mark.parametrize(("text", "name", "kind"), [
    ("Troops raided the village of Khirbat Mansour on Monday.", "Khirbat Mansour", "village"),
    ("The strike hit the town of Jisr Nawra, Kelbar province, on Monday.", "Jisr Nawra", "town"),
    ("Gunmen shelled the district of Bab Sharqi on Sunday.", "Bab Sharqi", "district"),
    ("Clashes erupted in Wadi Rimah province on Sunday.", "Wadi Rimah", "province"),
    ("Clashes erupted in Wadi Rimah governorate on Sunday.", "Wadi Rimah", "province"),
    ("The strike hit the town of Jisr Nawra, Kelbar province, on Monday.", "Kelbar", "province"),
])
def test_place_phrases_make_a_place_of_the_right_kind(text: str, name: str, kind: str,
                                                      model_label: str | None) -> None:
    doc = parse_with_labels(text, [(name, model_label)] if model_label else [])
    spans = covering(doc, name)
    assert [(s.text, s.label_, s._.opskg_kind) for s in spans] == [(name, "GPE", kind)], describe(doc)


@pytest.mark.parametrize("model_label", ["PERSON", None])
@pytest.mark.parametrize("text", [
    "The convoy was ambushed near Khirbat Mansour on Sunday.",
    "The convoy was ambushed south of Khirbat Mansour on Sunday.",
    "Militants fled north-west of Khirbat Mansour after the raid.",
])
def test_direction_phrases_make_a_place(text: str, model_label: str | None) -> None:
    doc = parse_with_labels(text, [("Khirbat Mansour", model_label)] if model_label else [])
    spans = covering(doc, "Khirbat Mansour")
    assert [(s.text, s.label_) for s in spans] == [("Khirbat Mansour", "GPE")], describe(doc)


def test_direction_phrase_keeps_the_gazetteer_kind() -> None:
    doc = parse("The convoy was ambushed northeast of Dumayr on Sunday.")
    span = entity(doc, "Dumayr")
    assert span is not None and (span._.opskg_kind, span._.opskg_canonical) == ("city", "place:Dumayr"), describe(doc)


def test_province_phrase_on_a_capital_name_gives_the_province() -> None:
    doc = parse("Clashes erupted in Saren province on Sunday.")
    span = entity(doc, "Saren")
    assert span is not None, describe(doc)
    assert (span._.opskg_kind, span._.opskg_canonical) == ("province", "place:Saren Governorate")


def test_direction_phrase_makes_a_place_of_a_name_the_model_called_org() -> None:
    doc = parse_with_labels("The convoy was ambushed near Bir Hadla on Sunday.", [("Bir Hadla", "ORG")])
    assert [(s.text, s.label_) for s in covering(doc, "Bir Hadla")] == [("Bir Hadla", "GPE")], describe(doc)


@pytest.mark.parametrize(("text", "org", "canonical"), [
    ("He was killed near Harakat Ansar al-Sahra positions on Monday.", "Harakat Ansar al-Sahra",
     "org:Harakat Ansar al-Sahra"),
    ("The raid near the Northern Front headquarters killed two guards.", "the Northern Front", "org:Northern Front"),
    ("The strike hit south of Delta positions on Monday.", "Delta", "org:Delta Force"),
])
def test_known_organization_after_a_place_phrase_stays_an_organization(text: str, org: str, canonical: str) -> None:
    doc = parse(text)
    span = entity(doc, org)
    assert span is not None and span.label_ == "ORG" and span._.opskg_canonical == canonical, describe(doc)


@pytest.mark.parametrize(("text", "canonical"), [
    ("Clashes erupted in Saren Governorate on Sunday.", "place:Saren Governorate"),
    ("Clashes erupted in Velmar Province on Sunday.", "place:Velmar"),
    ("Clashes erupted in Korvath Governorate on Sunday.", "place:Korvath"),
])
def test_province_named_with_its_suffix_keeps_its_gazetteer_entry(text: str, canonical: str) -> None:
    doc = parse(text)
    linked = [(e._.opskg_kind, e._.opskg_canonical) for e in doc.ents if e.label_ == "GPE"]
    assert linked == [("province", canonical)], describe(doc)


@pytest.mark.parametrize("text", [
    "The province has seen heavy fighting since January.",
    "The camp houses about 4,000 people.",
    "The district was placed under curfew on Monday.",
])
def test_sentence_initial_the_before_a_place_noun_is_no_place(text: str) -> None:
    doc = parse(text)
    assert not covering(doc, "The"), describe(doc)


@pytest.mark.parametrize(("text", "name", "model_span"), [
    ("The strike near Abu Yahya al-Tikriti's hideout killed two guards.", "Abu Yahya al-Tikriti",
     "Abu Yahya al-Tikriti's"),
    ("They met near Omar Khalil al-Jubouri's house on Monday.", "Omar Khalil al-Jubouri", "Omar Khalil al-Jubouri's"),
])
def test_person_with_possessive_after_near_stays_a_person(text: str, name: str, model_span: str) -> None:
    doc = parse_with_labels(text, [(model_span, "PERSON")])
    assert [(s.text, s.label_) for s in covering(doc, name)] == [(name, "PERSON")], describe(doc)


def test_an_unknown_place_after_a_locative_is_not_joined_to_the_next_name() -> None:
    doc = parse_with_labels("Gunmen in Qasr Banat Karim Haddad said they fled.",
                            [("Qasr Banat", "GPE"), ("Karim Haddad", "PERSON")])
    assert [(s.text, s.label_) for s in covering(doc, "Karim Haddad")] == [("Karim Haddad", "PERSON")], describe(doc)


def test_a_known_place_is_not_joined_to_the_next_name() -> None:
    doc = parse_with_labels("A strike killed Dumayr Karim Haddad, officials said.",
                            [("Dumayr", "GPE"), ("Karim Haddad", "PERSON")])
    assert [(s.text, s.label_) for s in covering(doc, "Karim Haddad")] == [("Karim Haddad", "PERSON")], describe(doc)


def test_a_place_name_led_by_a_nationality_word_is_one_place() -> None:
    doc = parse_with_labels("Protesters gathered in Ostanian Wells on Sunday.",
                            [("Ostanian", "NORP"), ("Wells", "GPE")])
    assert [(s.text, s.label_) for s in covering(doc, "Ostanian Wells")] == [("Ostanian Wells", "GPE")], describe(doc)


def test_an_abbreviated_state_before_a_name_stays_out_of_it() -> None:
    doc = parse_with_labels("Reporters in Kelbar, Ore. Haddad told them the vote was over.",
                            [("Ore.", "GPE"), ("Haddad", "PERSON")])
    assert [(s.text, s.label_) for s in covering(doc, "Haddad")] == [("Haddad", "PERSON")], describe(doc)


@pytest.mark.parametrize("locative", ["across", "towards", "via", "through"])
def test_an_unknown_place_after_a_movement_word_is_not_joined_to_the_next_name(locative: str) -> None:
    doc = parse_with_labels(f"Fighters moved {locative} Qasrin Karim Haddad said.",
                            [("Qasrin", "GPE"), ("Karim Haddad", "PERSON")])
    assert [(s.text, s.label_) for s in covering(doc, "Karim Haddad")] == [("Karim Haddad", "PERSON")], describe(doc)
