"""Roles and tenures read from the phrases around invented people's names."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from kg.extract.entities import ArticleEntities, extract_entities
from kg.extract.roles import extract_roles
from kg.model import Entity, EntityRef, Fact
from tests.extraction_support import describe, gazetteer, parse

pytestmark = pytest.mark.slow


@dataclass
class Roles:
    found: ArticleEntities
    entities: list[Entity]
    facts: list[Fact]

    def person(self, name: str) -> EntityRef:
        refs = [e.ref for e in self.found.entities if e.ref.cls == "Person" and e.name == name]
        assert len(refs) == 1, (name, [e.name for e in self.found.entities])
        return refs[0]

    def known(self, gazetteer_name: str) -> EntityRef:
        """The entity of a gazetteer entry (an organization or a place)."""
        return next(e.ref for e in self.found.entities if e.gazetteer == gazetteer_name)

    def objects(self, subject: EntityRef, predicate: str) -> list[EntityRef | str]:
        return [f.object for f in self.facts if f.subject == subject and f.predicate == predicate]

    def held(self, name: str) -> list[Entity]:
        """The Role entities the person holds."""
        refs = self.objects(self.person(name), "holdsRole")
        return [e for e in self.entities if e.ref in refs]

    def tenures(self, name: str) -> list[EntityRef]:
        person = self.person(name)
        return [f.subject for f in self.facts if f.predicate == "holder" and f.object == person]

    def described(self) -> list[tuple[str, str, str]]:
        return [(f.subject.key, f.predicate, f.object.key if isinstance(f.object, EntityRef) else f.object)
                for f in self.facts]


def roles_in(text: str) -> Roles:
    doc = parse(text)
    found = extract_entities(doc, gazetteer())
    entities, facts = extract_roles(doc, found, gazetteer())
    assert {e.ref.cls for e in entities} <= {"Role", "Tenure"}
    return Roles(found, entities, facts)


def test_org_leader_before_the_name() -> None:
    r = roles_in("Northern Front leader Abu Yahya al-Tikriti was killed in the raid.")
    nf = r.known("Northern Front")
    [role] = r.held("Abu Yahya al-Tikriti")
    assert role.name == "leader of Northern Front"
    assert r.objects(role.ref, "roleIn") == [nf]
    assert r.objects(r.person("Abu Yahya al-Tikriti"), "memberOf") == [nf]


def test_official_responsible_for_after_the_name() -> None:
    r = roles_in("The raid killed Hamid Karran, a Northern Front official responsible for finances.")
    nf = r.known("Northern Front")
    [role] = r.held("Hamid Karran")
    assert role.name == "official of Northern Front responsible for finances"
    assert r.objects(role.ref, "roleIn") == [nf]
    assert r.objects(r.person("Hamid Karran"), "memberOf") == [nf]


def test_one_of_the_top_leaders_and_deputy_leader_in_a_place() -> None:
    r = roles_in("The strike killed Omar Khalil al-Jubouri, one of the top five Northern Front leaders and the "
                 "deputy leader of the Northern Front in Korvath.")
    nf = r.known("Northern Front")
    roles = {e.name: e for e in r.held("Omar Khalil al-Jubouri")}
    assert set(roles) == {"senior leader of Northern Front", "deputy leader of Northern Front in Korvath"}, \
        r.described()
    for role in roles.values():
        assert r.objects(role.ref, "roleIn") == [nf]
    assert r.objects(r.person("Omar Khalil al-Jubouri"), "memberOf") == [nf]


def _tenure_facts(r: Roles, name: str) -> dict[str, list[EntityRef | str]]:
    [tenure] = r.tenures(name)
    return {p: r.objects(tenure, p) for p in ("ofRole", "ordinal", "current")}


def test_ordinal_goes_on_the_tenure() -> None:
    r = roles_in("The raid killed HAS' second caliph, Abu Bilal al-Harbi.")
    [role] = r.held("Abu Bilal al-Harbi")
    assert role.name == "leader of Harakat Ansar al-Sahra"
    assert _tenure_facts(r, "Abu Bilal al-Harbi") == {"ofRole": [role.ref], "ordinal": ["2"], "current": []}
    ordinal = next(f for f in r.facts if f.predicate == "ordinal")
    assert ordinal.datatype == "integer"


@pytest.mark.parametrize("phrase", ["second self-described caliph", "second so-called caliph"])
def test_ordinal_of_a_self_described_caliph(phrase: str) -> None:
    """The hyphenated participle ('described' is a VBN) does not end the phrase before the name."""
    r = roles_in(f"The raid killed HAS' {phrase}, Abu Bilal al-Harbi.")
    [role] = r.held("Abu Bilal al-Harbi")
    assert role.name == "leader of Harakat Ansar al-Sahra", r.described()
    assert _tenure_facts(r, "Abu Bilal al-Harbi")["ordinal"] == ["2"]


def test_current_top_leader_goes_on_the_tenure() -> None:
    r = roles_in("Officials confirmed the death of HAS’ current top leader, Abu Bilal al-Harbi.")
    [role] = r.held("Abu Bilal al-Harbi")
    assert role.name == "leader of Harakat Ansar al-Sahra"
    assert _tenure_facts(r, "Abu Bilal al-Harbi") == {"ofRole": [role.ref], "ordinal": [], "current": ["true"]}


def test_former_leader_is_not_current() -> None:
    r = roles_in("The raid killed the Northern Front's former leader, Abu Dujana al-Anbari.")
    assert _tenure_facts(r, "Abu Dujana al-Anbari")["current"] == ["false"]


def test_role_without_ordinal_or_current_has_no_tenure() -> None:
    r = roles_in("Northern Front leader Abu Yahya al-Tikriti was killed in the raid.")
    assert r.tenures("Abu Yahya al-Tikriti") == []
    assert [e for e in r.entities if e.ref.cls == "Tenure"] == []


def test_state_office_has_a_jurisdiction_not_a_role_in() -> None:
    r = roles_in("Northland President Daniel Okafor praised the troops.")
    northland = r.known("Northland")
    [role] = r.held("Daniel Okafor")
    assert role.name == "president of Northland"
    assert r.objects(role.ref, "jurisdiction") == [northland]
    assert r.objects(role.ref, "roleIn") == []
    assert r.objects(r.person("Daniel Okafor"), "memberOf") == []


def test_spokesman_of_a_military_command_is_no_member() -> None:
    r = roles_in("Eastern Command spokesman Colonel Ann Tull said no civilians were hurt.")
    command = r.known("Eastern Command")
    roles = {e.name: e for e in r.held("Ann Tull")}
    assert "spokesman of Eastern Command" in roles, r.described()
    assert r.objects(roles["spokesman of Eastern Command"].ref, "roleIn") == [command]
    assert r.objects(r.person("Ann Tull"), "memberOf") == []


def test_spokesman_for_a_command_after_the_name() -> None:
    r = roles_in('"We got him," said Colonel Ann Tull, a spokesman for Eastern Command.')
    roles = {e.name: e for e in r.held("Ann Tull")}
    assert r.objects(roles["spokesman of Eastern Command"].ref, "roleIn") == [r.known("Eastern Command")]
    assert r.objects(r.person("Ann Tull"), "memberOf") == []


def test_spokesman_without_an_org_is_a_bare_role() -> None:
    r = roles_in('"The operation was a success," said spokesman Colonel Ann Tull.')
    roles = {e.name: e for e in r.held("Ann Tull")}
    assert "spokesman" in roles, r.described()
    assert r.objects(roles["spokesman"].ref, "roleIn") == []
    assert not [f for f in r.facts if f.predicate in ("roleIn", "memberOf")]


def test_government_official_is_no_member() -> None:
    r = roles_in("Interior Ministry official Hamid Karran said the raid was over.")
    [role] = r.held("Hamid Karran")
    assert r.objects(role.ref, "roleIn") == [r.known("Interior Ministry")]
    assert r.objects(r.person("Hamid Karran"), "memberOf") == []


def test_plural_role_before_two_names_goes_to_both() -> None:
    r = roles_in("Northern Front leaders Abu Yahya al-Tikriti and Salim Hadi al-Obeidi were killed in the raid.")
    nf = r.known("Northern Front")
    first, second = r.held("Abu Yahya al-Tikriti"), r.held("Salim Hadi al-Obeidi")
    assert [e.name for e in first] == [e.name for e in second] == ["leader of Northern Front"]
    for name in ("Abu Yahya al-Tikriti", "Salim Hadi al-Obeidi"):
        assert r.objects(r.person(name), "memberOf") == [nf]


@pytest.mark.parametrize(("extra", "salient"), [
    ("The Northern Front later confirmed the death. HAS fighters were not involved. The Northern Front vowed revenge.",
     "Northern Front"),
    ("HAS later confirmed the death. HAS fighters were not involved. The Northern Front vowed revenge.",
     "Harakat Ansar al-Sahra"),
])
def test_the_group_is_the_most_mentioned_armed_group(extra: str, salient: str) -> None:
    r = roles_in(f"The raid in Korvath killed the group's founder, Abu Dujana al-Anbari. {extra}")
    [role] = r.held("Abu Dujana al-Anbari")
    assert role.name == f"founder of {salient}"
    assert r.objects(role.ref, "roleIn") == [r.known(salient)]
    assert r.objects(r.person("Abu Dujana al-Anbari"), "memberOf") == [r.known(salient)]


def test_the_group_resolves_to_no_military_command() -> None:
    r = roles_in("Eastern Command said the group's founder, Abu Dujana al-Anbari, was killed. Eastern Command "
                 "called it a success. Eastern Command said it would continue.")
    [role] = r.held("Abu Dujana al-Anbari")
    assert r.objects(role.ref, "roleIn") == []  # no armed group in the article
    assert r.objects(r.person("Abu Dujana al-Anbari"), "memberOf") == []


@pytest.mark.parametrize("text", ["HAS leader Abu Bilal al-Harbi was killed in the raid.",
                                  "Officials said HAS leader Abu Bilal al-Harbi was killed in the raid."])
def test_org_acronym_tagged_as_a_verb_still_gives_role_in(text: str) -> None:
    r = roles_in(text)
    [role] = r.held("Abu Bilal al-Harbi")
    assert r.objects(role.ref, "roleIn") == [r.known("Harakat Ansar al-Sahra")], describe(parse(text))


@pytest.mark.parametrize("text", ["The raid killed Abu Bilal al-Harbi, officials said.",
                                  "The raid killed Abu Bilal al-Harbi, residents and officials said."])
def test_attribution_after_a_name_is_no_role(text: str) -> None:
    r = roles_in(text)
    assert r.held("Abu Bilal al-Harbi") == [], r.described()


def test_a_second_commander_is_no_ordinal() -> None:
    r = roles_in("The ministry said a second Northern Front commander, Salim Hadi al-Obeidi, was detained.")
    [role] = r.held("Salim Hadi al-Obeidi")
    assert role.name == "commander of Northern Front"
    assert r.tenures("Salim Hadi al-Obeidi") == [], r.described()


def _names(r: Roles, person: str) -> set[str]:
    return {e.name for e in r.held(person)}


def test_of_the_chain_before_the_name() -> None:
    r = roles_in("On Sunday the deputy head of the group's media office, Khalil al-Bakri, said the talks had "
                 "collapsed. The Northern Front did not deny it.")
    assert _names(r, "Khalil al-Bakri") == {"deputy leader of Northern Front"}, r.described()
    assert r.objects(r.person("Khalil al-Bakri"), "memberOf") == [r.known("Northern Front")]


def test_a_title_in_square_brackets_after_the_name() -> None:
    r = roles_in("A letter signed by Yusuf Tamer [head of the Northern Front in Korvath] was read out at the rally.")
    assert _names(r, "Yusuf Tamer") == {"leader of Northern Front in Korvath"}, r.described()


@pytest.mark.parametrize(("text", "role"), [
    ("Investigators regard Tarek Sleiman as a senior official of the Northern Front.",
     "senior official of Northern Front"),
    ("Tarek Sleiman, considered a senior Northern Front leader, survived the raid.",
     "senior leader of Northern Front"),
    ("Tarek Sleiman, who served as the Northern Front's deputy leader in Korvath, was arrested on Monday.",
     "deputy leader of Northern Front in Korvath"),
    ("Local elders called Tarek Sleiman the real leader of HAS.", "leader of Harakat Ansar al-Sahra"),
    ("Tarek Sleiman headed the Northern Front for a decade.", "leader of Northern Front"),
])
def test_roles_that_a_verb_gives(text: str, role: str) -> None:
    r = roles_in(text)
    assert role in _names(r, "Tarek Sleiman"), r.described()


def test_a_title_before_a_rank_and_a_comma() -> None:
    r = roles_in("The Northern Front's parade was opened by its army chief, Brigadier Faris Haddad.")
    assert _names(r, "Faris Haddad") == {"army chief of Northern Front"}, r.described()


def test_a_rank_is_a_role_only_without_an_office() -> None:
    r = roles_in("Eastern Command said Brig. Gen. Ann Tull would lead the inquiry.")
    assert _names(r, "Ann Tull") == {"general"}, r.described()
    r = roles_in("Eastern Command spokesman Brig. Gen. Ann Tull denied any civilian deaths. "
                 "Later Brig. Gen. Tull repeated the denial.")
    assert _names(r, "Ann Tull") == {"spokesman of Eastern Command"}, r.described()


def test_the_speakers_title_is_not_the_victims() -> None:
    r = roles_in("Abu Zaid al-Harbi was among the dead, Eastern Command head Gen. Ann Tull told reporters.")
    assert r.held("Abu Zaid al-Harbi") == [], r.described()
    assert _names(r, "Ann Tull") == {"leader of Eastern Command"}, r.described()


def test_another_of_its_commanders() -> None:
    r = roles_in("Among the dead were the Northern Front's cleric, Abu Zaid al-Harbi, and another of its field "
                 "commanders, Faris Haddad.")
    nf = r.known("Northern Front")
    assert _names(r, "Abu Zaid al-Harbi") == {"cleric of Northern Front"}, r.described()
    assert _names(r, "Faris Haddad") == {"commander of Northern Front"}, r.described()
    assert r.objects(r.person("Faris Haddad"), "memberOf") == [nf]


def test_its_is_the_organization_named_before_it() -> None:
    r = roles_in("HAS said on Monday that its spokesman, Abu Zaid al-Harbi, had been killed. The Northern Front "
                 "denied it. The Northern Front said so twice. The Northern Front is the largest group.")
    assert _names(r, "Abu Zaid al-Harbi") == {"spokesman of Harakat Ansar al-Sahra"}, r.described()


def test_a_cleric_close_to_a_group_is_not_in_it() -> None:
    r = roles_in("The strike killed Adel Qarni, a cleric close to the Northern Front.")
    assert _names(r, "Adel Qarni") == {"cleric"}, r.described()
    assert r.objects(r.person("Adel Qarni"), "memberOf") == []


@pytest.mark.parametrize("text", [
    "The Northern Front's founder and leader, Abu Zaid al-Harbi, was the target, officials said.",
    "Abu Zaid al-Harbi, founder and leader of the Northern Front, escaped the strike unhurt.",
])
def test_founder_and_leader_share_the_organization(text: str) -> None:
    r = roles_in(text)
    assert _names(r, "Abu Zaid al-Harbi") == {"founder of Northern Front", "leader of Northern Front"}, r.described()


def test_modifiers_after_the_title_are_not_the_titles() -> None:
    r = roles_in("Tarek Sleiman, the deputy head of the Northern Front's foreign intelligence service, was detained.")
    assert _names(r, "Tarek Sleiman") == {"deputy leader of Northern Front"}, r.described()


def test_a_role_verb_gives_its_own_title() -> None:
    r = roles_in("Until his arrest, Tarek Sleiman headed the Northern Front's militant cells across Korvath.")
    assert _names(r, "Tarek Sleiman") == {"leader of Northern Front"}, r.described()
