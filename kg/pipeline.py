"""One article through nlp -> extract -> rdf: a pure function of the article, safe in a worker."""

from __future__ import annotations

import pyoxigraph as ox
from spacy.tokens import Doc

from kg.extract import extract
from kg.gazetteer import Gazetteer
from kg.model import Article
from kg.rdf import article_quads
from kg.vocab import IRIs


def analyze(doc: Doc, article: Article, iris: IRIs, gazetteer: Gazetteer | None = None) -> list[ox.Quad]:
    """The statements of the article's named graph, as quads."""
    extraction = extract(doc, article, gazetteer)
    return article_quads(extraction, iris)
