"""Operations read from short invented articles: kinds, reference, participants, place, actor and date.

Every person, village and group here is invented; known places and organizations come from the test
gazetteer (``tests/data/gazetteer/``): Marzin is a town and Kafr Selim a village of Harzan province
in Northland, Northland Armed Forces is Northland's military, Mauritania has none.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from kg.extract import extract
from kg.model import Article, Entity, EntityRef, Extraction, Fact
from tests.extraction_support import gazetteer, parse

pytestmark = pytest.mark.slow

#: Friday 10 March 2023: the publication date of most articles below ("on Thursday" is 9 March).
PUBLISHED = "2023-03-10"
PARTICIPATION = ("killedIn", "targetedIn", "woundedIn", "detainedIn")


@dataclass
class Events:
    text: str
    extraction: Extraction

    @property
    def operations(self) -> list[Entity]:
        return [e for e in self.extraction.entities if e.ref.cls == "Operation"]

    def only(self) -> Entity:
        """The article's one operation."""
        assert len(self.operations) == 1, self.describe()
        return self.operations[0]

    def entity(self, ref: EntityRef) -> Entity:
        found = self.extraction.entity(ref)
        assert found is not None, ref
        return found

    def label(self, ref: EntityRef) -> str:
        """A person's name, or ``<description>`` for an unnamed participant."""
        entity = self.entity(ref)
        return entity.name or f"<{entity.attributes.get('description')}>"

    def facts(self, predicate: str, operation: Entity | None = None) -> list[Fact]:
        out = [f for f in self.extraction.facts if f.predicate == predicate]
        if operation is not None:
            out = [f for f in out if operation.ref in (f.subject, f.object)]
        return out

    def participants(self, predicate: str, operation: Entity | None = None) -> set[str]:
        """Who the article says was killed/targeted/wounded/detained in the operation."""
        return {self.label(f.subject) for f in self.facts(predicate, operation)}

    def places(self, operation: Entity) -> list[tuple[str, str | None]]:
        """(place name, qualifier) of each ``tookPlaceIn`` of the operation."""
        return [(self.entity(f.object).name, f.qualifier) for f in self.facts("tookPlaceIn", operation)
                if isinstance(f.object, EntityRef)]

    def actors(self, operation: Entity) -> set[str]:
        return {self.entity(f.object).name for f in self.facts("conductedBy", operation)
                if isinstance(f.object, EntityRef)}

    def dates(self, operation: Entity) -> list[tuple[str, str, str | None]]:
        """(predicate, value, datatype) of the operation's date or date expression."""
        return [(f.predicate, str(f.object), f.datatype) for f in self.extraction.facts
                if f.subject == operation.ref and f.predicate in ("date", "dateExpression")]

    def unnamed(self) -> list[Entity]:
        return [e for e in self.extraction.entities if e.ref.cls == "Person" and not e.name]

    def describe(self) -> list[tuple[str, str, str]]:
        """The facts, readable in an assertion message."""
        def show(x: EntityRef | str) -> str:
            if isinstance(x, str):
                return x
            entity = self.extraction.entity(x)
            return f"{x.cls}:{entity.name if entity and entity.name else x.key}"
        return [(show(f.subject), f.predicate, show(f.object)) for f in self.extraction.facts
                if f.predicate in (*PARTICIPATION, "tookPlaceIn", "conductedBy", "date", "dateExpression")]


def events_in(text: str, published: str | None = PUBLISHED, article_id: str = "events-test") -> Events:
    article = Article(id=article_id, text=text, source=f"{article_id}.txt", published=published)
    return Events(text, extract(parse(text), article, gazetteer()))


# --- kinds and reference ---------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "kind", "name"), [
    ("A drone strike killed Nabil Osman near Marzin on Thursday.", "DroneStrike", "drone strike"),
    ("A helicopter-borne raid killed Nabil Osman in Marzin on Thursday.", "HelicopterRaid", "helicopter-borne raid"),
    ("An airstrike killed Nabil Osman near Marzin on Thursday.", "AirStrike", "airstrike"),
    ("A precision strike killed Nabil Osman near Marzin on Thursday.", "AirStrike", "precision strike"),
    ("A raid killed Nabil Osman in Marzin on Thursday.", "Raid", "raid"),
    # airborne troops may come by helicopter or by parachute: only a raid is certain
    ("An airborne raid killed Nabil Osman in Marzin on Thursday.", "Raid", "airborne raid"),
])
def test_kind_from_the_trigger_and_its_modifiers(text: str, kind: str, name: str) -> None:
    e = events_in(text)
    op = e.only()
    assert (op.kind, op.name) == (kind, name)
    assert e.participants("killedIn", op) == {"Nabil Osman"}


def test_definite_mentions_refer_back_to_the_operation() -> None:
    e = events_in("Troops carried out a raid in Marzin on Thursday. The raid targeted Nabil Osman. "
                  "The operation also killed Tariq Salem.")
    op = e.only()
    assert op.kind == "Raid"
    assert e.participants("targetedIn", op) == {"Nabil Osman"}
    assert e.participants("killedIn", op) == {"Tariq Salem"}
    assert e.places(op) == [("Marzin", None)]
    assert e.dates(op) == [("date", "2023-03-09", "date")]


def test_the_strike_refers_back_to_a_drone_strike() -> None:
    e = events_in("A drone strike hit a car near Marzin on Thursday. The strike killed Nabil Osman.")
    op = e.only()
    assert op.kind == "DroneStrike"
    assert e.participants("killedIn", op) == {"Nabil Osman"}
    assert e.places(op) == [("Marzin", "near")]


def test_another_raid_is_a_new_operation() -> None:
    """Same town, nothing in conflict: only "another" says it is a second raid."""
    e = events_in("A raid in Marzin on Thursday killed Nabil Osman. Another raid in Marzin detained Tariq Salem.")
    assert len(e.operations) == 2, e.describe()
    first, second = e.operations
    assert (e.participants("killedIn", first), e.participants("detainedIn", first)) == ({"Nabil Osman"}, set())
    assert (e.participants("killedIn", second), e.participants("detainedIn", second)) == (set(), {"Tariq Salem"})
    assert e.places(first) == e.places(second) == [("Marzin", None)]
    assert e.dates(first) == [("date", "2023-03-09", "date")] and e.dates(second) == []
    # Without "another", the second indefinite report of a raid in the same town is the same raid.
    same = events_in("A raid in Marzin on Thursday killed Nabil Osman. A raid in Marzin detained Tariq Salem.")
    op = same.only()
    assert (same.participants("killedIn", op), same.participants("detainedIn", op)) == ({"Nabil Osman"},
                                                                                        {"Tariq Salem"})


def test_a_second_strike_elsewhere_is_a_new_operation() -> None:
    e = events_in("A drone strike killed Nabil Osman near Marzin on Thursday. "
                  "A second strike hit a car in Abu Zahra on Friday.")
    assert len(e.operations) == 2, e.describe()
    assert [e.places(op) for op in e.operations] == [[("Marzin", "near")], [("Abu Zahra", None)]]


def test_it_was_the_second_strike_is_the_same_strike() -> None:
    e = events_in("A drone strike killed Nabil Osman near Marzin on Thursday. "
                  "It was the second strike in the province this month.")
    op = e.only()
    assert e.dates(op) == [("date", "2023-03-09", "date")]


def test_two_reports_of_one_raid_in_an_article_are_merged() -> None:
    """An indefinite second report with the same village and the same dead is the same raid, and
    the finer kind it gives (helicopter-borne) wins."""
    e = events_in("A raid in Kafr Selim killed Nabil Osman on Thursday. Residents said the village had been "
                  "quiet for months. Osman was killed in a helicopter-borne raid in Kafr Selim, a Northland "
                  "army officer said.")
    op = e.only()
    assert op.kind == "HelicopterRaid"
    assert e.participants("killedIn", op) == {"Nabil Osman"}
    assert e.places(op) == [("Kafr Selim", None)]


def test_raids_in_different_towns_that_killed_different_people_stay_apart() -> None:
    e = events_in("A raid in Kafr Selim killed Nabil Osman on Thursday. "
                  "A raid in Marzin killed Tariq Salem on Wednesday.")
    assert len(e.operations) == 2, e.describe()
    by_place = {e.places(op)[0][0]: op for op in e.operations}
    assert e.participants("killedIn", by_place["Kafr Selim"]) == {"Nabil Osman"}
    assert e.participants("killedIn", by_place["Marzin"]) == {"Tariq Salem"}


# --- participants ------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "Troops killed Nabil Osman in a raid in Marzin on Thursday.",
    "Nabil Osman was killed in a raid in Marzin on Thursday.",
    "Nabil Osman died in a raid in Marzin on Thursday.",
    "Troops launched a raid on a house in Marzin on Thursday. Nabil Osman blew himself up during the raid.",
    "Troops launched a raid on a house in Marzin on Thursday. During the raid, Nabil Osman detonated a bomb "
    "that killed him.",
    "A raid in Marzin on Thursday led to the death of Nabil Osman, officials said.",
])
def test_killed(text: str) -> None:
    e = events_in(text)
    op = e.only()
    assert e.participants("killedIn", op) == {"Nabil Osman"}, e.describe()
    assert e.places(op) == [("Marzin", None)]
    assert all(f.certainty == 1.0 for f in e.facts("killedIn", op))


@pytest.mark.parametrize("text", [
    "A raid in Marzin on Thursday killed a Northland national known as Nabil Osman, officials said.",
    "A raid in Marzin on Thursday killed a man identified as Nabil Osman, officials said.",
])
def test_killed_person_named_by_a_description(text: str) -> None:
    e = events_in(text)
    op = e.only()
    assert e.participants("killedIn", op) == {"Nabil Osman"}, e.describe()
    assert e.unnamed() == []  # "a man identified as X" is X, not someone else


def test_a_militant_killed_is_the_target_with_less_certainty() -> None:
    """A named member of an armed group killed in an operation was (probably) its target; a bystander
    killed with him was not."""
    e = events_in("Northern Front commander Nabil Osman was killed in a raid in Marzin on Thursday. "
                  "The raid also killed Tariq Salem.")
    op = e.only()
    assert e.participants("killedIn", op) == {"Nabil Osman", "Tariq Salem"}
    [target] = e.facts("targetedIn", op)
    assert e.label(target.subject) == "Nabil Osman"
    assert 0 < target.certainty < 1


def test_killed_fact_is_evidenced_by_its_sentence() -> None:
    second = "Nabil Osman died in the raid, officials said."
    e = events_in(f"Troops launched a raid on a house in Marzin on Thursday. {second}")
    [fact] = e.facts("killedIn")
    assert e.text[fact.sentence.start:fact.sentence.end] == second


def test_targeting_is_not_killing() -> None:
    e = events_in("Troops carried out a raid targeting Nabil Osman in Marzin on Thursday.")
    op = e.only()
    assert e.participants("targetedIn", op) == {"Nabil Osman"}
    assert e.participants("killedIn", op) == set()


def test_the_raid_had_targeted_someone_other_than_the_dead() -> None:
    e = events_in("A raid in Marzin on Thursday killed Faris Jaber. "
                  "Officials later said the raid had targeted Nabil Osman.")
    op = e.only()
    assert e.participants("killedIn", op) == {"Faris Jaber"}
    assert e.participants("targetedIn", op) == {"Nabil Osman"}


def test_detained_and_wounded() -> None:
    e = events_in("Troops detained Nabil Osman in a raid in Marzin on Thursday. "
                  "Two civilians were wounded in the raid.")
    op = e.only()
    assert e.participants("detainedIn", op) == {"Nabil Osman"}
    assert e.participants("woundedIn", op) == {"<Two civilians>"}
    assert e.participants("killedIn", op) == set()
    [civilians] = e.unnamed()
    assert civilians.attributes["count"] == 2


def test_wounded_named_person_in_apposition_with_a_pronoun() -> None:
    e = events_in("A drone strike near Marzin on Thursday killed Nabil Osman. "
                  "Tariq Salem, his deputy, was wounded in the strike.")
    op = e.only()
    assert e.participants("killedIn", op) == {"Nabil Osman"}
    assert e.participants("woundedIn", op) == {"Tariq Salem"}


# --- negation and hedges -----------------------------------------------------------------------


@pytest.mark.parametrize(("negated", "predicate"), [
    ("Officials said no civilians were killed.", "killedIn"),
    ("No soldiers were injured or killed during the operation.", "killedIn"),
    ("No soldiers were injured or killed during the operation.", "woundedIn"),
    ("There was no confirmation that the raid targeted Nabil Osman.", "targetedIn"),
    ("Nabil Osman was not killed in the raid, officials said.", "killedIn"),
    ("The raid did not kill Nabil Osman, who had left the house an hour earlier.", "killedIn"),
    ("Officials denied that Nabil Osman was killed in the raid.", "killedIn"),
])
def test_negated_statements_give_no_fact(negated: str, predicate: str) -> None:
    e = events_in(f"A raid in Marzin on Thursday killed Faris Jaber. {negated}")
    op = e.only()
    assert e.participants("killedIn", op) == {"Faris Jaber"}, e.describe()
    assert e.participants(predicate, op) <= {"Faris Jaber"}, e.describe()
    assert e.unnamed() == []  # "no civilians" is nobody


@pytest.mark.parametrize("sentence", [
    "Nabil Osman was reportedly killed in the strike.",
    "Officials believe Nabil Osman was killed in the strike.",
    pytest.param("Nabil Osman was believed to have been killed in the strike."),
    pytest.param("Nabil Osman is believed to have been killed in the strike."),
])
def test_hedged_death_has_lower_certainty(sentence: str) -> None:
    e = events_in(f"A drone strike hit a car near Marzin on Thursday. {sentence}")
    op = e.only()
    facts = [f for f in e.facts("killedIn", op) if e.label(f.subject) == "Nabil Osman"]
    assert len(facts) == 1, e.describe()
    assert 0 < facts[0].certainty < 1


def test_stated_death_has_full_certainty() -> None:
    e = events_in("A drone strike hit a car near Marzin on Thursday. Nabil Osman was killed in the strike.")
    [fact] = e.facts("killedIn")
    assert fact.certainty == 1.0


# --- pronouns and unnamed participants -----------------------------------------------------------


def test_he_after_a_named_person() -> None:
    e = events_in("Special forces carried out a raid in Abu Zahra on Tuesday. The operation targeted "
                  "Nabil Osman. He was killed when troops stormed the house.")
    op = e.only()
    assert e.participants("targetedIn", op) == {"Nabil Osman"}
    assert e.participants("killedIn", op) == {"Nabil Osman"}
    assert e.places(op) == [("Abu Zahra", None)]


def test_he_in_a_spokesman_s_statement_is_not_the_spokesman() -> None:
    e = events_in("A raid in Marzin on Thursday targeted Nabil Osman. Defense Ministry spokesman Karim Haddad "
                  "said he was killed when troops stormed the house.")
    op = e.only()
    assert e.participants("killedIn", op) == {"Nabil Osman"}, e.describe()


def test_unnamed_participants_are_people_without_a_name() -> None:
    e = events_in("A drone strike killed Nabil Osman near Marzin on Thursday. The strike also killed two of "
                  "his guards. An official of the group was wounded in the strike, a local official said.")
    op = e.only()
    assert e.participants("killedIn", op) == {"Nabil Osman", "<two of his guards>"}
    assert e.participants("woundedIn", op) == {"<An official of the group>"}
    unnamed = {str(u.attributes["description"]): u for u in e.unnamed()}
    # "a local official said": the speaker is no participant.
    assert set(unnamed) == {"two of his guards", "An official of the group"}
    guards, official = unnamed["two of his guards"], unnamed["An official of the group"]
    assert (guards.name, guards.ref.cls, guards.attributes["count"]) == ("", "Person", 2)
    assert (official.name, official.ref.cls) == ("", "Person") and "count" not in official.attributes
    # An unnamed participant is never a target (that needs a name), and what is said of the guards is
    # not said of the named man they guarded.
    assert e.participants("targetedIn", op) <= {"Nabil Osman"}
    assert {f.subject for f in e.facts("woundedIn")} == {official.ref}


@pytest.mark.parametrize(("text", "killed", "other", "predicate"), [
    ("A drone strike near Marzin on Thursday killed Nabil Osman and wounded Tariq Salem.",
     {"Nabil Osman"}, {"Tariq Salem"}, "woundedIn"),
    ("Troops detained Nabil Osman and killed Tariq Salem in a raid in Marzin on Thursday.",
     {"Tariq Salem"}, {"Nabil Osman"}, "detainedIn"),
    ("A drone strike near Marzin on Thursday killed three fighters and wounded two civilians.",
     {"<three fighters>"}, {"<two civilians>"}, "woundedIn"),
])
def test_coordinated_verbs_keep_their_own_relation(text: str, killed: set[str], other: set[str],
                                                   predicate: str) -> None:
    e = events_in(text)
    op = e.only()
    assert e.participants("killedIn", op) == killed, e.describe()
    assert e.participants(predicate, op) == other, e.describe()


def test_an_apposition_describes_the_named_person() -> None:
    e = events_in("The raid in Marzin on Thursday killed Nabil Osman, a senior Northern Front official.")
    op = e.only()
    assert e.participants("killedIn", op) == {"Nabil Osman"}, e.describe()
    assert e.unnamed() == []


# --- place -------------------------------------------------------------------------------------


def test_most_specific_place_of_the_clause() -> None:
    e = events_in("A drone strike in the village of Kafr Selim in Harzan province killed Nabil Osman on Thursday.")
    op = e.only()
    assert e.places(op) == [("Kafr Selim", None)]


def test_near_a_place_is_qualified() -> None:
    near = events_in("US forces killed Nabil Osman in a strike near Marzin on Thursday.")
    assert near.places(near.only()) == [("Marzin", "near")]
    [fact] = near.facts("tookPlaceIn")
    assert fact.qualifier == "near"
    inside = events_in("US forces killed Nabil Osman in a strike in Marzin on Thursday.")
    assert inside.places(inside.only()) == [("Marzin", None)]


def test_on_the_outskirts_of_a_town() -> None:
    e = events_in("A drone strike killed Nabil Osman on the outskirts of Marzin on Thursday.")
    assert e.places(e.only()) == [("Marzin", None)], e.describe()


def test_a_date_in_an_unrelated_clause_does_not_date_the_operation() -> None:
    e = events_in("A drone strike killed Nabil Osman in Marzin, which the group has held since 2019.")
    op = e.only()
    assert e.dates(op) == []
    assert e.places(op) == [("Marzin", None)]
    later = events_in("A raid killed Nabil Osman in Marzin on Thursday, four years after the town was captured "
                      "by the Northern Front in 2019.")
    assert later.dates(later.only()) == [("date", "2023-03-09", "date")]


def test_a_place_in_an_unrelated_clause_does_not_place_the_operation() -> None:
    e = events_in("A drone strike killed Nabil Osman in Harzan province, months after his fighters were "
                  "defeated in Kafr Selim in 2019.")
    op = e.only()
    assert e.dates(op) == []  # the clause's year is not the strike's (this part holds)
    assert e.places(op) == [("Harzan", None)], e.describe()


# --- actor -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "actor"), [
    ("Eastern Command forces killed Nabil Osman in a strike near Marzin on Thursday.", "Eastern Command"),
    ("US forces killed Nabil Osman in a strike near Marzin on Thursday.", "US military"),
    ("A Northland raid killed Nabil Osman in Marzin on Thursday.", "Northland Armed Forces"),
    ("A US raid killed Nabil Osman in Marzin on Thursday.", "US military"),
    ("A raid by Delta Force operators killed Nabil Osman in Marzin on Thursday.", "Delta Force"),
    ("The Defense Ministry said it killed Nabil Osman in a drone strike near Marzin on Thursday.", "Defense Ministry"),
    ("The Northland army said it killed Nabil Osman in a drone strike near Marzin on Thursday.",
     "Northland Armed Forces"),
])
def test_actor(text: str, actor: str) -> None:
    e = events_in(text)
    op = e.only()
    assert e.actors(op) == {actor}, e.describe()
    assert e.participants("killedIn", op) == {"Nabil Osman"}


def test_a_country_without_a_military_in_the_gazetteer_is_no_actor() -> None:
    """Mauritania is in the test gazetteer, but no military organization of it is."""
    assert not [o for o in gazetteer().organizations.values() if o.country == "Mauritania"]
    e = events_in("A Mauritanian raid killed Nabil Osman in Brennick on Thursday.")
    op = e.only()
    assert e.actors(op) == set()
    assert e.participants("killedIn", op) == {"Nabil Osman"}


# --- date --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("when", "published", "expected"), [
    ("on Thursday", PUBLISHED, ("date", "2023-03-09", "date")),
    ("on Thursday", None, ("dateExpression", "Thursday", None)),
    ("last month", PUBLISHED, ("date", "2023-02", "gYearMonth")),
    ("on Oct. 6, 2022", None, ("date", "2022-10-06", "date")),
    ("in March 2019", PUBLISHED, ("date", "2019-03", "gYearMonth")),
])
def test_date_is_resolved_against_the_publication_date(when: str, published: str | None,
                                                       expected: tuple[str, str, str | None]) -> None:
    e = events_in(f"Troops killed Nabil Osman in a raid in Marzin {when}.", published=published)
    assert e.dates(e.only()) == [expected]


# --- dateline ----------------------------------------------------------------------------------


def test_a_dateline_places_an_operation_known_only_by_region() -> None:
    body = "A raid in northwestern Northland killed Nabil Osman on Thursday, officials said."
    without = events_in(body)
    assert without.places(without.only()) == [("northwestern Northland", None)]
    e = events_in(f"MARZIN, Northland — {body}")
    assert e.places(e.only()) == [("Marzin", None)], e.describe()
    assert e.participants("killedIn", e.only()) == {"Nabil Osman"}


def test_a_dateline_does_not_replace_a_specific_place() -> None:
    e = events_in("MARZIN, Northland — A drone strike in the village of Kafr Selim killed Nabil Osman on "
                  "Thursday, officials said.")
    assert e.places(e.only()) == [("Kafr Selim", None)]


# --- mentions of one operation, and of others ----------------------------------------------------


def test_a_victimless_report_joins_the_operation_that_names_the_dead() -> None:
    e = events_in("Troops killed a senior militant in a raid near Marzin early Thursday, officials said.\n\n"
                  "By evening the army had named the dead fighter as Nabil Osman. Helicopters took part, "
                  "according to one official.")
    op = e.only()
    assert e.participants("killedIn", op) == {"Nabil Osman"}, e.describe()
    assert e.places(op) == [("Marzin", "near")]
    assert e.dates(op) == [("date", "2023-03-09", "date")]


def test_a_death_in_the_main_clause_is_not_the_recalled_raid_s() -> None:
    e = events_in("Nabil Osman was killed in a drone strike in Marzin on Thursday. Analysts called the death of "
                  "Nabil Osman a heavier loss than any the movement had suffered since Omar Haddad, who led it "
                  "before him, fell in a US raid in Abu Zahra in 2019.")
    killed = {e.label(f.subject): f.object for f in e.facts("killedIn")}
    assert "Nabil Osman" in killed, e.describe()
    strike = e.entity(killed["Nabil Osman"])
    assert e.places(strike) == [("Marzin", None)]
    assert e.dates(strike) == [("date", "2023-03-09", "date")]


def test_a_predecessor_killed_years_ago_was_killed_in_another_operation() -> None:
    e = events_in("Nabil Osman was killed in a drone strike in Marzin on Thursday. Back in 2019, the man he "
                  "replaced, Omar Haddad, had been killed in a raid in Abu Zahra.")
    killed = {e.label(f.subject): f.object for f in e.facts("killedIn")}
    assert set(killed) == {"Nabil Osman", "Omar Haddad"}, e.describe()
    assert killed["Nabil Osman"] != killed["Omar Haddad"]
    assert e.dates(e.entity(killed["Omar Haddad"])) == [("date", "2019", "gYear")]


@pytest.mark.parametrize("text", [
    "Officials announced the killing of Nabil Osman in a raid near Marzin on Thursday.",
    "The assassination of Nabil Osman near Marzin on Thursday was confirmed by the army.",
])
def test_the_killing_of_a_named_person_is_an_operation(text: str) -> None:
    e = events_in(text)
    op = e.only()
    assert e.participants("killedIn", op) == {"Nabil Osman"}, e.describe()
    assert e.places(op) == [("Marzin", "near")]


def test_the_assassination_of_another_person_is_another_operation() -> None:
    e = events_in("Nabil Osman was killed in a strike on Kafr Selim on Tuesday. Analysts compared it with the "
                  "assassination of Omar Haddad by Northland agents in Marzin.")
    killed = {e.label(f.subject): f.object for f in e.facts("killedIn")}
    assert set(killed) == {"Nabil Osman", "Omar Haddad"}, e.describe()
    assert killed["Nabil Osman"] != killed["Omar Haddad"]


def test_they_after_two_people_named_together() -> None:
    e = events_in("Nabil Osman and Karim Saleh are dead, the army confirmed on Friday. According to the army, "
                  "they died during a raid near Marzin on Thursday.")
    op = e.only()
    assert e.participants("killedIn", op) == {"Nabil Osman", "Karim Saleh"}, e.describe()


def test_who_in_a_clause_on_a_plural_noun_is_the_person_described() -> None:
    e = events_in("Nabil Osman, a trainer of the Northern Front's border battalions who was killed in a drone "
                  "strike near Marzin, was buried on Friday.")
    assert e.participants("killedIn", e.only()) == {"Nabil Osman"}, e.describe()


@pytest.mark.parametrize("text", [
    "Police had sought Karim Saleh over a 2015 bombing at a Marzin bus station.",
    "A car bombing in Marzin killed Nabil Osman on Thursday.",
])
def test_a_bombing_without_an_air_force_is_an_attack_not_an_operation(text: str) -> None:
    assert events_in(text).operations == []


def test_a_dated_noun_is_not_the_operation_s_date() -> None:
    e = events_in("The planner of the 2015 market attacks, Nabil Osman, died in a raid in Marzin on Thursday.")
    op = e.only()
    assert e.dates(op) == [("date", "2023-03-09", "date")], e.describe()


def test_a_strike_dated_years_back_is_recalled_and_kept_apart() -> None:
    e = events_in("Nabil Osman was killed in a raid in Marzin on Thursday. Osman took charge of the group when a "
                  "June 2016 air strike killed Karim Saleh, who had set it up.")
    raid = e.entity(next(f.object for f in e.facts("killedIn") if e.label(f.subject) == "Nabil Osman"))
    assert e.dates(raid) == [("date", "2023-03-09", "date")], e.describe()


def test_the_place_of_a_news_conference_is_not_the_operation_s() -> None:
    e = events_in("A drone strike near Marzin killed Nabil Osman on Thursday. Speaking to reporters in Abu Zahra, "
                  "the minister confirmed the death of Nabil Osman.")
    assert e.places(e.only()) == [("Marzin", "near")], e.describe()


@pytest.mark.parametrize("text", [
    "Planners opted for a commando raid on the farm in Marzin rather than a drone strike, to spare neighbours.",
    "Commanders chose a ground raid on the compound near Marzin instead of a drone strike.",
])
def test_the_alternative_not_taken_is_no_operation(text: str) -> None:
    assert {op.kind for op in events_in(text).operations} == {"Raid"}


def test_the_strike_in_a_report_of_a_raid_is_that_raid() -> None:
    e = events_in("Nabil Osman was killed in a US helicopter raid near Marzin on Monday, officials said.\n\n"
                  "Residents said the strike destroyed the farmhouse he had rented.")
    op = e.only()
    assert op.kind == "HelicopterRaid"
    assert e.participants("killedIn", op) == {"Nabil Osman"}


def test_a_weekday_and_a_full_date_of_the_same_day_are_one_operation() -> None:
    e = events_in("Northland commandos killed a senior militant in a raid in Northland on June 5, 2023.\n\n"
                  "The raid, carried out on Monday in Marzin, targeted Nabil Osman, according to officials.",
                  published="2023-06-06")
    op = e.only()
    assert e.participants("targetedIn", op) == {"Nabil Osman"}, e.describe()


def test_a_victim_in_a_clause_of_another_time_is_not_the_raid_s() -> None:
    e = events_in("A US raid near Marzin on Monday killed Nabil Osman. Only a fortnight before, a US attack had "
                  "killed another leader, Omar Haddad.")
    killed = {e.label(f.subject): f.object for f in e.facts("killedIn")}
    assert set(killed) == {"Nabil Osman", "Omar Haddad"}, e.describe()
    assert killed["Nabil Osman"] != killed["Omar Haddad"]


def test_a_negation_in_the_main_clause_does_not_reach_a_concessive_one() -> None:
    e = events_in("A US drone strike near Marzin killed a senior militant on Saturday. The army would not say who "
                  "had died, although officials named the dead man as Nabil Osman.")
    assert e.participants("killedIn", e.only()) == {"Nabil Osman"}, e.describe()


@pytest.mark.parametrize("sentence", [
    "Nabil Osman's death was confirmed by the group on Saturday.",
    "The group mourned the martyrdom of Nabil Osman on Saturday.",
])
def test_a_possessive_death_or_a_martyrdom_is_a_killing(sentence: str) -> None:
    e = events_in("An Israeli strike in Marzin killed a commander of the Northern Front on Friday. " + sentence)
    assert e.participants("killedIn", e.only()) == {"Nabil Osman"}, e.describe()


def test_he_after_a_description_of_someone_else_is_not_the_named_person() -> None:
    e = events_in("Nabil Osman now runs the council, which lost its commander when he was killed in a drone "
                  "strike in Marzin.")
    assert "Nabil Osman" not in e.participants("killedIn"), e.describe()


def test_a_definite_article_before_modifiers_refers_back() -> None:
    e = events_in("Commandos killed Nabil Osman in a helicopter raid on Thursday, officials said.\n\n"
                  "According to monitors, the overnight commando raid hit a farmhouse in Kafr Selim.")
    op = e.only()
    assert e.participants("killedIn", op) == {"Nabil Osman"}
    assert e.places(op) == [("Kafr Selim", None)], e.describe()


def test_named_victims_are_targets_unless_described_as_bystanders() -> None:
    e = events_in("A drone strike near Marzin on Thursday killed Nabil Osman and his wife, Layla Haddad.")
    op = e.only()
    assert e.participants("killedIn", op) == {"Nabil Osman", "Layla Haddad"}, e.describe()
    assert e.participants("targetedIn", op) == {"Nabil Osman"}


@pytest.mark.parametrize("text", [
    "Northland warplanes struck an apartment block in Marzin late on Tuesday, killing Nabil Osman.",
    "Northland's attack on Marzin on Tuesday killed Nabil Osman, the army said.",
])
def test_a_state_striking_or_attacking_is_an_operation(text: str) -> None:
    e = events_in(text)
    op = e.only()
    assert e.participants("killedIn", op) == {"Nabil Osman"}, e.describe()
    assert e.places(op) == [("Marzin", None)]


@pytest.mark.parametrize("text", [
    "A rocket slammed into a school in Marzin on Saturday, killing Nabil Osman.",
    "A Northern Front attack on Marzin on Saturday killed Nabil Osman.",
])
def test_a_group_s_attack_or_a_rocket_striking_is_no_operation(text: str) -> None:
    assert events_in(text).operations == [], events_in(text).describe()


def test_the_place_of_a_rocket_attack_is_not_the_strike_s() -> None:
    e = events_in("Northland forces killed Nabil Osman in a strike in Kafr Selim on Tuesday. Officials blame him "
                  "for a rocket attack on Marzin on Saturday.")
    assert e.places(e.only()) == [("Kafr Selim", None)], e.describe()


def test_in_the_country_is_the_country_the_article_is_about() -> None:
    e = events_in("Northland Armed Forces have stepped up raids in Northland this year. A drone strike in Marzin "
                  "killed Nabil Osman on Thursday. In February, another raid in the country killed Omar "
                  "Haddad, officials in Northland said.")
    killed = {e.label(f.subject): f.object for f in e.facts("killedIn")}
    assert e.places(e.entity(killed["Omar Haddad"])) == [("Northland", None)], e.describe()


def test_strikes_that_killed_several_named_people_are_one_operation_each() -> None:
    e = events_in("Northland's drone campaign has grown. Since January its drone strikes have killed two of the "
                  "group's leaders, its preacher Nabil Osman and a commander, Omar Haddad.")
    killed = {e.label(f.subject): f.object for f in e.facts("killedIn")}
    assert set(killed) == {"Nabil Osman", "Omar Haddad"}, e.describe()
    assert killed["Nabil Osman"] != killed["Omar Haddad"]
    assert {e.entity(op).kind for op in killed.values()} == {"DroneStrike"}


@pytest.mark.parametrize("text", [
    "Northland troops killed Nabil Osman in Marzin on Thursday, the army said.",
    "Government troops shot dead Nabil Osman in Marzin on Thursday.",
    "Nabil Osman was neutralised by Northland forces in Marzin on Thursday.",
    "Nabil Osman was killed in an encounter with government troops in Marzin on Thursday.",
])
def test_a_state_s_forces_killing_someone_is_an_operation(text: str) -> None:
    e = events_in(text)
    op = e.only()
    assert e.participants("killedIn", op) == {"Nabil Osman"}, e.describe()
    assert e.places(op) == [("Marzin", None)]
    assert e.dates(op) == [("date", "2023-03-09", "date")]


@pytest.mark.parametrize("text", [
    "Gunmen killed Nabil Osman in Marzin on Thursday.",
    "Nabil Osman was killed in a clash between rival militias in Marzin on Thursday.",
])
def test_a_killing_by_others_than_a_state_is_no_operation(text: str) -> None:
    assert events_in(text).operations == []


@pytest.mark.parametrize("text", [
    "A drone strike near Marzin killed a senior militant on Monday. On Tuesday the army named the slain fighter "
    "as Nabil Osman.",
    "A drone strike near Marzin killed a senior militant on Monday. A US official confirmed that Nabil Osman was "
    "the target of the attack and was killed.",
    "Troops killed a top commander of the Northern Front in a raid near Marzin on Monday. Nabil Osman, a commander "
    "of the Northern Front in the hills, had run its weapons network, the army said.",
    "Soldiers killed an extremist leader and five supporters near Marzin in an operation on Monday, the army said. "
    "It identified the leader as Nabil Osman.",
])
def test_the_unnamed_dead_named_later(text: str) -> None:
    e = events_in(text)
    op = e.only()
    assert "Nabil Osman" in e.participants("killedIn", op), e.describe()
    assert not any(label.startswith("<a") for label in e.participants("killedIn", op)), e.describe()


def test_a_person_described_alike_far_away_or_in_a_recalled_operation_is_not_the_unnamed_dead() -> None:
    e = events_in("Troops killed a senior commander of the Northern Front in a raid near Marzin on Monday, officials "
                  "said. The group has lost many fighters this year. Its supply lines are cut. Analysts expect "
                  "more raids. Nabil Osman, a commander of the group, said it would fight on.")
    assert "Nabil Osman" not in e.participants("killedIn"), e.describe()


def test_the_camp_in_a_refugee_camp_phrase_is_the_operation_s_place() -> None:
    e = events_in("An airstrike on Thursday hit the Kafr Selim refugee camp in Northland and killed Nabil Osman, "
                  "officials said.")
    assert e.places(e.only()) == [("Kafr Selim", None)], e.describe()


def test_strikes_of_a_campaign_took_place_where_the_campaign_was() -> None:
    e = events_in("Northland's drone campaign in Korvath province, now in its sixth year, counts dozens of "
                  "airstrikes. Since March the strikes have killed Nabil Osman and Omar Haddad.")
    killed = {e.label(f.subject): f.object for f in e.facts("killedIn")}
    assert set(killed) == {"Nabil Osman", "Omar Haddad"}, e.describe()
    assert all(e.places(e.entity(op)) == [("Korvath", None)] for op in killed.values()), e.describe()


def test_a_strike_at_an_airport_and_the_same_strike_in_its_city_are_one_operation() -> None:
    e = events_in("Drone strike in Marzin kills commander Nabil Osman\n\n"
                  "A drone strike at Marzin's international airport on Sunday night killed Nabil Osman, his "
                  "family said.")
    op = e.only()
    assert e.participants("killedIn", op) == {"Nabil Osman"}
    assert ("Marzin International Airport", None) in e.places(op), e.describe()


def test_strikes_at_an_airport_and_at_a_village_of_the_province_stay_apart() -> None:
    e = events_in("A drone strike killed Nabil Osman at Marzin airport on Friday. "
                  "Another drone strike killed Tarek Haddad in Kafr Selim on Saturday.")
    assert len(e.operations) == 2, e.describe()

