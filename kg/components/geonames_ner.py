"""``opskg_geonames``: places the curated gazetteer lacks, looked up in GeoNames.

A phrase matcher over GeoNames' 235,000 places and their alternate names would be far too large, so
this component looks up only the names the model or the place phrases already call places (GPE, LOC
or FAC spans that no gazetteer entry covers), and resolves each in the article's context: the
countries and divisions of the places it names (:mod:`kg.geonames.choose`). A resolved span gets the
place's gazetteer entry, which the component adds to the pipeline's gazetteer with its containment
chain. Off when the pipeline uses another gazetteer than the shipped one (the tests' invented places);
a test builds the component itself with an invented gazetteer and index.
"""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc, Span

from kg import gazetteer as gaz
from kg.components.spans import set_entities
from kg.geonames import index
from kg.geonames.index import GeoIndex
from kg.geonames.places import GeoLayer

LABELS = {"GPE", "LOC", "FAC"}
#: A name the model took for a person's is looked up only after one of these words ("killed in
#: Marzin"), and kept only in a division the article names.
_LOCATIVE = {"in", "near", "outside", "around"}
#: Words after a name that make it an organization's or a thing's, not a place's ("the Marzin Force",
#: "the Korvath talks"). The README lists them.
_NOT_PLACE_AFTER = re.compile(r"^(?:force|forces|brigade|brigades|corps|front|army|movement|group|battalion|"
                              r"regiment|division|unit|operation|agreement|accords?|talks|process)$", re.I)
_WANTS = {"village": "village", "town": "town", "city": "city", "province": "province", "district": None,
          "camp": None, "region": None}


class GeoNamesRecognizer:
    def __init__(self, nlp: Language, name: str, enabled: bool, gazetteer: gaz.Gazetteer | None = None,
                 geo_index: GeoIndex | None = None) -> None:
        """``gazetteer`` defaults to the pipeline recognizer's (else the shipped one), ``geo_index`` to
        the index of the installed GeoNames data."""
        self.name = name
        self.layer: GeoLayer | None = None
        if enabled:
            if gazetteer is None:
                recognizer = nlp.get_pipe("opskg_gazetteer") if "opskg_gazetteer" in nlp.pipe_names else None
                gazetteer = getattr(recognizer, "gazetteer", None) or gaz.default()
            self.layer = GeoLayer(gazetteer, geo_index or index.default())

    def __call__(self, doc: Doc) -> Doc:
        if self.layer is None:
            return doc
        g = self.layer.gazetteer
        known = [g.places[e._.opskg_canonical.split(":", 1)[1]] for e in doc.ents
                 if (e._.opskg_canonical or "").startswith("place:")
                 and e._.opskg_canonical.split(":", 1)[1] in g.places]
        context = self.layer.context(known)
        relabelled = []
        for ent in doc.ents:
            if ent._.opskg_canonical or not ent.text[:1].isupper():
                continue
            if ent.end < len(doc) and _NOT_PLACE_AFTER.match(doc[ent.end].text):
                continue
            if any(p.source == "curated" for p in g.find_places(ent.text)):
                continue  # the curated gazetteer knows the name and made its choice (or left it out)
            after_locative = ent.start > 0 and doc[ent.start - 1].lower_ in _LOCATIVE
            if ent.label_ not in LABELS and not (ent.label_ == "PERSON" and after_locative and context.countries):
                continue
            person = ent.label_ not in LABELS
            place = self.layer.resolve(ent.text, context, _WANTS.get(ent._.opskg_kind or ""), strict=person)
            if place is None:
                continue
            if person:
                ent = Span(doc, ent.start, ent.end, label="GPE")
                relabelled.append(ent)
            ent._.opskg_canonical = f"place:{place.name}"
            ent._.opskg_kind = place.kind
            context = self.layer.context([*known, place])
            known.append(place)
        if relabelled:
            set_entities(doc, relabelled)
        return doc


@Language.factory("opskg_geonames", default_config={"enabled": True})
def make_geonames_recognizer(nlp: Language, name: str, enabled: bool) -> GeoNamesRecognizer:
    return GeoNamesRecognizer(nlp, name, enabled)
