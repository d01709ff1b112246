"""``opskg_names``: personal names by the grammar of Arabic-origin and Western names.

- A kunya ("Abu ‘Ubaida", "Abu Mu’Ath al-Marzini", "Umm Tarek") is a person, whatever the model
  said, unless the gazetteer knows the words as a place ("Abu Kamal", "Abu Dhabi").
- Given names the model split off are joined back ("Nabil" + "Hamid al-Osmani").
- An article the page broke from its name ("al- Rifai") stays in the name.
- Titles and ranks are trimmed from a person's span ("Colonel Karim Haddad" -> "Karim Haddad").
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from kg.components.known_places import KnownPlaces
from kg.components.spans import is_name_token, overlaps, set_entities
from kg.names import ARTICLES, KUNYA_HEADS, NASAB_HEADS, TITLES, fold

_APOSTROPHES = {"'", "‘", "’", "`", "ʿ", "ʾ"}
_NAME_TAGS = {"NNP", "NNPS"}


def _is_article(token: Token) -> bool:
    return token.lower_ in ARTICLES


def _name_end(doc: Doc, i: int) -> int:
    """The end of a name that continues at token ``i``: parts, "al-X", "bin X", apostrophes."""
    end = i
    while end < len(doc):
        token = doc[end]
        if token.text in _APOSTROPHES and end + 1 < len(doc) and is_name_token(doc[end + 1].text):
            end += 2
        elif _is_article(token) and end + 1 < len(doc):
            nxt = end + 2 if doc[end + 1].text == "-" and end + 2 < len(doc) else end + 1
            if not is_name_token(doc[nxt].text):
                break
            end = nxt + 1
        elif token.lower_ in NASAB_HEADS and end + 1 < len(doc) and is_name_token(doc[end + 1].text):
            end += 2
        elif token.text.endswith("-") and token.lower_[:-1] in ARTICLES and end + 1 < len(doc) \
                and is_name_token(doc[end + 1].text):
            end += 2  # "al- Rifai": the page broke the article from its name
        elif is_name_token(token.text) and token.tag_ in _NAME_TAGS and fold(token.text) not in TITLES \
                and token.ent_type_ not in ("ORG", "GPE", "LOC", "FAC") and token.lower_ not in KUNYA_HEADS:
            end += 1
        else:
            break
    return end


#: Words before which a name is a place's ("killed in Marzin Karim Haddad" is rare, but possible).
_LOCATIVES = {"in", "near", "at", "from", "outside", "to", "into", "of", "across", "towards", "toward", "via",
              "through", "around", "between"}


class PersonNames:
    def __init__(self, nlp: Language, name: str) -> None:
        self.name = name
        self.known = KnownPlaces(nlp)

    def _unknown_place_word(self, doc: Doc, token: Token) -> bool:
        """A one-word place the model split off a person's name ("Zubair" GPE + "Karim Haddad"
        PERSON): no gazetteer knows it as a major place and no locative word comes before it."""
        ent = next((e for e in doc.ents if e.start <= token.i < e.end), None)
        return ent is not None and ent.label_ in ("GPE", "LOC") and len(ent) == 1 and not ent._.opskg_canonical \
            and token.text.isalpha() and not (token.i > 0 and doc[token.i - 1].lower_ in _LOCATIVES) \
            and not self.known.major(token.text)

    def __call__(self, doc: Doc) -> Doc:
        spans = self._kunyas(doc)
        spans += self._extended_people(doc, spans)
        set_entities(doc, spans)
        self._trim_titles(doc)
        return doc

    def _kunyas(self, doc: Doc) -> list[Span]:
        out = []
        ents = doc.ents  # made once (each doc.ents makes every span again)
        i = 0
        while i < len(doc) - 1:
            token = doc[i]
            if token.text[:1].isupper() and token.lower_ in KUNYA_HEADS:
                j = i + 1
                if doc[j].text in _APOSTROPHES and j + 1 < len(doc):
                    j += 1
                if _is_article(doc[j]) and j + 2 < len(doc) and doc[j + 1].text == "-":
                    j += 2  # "Abu al-Walid"
                if j < len(doc) and is_name_token(doc[j].text):
                    end = _name_end(doc, j + 1)
                    span = Span(doc, i, end, label="PERSON")
                    known_place = any(e._.opskg_canonical and e._.opskg_canonical.startswith("place:")
                                      and overlaps(e, span) for e in ents)
                    # a group named like a man ("Abu X") stays the group here: the entity stage reads
                    # from the context whether the article means the man
                    known_group = any(e._.opskg_canonical and e._.opskg_canonical.startswith("org:")
                                      and (e.start, e.end) == (span.start, span.end) for e in ents)
                    if not known_place and not known_group:
                        out.append(span)
                        i = end
                        continue
            i += 1
        return out

    def _extended_people(self, doc: Doc, taken: list[Span]) -> list[Span]:
        """PERSON spans with the name parts that the model left just before or after them."""
        out = []
        for ent in doc.ents:
            if ent.label_ != "PERSON" or any(overlaps(ent, t) for t in taken):
                continue
            start = ent.start
            while start > 0:
                prev = doc[start - 1]
                if prev.tag_ in _NAME_TAGS and is_name_token(prev.text) and fold(prev.text) not in TITLES \
                        and (prev.ent_type_ in ("", "NORP", "PERSON") or self._unknown_place_word(doc, prev)) \
                        and prev.lower_ not in KUNYA_HEADS:
                    start -= 1
                else:
                    break
            end = max(ent.end, _name_end(doc, ent.end))
            if (start, end) != (ent.start, ent.end):
                out.append(Span(doc, start, end, label="PERSON"))
        return out

    @staticmethod
    def _trim_titles(doc: Doc) -> None:
        """Leading titles and a trailing possessive are not part of a person's name."""
        ents = []
        for ent in doc.ents:
            start, end = ent.start, ent.end
            if ent.label_ == "PERSON":
                while start < end - 1 and fold(doc[start].text) in TITLES:
                    start += 1
                while end - 1 > start and doc[end - 1].tag_ == "POS":
                    end -= 1
            ents.append(ent if (start, end) == (ent.start, ent.end) else Span(doc, start, end, label=ent.label_))
        doc.ents = ents


@Language.factory("opskg_names")
def make_person_names(nlp: Language, name: str) -> PersonNames:
    return PersonNames(nlp, name)
