"""World knowledge shipped with opskg: places and organizations with their aliases.

The data files live in ``kg/data/gazetteer/`` (see the README there for sources and coverage).
Lookups fold case, accents, quotes and hyphens, and tolerate transliteration variants through
:func:`kg.names.vowel_form`.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources
from pathlib import Path

from kg import wikidata
from kg.errors import OpsKGError
from kg.names import fold, place_key
from kg.tables import read_rows, split_list

DATA = Path(str(resources.files("kg") / "data" / "gazetteer"))
CAPITALS = Path(str(resources.files("kg") / "data" / "capitals.tsv"))
DEMONYMS = Path(str(resources.files("kg") / "data" / "demonyms.tsv"))

#: Place kinds in the data -> ontology classes.
PLACE_CLASSES = {
    "country": "Country", "province": "Province", "district": "District", "city": "City",
    "town": "Town", "village": "Village", "camp": "Camp", "region": "Region",
    "airport": "Airport", "base": "MilitaryBase", "prison": "Prison",
}
#: The place files, read in this order: the curated places, then the sourced table of sites that
#: lists of populated places lack (airports, bases, prisons), each row citing its source.
PLACE_FILES = ("places.tsv", "facilities.tsv")
#: Organization kinds in the data -> ontology classes.
ORG_CLASSES = {
    "armed_group": "ArmedGroup", "military": "MilitaryUnit", "paramilitary": "ParamilitaryForce",
    "government": "GovernmentBody",
    "news": "NewsOrganization", "monitor": "NewsOrganization", "international": None, "company": None,
}
#: Organization classes whose members the extractor records (``ops:memberOf``): armed groups and
#: state-aligned forces such as revolutionary guards; not regular armies, commands or government bodies.
MEMBERSHIP_CLASSES = frozenset({"ArmedGroup", "ParamilitaryForce"})


@cache
def demonyms(path: Path = DEMONYMS) -> dict[str, str]:
    """Folded demonym ("syrian") -> country name ("Syria")."""
    return {fold(d): row["country"] for row in read_rows(path) for d in split_list(row["demonyms"])}


@cache
def national_capitals(path: Path = CAPITALS) -> frozenset[str]:
    """Lookup keys of national capitals: a bare capital's name is the city, not its province."""
    return frozenset(lookup_key(row["capital"]) for row in read_rows(path))


@dataclass(frozen=True)
class Place:
    name: str
    kind: str
    parent: str | None
    aliases: tuple[str, ...] = ()
    lat: float | None = None
    lon: float | None = None
    #: The GeoNames feature the row is, when it came from GeoNames (curated rows are linked on demand,
    #: :meth:`kg.geonames.places.GeoLayer.link`).
    geonameid: int | None = None
    #: Where the row comes from: "curated" (the place files) or "geonames".
    source: str = "curated"
    #: The reference a sourced row cites for its existence, name and coordinates (a URL).
    reference: str | None = None

    @property
    def cls(self) -> str:
        return PLACE_CLASSES.get(self.kind, "Location")


@dataclass(frozen=True)
class Organization:
    name: str
    kind: str
    country: str | None
    aliases: tuple[str, ...] = ()
    parent: str | None = None
    #: A unit or wing of its parent (a brigade, a military wing, a corps' branch): who serves in it serves in
    #: the parent. False for a branch, province or affiliate, whose members are not thereby the parent's.
    unit: bool = False
    #: The organization's Wikidata item (``Q…``), when ``organization_ids.tsv`` has one.
    wikidata: str | None = None

    @property
    def cls(self) -> str | None:
        return ORG_CLASSES.get(self.kind)


_ADMIN_SUFFIX = re.compile(r"\s+(governorate|province|region|state|district|wilayat)$", re.I)


def strip_admin(name: str) -> str:
    """``"Korvath Governorate"`` -> ``"Korvath"``; other names unchanged."""
    return _ADMIN_SUFFIX.sub("", name)


def lookup_key(name: str) -> str:
    """The key names are indexed under: folded, no leading "the", no Arabic article "al"."""
    return place_key(name)


@dataclass
class Gazetteer:
    places: dict[str, Place] = field(default_factory=dict)
    organizations: dict[str, Organization] = field(default_factory=dict)
    _place_index: dict[str, list[str]] = field(default_factory=dict)
    _org_index: dict[str, list[str]] = field(default_factory=dict)
    #: Bare province names ("Korvath" for "Korvath Governorate") -> entries, filled by ``finish``.
    _derived: dict[str, list[str]] = field(default_factory=dict)

    def add_place(self, place: Place) -> None:
        self.places[place.name] = place
        for form in (place.name, *place.aliases):
            self._place_index.setdefault(lookup_key(form), []).append(place.name)

    def add_organization(self, org: Organization) -> None:
        self.organizations[org.name] = org
        for form in (org.name, *org.aliases):
            self._org_index.setdefault(lookup_key(form), []).append(org.name)

    def find_places(self, name: str) -> list[Place]:
        """Places with this name or alias; "X province" also finds the province "X Governorate"."""
        names = list(self._place_index.get(lookup_key(name), []))
        bare = strip_admin(name)
        if bare != name:
            names += [n for n in self._derived.get(lookup_key(bare), [])]
        return [self.places[n] for n in dict.fromkeys(names)]

    def place_forms(self, place: Place) -> list[str]:
        """A place's name and aliases, plus the bare "X" of a province "X Governorate" when "X" is
        not the name of another place or organization (other than the province's own capital)."""
        forms = [place.name, *place.aliases]
        if place.kind in ("province", "district"):
            for form in list(forms):
                bare = strip_admin(form)
                if bare == form:
                    continue
                others = [self.places[n] for n in self._place_index.get(lookup_key(bare), [])]
                clash = [p for p in others if p.name != place.name and p.parent != place.name]
                if not clash and not self._org_index.get(lookup_key(bare)):
                    forms.append(bare)
        return list(dict.fromkeys(forms))

    def finish(self) -> None:
        """Index the derived province forms, once every entry is loaded."""
        self._derived = {}
        for place in self.places.values():
            if place.source != "curated":
                continue
            for form in self.place_forms(place)[1 + len(place.aliases):]:
                self._derived.setdefault(lookup_key(form), []).append(place.name)

    def find_organization(self, name: str) -> Organization | None:
        names = self._org_index.get(lookup_key(name))
        return self.organizations[names[0]] if names else None

    def enclosing_forces(self, org: Organization) -> Iterator[Organization]:
        """The organizations ``org`` is a unit or wing of, innermost first: a brigade's armed group, a
        wing's movement, and that movement's own parent if it is itself a unit; never across a branch or
        affiliate link (a province of a group, a franchise)."""
        seen = {org.name}
        current = org
        while current.unit and current.parent in self.organizations and current.parent not in seen:
            current = self.organizations[current.parent]
            seen.add(current.name)
            yield current

    def ancestors(self, place: Place) -> Iterator[Place]:
        """The places containing ``place``, innermost first."""
        seen = {place.name}
        current = place
        while current.parent and current.parent in self.places and current.parent not in seen:
            current = self.places[current.parent]
            seen.add(current.name)
            yield current

    def country_of(self, place: Place) -> Place | None:
        if place.kind == "country":
            return place
        for ancestor in self.ancestors(place):
            if ancestor.kind == "country":
                return ancestor
        return None

    def surface_forms(self) -> Iterator[tuple[str, str, str]]:
        """(surface form, "place" or "org", entry name) for every name and alias."""
        for place in self.places.values():
            if place.source != "curated":
                continue  # rows a lookup added (GeoNames) are found through their index, not by name
            for form in self.place_forms(place):
                yield form, "place", place.name
        for org in self.organizations.values():
            for form in (org.name, *org.aliases):
                yield form, "org", org.name


def _float(cell: str | None) -> float | None:
    try:
        return float(cell) if cell else None
    except ValueError:
        return None


def load(folder: Path = DATA) -> Gazetteer:
    """Read the gazetteer files; a missing or malformed file is an installation error."""
    gazetteer = Gazetteer()
    try:
        for name in PLACE_FILES:
            if name != PLACE_FILES[0] and not (folder / name).exists():
                continue  # a test gazetteer may have the curated places only
            for row in read_rows(folder / name):
                parent = (row.get("parent") or "").strip() or None
                gazetteer.add_place(Place(row["name"].strip(), row["kind"].strip(), parent,
                                          split_list(row.get("aliases")), _float(row.get("lat")),
                                          _float(row.get("lon")), reference=(row.get("source") or "").strip() or None))
        for row in read_rows(folder / "organizations.tsv"):
            gazetteer.add_organization(Organization(
                row["name"].strip(), row["kind"].strip(), (row.get("country") or "").strip() or None,
                split_list(row.get("aliases")), (row.get("parent") or "").strip() or None,
                (row.get("link") or "").strip() == "unit"))
        for name, qid in wikidata.organization_ids(folder).items():
            if name in gazetteer.organizations:
                gazetteer.organizations[name] = replace(gazetteer.organizations[name], wikidata=qid)
    except (OSError, KeyError, ValueError, csv.Error) as exc:
        raise OpsKGError(f"the gazetteer in {folder} cannot be read ({exc}): reinstall opskg") from None
    gazetteer.finish()
    return gazetteer


@cache
def default() -> Gazetteer:
    """The shipped gazetteer, loaded once per process."""
    return load()
