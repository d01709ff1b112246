"""Helpers shared by the components: replacing entities without losing the others."""

from __future__ import annotations

from collections.abc import Iterable

from spacy.tokens import Doc, Span


def overlaps(a: Span, b: Span) -> bool:
    return a.start < b.end and b.start < a.end


def set_entities(doc: Doc, new: Iterable[Span]) -> None:
    """Put ``new`` spans into ``doc.ents``, dropping the existing entities they overlap. Of new spans that
    overlap, the one that starts first is kept (the longest of those that start at one token)."""
    new = sorted(new, key=lambda s: (s.start, -len(s)))
    chosen: list[Span] = []
    taken = bytearray(len(doc))  # the tokens of the chosen spans
    for span in new:
        if not any(taken[span.start:span.end]):
            chosen.append(span)
            taken[span.start:span.end] = b"\x01" * len(span)
    kept = [e for e in doc.ents if not any(taken[e.start:e.end])]
    extensions = {(s.start, s.end): (s._.opskg_kind, s._.opskg_canonical) for s in chosen}
    doc.ents = sorted(kept + chosen, key=lambda s: s.start)
    for ent in doc.ents:
        if (ent.start, ent.end) in extensions:
            ent._.opskg_kind, ent._.opskg_canonical = extensions[(ent.start, ent.end)]


def is_name_token(token_text: str) -> bool:
    """A capitalised word that can be part of a proper name."""
    return bool(token_text) and token_text[0].isupper() and any(c.isalpha() for c in token_text)


#: Nouns that make the name before them a village's.
VILLAGE_NOUNS = frozenset({"village", "hamlet"})


def village_noun_after_name(doc: Doc, i: int) -> bool:
    """Whether token ``i`` is a village noun that names the name before it ("Marzin village"), not
    one that starts a phrase of its own ("the Marzin village of Qasr Banat": Qasr Banat is the village)."""
    return doc[i].lower_ in VILLAGE_NOUNS and not (i + 1 < len(doc) and doc[i + 1].lower_ == "of")
