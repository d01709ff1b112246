"""What is not a name: page furniture, common vocabulary, repairs (invented examples, general vocabulary)."""

from __future__ import annotations

import pytest

from kg.nonnames import is_common, is_furniture, is_headline, is_non_name, repair, vocabulary


@pytest.mark.parametrize("text", [
    "Daily Courier Logo", "Home » World » Africa »", "Via Eastern Wire Service", "Getty Images",
    "Click here", "Photo credit",
])
def test_page_furniture(text: str) -> None:
    assert is_furniture(text)
    assert is_non_name(text)


@pytest.mark.parametrize("text", [
    "Paradise", "Allah", "Believers", "Quran", "Torah", "Mujahid", "Islam", "Caliph", "Brig",
    "Emir of the Faithful", "Supreme", "State", "Defense", "Justice", "National Security",
    "Foreign Terrorist Organization", "Katyusha", "Reapers", "UAVs", "Black Hawk", "F-16", "Druze", "BC", "Tensions",
    "Escalating Crisis",
])
def test_common_words_religion_weapons_designations_are_no_names(text: str) -> None:
    assert is_common(text)


@pytest.mark.parametrize("text", [
    "Islamic State", "Muslim Brotherhood", "Islamic Jihad", "Republican Guard", "Supreme Court of Northland",
    "National Security Council", "Abu Bakr al-Tikriti", "Hajj Mahmoud", "Fox News", "State Department",
])
def test_names_made_of_common_words_stay_names(text: str) -> None:
    assert not is_non_name(text)
    assert not is_non_name(text, person=True)


def test_headline_verbs_are_no_part_of_a_person_name() -> None:
    assert is_headline("Drone Strike Kills Rebel Commander")
    assert is_non_name("Raid Kills Senior Commander", person=True)
    assert not is_headline("Khalid al-Rawi")
    # a verb that is also a common Arabic name never drops a person
    assert not is_headline("Ahmed Said") and not is_non_name("Said al-Harbi", person=True)


@pytest.mark.parametrize(("broken", "name"), [
    ("al- Tikriti", "al-Tikriti"),
    ("Yusuf Hamdan al- Rifai", "Yusuf Hamdan al-Rifai"),
    ("Abu Saad al-Tamimi.[1", "Abu Saad al-Tamimi"),
    ("Abu Saad al-Tamimi[12]", "Abu Saad al-Tamimi"),
    ("KhalidRawi", "Khalid Rawi"),
    ("McKenzie", "McKenzie"),
    ("MacArthur", "MacArthur"),
    ("Abu Bakr al-Tikriti", "Abu Bakr al-Tikriti"),
])
def test_repair(broken: str, name: str) -> None:
    assert repair(broken) == name


def test_the_vocabulary_is_loaded_and_words_are_phrases_too() -> None:
    vocab = vocabulary()
    assert "paradise" in vocab.words and "paradise" in vocab.phrases
    assert "state" in vocab.phrases and "state" not in vocab.words
    assert "kills" in vocab.verbs
