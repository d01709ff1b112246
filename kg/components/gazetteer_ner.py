"""``opskg_gazetteer``: places and organizations from the shipped gazetteer.

The small statistical model mislabels much of this domain ("Marzin" as an organization, "Northern"
as a nationality and "Front" as an organization). Known names override what the model said when
they cover it. Single words match only when written as proper nouns (case-sensitive, tagged
NNP): "Delta" the special-forces unit, not a river delta.
"""

from __future__ import annotations

import re
from pathlib import Path

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span

from kg import gazetteer as gaz
from kg.components.spans import overlaps, set_entities, village_noun_after_name
from kg.names import fold

#: Words after a name that make it a force's, not a place's ("the Korvath Force").
_NOT_PLACE_AFTER = re.compile(r"^(?:force|forces|corps)$", re.I)
PLACE_LABELS = {"country": "GPE", "province": "GPE", "district": "GPE", "city": "GPE", "town": "GPE",
                "village": "GPE", "camp": "FAC", "region": "LOC", "airport": "FAC", "base": "FAC", "prison": "FAC"}


def variants(form: str) -> set[str]:
    """Spellings of one name as sources write it: "al-Bab", "Al-Bab", "al Bab", "Al Bab"."""
    out = {form}
    match = re.match(r"(?i)^(al|el)[- ](\S.*)$", form)
    if match:
        rest = match.group(2)
        out |= {f"{a}{sep}{rest}" for a in ("al", "Al", "el", "El") for sep in ("-", " ")}
    if "-" in form:
        out |= {v.replace("-", " ") for v in out} | {v.replace(" ", "-") for v in out if " " in v}
    if "'" in form:
        out |= {v.replace("'", "’") for v in out}  # "Marzin's airport" as typeset: "Marzin’s airport"
    if len(form.split()) == 1 and not form.isupper():
        out.add(form.upper())  # datelines: "MARZIN, Northland"
    if form.isupper() and form.isalpha() and len(form) >= 4:
        out.add(form.capitalize())  # acronyms written as words: "Nato", "Unesco"
    return out


def _says_village(doc: Doc, start: int, end: int) -> bool:
    """"the village of X", "the village, X,", "X village"; not "the X village of Y", which names
    Y a village of X."""
    before = doc[max(0, start - 3):start].text.lower()
    return bool(re.search(r"\b(?:village|hamlet)(?: of|,)? *$", before)) \
        or (end < len(doc) and village_noun_after_name(doc, end))


class GazetteerRecognizer:
    def __init__(self, nlp: Language, name: str, single_word_tags: list[str], data_dir: str | None) -> None:
        self.name = name
        self.single_word_tags = set(single_word_tags)
        self.gazetteer = gaz.default() if data_dir is None else gaz.load(Path(data_dir))
        self.exact = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.folded = PhraseMatcher(nlp.vocab, attr="LOWER")
        for form, kind, entry in self.gazetteer.surface_forms():
            key = f"{kind}\t{entry}"
            for variant in variants(form):
                pattern = nlp.make_doc(variant)
                if len(pattern) == 1 or variant.isupper():
                    self.exact.add(key, [pattern])
                else:
                    self.folded.add(key, [pattern])

    def __call__(self, doc: Doc) -> Doc:
        candidates: dict[tuple[int, int], list[tuple[str, str]]] = {}
        for matcher in (self.exact, self.folded):
            for match_id, start, end in matcher(doc):
                span = doc[start:end]
                if len(span) == 1 and not (span.text.isupper() or span[0].tag_ in self.single_word_tags):
                    continue
                kind, entry = doc.vocab.strings[match_id].split("\t", 1)
                candidates.setdefault((start, end), []).append((kind, entry))
        countries = {entry for options in candidates.values() for kind, entry in options
                     if kind == "place" and self.gazetteer.places[entry].kind == "country"}
        if countries:
            countries |= self._implied_countries(doc, candidates)
        chosen: list[tuple[int, int, tuple[str, str]]] = []
        villages: set[str] = set()
        for (start, end), options in candidates.items():
            if end < len(doc) and _NOT_PLACE_AFTER.match(doc[end].text):
                options = [o for o in options if o[0] == "org"]  # "the Korvath Force" is not the province
                if not options:
                    continue
            choice = self._choose(doc, start, end, options, countries, candidates)
            if choice is not None:
                chosen.append((start, end, choice))
            elif _says_village(doc, start, end):
                villages.add(gaz.lookup_key(doc[start:end].text))
        # A name the article calls a village is that village wherever the article repeats it. (Spans
        # are made only for what is kept: a span's attributes outlive it on an entity of its extent.)
        found = self._longest([self._span(doc, start, end, *choice) for start, end, choice in chosen
                               if gaz.lookup_key(doc[start:end].text) not in villages])
        # A longer entity of the model's (a person's full name) keeps precedence over a name inside it.
        people = [e for e in doc.ents if e.label_ == "PERSON"]
        keep = [s for s in found if not any(overlaps(s, e) and len(e) > len(s) for e in people)]
        set_entities(doc, keep)
        return doc

    def _choose(self, doc: Doc, start: int, end: int, options: list[tuple[str, str]], countries: set[str],
                candidates: dict[tuple[int, int], list[tuple[str, str]]]) -> tuple[str, str] | None:
        """One entry for a matched name: organizations first, then the place the context suggests.

        A bare name shared by a province and its capital ("Korvath") is the province unless the
        text says city or the city is a national capital ("Cairo"); a town or city is kept only if
        the article names no country or names its country (no Ostanian town in an article about Northland).
        """
        orgs = [o for o in options if o[0] == "org"]
        if orgs:
            return orgs[0]
        places = [self.gazetteer.places[e] for _k, e in dict.fromkeys(options)]
        # A city named like its province ("Hasekeh" for Hasakah and Hasakah Governorate) may be either.
        for place in list(places):
            parent = self.gazetteer.places.get(place.parent or "")
            if parent is not None and parent.kind == "province" and parent not in places \
                    and gaz.lookup_key(gaz.strip_admin(parent.name)) == gaz.lookup_key(place.name):
                places.append(parent)
        if countries:
            places = [p for p in places if p.kind in ("country", "province", "region")
                      or (self.gazetteer.country_of(p) or p).name in countries]
        if not places:
            return None
        before = doc[max(0, start - 3):start].text.lower()
        after = doc[end:end + 1].text.lower()
        capitals = [p for p in places if p.kind == "city" and gaz.lookup_key(p.name) in gaz.national_capitals()]
        if _says_village(doc, start, end):
            # "the village of X", "X village": not the city or province of that name when the article's
            # other places are in other provinces (a village by Marzin is not a far-off city of its name);
            # reporters do call a small city a village, so without such places the city stays.
            provinces = self._provinces(candidates, options)
            preferred = sorted((p for p in places if p.kind in ("town", "village") or not provinces
                                or self._province_of(p) in provinces),
                               key=lambda p: p.kind not in ("village", "town", "city"))
            if not preferred:
                return None
        elif "city of" in before or "capital" in before or after == "city" or "town of" in before:
            preferred = [p for p in places if p.kind in ("city", "town", "village")]
        elif capitals and not any(p.kind == "country" for p in places):
            preferred = capitals  # a bare capital is the city; "X Province" says the province
        else:
            preferred = [p for p in places if p.kind in ("country", "province", "region")]
        chosen = (preferred or places)[0]
        return "place", chosen.name

    def _province_of(self, place: gaz.Place) -> str | None:
        if place.kind == "province":
            return place.name
        return next((a.name for a in self.gazetteer.ancestors(place) if a.kind == "province"), None)

    def _provinces(self, candidates: dict[tuple[int, int], list[tuple[str, str]]],
                   options: list[tuple[str, str]]) -> set[str]:
        """The provinces of the places the article names under other names than ``options``'s."""
        provinces: set[str] = set()
        capitals = gaz.national_capitals()
        for other in candidates.values():
            if any(k == "place" and gaz.lookup_key(e) in capitals for k, e in other):
                continue  # officials speak from capitals: a capital says nothing of where the village is
            places = {self._province_of(self.gazetteer.places[e]) for k, e in other if k == "place"}
            if set(other) != set(options) and len(places) == 1:
                provinces |= {p for p in places if p is not None}
        return provinces

    def _implied_countries(self, doc: Doc, candidates: dict[tuple[int, int], list[tuple[str, str]]]) -> set[str]:
        """Countries an article names without their names: those of the divisions it names ("Idlib
        province") and of the adjectives it uses ("Syrian")."""
        implied = set()
        for options in candidates.values():
            places = [self.gazetteer.places[e] for k, e in options if k == "place"]
            owners = {(self.gazetteer.country_of(p) or p).name for p in places}
            if len(owners) == 1 and any(p.kind == "province" for p in places):
                implied |= owners
        # Any capitalised demonym, "Iranian-backed" included: this only widens which countries' towns
        # the article may mean, never narrows them.
        names = gaz.demonyms()
        implied |= {names[fold(t.text)] for t in doc if t.text[:1].isupper() and fold(t.text) in names}
        return {c for c in implied if c in self.gazetteer.places}

    def _span(self, doc: Doc, start: int, end: int, kind: str, entry: str) -> Span:
        if kind == "place":
            place = self.gazetteer.places[entry]
            span = Span(doc, start, end, label=PLACE_LABELS.get(place.kind, "GPE"))
            span._.opskg_kind = place.kind
        else:
            org = self.gazetteer.organizations[entry]
            span = Span(doc, start, end, label="ORG")
            span._.opskg_kind = org.kind
        span._.opskg_canonical = f"{kind}:{entry}"
        return span

    @staticmethod
    def _longest(spans: list[Span]) -> list[Span]:
        chosen: list[Span] = []
        for span in sorted(spans, key=lambda s: (-len(s), s.start)):
            if not any(overlaps(span, c) for c in chosen):
                chosen.append(span)
        return chosen


@Language.factory("opskg_gazetteer", default_config={"single_word_tags": ["NNP", "NNPS"], "data_dir": None})
def make_gazetteer_recognizer(nlp: Language, name: str, single_word_tags: list[str],
                              data_dir: str | None) -> GazetteerRecognizer:
    return GazetteerRecognizer(nlp, name, single_word_tags, data_dir)
