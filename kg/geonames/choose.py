"""Which of the places sharing a name an article means.

The rule (stated in the README):

1. The words around the name may ask for a kind: "X province" a first-level division, "the village
   of X" a populated place; other kinds are then out.
2. A place is kept when it is in a division the article names (or the division of another place it
   names: a village near Marzin is in Marzin's province, not a southern governorate of the same
   name); else when it is a division or a place of 10,000 people or more in a country where the
   article places something (a division, city, town, village or camp of it: being named as an
   actor, "Northland forces", does not count); else when it is a country, or a city of a million
   people or more, wherever it is. A name the model took for a person's is kept only under the
   first test.
3. Of those kept, a place in a named division comes first, then a city of a million or more (the
   city of Grandport, not a town of that name in the article's country), then a country, then the
   most populous (a division counts the people of its populated places, so it outranks its capital
   of the same name).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from kg.geonames.index import GeoPlace

#: Population from which a place outside the article's countries, or in an article naming none, is kept.
WORLD_CITY = 1_000_000
TOWN = 10_000
POPULATED = frozenset({"city", "town", "village"})


@dataclass(frozen=True)
class Context:
    """What an article says about where it is: ISO country codes, (country, division code) pairs."""

    countries: frozenset[str] = frozenset()
    provinces: frozenset[tuple[str, str]] = frozenset()
    #: Countries where the article places something (not merely named, as actors are).
    theatres: frozenset[str] = frozenset()


def _asked(place: GeoPlace, wants: str | None) -> bool:
    if wants == "province":
        return place.kind == "province"
    if wants in POPULATED:
        return place.kind in POPULATED
    return True


def choose(candidates: Iterable[GeoPlace], context: Context, wants: str | None = None,
           strict: bool = False) -> GeoPlace | None:
    def in_province(p: GeoPlace) -> bool:
        return p.admin1 is not None and (p.country, p.admin1) in context.provinces

    def kept(p: GeoPlace) -> bool:
        if in_province(p):
            return True
        if strict:
            return False
        if p.country in context.theatres and (p.kind in ("country", "province") or p.population >= TOWN):
            return True
        return p.kind == "country" or p.population >= WORLD_CITY

    places = [p for p in candidates if _asked(p, wants) and kept(p)]
    if not places:
        return None
    return min(places, key=lambda p: (not in_province(p), p.population < WORLD_CITY, p.kind != "country",
                                      -p.population, p.id))
