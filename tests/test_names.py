"""Name normalisation and matching: unit cases and properties (names are not the seeds')."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kg.names import (
    SINGLE_WORD_CAP,
    entity_key,
    fold,
    parse_person,
    part_match,
    person_match,
    skeleton,
    strip_possessive,
    vowel_form,
)


def match(a: str, b: str) -> float:
    return person_match(parse_person(a), parse_person(b))


def test_fold_and_keys() -> None:
    assert fold("Abu Mu’Ad al-Qa'ida") == "abu muad al qaida"
    assert entity_key("The Islamic State") == "islamic state"
    assert strip_possessive("Khalid al-Rawi's") == "Khalid al-Rawi"
    assert strip_possessive("ISIS’") == "ISIS"


def test_parse_arabic_name_parts() -> None:
    name = parse_person("Sheikh Abu Yahya al-Tamimi al-Dulaimi's")
    assert name.titles == ("sheikh",)
    assert name.kunya == "yahya"
    assert name.nisbas == ("tamimi", "dulaimi")
    assert name.surname == "dulaimi"
    assert parse_person("Abu al-Walid al-Masri").kunya == "walid"
    assert parse_person("Hamza bin Yusuf").nasab == ("yusuf",)


def test_parse_titles_and_nicknames() -> None:
    name = parse_person("Lieutenant General James “Mad Dog” Harlow")
    assert name.titles == ("lieutenant", "general")
    assert name.text == "James Harlow" and name.nicknames == ("Mad Dog",)
    assert parse_person('Major Ann "Rocky" Tull').nicknames == ("Rocky",)


@pytest.mark.parametrize(("a", "b"), [
    ("Abu Yahya al-Hashimi al-Tikriti", "Abu Yahya Al-Hashemi Al-Tikriti"),
    ("Abu Yahya al-Tikriti", "Abu Yahya al-Hashimi al-Tikriti"),
    ("Omar Khalil al-Juburi", "Omar Khalil al-Jubouri"),
    ("Fadil Mahmud al-Qurashi", "Fadil Mahmud al-Qurayshi"),
    ("Fadil Mahmud al-Quraishi", "Fadil Mahmud al-Qurashi"),
    ("Samir Hanna al-Shammari", "Samir Hanna al-Shammri"),
    ("General Paul Danner", "Paul Danner"),
    ("Ruth “Bee” Okafor", "Bee Okafor"),
])
def test_variants_of_one_person_match(a: str, b: str) -> None:
    assert match(a, b) >= 0.8


@pytest.mark.parametrize(("a", "b"), [
    ("Abu Yahya al-Hashimi al-Tikriti", "Abu Sulayman al-Hashimi al-Tikriti"),  # different kunya
    ("Abu Yahya al-Tikriti", "Abu Hamza al-Tikriti"),
    ("Joe Harlan", "Joe Mendes"),  # a shared given name only
    ("Ali", "Ala"),  # short parts must agree exactly
    ("Omar", "Omar Khalil al-Juburi"),  # a lone given name is not a surname
    ("Ahmad al-Rawi", "Khalid al-Rawi"),  # different given names, same nisba
])
def test_different_people_stay_apart(a: str, b: str) -> None:
    assert match(a, b) == 0.0


def test_lone_surname_is_capped() -> None:
    score = match("Tikriti", "Abu Yahya al-Hashimi al-Tikriti")
    assert 0 < score <= SINGLE_WORD_CAP


@pytest.mark.parametrize(("a", "b"), [("Atmeh", "Atme"), ("Hasakah", "Hassakeh"), ("Moluk", "Muluk"),
                                      ("Deir ez-Zor", "Deir ez-Zour")])
def test_place_variants_share_a_skeleton(a: str, b: str) -> None:
    assert skeleton(a.replace(" ", "")) == skeleton(b.replace(" ", ""))
    assert part_match(a.replace(" ", ""), b.replace(" ", "")) >= 0.8


# --- properties ---------------------------------------------------------------------------

ROOTS = st.sampled_from(["hashim", "tikrit", "jubur", "dulaim", "zubayd", "sammar", "kahtan", "baghdad",
                         "rawandi", "falluj", "mosul", "halab", "dimashk", "sharkat"])
KUNYAS = st.sampled_from(["yahya", "hamza", "sulayman", "walid", "bakr", "ibrahim", "hasan", "hafs", "umar"])


def _spell(root: str, style: int) -> str:
    """Spellings of one nisba the way different outlets write it."""
    base = root + "i"
    variants = [base.capitalize(), base.replace("i", "ee", 1).capitalize() if "i" in root else base.capitalize(),
                base.replace("u", "ou").capitalize(), base.replace("ay", "ai").capitalize()]
    return variants[style % len(variants)]


@given(ROOTS, KUNYAS, st.integers(0, 3), st.integers(0, 3), st.sampled_from(["al-", "Al-", "Al ", "el-"]))
def test_spelling_variants_of_one_name_normalise_together(root: str, kunya: str, s1: int, s2: int,
                                                          article: str) -> None:
    a = f"Abu {kunya.capitalize()} al-{_spell(root, s1)}"
    b = f"Abu {kunya.capitalize()} {article}{_spell(root, s2)}"
    assert match(a, b) >= 0.8


@given(ROOTS, KUNYAS, KUNYAS)
def test_two_different_kunyas_never_match(root: str, k1: str, k2: str) -> None:
    if vowel_form(k1) == vowel_form(k2):
        return
    assert match(f"Abu {k1.capitalize()} al-{root}i", f"Abu {k2.capitalize()} al-{root}i") == 0.0


@given(st.text(min_size=1, max_size=40))
def test_normalisers_are_total_and_idempotent(text: str) -> None:
    once = fold(text)
    assert fold(once) == once
    assert vowel_form(vowel_form(text)) == vowel_form(text) or vowel_form(text) == ""
    parse_person(text)  # never raises
