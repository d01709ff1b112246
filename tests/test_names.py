"""Name normalisation and matching: unit cases and properties (names are not the seeds')."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kg.names import (
    SINGLE_WORD_CAP,
    compound_words,
    entity_key,
    fold,
    name_words,
    parse_person,
    part_match,
    person_match,
    skeleton,
    strip_possessive,
    vowel_form,
    words_match,
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


@pytest.mark.parametrize(("one", "other"), [
    ("Ayman al-Zamili", "Ayman al-Jamili"),            # z / j under Arabic-name grammar
    ("Abu Yasin al-Gomani", "Abu Yasin al-Jumani"),     # g / j
    ("Khalid al-Jawlani", "Khaled al-Julani"),          # aw / u
    ("Abdelkarim al-Tikriti", "Abdul Karim al-Tikriti"),  # a compound given name written apart
    ("Mokhtar Belkacem", "Mukhtar Belkacem"),
    ("Qassem Haddad", "Kassem Haddad"),
])
def test_transliteration_variants_match(one: str, other: str) -> None:
    assert match(one, other) >= 0.85


def test_consonant_swaps_only_under_arabic_name_grammar() -> None:
    assert part_match("Golani", "Julani", arabic=True) >= 0.8
    assert part_match("Golani", "Julani") == 0.0
    assert match("John Gordon", "John Jordan") == 0.0


def test_compass_words_never_match() -> None:
    assert part_match("northeastern", "northwestern") == 0.0
    assert part_match("southeastern", "southwestern", arabic=True) == 0.0
    assert part_match("Associate", "Associated") >= 0.8  # one slip in a long word


def test_compound_words_and_name_words() -> None:
    assert compound_words(["izz", "ad", "din", "al", "qassim"]) == ["izzaddin", "al", "qassim"]
    assert compound_words(["abd", "al", "karim"]) == ["abdalkarim"]
    assert name_words("Saif ad-Din Brigades") == ["saifaddin", "brigade"]
    assert words_match(name_words("Saifaddin Brigades"), name_words("Saif ad-Din Brigade")) >= 0.8


def test_a_surname_in_a_nasab() -> None:
    assert parse_person("Hamza bin Tahir").surname == "tahir"
    assert match("bin Tahir", "Hamza bin Tahir") == SINGLE_WORD_CAP
