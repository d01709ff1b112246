"""``opskg_places``: places named by the phrases around them.

"the village of X", "the village, X,", "X village", "X province", "X governorate", "near X", "south of X":
the words around a name say it is a place (and often what kind), whatever the model said.
"""

from __future__ import annotations

from collections.abc import Sequence

from spacy.language import Language
from spacy.tokens import Doc, Span

from kg import gazetteer as gaz
from kg.components.known_places import KnownPlaces
from kg.components.spans import VILLAGE_NOUNS, is_name_token, set_entities, village_noun_after_name
from kg.names import ARTICLES

#: "the <noun> of X": the kind the noun gives X.
OF_NOUNS = {
    "village": "village", "town": "town", "city": "city", "province": "province", "governorate": "province",
    "district": "district", "region": "region", "camp": "camp", "capital": "city", "hamlet": "village",
    "suburb": None, "outskirts": None, "countryside": None, "area": None, "neighbourhood": None,
    "neighborhood": None, "vicinity": None, "border town": "town", "port": "city", "port city": "city",
}
#: "X <noun>": the kind the noun gives X.
AFTER_NOUNS = {"province": "province", "governorate": "province", "district": "district", "region": "region",
               "camp": "camp", "village": "village", "hamlet": "village"}
#: "the <noun>, X, ...": an apposition naming the place.
APPOSED_NOUNS = {"village": "village", "town": "town", "hamlet": "village"}
_DETERMINERS = {"the", "a", "an", "this", "that", "these", "those", "its", "their", "his", "her"}
DIRECTIONS = {"north", "south", "east", "west", "northeast", "northwest", "southeast", "southwest",
              "north-east", "north-west", "south-east", "south-west", "outside", "near"}


def _name_span(doc: Doc, i: int) -> int:
    """End of a capitalised place name starting at ``i`` ("Muluk Saray", "al-Bab", "Deir ez-Zor")."""
    end = i
    while end < len(doc):
        token = doc[end]
        if token.lower_ in ARTICLES and end + 1 < len(doc):
            step = 2 if doc[end + 1].text == "-" else 1
            if end + step < len(doc) and is_name_token(doc[end + step].text):
                end += step + 1
                continue
            break
        if is_name_token(token.text) and token.ent_type_ not in ("DATE", "TIME", "CARDINAL", "ORDINAL") \
                and token.lower_ not in OF_NOUNS and token.lower_ not in AFTER_NOUNS:
            end += 1
            if end + 1 < len(doc) and doc[end].text == "-" and doc[end + 1].is_lower and len(doc[end + 1]) <= 3:
                end += 2  # "Deir ez-Zor": a lower-case particle inside the name
            continue
        break
    return end


class PlacePhrases:
    def __init__(self, nlp: Language, name: str) -> None:
        self.name = name
        recognizer = nlp.get_pipe("opskg_gazetteer") if "opskg_gazetteer" in nlp.pipe_names else None
        self.gazetteer: gaz.Gazetteer = getattr(recognizer, "gazetteer", None) or gaz.Gazetteer()
        self.known = KnownPlaces(nlp)

    def __call__(self, doc: Doc) -> Doc:
        spans: list[Span] = []
        ents = doc.ents  # the same until set_entities: made once (each doc.ents makes every span again)
        for i, token in enumerate(doc):
            low = token.lower_
            # "the village of X"
            if low in OF_NOUNS and i + 2 < len(doc) and doc[i + 1].lower_ == "of":
                span = self._place(doc, i + 2, OF_NOUNS[low], ents)
                if span is not None:
                    spans.append(span)
            # "residents of the hamlet, X, had no power"
            if low in APPOSED_NOUNS and i + 2 < len(doc) and doc[i + 1].text == "," and i > 0 \
                    and any(t.lower_ in _DETERMINERS for t in doc[max(0, i - 3):i]):
                span = self._place(doc, i + 2, APPOSED_NOUNS[low], ents)
                if span is not None and span.end < len(doc) and doc[span.end].text == ",":
                    spans.append(span)
            # "X province" (not when "X Governorate" is itself a known name)
            if low in AFTER_NOUNS and i > 0 and is_name_token(doc[i - 1].text) and not token.ent_type_ \
                    and doc[i - 1].pos_ == "PROPN" and doc[i - 1].lower_ not in _DETERMINERS \
                    and (low not in VILLAGE_NOUNS or village_noun_after_name(doc, i)):
                start = i - 1
                while start > 0 and (is_name_token(doc[start - 1].text) or doc[start - 1].lower_ in ARTICLES
                                     or doc[start - 1].text == "-") and not doc[start].is_sent_start:
                    start -= 1
                while start < i - 1 and not is_name_token(doc[start].text):
                    start += 1
                spans.append(self._make(doc, start, i, AFTER_NOUNS[low], ents))
            # "near X", "south of X"
            if low in DIRECTIONS and i + 1 < len(doc):
                j = i + 2 if doc[i + 1].lower_ == "of" else i + 1
                known_org = any(e._.opskg_canonical and e.start <= j < e.end for e in ents)
                if j < len(doc) and doc[j].ent_type_ in ("PERSON", "ORG", "") and not known_org \
                        and is_name_token(doc[j].text):
                    end = _name_span(doc, j)
                    if end < len(doc) and doc[end].text in ("'s", "’s", "'", "’"):
                        continue  # "near Omar al-Rawi's house": the house is the place, the man is a man
                    span = self._place(doc, j, None, ents)
                    if span is not None:
                        spans.append(span)
        spans += self._nationality_led(doc, ents)
        set_entities(doc, [s for s in spans if not self._is_known_other(s, ents)])
        return doc

    def _nationality_led(self, doc: Doc, ents: Sequence[Span]) -> list[Span]:
        """"Ostanian Wells": a place name whose first word the model took for a nationality is one
        place, unless the rest is a place GeoNames knows and the whole is not ("Somali Dhobley")."""
        out = []
        for ent in ents:
            if ent.label_ not in ("GPE", "LOC") or ent._.opskg_canonical or ent.start == 0:
                continue
            before = doc[ent.start - 1]
            norp = next((e for e in ents if e.end == ent.start and e.label_ == "NORP"), None)
            if norp is not None and len(norp) == 1 and not norp._.opskg_canonical and before.whitespace_ \
                    and before.text[:1].isupper() and not before.is_sent_start \
                    and (self.known.any(doc[norp.start:ent.end].text) or not self.known.any(ent.text)):
                out.append(Span(doc, norp.start, ent.end, label=ent.label_))
        return out

    def _place(self, doc: Doc, start: int, kind: str | None, ents: Sequence[Span]) -> Span | None:
        if start < len(doc) and doc[start].lower_ == "the":
            start += 1
        if start < len(doc) and doc[start].lower_ in _DETERMINERS:
            return None
        if start >= len(doc) or not (is_name_token(doc[start].text) or doc[start].lower_ in ARTICLES):
            return None
        end = _name_span(doc, start)
        return self._make(doc, start, end, kind, ents) if end > start else None

    def _make(self, doc: Doc, start: int, end: int, kind: str | None, ents: Sequence[Span]) -> Span:
        existing = [e for e in ents if e.start == start and e.end == end and e._.opskg_canonical]
        span = Span(doc, start, end, label="GPE")
        canonical = existing[0]._.opskg_canonical if existing else None
        if canonical and canonical.startswith("place:") and kind in ("province", "district"):
            # "Hasekeh province": the province, even where the bare name matched its capital.
            place = self.gazetteer.places.get(canonical[6:])
            parent = self.gazetteer.places.get(place.parent or "") if place else None
            if place is not None and place.kind not in ("province", "district") and parent is not None \
                    and parent.kind in ("province", "district"):
                canonical = f"place:{parent.name}"
        span._.opskg_kind = kind or (existing[0]._.opskg_kind if existing else None)
        span._.opskg_canonical = canonical
        return span

    @staticmethod
    def _is_known_other(span: Span, ents: Sequence[Span]) -> bool:
        """A gazetteer organization (or anything the gazetteer knows as no place) stays what it is."""
        for token in span:
            ent = [e for e in ents if e.start <= token.i < e.end]
            if ent and ent[0]._.opskg_canonical and ent[0]._.opskg_canonical.startswith("org:"):
                return True
        return False


@Language.factory("opskg_places")
def make_place_phrases(nlp: Language, name: str) -> PlacePhrases:
    return PlacePhrases(nlp, name)
