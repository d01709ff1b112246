"""What articles say about who replaced whom, merged across articles into ``ops:succeededBy``."""

from __future__ import annotations

import pytest

from kg.model import Article
from tests.test_events_across_articles import _store, select

pytestmark = pytest.mark.slow

FOLLOWS = """SELECT DISTINCT ?a ?b WHERE { ?x ops:succeededBy ?y . ?x rdfs:label ?a . ?y rdfs:label ?b }"""


def article(name: str, text: str) -> Article:
    return Article(name, text, f"{name}.txt")


def test_statements_in_three_articles_make_one_chain() -> None:
    store = _store([
        article("s1", "The Northern Front named Karim Haddad as its new emir after the death of Walid Sabbagh."),
        article("s2", "Walid Sabbagh took over the Northern Front after its founder, Salim Jaber, was killed."),
        article("s3", "Analysts said the Northern Front was weakened. Its fighters fled Dumayr in May."),
    ])
    try:
        pairs = {(r["a"], r["b"]) for r in select(store, FOLLOWS)}
        assert pairs == {("Salim Jaber", "Walid Sabbagh"), ("Walid Sabbagh", "Karim Haddad")}
        direct = select(store, "SELECT ?d WHERE { ?s a ops:Succession ; ops:direct ?d }")
        assert {r["d"] for r in direct} == {"true"}
        # Each statement is a fact of its article, with the sentence as evidence.
        quotes = select(store, """SELECT ?q WHERE { ?e rdf:predicate ops:follows ; ops:evidence/nif:anchorOf ?q }""")
        assert any("new emir" in r["q"] for r in quotes)
    finally:
        store.close()


def test_the_order_more_articles_state_wins_and_the_conflict_is_noted() -> None:
    store = _store([
        article("c1", "On Friday Karim Haddad replaced Walid Sabbagh as head of the Northern Front."),
        article("c2", "Karim Haddad took over from Walid Sabbagh as leader of the Northern Front in March."),
        article("c3", "On Monday Walid Sabbagh replaced Karim Haddad as head of the Northern Front."),
    ])
    try:
        pairs = {(r["a"], r["b"]) for r in select(store, FOLLOWS)}
        assert pairs == {("Walid Sabbagh", "Karim Haddad")}
        notes = select(store, "SELECT ?r WHERE { ?n a ops:Derivation ; ops:reason ?r "
                              "FILTER(CONTAINS(?r, 'succession')) }")
        assert len(notes) == 1 and "2 article(s)" in notes[0]["r"] and "1 the other way round" in notes[0]["r"]
    finally:
        store.close()
