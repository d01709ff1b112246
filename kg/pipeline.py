"""One article through nlp -> extract -> rdf: a pure function of the article, safe in a worker."""

from __future__ import annotations

from spacy.tokens import Doc

from kg.extract import extract
from kg.gazetteer import Gazetteer
from kg.model import Article
from kg.rdf import article_ntriples
from kg.vocab import IRIs


def analyze(doc: Doc, article: Article, iris: IRIs, gazetteer: Gazetteer | None = None) -> str:
    """The article's named graph as an N-Triples document."""
    extraction = extract(doc, article, gazetteer)
    return article_ntriples(extraction, iris)
