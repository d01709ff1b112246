"""opskg's own spaCy pipeline components (registered with ``@Language.factory``).

Importing this package registers the factories and the ``Span`` extensions they set:

- ``span._.opskg_kind``: a finer kind ("village", "province", "armed_group"...), when known;
- ``span._.opskg_canonical``: the gazetteer entry the span names, when it names one.
"""

from spacy.tokens import Span

for _name in ("opskg_kind", "opskg_canonical"):
    if not Span.has_extension(_name):
        Span.set_extension(_name, default=None)

from kg.components import (  # noqa: E402  (registers them)
    gazetteer_ner,
    geonames_ner,
    person_names,
    place_phrases,
    sentences,
)

__all__ = ["gazetteer_ner", "geonames_ner", "person_names", "place_phrases", "sentences"]
