"""GeoNames places in the gazetteer: linking curated rows to GeoNames, and adding the places they lack.

The curated gazetteer (``kg/data/gazetteer/places.tsv``) names the places news writes about in the
forms news uses, and the regions, camps and facilities GeoNames' populated places lack. GeoNames
(:mod:`kg.geonames.index`) supplies every populated place of 500 people or more, with its first-level
division and country. :class:`GeoLayer` joins the two:

- :meth:`GeoLayer.link`: the GeoNames feature of a curated row (same country, same division);
- :meth:`GeoLayer.resolve`: the place a name no curated row has stands for, in an article's context
  (the rule is :func:`kg.geonames.choose.choose`), added to the gazetteer with its containment chain
  (populated place -> division -> country), the division and country being curated rows where
  they exist.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kg.gazetteer import Gazetteer, Place, lookup_key, strip_admin
from kg.geonames.choose import Context, choose
from kg.geonames.index import GeoIndex, GeoPlace, ascii_name

#: Curated kinds that are populated places in GeoNames.
POPULATED = ("city", "town", "village", "district", "camp")


@dataclass
class GeoLayer:
    gazetteer: Gazetteer
    index: GeoIndex
    _countries: dict[str, str] | None = None  # ISO code -> curated country name
    _provinces: dict[tuple[str, str], str] | None = None  # (ISO, admin1) -> curated division name
    _links: dict[str, GeoPlace | None] = field(default_factory=dict)
    _added: dict[int, str] = field(default_factory=dict)  # geonameid -> gazetteer name

    # -- curated rows -> GeoNames ------------------------------------------------------------------

    def _forms(self, place: Place) -> list[str]:
        forms = [place.name, *place.aliases]
        return list(dict.fromkeys([*forms, *(strip_admin(f) for f in forms), *(f.split(",")[0] for f in forms)]))

    def _candidates(self, place: Place, kinds: tuple[str, ...], iso: str | None) -> list[GeoPlace]:
        found = {c.id: c for form in self._forms(place) for c in self.index.find(form)
                 if c.kind in kinds and (iso is None or c.country == iso)}
        return sorted(found.values(), key=lambda c: (-c.population, c.id))

    def country_codes(self) -> dict[str, str]:
        """ISO code -> curated country row."""
        if self._countries is None:
            self._countries = {}
            for place in self.gazetteer.places.values():
                if place.kind == "country" and place.geonameid is None:
                    found = self._candidates(place, ("country",), None)
                    if found:
                        self._countries.setdefault(found[0].country, place.name)
        return self._countries

    def iso(self, place: Place) -> str | None:
        """The ISO code of a place's country, curated or added."""
        country = self.gazetteer.country_of(place)
        if country is None:
            return None
        linked = self.link(country)
        return linked.country if linked is not None else None

    def province_codes(self) -> dict[tuple[str, str], str]:
        """(ISO, admin1 code) -> curated first-level division row."""
        if self._provinces is None:
            self._provinces = {}
            for place in self.gazetteer.places.values():
                if place.kind == "province" and place.geonameid is None:
                    iso = self.iso(place)
                    found = self._candidates(place, ("province",), iso) if iso else []
                    if found and found[0].admin1:
                        self._provinces.setdefault((found[0].country, found[0].admin1), place.name)
        return self._provinces

    def link(self, place: Place) -> GeoPlace | None:
        """The GeoNames feature a gazetteer row is: its own id, else the same-named feature of its kind in
        its country (and division, for a populated place), the most populous one."""
        if place.geonameid is not None:
            return self.index.get(place.geonameid)
        if place.name in self._links:
            return self._links[place.name]
        found: GeoPlace | None = None
        if place.kind == "country":
            candidates = self._candidates(place, ("country",), None)
            found = candidates[0] if candidates else None
        elif place.kind in ("province", *POPULATED):
            iso = self.iso(place)
            kinds = ("province",) if place.kind == "province" else ("city", "town", "village")
            candidates = self._candidates(place, kinds, iso) if iso else []
            parent = next((a for a in self.gazetteer.ancestors(place) if a.kind == "province"), None)
            linked_parent = self.link(parent) if parent is not None else None
            if linked_parent is not None and place.kind != "province":
                candidates = [c for c in candidates if c.admin1 == linked_parent.admin1] or candidates
            found = candidates[0] if candidates else None
        self._links[place.name] = found
        return found

    # -- GeoNames -> gazetteer -----------------------------------------------------------------------

    def add(self, geo: GeoPlace) -> Place:
        """The gazetteer row for a GeoNames feature: the curated row it is, else a row added now.

        An added row is reachable by its entry name only (``gazetteer.places``), never by a name lookup
        (``find_places``), and its name depends on the curated rows and the GeoNames data alone
        (:meth:`entry_name`): which articles were read before, and in which order or process, changes
        neither how a name is read nor the entity it gives."""
        if geo.id in self._added:
            return self.gazetteer.places[self._added[geo.id]]
        curated = self._curated(geo)
        if curated is not None:
            return curated
        parent_geo = self.index.parent(geo)
        parent = self.add(parent_geo) if parent_geo is not None else None
        name = self.entry_name(geo, parent)
        existing = self.gazetteer.places.get(name)
        if existing is not None and existing.geonameid == geo.id:  # added before, by another layer
            self._added[geo.id] = name
            return existing
        if existing is not None:  # cannot happen with one index: a name is never given to two features
            name = f"{ascii_name(geo.name)} ({geo.id})"
        place = Place(name, geo.kind, parent.name if parent is not None else None, (), geo.lat, geo.lon,
                      geonameid=geo.id, source="geonames")
        # Not ``add_place``: that would index the row under its name for every later lookup.
        self.gazetteer.places[name] = place
        self._added[geo.id] = name
        return place

    def entry_name(self, geo: GeoPlace, parent: Place | None) -> str:
        """The entry name of an added row, from the curated rows and the GeoNames data alone: the plain
        name when no curated row and no other GeoNames feature has it, else qualified with the
        containing row ("Marzin, Korvath Province"), and with the GeoNames id too ("Marzin, Korvath
        Province (42)") when another feature of that name has the same parent or a curated row the
        qualified name."""
        base = ascii_name(geo.name)
        shared = [c for c in self.index.find(base) if c.id != geo.id]
        curated = any(p.source == "curated" for p in self.gazetteer.find_places(base))
        if not shared and not curated:
            return base
        name = f"{base}, {parent.name}" if parent is not None else base
        home = self.index.parent(geo)
        twins = any(ascii_name(c.name) == base and self.index.parent(c) == home for c in shared)
        clash = self.gazetteer.places.get(name)
        taken = clash is not None and clash.source == "curated"
        return f"{name} ({geo.id})" if twins or taken or (parent is None and curated) else name

    def _curated(self, geo: GeoPlace) -> Place | None:
        if geo.kind == "country":
            name = self.country_codes().get(geo.country)
        elif geo.kind == "province" and geo.admin1:
            name = self.province_codes().get((geo.country, geo.admin1))
        else:
            same = [p for form in (geo.name, ascii_name(geo.name)) for p in self.gazetteer.find_places(form)
                    if p.source == "curated" and p.kind in POPULATED]
            return next((p for p in same if self.link(p) == geo), None)
        return self.gazetteer.places[name] if name else None

    # -- names in an article ---------------------------------------------------------------------------

    def context(self, places: list[Place]) -> Context:
        """The countries and divisions of the places an article names."""
        countries, provinces, theatres = set(), set(), set()
        for place in places:
            geo = self.link(place)
            if geo is None:
                continue
            countries.add(geo.country)
            if place.kind not in ("country", "region"):
                theatres.add(geo.country)
            if geo.admin1 and geo.kind != "country":
                provinces.add((geo.country, geo.admin1))
        return Context(frozenset(countries), frozenset(provinces), frozenset(theatres))

    def resolve(self, name: str, context: Context, wants: str | None = None, strict: bool = False) -> Place | None:
        """The place ``name`` stands for in an article with this context, or ``None``."""
        bare = strip_admin(name)
        if bare != name:
            wants = "province"
        if lookup_key(bare) == lookup_key(name) and len(lookup_key(bare)) < 3:
            return None
        chosen = choose(self.index.find(bare), context, wants, strict)
        return self.add(chosen) if chosen is not None else None
