"""The article graph and its provenance, from a hand-built extraction (no NLP involved)."""

from __future__ import annotations

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS, XSD

from kg.model import Article, Entity, EntityRef, Extraction, Fact, Mention, Span
from kg.rdf import article_graph
from kg.store import OxigraphStore
from kg.vocab import ITSRDF, NIF, OPS, PREFIXES, IRIs

TEXT = "A raid struck Tal Zira on Monday. It killed Hamid Karran, officials said."
IRIS = IRIs("https://example.org/id/")

#: The README's provenance query: which sentences say that a person was killed in an operation?
SENTENCES_QUERY = """
SELECT ?person ?quote ?article WHERE {
  ?fact rdf:subject ?p ; rdf:predicate ops:killedIn ; rdf:object ?op ;
        ops:evidence ?sentence ; ops:article ?article .
  ?sentence nif:anchorOf ?quote .
  ?p skos:altLabel ?person .
}
"""


def _span(text: str, part: str) -> Span:
    start = TEXT.index(part)
    return Span(start, start + len(part))


@pytest.fixture
def extraction() -> Extraction:
    first, second = _span(TEXT, TEXT.split(". ")[0] + "."), _span(TEXT, "It killed Hamid Karran, officials said.")
    person = Entity(EntityRef("Person", "hamid karran"), "Hamid Karran",
                    mentions=[Mention("Hamid Karran", _span(TEXT, "Hamid Karran"), second)])
    place = Entity(EntityRef("Location", "tal zira"), "Tal Zira", kind="Village",
                   mentions=[Mention("Tal Zira", _span(TEXT, "Tal Zira"), first)])
    op = Entity(EntityRef("Operation", "raid tal zira"), "raid in Tal Zira", kind="Raid")
    facts = [
        Fact(person.ref, "killedIn", op.ref, second),
        Fact(op.ref, "tookPlaceIn", place.ref, first, certainty=0.8),
        Fact(op.ref, "date", "2024-03-04", first, datatype="date"),
    ]
    article = Article(id="invented-1", text=TEXT, source="tests/invented.txt", title="Raid",
                      url="https://news.example.org/raid", published="2024-03-05", published_from="field")
    return Extraction(article, [first, second], [person, place, op], facts)


def test_article_metadata(extraction: Extraction) -> None:
    g = article_graph(extraction, IRIS)
    art = IRIS.article("invented-1")
    assert (art, RDF.type, OPS.Article) in g
    assert (art, DCTERMS.title, Literal("Raid")) in g
    assert (art, DCTERMS.source, URIRef("https://news.example.org/raid")) in g
    assert (art, DCTERMS.date, Literal("2024-03-05", datatype=XSD.date)) in g
    assert (art, DCTERMS.identifier, Literal("invented-1")) in g
    assert (art, OPS.contentHash, Literal(extraction.article.content_hash)) in g
    assert (art, NIF.isString, Literal(TEXT)) in g


def test_every_fact_has_evidence_with_sentence_offsets_and_quote(extraction: Extraction) -> None:
    g = article_graph(extraction, IRIS)
    facts = [(s, p, o) for s, p, o in g if p in (OPS.killedIn, OPS.tookPlaceIn, OPS.date)]
    assert len(facts) == 3
    for s, p, o in facts:
        evidence = list(g.subjects(RDF.subject, s))
        evidence = [e for e in evidence if (e, RDF.predicate, p) in g and (e, RDF.object, o) in g]
        assert len(evidence) == 1, (s, p, o)
        sentence = g.value(evidence[0], OPS.evidence)
        begin, end = int(g.value(sentence, NIF.beginIndex)), int(g.value(sentence, NIF.endIndex))
        assert str(g.value(sentence, NIF.anchorOf)) == TEXT[begin:end]
        assert g.value(sentence, NIF.referenceContext) == IRIS.article("invented-1")
        assert g.value(evidence[0], OPS.article) == IRIS.article("invented-1")
    hedged = next(e for e in g.subjects(RDF.predicate, OPS.tookPlaceIn))
    assert g.value(hedged, OPS.certainty) == Literal("0.80", datatype=XSD.decimal)


def test_mentions_link_text_to_entities(extraction: Extraction) -> None:
    g = article_graph(extraction, IRIS)
    person = IRIS.entity("Person", "hamid karran")
    phrases = list(g.subjects(ITSRDF.taIdentRef, person))
    assert len(phrases) == 1
    assert str(g.value(phrases[0], NIF.anchorOf)) == "Hamid Karran"
    assert (person, SKOS.altLabel, Literal("Hamid Karran")) in g
    assert (IRIS.entity("Location", "tal zira"), RDF.type, OPS.Village) in g


def test_entity_iris_are_readable_and_stable(extraction: Extraction) -> None:
    assert str(IRIS.entity("Person", "Abu Mu’Ath al-Marzini")) == "https://example.org/id/person/abu-muath-al-marzini"
    first = article_graph(extraction, IRIS).serialize(format="nt")
    assert first == article_graph(extraction, IRIS).serialize(format="nt")


def test_documented_provenance_query_finds_the_sentence(extraction: Extraction, store: OxigraphStore) -> None:
    art = str(IRIS.article("invented-1"))
    store.replace_graphs({art: article_graph(extraction, IRIS).serialize(format="nt")})
    rows = list(store.query(SENTENCES_QUERY, prefixes=PREFIXES))
    assert [(r["person"].value, r["quote"].value, r["article"].value) for r in rows] == [
        ("Hamid Karran", "It killed Hamid Karran, officials said.", art)
    ]
