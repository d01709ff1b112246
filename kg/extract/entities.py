"""Named entities: spaCy's NER mapped onto the core classes."""

from __future__ import annotations

from spacy.tokens import Doc
from spacy.tokens import Span as SpacySpan

from kg.model import Entity, EntityRef, Mention, Span
from kg.names import entity_key, strip_possessive

#: spaCy NER labels -> core classes.
LABEL_CLASSES = {
    "PERSON": "Person",
    "ORG": "Organization",
    "GPE": "Location",
    "LOC": "Location",
    "FAC": "Location",
}


def extract_entities(doc: Doc) -> list[Entity]:
    """One entity per (class, key) in the article, with all its mentions."""
    by_ref: dict[EntityRef, Entity] = {}
    for ent in doc.ents:
        cls = LABEL_CLASSES.get(ent.label_)
        if cls is None:
            continue
        mention = _mention(ent)
        if mention is None:
            continue
        ref = EntityRef(cls, entity_key(mention.text))
        entity = by_ref.get(ref)
        if entity is None:
            entity = by_ref[ref] = Entity(ref=ref, name=mention.text)
        elif len(mention.text) > len(entity.name):
            entity.aliases.add(entity.name)
            entity.name = mention.text
        entity.mentions.append(mention)
        if mention.text != entity.name:
            entity.aliases.add(mention.text)
    return list(by_ref.values())


def _mention(ent: SpacySpan) -> Mention | None:
    text = strip_possessive(ent.text.strip())
    if not any(ch.isalpha() for ch in text):
        return None
    if text.lower().startswith("the "):
        text = text[4:]
    start = ent.start_char + ent.text.find(text) if text in ent.text else ent.start_char
    sentence = ent.sent
    return Mention(text=text, span=Span(start, start + len(text)),
                   sentence=Span(sentence.start_char, sentence.end_char))
