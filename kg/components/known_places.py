"""Whether GeoNames knows a name as a place, for the components that run before ``opskg_geonames``.

The name repairs in ``opskg_names`` and ``opskg_places`` join a word the model called a place to
the name beside it ("Zubair" + "Karim Haddad"; "Ostanian" + "Wells"). A word GeoNames knows as a
country, a first-level division or a city of 100,000 people or more ("Texas" in "Texas Republican
Ted Cruz") is a place, and so is a village it knows when the joined name is no place it knows
("Somali Dhobley"). The pipeline's GeoNames layer is found when first needed (it is added after
these components); without it (a pipeline with another gazetteer) nothing is known.
"""

from __future__ import annotations

from spacy.language import Language

from kg.geonames.index import GeoIndex

#: Population from which a populated place's name is a place whatever the article.
BIG_CITY = 100_000


class KnownPlaces:
    def __init__(self, nlp: Language) -> None:
        self._nlp = nlp

    def _index(self) -> GeoIndex | None:
        if "opskg_geonames" not in self._nlp.pipe_names:
            return None
        layer = getattr(self._nlp.get_pipe("opskg_geonames"), "layer", None)
        return layer.index if layer is not None else None

    def major(self, name: str) -> bool:
        """A country, a first-level division or a big city of that name."""
        index = self._index()
        return index is not None and any(p.kind in ("country", "province") or p.population >= BIG_CITY
                                         for p in index.find(name))

    def any(self, name: str) -> bool:
        """Any place of that name."""
        index = self._index()
        return index is not None and bool(index.find(name))
