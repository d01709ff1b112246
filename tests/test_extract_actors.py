"""Who carried an operation out (``ops:conductedBy``): the actor stage, on short invented sentences.

People, villages and groups are invented; countries and their forces come from the test gazetteer
(``tests/data/gazetteer/``), where, as in the shipped one, a country's armed forces may sit under a
government body: the US military under the Pentagon, the French and Turkish forces under ministries.
"""

from __future__ import annotations

import pytest

from kg import gazetteer as gaz
from kg.extract.actors import intelligence_service, national_force
from kg.gazetteer import demonyms
from tests.extraction_support import GAZETTEER_DIR
from tests.test_extract_events import events_in

# --- the gazetteer: which body stands for a state ----------------------------------------------


@pytest.fixture(scope="module")
def test_gazetteer() -> gaz.Gazetteer:
    return gaz.load(GAZETTEER_DIR)


@pytest.mark.parametrize(("country", "force"), [
    ("United States", "US military"),  # under the Pentagon, a government body: still the top military
    ("France", "French Armed Forces"),  # under a ministry
    ("Israel", "Israel Defense Forces"),  # not its air force, a branch of it
    ("Turkey", "Turkish Armed Forces"),
    ("Kenya", "Kenya Defence Forces"),
    ("Northland", "Northland Armed Forces"),
    ("Mauritania", None),
])
def test_national_force(test_gazetteer: gaz.Gazetteer, country: str, force: str | None) -> None:
    found = national_force(test_gazetteer, country)
    assert (found.name if found else None) == force


@pytest.mark.parametrize(("country", "service"), [
    ("Turkey", "National Intelligence Organization"),  # known as "Turkish intelligence"
    ("United States", "CIA"),  # known as the Central Intelligence Agency
    ("France", None),
])
def test_intelligence_service(test_gazetteer: gaz.Gazetteer, country: str, service: str | None) -> None:
    found = intelligence_service(test_gazetteer, country)
    assert (found.name if found else None) == service


@pytest.mark.parametrize(("country", "force"), [
    ("United States", "US military"), ("Turkey", "Turkish Armed Forces"), ("Russia", "Russian Armed Forces"),
    ("France", "French Armed Forces"), ("United Kingdom", "British Armed Forces"), ("Iraq", "Iraqi Security Forces"),
    ("Israel", "Israel Defense Forces"), ("Iran", "Iranian Armed Forces"), ("Somalia", "Somali National Army"),
    ("Nigeria", "Nigerian Armed Forces"), ("Kenya", "Kenya Defence Forces"), ("Pakistan", "Pakistan Armed Forces"),
    ("Syria", "Syrian Arab Army"), ("Egypt", "Egyptian Armed Forces"), ("Jordan", "Jordanian Armed Forces"),
    ("Saudi Arabia", "Saudi Arabian Armed Forces"), ("United Arab Emirates", "UAE Armed Forces"),
    ("Mali", "Malian Armed Forces"), ("Niger", "Niger Armed Forces"), ("Burkina Faso", "Burkina Faso Armed Forces"),
])
def test_the_shipped_gazetteer_knows_the_forces_of_many_states(country: str, force: str) -> None:
    found = national_force(gaz.default(), country)
    assert found is not None and found.name == force


def test_every_state_with_a_demonym_has_its_forces() -> None:
    """"A <demonym> strike" always finds an actor (Palestine has no state army)."""
    states = set(demonyms().values()) - {"Palestine"}
    assert len(states) > 60
    assert sorted(c for c in states if national_force(gaz.default(), c) is None) == []


# --- where the actor stands --------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize(("text", "actor"), [
    # the bug: the US military sits under the Pentagon, and "a US strike" found no one
    ("A US strike killed Nabil Osman near Marzin on Thursday.", "US military"),
    ("Nabil Osman was killed in a U.S. drone strike near Marzin on Thursday.", "US military"),
    # a demonym that is no entity: the state's armed forces
    ("An Israeli airstrike killed Nabil Osman near Marzin on Thursday.", "Israel Defense Forces"),
    ("Nabil Osman died in a Kenyan drone strike near Marzin on Thursday.", "Kenya Defence Forces"),
    # a demonym with a force noun, as subject or agent
    ("French military forces killed Nabil Osman in a raid near Marzin on Thursday.", "French Armed Forces"),
    ("Israeli jets struck a house in Marzin on Thursday, and the strike killed Nabil Osman.", "Israel Defense Forces"),
    ("Nabil Osman was killed by Kenyan troops in a raid near Marzin on Thursday.", "Kenya Defence Forces"),
    # a country's intelligence service
    ("Turkish intelligence killed Nabil Osman in an operation near Marzin on Thursday.",
     "National Intelligence Organization"),
    # a subject shared with a conjunct or a participle
    ("Delta Force troops attacked and killed Nabil Osman in a raid near Marzin on Thursday.", "Delta Force"),
    ("The US military struck back on Thursday, launching a drone strike near Marzin that killed Nabil Osman.",
     "US military"),
    # the speaker who says it did it
    ("The Israeli army said on Thursday that it killed Nabil Osman in an airstrike near Marzin.",
     "Israel Defense Forces"),
    ("Eastern Command said its forces killed Nabil Osman in a raid near Marzin on Thursday.", "Eastern Command"),
    ("Israel said on Thursday it had killed Nabil Osman in a strike near Marzin.", "Israel Defense Forces"),
    ("Kenya's military said its aircraft struck and killed Nabil Osman in an airstrike near Marzin on Thursday.",
     "Kenya Defence Forces"),
    ("The US military on Thursday confirmed it killed Nabil Osman with an airstrike near Marzin.", "US military"),
    ("Turkey's intelligence agency said its agents killed Nabil Osman in an operation near Marzin on Thursday.",
     "National Intelligence Organization"),
    ("A US drone strike after months of intelligence gathering killed Nabil Osman near Marzin on Thursday.",
     "US military"),
    # a state's forces named through the possessive, as an agent
    ("Nabil Osman was killed in a raid by France's special forces near Marzin on Thursday.", "French Armed Forces"),
    # a speaker that reports another's strike is not its actor
    ("Northland's intelligence agency said a US airstrike killed Nabil Osman near Marzin on Thursday.",
     "US military"),
])
def test_actor(text: str, actor: str) -> None:
    e = events_in(text)
    op = e.only()
    assert e.actors(op) == {actor}, e.describe()
    assert e.participants("killedIn", op) == {"Nabil Osman"}


@pytest.mark.slow
@pytest.mark.parametrize(("text", "actors"), [
    ("Nabil Osman was killed in a joint US-French operation near Marzin on Thursday.",
     {"US military", "French Armed Forces"}),
    ("Nabil Osman was killed in a joint operation by American and French forces near Marzin on Thursday.",
     {"US military", "French Armed Forces"}),
    ("A helicopter raid with US troops and Northland Armed Forces killed Nabil Osman in Marzin on Thursday.",
     {"US military", "Northland Armed Forces"}),
    ("In coordination with the Interior Ministry, Eastern Command conducted a strike near Marzin on Thursday "
     "that killed Nabil Osman.", {"Eastern Command", "Interior Ministry"}),
])
def test_several_actors(text: str, actors: set[str]) -> None:
    e = events_in(text)
    op = e.only()
    assert e.actors(op) == actors, e.describe()


@pytest.mark.slow
def test_his_countrys_intelligence_is_the_speakers_states() -> None:
    e = events_in("The Turkish president said on Thursday that his country's intelligence services had killed "
                  "Nabil Osman in an operation near Marzin.")
    assert e.actors(e.only()) == {"National Intelligence Organization"}, e.describe()


@pytest.mark.slow
@pytest.mark.parametrize("text", [
    # the speaker only reports
    ("Reuters said a drone strike killed Nabil Osman near Marzin on Thursday."),
    ("US officials said a drone strike killed Nabil Osman near Marzin on Thursday."),
    ("The Pentagon said the strike hit a car near Marzin on Thursday, killing Nabil Osman."),
    # a country named as a noun before the trigger is where, not who
    ("A Kenya drone strike killed Nabil Osman in Brennick on Thursday."),
    # negated, denied
    ("Northland Armed Forces did not carry out the strike that killed Nabil Osman near Marzin on Thursday."),
    # intelligence work that fed a raid did not carry it out
    ("A raid killed Nabil Osman in Marzin on Thursday after a CIA intelligence collection operation."),
    # an armed group's member killed in the raid is no actor
    ("A Northern Front commander, Nabil Osman, was killed in a raid in Marzin on Thursday."),
])
def test_no_actor(text: str) -> None:
    e = events_in(text)
    assert e.operations, e.describe()
    assert all(not e.actors(op) for op in e.operations), e.describe()


@pytest.mark.slow
def test_a_rival_groups_fighters_carried_it_out() -> None:
    e = events_in("Northern Front fighters killed Nabil Osman, a Harakat Ansar al-Sahra commander, in a raid "
                  "near Marzin on Thursday.")
    assert e.actors(e.only()) == {"Northern Front"}, e.describe()


@pytest.mark.slow
@pytest.mark.parametrize(("text", "actor", "certainty"), [
    ("A suspected Israeli drone strike killed Nabil Osman near Marzin on Thursday.", "Israel Defense Forces", 0.6),
    ("Israel is believed to have carried out the strike that killed Nabil Osman near Marzin on Thursday.",
     "Israel Defense Forces", 0.6),
    ("The Israeli army said it may have killed Nabil Osman in a strike near Marzin on Thursday.",
     "Israel Defense Forces", 0.6),
    ("The Israeli army said it killed Nabil Osman in a strike near Marzin on Thursday.", "Israel Defense Forces", 1.0),
])
def test_a_supposed_actor_is_credited_with_less_certainty(text: str, actor: str, certainty: float) -> None:
    e = events_in(text)
    op = e.only()
    assert e.actors(op) == {actor}, e.describe()
    assert [f.certainty for f in e.facts("conductedBy", op)] == [certainty]


@pytest.mark.slow
def test_a_strike_verb_does_not_credit_an_operation_of_another_time() -> None:
    e = events_in("Israeli jets struck a house in Marzin on Tuesday, a day after a raid killed Nabil Osman in "
                  "Kafr Selim.")
    raids = [op for op in e.operations if e.participants("killedIn", op) == {"Nabil Osman"}]
    assert len(raids) == 1, e.describe()
    assert e.actors(raids[0]) == set(), e.describe()
