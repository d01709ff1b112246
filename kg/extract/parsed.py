"""What the extractors read of a finished parse more than once, computed once per document.

spaCy rebuilds ``Doc.text`` from the tokens, and ``Span.ents`` from all the document's entities, on
every access. Extraction runs after the pipeline, when neither changes any more, so each is computed
once and kept in the document's ``user_data``.
"""

from __future__ import annotations

from bisect import bisect_left

from spacy.tokens import Doc, Span

_TEXT, _ENTS = "opskg.text", "opskg.ents"


def text(doc: Doc) -> str:
    """``doc.text``, built once."""
    if _TEXT not in doc.user_data:
        doc.user_data[_TEXT] = doc.text
    return str(doc.user_data[_TEXT])


def ents(span: Span) -> list[Span]:
    """``span.ents``: the document's entities that lie within ``span``, in order."""
    doc = span.doc
    if _ENTS not in doc.user_data:
        found = list(doc.ents)
        doc.user_data[_ENTS] = (found, [e.start for e in found])
    found, starts = doc.user_data[_ENTS]
    out = []
    for ent in found[bisect_left(starts, span.start):]:
        if ent.start >= span.end:
            break
        if ent.end <= span.end:
            out.append(ent)
    return out
