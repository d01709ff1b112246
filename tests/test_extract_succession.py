"""Succession statements read from invented sentences: who followed whom, directly or not."""

from __future__ import annotations

import pytest

from kg.extract import extract
from kg.model import Article, EntityRef, Extraction
from tests.extraction_support import gazetteer, parse

pytestmark = pytest.mark.slow


def read(text: str) -> Extraction:
    return extract(parse(text), Article("t", text, "t"), gazetteer())


def links(text: str) -> set[tuple[str, str, str]]:
    """(later holder, follows / comesAfter, earlier holder), by person key."""
    x = read(text)
    holder = {f.subject: f.object for f in x.facts if f.predicate == "holder"}

    def name(tenure: EntityRef | str) -> str:
        person = holder[tenure] if isinstance(tenure, EntityRef) else None
        return person.key if isinstance(person, EntityRef) else "?"

    return {(name(f.subject), f.predicate, name(f.object)) for f in x.facts
            if f.predicate in ("follows", "comesAfter")}


def roles_of_links(text: str) -> set[str]:
    x = read(text)
    linked = {t for f in x.facts if f.predicate in ("follows", "comesAfter") for t in (f.subject, f.object)}
    return {f.object.key for f in x.facts if f.predicate == "ofRole" and f.subject in linked
            and isinstance(f.object, EntityRef)}


@pytest.mark.parametrize("text", [
    "On Friday Karim Haddad replaced Walid Sabbagh as head of the Northern Front.",
    "Walid Sabbagh was replaced by Karim Haddad as leader of the Northern Front.",
    "The Northern Front has named Karim Haddad to succeed Walid Sabbagh, who was killed last week.",
    "The Northern Front named Karim Haddad as its new emir after the death of Walid Sabbagh.",
    "The Northern Front has named Karim Haddad as successor to Walid Sabbagh, who died in an air strike.",
    "Walid Sabbagh's successor as leader of the Northern Front, Karim Haddad, vowed revenge.",
    "Karim Haddad took over the Northern Front after Walid Sabbagh was killed in 2015.",
    "Karim Haddad took over from Walid Sabbagh as leader of the Northern Front.",
    "Walid Sabbagh handed over the leadership of the Northern Front to his deputy, Karim Haddad.",
    "After the death of Walid Sabbagh, Karim Haddad became leader of the Northern Front.",
    "The Northern Front said Karim Haddad, who succeeded Walid Sabbagh in 2015, was unharmed.",
    "After the death of Walid Sabbagh, Karim Haddad was named leader of the Northern Front.",
    "Karim Haddad, the successor of Walid Sabbagh, addressed Northern Front fighters.",
    "Walid Sabbagh will be succeeded by his deputy, Karim Haddad, the Northern Front said.",
])
def test_direct_succession(text: str) -> None:
    assert links(text) == {("karim haddad", "follows", "walid sabbagh")}, text
    assert roles_of_links(text) == {"northern front leader"}, text


def test_the_new_caliph_after_a_death() -> None:
    text = ("Fighters of the Northern Front pledged allegiance to the new caliph, Tariq Nouri, after Walid Sabbagh "
            "was killed in a strike.")
    assert links(text) == {("tariq nouri", "follows", "walid sabbagh")}


def test_predecessors_came_before_not_necessarily_directly() -> None:
    text = ("Karim Haddad leads the Northern Front. His predecessors, Walid Sabbagh and Tariq Nouri, were both "
            "killed in drone strikes.")
    assert links(text) == {("karim haddad", "comesAfter", "walid sabbagh"),
                           ("karim haddad", "comesAfter", "tariq nouri")}


def test_a_new_holder_follows_the_one_the_article_reports_dead() -> None:
    text = ("The Northern Front confirmed the death of its leader, Walid Sabbagh, in a raid near Dumayr. "
            "Karim Haddad has been appointed as successor, a spokesman said.")
    assert links(text) == {("karim haddad", "follows", "walid sabbagh")}


def test_a_new_holder_with_two_possible_predecessors_follows_neither() -> None:
    text = ("Two Northern Front leaders, Walid Sabbagh and Tariq Nouri, were killed in March. "
            "The group named Karim Haddad as its new leader on Sunday.")
    assert links(text) == set()


def test_a_state_office_keeps_its_title() -> None:
    text = ("The prime minister of Ostania, Jamal Orfali, was killed in an air strike on Tuesday. "
            "Rami Khoury was named acting prime minister on Thursday.")
    assert links(text) == {("rami khoury", "follows", "jamal orfali")}
    assert all("prime minister" in r for r in roles_of_links(text))


def test_start_year_and_ordinal() -> None:
    x = read("Karim Haddad, who became leader of the Northern Front in 2015, gave a speech. "
             "He is the group's third leader.")
    facts = {(f.predicate, f.object) for f in x.facts if f.subject.cls == "Tenure"}
    assert ("startDate", "2015") in facts
    assert ("ordinal", "3") in facts


@pytest.mark.parametrize("text", [
    "Karim Haddad was long seen as a likely candidate to replace Walid Sabbagh as leader of the Northern Front.",
    "Analysts said Karim Haddad was expected to succeed Walid Sabbagh as head of the Northern Front.",
    "Karim Haddad may replace Walid Sabbagh as leader of the Northern Front.",
    "Karim Haddad did not replace Walid Sabbagh as leader of the Northern Front.",
    "Karim Haddad took over the Northern Front after a long dispute among its commanders.",
    "Karim Haddad, a spokesman for the Northern Front, said Walid Sabbagh had succeeded in escaping.",
    "Karim Haddad replaced Walid Sabbagh as the main arms supplier of the Northern Front.",
])
def test_no_succession(text: str) -> None:
    assert links(text) == set(), text


def test_the_reporter_is_not_whose_successor_it_is() -> None:
    text = ("The Northern Front said its leader Walid Sabbagh was killed. President Omar Farid announced the "
            "news on Monday. His successor, Karim Haddad, is a former judge.")
    assert ("karim haddad", "follows", "omar farid") not in links(text)
