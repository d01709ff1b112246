"""Extraction: a parsed article (spaCy Doc) to entities and facts with their evidence."""

from __future__ import annotations

from spacy.tokens import Doc

from kg import gazetteer as gaz
from kg.extract.entities import extract_entities
from kg.extract.events import extract_events
from kg.extract.places import extract_containment, extract_regions
from kg.extract.roles import extract_roles
from kg.extract.succession import extract_successions
from kg.model import Article, Extraction, Span


def extract(doc: Doc, article: Article, gazetteer: gaz.Gazetteer | None = None) -> Extraction:
    """Everything the extractors read from one parsed article."""
    g = gazetteer or gaz.default()
    found = extract_entities(doc, g)
    facts = extract_regions(doc, found, g)
    facts += extract_containment(doc, found, g)
    roles, role_facts = extract_roles(doc, found, g)
    members = {f.subject for f in role_facts if f.predicate == "memberOf"}
    events = extract_events(doc, article, found, g, members, [f for f in facts if f.predicate == "locatedIn"])
    killed = {f.subject for f in events.facts if f.predicate == "killedIn"}
    roles, role_facts = extract_successions(doc, found, g, roles, role_facts, killed)
    sentences = [Span(s.start_char, s.end_char) for s in doc.sents]
    return Extraction(article=article, sentences=sentences, entities=found.entities + roles + events.entities,
                      facts=facts + role_facts + events.facts)


__all__ = ["extract"]
