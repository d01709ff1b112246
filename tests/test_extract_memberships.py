"""Memberships (``ops:memberOf``) of invented people in invented groups and forces.

The test gazetteer (``tests/data/gazetteer/``) is copied with a few more invented rows: a paramilitary
corps and its expeditionary force (a ``unit``), a military wing of the Northern Front (a ``unit``) and a
branch of the Northern Front in Ostania (no ``unit``: a group of its own).
"""

from __future__ import annotations

import shutil
import tempfile
from functools import cache
from pathlib import Path

import pytest
from spacy.language import Language

from kg import gazetteer as gaz
from kg.extract.entities import ArticleEntities, extract_entities
from kg.extract.roles import extract_roles
from kg.model import Fact
from kg.nlp import load_pipeline, pipeline_gazetteer
from tests.extraction_support import GAZETTEER_DIR, MODEL

pytestmark = pytest.mark.slow

EXTRA_ORGANIZATIONS = [
    "Lion Guard Corps\tparamilitary\tNorthland\tLGC|the Lion Guards\t\t",
    "Sentinel Force\tparamilitary\tNorthland\tLGC Sentinel Force\tLion Guard Corps\tunit",
    "Martyrs Brigades\tarmed_group\tNorthland\tMartyrs' Brigades\tNorthern Front\tunit",
    "Northern Front in Ostania\tarmed_group\tOstania\tNFO\tNorthern Front\t",
]


@cache
def _pipeline() -> Language:
    """The test pipeline over a copy of the test gazetteer with the rows above (loaded once)."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "gazetteer"
        shutil.copytree(GAZETTEER_DIR, folder)
        organizations = folder / "organizations.tsv"
        lines = organizations.read_text(encoding="utf-8").splitlines()
        lines[0] += "\tlink"
        organizations.write_text("\n".join([*lines, *EXTRA_ORGANIZATIONS]) + "\n", encoding="utf-8")
        nlp = load_pipeline(MODEL, str(folder))
        pipeline_gazetteer(nlp)  # read now, while the folder exists
    return nlp


def _read(text: str) -> tuple[ArticleEntities, list[Fact], gaz.Gazetteer]:
    nlp = _pipeline()
    g = pipeline_gazetteer(nlp)
    doc = nlp(text)
    found = extract_entities(doc, g)
    _, facts = extract_roles(doc, found, g)
    return found, facts, g


def members(text: str) -> dict[str, set[str]]:
    """Each person's name -> the names of the organizations they are members of."""
    found, facts, _ = _read(text)
    names = {e.ref: e.name for e in found.entities}
    out: dict[str, set[str]] = {}
    for fact in facts:
        if fact.predicate == "memberOf":
            out.setdefault(names[fact.subject], set()).add(names[fact.object])  # type: ignore[index]
    return out


def test_the_gazetteer_reads_kinds_and_unit_links() -> None:
    _, _, g = _read("Nothing here.")
    corps, force = g.organizations["Lion Guard Corps"], g.organizations["Sentinel Force"]
    assert (corps.cls, force.cls, force.unit) == ("ParamilitaryForce", "ParamilitaryForce", True)
    assert [o.name for o in g.enclosing_forces(force)] == ["Lion Guard Corps"]
    assert list(g.enclosing_forces(g.organizations["Northern Front in Ostania"])) == []


def test_a_paramilitary_force_has_members() -> None:
    assert members("Lion Guard Corps spokesman Reza Tavana said the base was hit.") == \
        {"Reza Tavana": {"Lion Guard Corps"}}


def test_a_role_in_a_unit_makes_a_member_of_its_parent_too() -> None:
    got = members("The strike killed Sentinel Force commander Karim Dastani. The Lion Guard Corps vowed revenge.")
    assert got == {"Karim Dastani": {"Sentinel Force", "Lion Guard Corps"}}


def test_a_unit_of_a_parent_the_article_does_not_name_gives_the_unit_only() -> None:
    assert members("The strike killed Sentinel Force commander Karim Dastani.") == {"Karim Dastani": {"Sentinel Force"}}


def test_a_wing_of_an_armed_group_makes_a_member_of_the_group() -> None:
    got = members("Abu Tarek al-Jazrawi, a Martyrs Brigades field commander, died in the raid. The brigades are the "
                  "Northern Front's armed wing.")
    assert got == {"Abu Tarek al-Jazrawi": {"Martyrs Brigades", "Northern Front"}}


def test_a_branch_leader_is_no_member_of_the_group_it_pledged_to() -> None:
    got = members("NFO leader Abu Tarek al-Jazrawi was killed. The Northern Front mourned him.")
    assert got == {"Abu Tarek al-Jazrawi": {"Northern Front in Ostania"}}


def test_an_office_of_a_group_government_makes_a_member() -> None:
    got = members("The strike killed the Northern Front's prime minister, Salim Obeidi, in Korvath.")
    assert got == {"Salim Obeidi": {"Northern Front"}}


@pytest.mark.parametrize("text", [
    "Hamid Karran joined the Northern Front in 2003.",
    "Hamid Karran, who fought for the Northern Front, was killed in the raid.",
    "Hamid Karran worked for the Northern Front for a decade.",
    "Hamid Karran served in the Lion Guard Corps until 2010.",
])
def test_verbs_of_membership(text: str) -> None:
    got = members(text)
    assert set(got) == {"Hamid Karran"}, got
    assert got["Hamid Karran"] & {"Northern Front", "Lion Guard Corps"}


@pytest.mark.parametrize("text", [
    "Hamid Karran worked for Reuters for a decade.",
    "Hamid Karran joined the Northland Armed Forces in 2003.",
    "Hamid Karran fought in Korvath for years.",
    "Officials said the Northern Front had recruited fighters before Hamid Karran arrived.",
])
def test_no_membership_without_an_armed_group_or_force(text: str) -> None:
    assert members(text) == {}


def test_a_sentence_initial_pronoun_stands_for_the_one_person_before() -> None:
    got = members("Omar Hadi was born in Korvath in 1975. He joined the Northern Front in 2003.")
    assert got == {"Omar Hadi": {"Northern Front"}}


def test_a_pronoun_after_two_people_none_the_subject_stands_for_no_one() -> None:
    assert members("The raid killed Omar Hadi and Sami Rafiq. He joined the Northern Front in 2003.") == {}


def test_a_military_command_has_officials_not_members() -> None:
    assert members("Eastern Command spokesman Colonel Ann Tull said the raid was over.") == {}
