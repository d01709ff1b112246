"""Slot filling (kg.extract.slots): an operation's place and date beyond the clause of its trigger.

Invented articles through the real pipeline. Every person and village is invented; known places come
from the test gazetteer (``tests/data/gazetteer/``): Marzin is a town and Kafr Selim a village of
Harzan province in Northland, Tell Ghazal a town of Velmar, Brennick a town of Ostania.
"""

from __future__ import annotations

import pytest

from kg.extract.slots import _DAY, belongs_elsewhere, in_other_clause, locative
from tests.extraction_support import parse
from tests.test_extract_events import Events, events_in

pytestmark = pytest.mark.slow

#: Tuesday 14 March 2023: "on Friday" is 10 March, "on Sunday" 12 March, "Thursday" 9 March.
TUESDAY = "2023-03-14"


def only_place(e: Events) -> list[tuple[str, str | None]]:
    return e.places(e.only())


def only_date(e: Events) -> list[tuple[str, str, str | None]]:
    return e.dates(e.only())


# --- place beyond the clause ---------------------------------------------------------------------


def test_a_place_elsewhere_in_the_sentence() -> None:
    """"In Marzin" hangs on the statement, not on the strike's clause: the sentence gives it."""
    e = events_in("In Marzin, residents said a drone strike killed Nabil Osman on Thursday.")
    assert only_place(e) == [("Marzin", None)], e.describe()


def test_a_place_in_the_next_sentence_of_the_paragraph() -> None:
    e = events_in("A drone strike killed Nabil Osman on Thursday. It hit a car near Kafr Selim, residents said.")
    assert only_place(e) == [("Kafr Selim", "near")], e.describe()


def test_no_place_from_the_next_paragraph() -> None:
    e = events_in("A drone strike killed Nabil Osman on Thursday.\n\nIt rained in Kafr Selim all week, residents said.")
    assert only_place(e) == [], e.describe()


def test_a_village_near_a_town() -> None:
    e = events_in("A drone strike hit a car in a village near Marzin on Thursday, killing Nabil Osman.")
    assert only_place(e) == [("Marzin", "near")], e.describe()


def test_at_his_hideout_in_a_town() -> None:
    e = events_in("A raid on Thursday killed Nabil Osman. He was killed by Northland troops at his hideout in "
                  "Marzin, officials said.")
    assert only_place(e) == [("Marzin", None)], e.describe()


@pytest.mark.parametrize("text", [
    "A US raid killed Nabil Osman, a commander suspected of plotting attacks in Marzin, officials said.",
    "A drone strike killed Nabil Osman, a leader of the Northern Front, which is based in Marzin.",
    "A drone strike killed Nabil Osman, a leader from Marzin, officials said.",
    "A drone strike killed Nabil Osman, who led the group in Marzin for years.",
])
def test_a_place_that_belongs_to_something_else(text: str) -> None:
    e = events_in(text)
    assert only_place(e) == [], e.describe()


def test_fleeing_from_the_house_in_a_town_is_where_it_happened() -> None:
    e = events_in("Officials said Nabil Osman was killed during the raid as he tried to flee from the house "
                  "in Marzin. The raid took place on Thursday.")
    assert ("Marzin", None) in only_place(e), e.describe()


def test_belongs_elsewhere_on_parses() -> None:
    doc = parse("The strike killed a man suspected of plotting attacks in Marzin.")
    marzin = next(t for t in doc if t.text == "Marzin")
    assert locative(marzin) == "in"
    assert belongs_elsewhere(marzin)
    doc = parse("The strike killed a man in Marzin.")
    assert not belongs_elsewhere(next(t for t in doc if t.text == "Marzin"))


# --- dateline and lede ---------------------------------------------------------------------------


def test_the_lede_under_the_dateline_places_and_dates_the_main_operation() -> None:
    text = ("KAFR SELIM, Northland (AP) — A blast shook a farmhouse in the village of Kafr Selim on Sunday "
            "night, residents said.\n\nThe Northland army said on Tuesday that its drone strike killed "
            "Nabil Osman.")
    e = events_in(text, published=TUESDAY)
    assert only_place(e) == [("Kafr Selim", None)], e.describe()
    assert only_date(e) == [("date", "2023-03-12", "date")], e.describe()


def test_the_dateline_alone_is_where_the_report_was_filed() -> None:
    e = events_in("MARZIN, Northland — The Northland army said on Tuesday that its drone strike killed Nabil "
                  "Osman.", published=TUESDAY)
    assert only_place(e) == [], e.describe()


# --- date beyond the clause ----------------------------------------------------------------------


def test_later_thursday_outside_the_trigger_s_clause() -> None:
    e = events_in("Later Thursday, Northland troops hit back, launching a raid that killed Nabil Osman near Marzin.",
                  published=TUESDAY)
    assert only_date(e) == [("date", "2023-03-09", "date")], e.describe()


def test_the_date_of_the_event_not_of_the_report() -> None:
    e = events_in("Officials said on Sunday that a drone strike on Friday killed Nabil Osman in Marzin.",
                  published=TUESDAY)
    assert only_date(e) == [("date", "2023-03-10", "date")], e.describe()


def test_a_day_in_the_next_sentence() -> None:
    e = events_in("A drone strike killed Nabil Osman near Marzin, officials said. It happened late on Sunday as "
                  "he left a mosque.", published=TUESDAY)
    assert only_date(e) == [("date", "2023-03-12", "date")], e.describe()


def test_a_year_in_the_next_sentence_is_not_the_operation_s() -> None:
    e = events_in("A drone strike killed Nabil Osman near Marzin, officials said. He joined the group in 2015 "
                  "and rose quickly.", published=TUESDAY)
    assert only_date(e) == [], e.describe()


def test_a_date_in_a_relative_clause_of_something_else() -> None:
    e = events_in("A drone strike killed Nabil Osman near Marzin. The strike used a bomb that was first used in "
                  "2004.", published=TUESDAY)
    assert only_date(e) == [], e.describe()


def test_the_statement_date_stays_the_last_resort() -> None:
    e = events_in("The Northland army said on Sunday it killed Nabil Osman in a drone strike near Marzin.",
                  published=TUESDAY)
    assert only_date(e) == [("date", "2023-03-12", "date")], e.describe()


@pytest.mark.parametrize(("text", "day"), [
    ("late on Sunday", True), ("Wednesday night", True), ("on March 3", True), ("2 May", True),
    ("in 2019", False), ("last month", False), ("In February", False),
])
def test_what_names_a_day(text: str, day: bool) -> None:
    assert bool(_DAY.search(text)) is day


# --- another operation's date and place ----------------------------------------------------------


def test_a_recalled_raid_keeps_its_year_and_place() -> None:
    e = events_in("A raid killed Nabil Osman in Marzin on Thursday. Troops rehearsed it like the 2019 raid that "
                  "killed Karim Saleh in Kafr Selim.", published=TUESDAY)
    main = next(op for op in e.operations if "Nabil Osman" in e.participants("killedIn", op))
    assert e.places(main) == [("Marzin", None)], e.describe()
    assert e.dates(main) == [("date", "2023-03-09", "date")], e.describe()
    assert e.participants("killedIn", main) == {"Nabil Osman"}


def test_a_since_clause_tells_of_another_operation() -> None:
    e = events_in("A raid killed Nabil Osman in Harzan province on Thursday, the biggest blow to the group since "
                  "its founder was killed in a raid in Kafr Selim in 2019.", published=TUESDAY)
    main = next(op for op in e.operations if "Nabil Osman" in e.participants("killedIn", op))
    assert e.places(main) == [("Harzan", None)], e.describe()
    assert e.dates(main) == [("date", "2023-03-09", "date")], e.describe()


def test_in_other_clause_on_a_parse() -> None:
    doc = parse("The strike used a bomb that was first used in 2004.")
    year = next(t for t in doc if t.text == "2004")
    strike = next(t for t in doc if t.text == "strike")
    assert in_other_clause(year, [strike])
    assert not in_other_clause(next(t for t in doc if t.text == "bomb"), [strike])


# --- a retelling without the trigger -------------------------------------------------------------


def test_a_sentence_that_retells_the_strike_on_its_target() -> None:
    """"struck ... targeting X" names no trigger, but strikes at the operation's participant."""
    text = ("Northern Front commander Nabil Osman was killed in a drone strike, the group said on Tuesday.\n\n"
            "Officials gave no other detail.\n\n"
            "Yesterday, around dawn, the army struck the Kafr Selim area in Harzan province, targeting Osman.")
    e = events_in(text, published=TUESDAY)
    assert only_place(e) == [("Kafr Selim", None)], e.describe()
    assert only_date(e) == [("date", "2023-03-13", "date")], e.describe()


def test_the_object_of_a_striking_verb_is_a_place() -> None:
    doc = parse("The army struck Marzin at dawn.")
    assert locative(next(t for t in doc if t.text == "Marzin")) == "in"


def test_the_house_targeted_in_a_town_places_the_main_operation() -> None:
    text = ("Officials said a raid killed Nabil Osman on Thursday.\n\nThe army gave no detail.\n\n"
            "The president said the house targeted overnight in the town of Marzin had children inside.")
    e = events_in(text, published=TUESDAY)
    assert only_place(e) == [("Marzin", None)], e.describe()


def test_a_night_is_a_day_in_the_trigger_s_clause() -> None:
    """The model calls "Wednesday night" a time: it still dates the raid."""
    e = events_in("A raid on a farm near Marzin on Wednesday night killed Nabil Osman, officials said.",
                  published=TUESDAY)
    assert only_date(e) == [("date", "2023-03-08", "date")], e.describe()


def test_in_the_capital_named_after_it() -> None:
    e = events_in("A drone strike in the Northland capital Marzin killed Nabil Osman on Thursday.")
    assert only_place(e) == [("Marzin", None)], e.describe()


def test_a_report_in_a_town_of_the_operation_s_province_is_the_same_operation() -> None:
    """Finding the town must not split the operation: "a drone strike in Marzin" retells the one in Harzan."""
    e = events_in("Nabil Osman was killed in a drone strike in Harzan province over the weekend, officials said. "
                  "One official said the army carried out a drone strike in the Harzan capital Marzin on Sunday.",
                  published=TUESDAY)
    op = e.only()
    assert ("Marzin", None) in e.places(op), e.describe()
    assert e.dates(op) == [("date", "2023-03-12", "date")], e.describe()


def test_a_raid_dated_days_before_a_new_year_s_paper_is_the_news() -> None:
    """"On Dec. 30" in a paper of 2 January is the article's raid: "the raid" still refers to it."""
    e = events_in("On Dec. 30, 2022, a raid killed Nabil Osman in Marzin. The raid also wounded two guards.",
                  published="2023-01-02")
    op = e.only()
    assert e.dates(op) == [("date", "2022-12-30", "date")], e.describe()
    assert e.participants("woundedIn", op), e.describe()


def test_a_street_named_after_a_country_is_not_the_country() -> None:
    e = events_in("A drone strike hit a car on Ostania Street on Thursday, killing Nabil Osman.")
    assert only_place(e) == [], e.describe()


def test_the_new_trigger_bombardment() -> None:
    e = events_in("Nabil Osman was killed in an aerial bombardment near Marzin on Thursday, officials said.")
    assert e.only().kind == "AirStrike"
    assert only_place(e) == [("Marzin", "near")], e.describe()
