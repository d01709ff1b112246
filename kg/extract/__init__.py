"""Extraction: a parsed article (spaCy Doc) to entities and facts with their evidence."""

from __future__ import annotations

from spacy.tokens import Doc

from kg.extract.entities import extract_entities
from kg.model import Article, Extraction, Span


def extract(doc: Doc, article: Article) -> Extraction:
    """Everything the extractors read from one parsed article."""
    sentences = [Span(s.start_char, s.end_char) for s in doc.sents]
    entities = extract_entities(doc)
    return Extraction(article=article, sentences=sentences, entities=entities, facts=[])


__all__ = ["extract"]
