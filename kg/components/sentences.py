"""``opskg_lines``: a line break ends a sentence.

Headlines, datelines and captions have no final full stop; without this the parser runs them
into the first sentence of the article ("US raid kills official The US raid killed...").
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc


@Language.component("opskg_lines")
def line_breaks(doc: Doc) -> Doc:
    for token in doc[1:]:
        previous = doc[token.i - 1]
        if ("\n" in previous.text_with_ws and not previous.is_space) or (previous.is_space and "\n" in previous.text):
            token.is_sent_start = True
    return doc
