"""Corpus-level rules: what no single article says but the articles together do.

- **One event across articles**: operations reported by several articles are one operation when
  their kinds, dates and places are compatible and they share a named participant or a specific
  place; two operations whose named dead differ never merge.
- **Dates from the corpus**: an undated article's reference date is the latest exact date of an
  operation it reports that another article dates; its relative expressions ("on Thursday",
  "In July") are resolved against it.
- **Succession**: holders of one single-holder position (leader, president, emir...) ordered by
  stated ordinals, then by the dates their tenures ended; the holder called "current" comes last.

Everything here works on plain records; :mod:`kg.derive` reads them from the store and writes
the results.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from itertools import pairwise

from kg.extract.dates import ResolvedDate, resolve
from kg.kinds import OPERATION_FAMILY, OPERATION_RANK

FAMILY = OPERATION_FAMILY
KIND_RANK = OPERATION_RANK
BROAD_PLACES = {"Country", "Region", "Province"}
#: Titles of positions held by one person at a time.
SINGLE_HOLDER = {"leader", "president", "prime minister", "king", "emir", "caliph", "chief", "head", "commander"}


@dataclass
class OperationRecord:
    iri: str
    article: str
    kinds: set[str] = field(default_factory=set)
    #: Canonical IRIs of the named people killed or targeted.
    people: set[str] = field(default_factory=set)
    killed: set[str] = field(default_factory=set)
    #: Canonical IRIs of the places it took place in.
    places: set[str] = field(default_factory=set)
    #: Places it took place near ("near X"): neither a conflict nor a shared place.
    near: set[str] = field(default_factory=set)
    dates: set[str] = field(default_factory=set)
    expressions: set[str] = field(default_factory=set)

    @property
    def kind(self) -> str:
        return max(self.kinds or {"Operation"}, key=lambda k: (KIND_RANK.get(k, 0), k))

    @property
    def family(self) -> str | None:
        return FAMILY.get(self.kind)


def _dates_agree(a: set[str], b: set[str]) -> bool:
    return not (a and b) or any(x.startswith(y) or y.startswith(x) for x in a for y in b)


class Places:
    """Containment between canonical place IRIs, and each place's kind."""

    def __init__(self, located_in: set[tuple[str, str]], kinds: dict[str, str]) -> None:
        self.kinds = kinds
        self.up: dict[str, set[str]] = defaultdict(set)
        self._ancestors: dict[str, set[str]] = {}
        for inner, outer in located_in:
            self.up[inner].add(outer)

    def ancestors(self, place: str) -> set[str]:
        """Every place that contains ``place`` (computed once per place: the containment is fixed)."""
        if place in self._ancestors:
            return self._ancestors[place]
        seen: set[str] = set()
        stack = [place]
        while stack:
            for outer in self.up.get(stack.pop(), ()):
                if outer not in seen:
                    seen.add(outer)
                    stack.append(outer)
        self._ancestors[place] = seen
        return seen

    def related(self, a: str, b: str) -> bool:
        return a == b or b in self.ancestors(a) or a in self.ancestors(b)

    def specific(self, places: set[str]) -> set[str]:
        return {p for p in places if self.kinds.get(p) not in BROAD_PLACES}


def _compatible(a: OperationRecord, b: OperationRecord, places: Places) -> bool:
    if a.family and b.family and a.family != b.family:
        return False
    if not _dates_agree(a.dates, b.dates):
        return False
    if a.killed and b.killed and not a.killed & b.killed:
        return False  # different dead: different operations
    # Only specific places conflict: a region of unknown extent or a country contains many of them.
    pa = {p for p in a.places - a.near if places.kinds.get(p) not in ("Country", "Region")}
    pb = {p for p in b.places - b.near if places.kinds.get(p) not in ("Country", "Region")}
    return not (pa and pb and not any(places.related(x, y) for x in pa for y in pb))


def _evidence(a: OperationRecord, b: OperationRecord, places: Places) -> str | None:
    """Why two compatible reports are one operation, or ``None`` if nothing says so."""
    shared_people = a.people & b.people
    if shared_people:
        return "same people: " + ", ".join(sorted(p.rsplit("/", 1)[-1] for p in shared_people))
    shared_places = places.specific(a.places) & places.specific(b.places)
    if shared_places and a.family == b.family and a.family is not None:
        return "same place: " + ", ".join(sorted(p.rsplit("/", 1)[-1] for p in shared_places))
    return None


def cluster_operations(records: list[OperationRecord],
                       places: Places) -> tuple[dict[str, str], list[tuple[str, str, str]]]:
    """Operation IRI -> canonical IRI; (a, b, reason) of every merge. Complete linkage: a cluster
    only grows when every member is compatible with every member of the other."""
    clusters: dict[str, list[OperationRecord]] = {r.iri: [r] for r in records}
    home = {r.iri: r.iri for r in records}
    decisions = []
    ordered = sorted(records, key=lambda r: r.iri)
    for i, a in enumerate(ordered):
        for b in ordered[i + 1:]:
            if a.article == b.article or home[a.iri] == home[b.iri]:
                continue
            reason = _evidence(a, b, places)
            if reason is None or not _compatible(a, b, places):
                continue
            ca, cb = clusters[home[a.iri]], clusters[home[b.iri]]
            if any(x.article == y.article or not _compatible(x, y, places) for x in ca for y in cb):
                continue
            keep, gone = sorted([home[a.iri], home[b.iri]])
            clusters[keep] = ca + cb if keep == home[a.iri] else cb + ca
            for member in clusters.pop(gone):
                home[member.iri] = keep
            decisions.append((a.iri, b.iri, reason))
    canonical = {}
    for members in clusters.values():
        best = min(members, key=lambda r: (-len(r.people), -len(r.places), r.iri)).iri
        for member in members:
            canonical[member.iri] = best
    return canonical, decisions


def reference_dates(records: list[OperationRecord], canonical: dict[str, str],
                    published: dict[str, str]) -> dict[str, date]:
    """Each article's reference date: its publication date, else the latest exact date that the
    corpus gives to an operation it reports."""
    cluster_dates: dict[str, set[str]] = defaultdict(set)
    for r in records:
        cluster_dates[canonical[r.iri]] |= r.dates
    out: dict[str, date] = {a: date.fromisoformat(d) for a, d in published.items()}
    for r in records:
        if r.article in published:
            continue
        exact = [d for d in cluster_dates[canonical[r.iri]] if len(d) == 10]
        if exact:
            latest = date.fromisoformat(max(exact))
            if r.article not in out or latest > out[r.article]:
                out[r.article] = latest
    return out


def corpus_dates(records: list[OperationRecord], canonical: dict[str, str],
                 published: dict[str, str]) -> dict[str, tuple[ResolvedDate, str]]:
    """Canonical operation IRI -> (its most precise date, how it was found), where articles give one."""
    anchors = reference_dates(records, canonical, published)
    found: dict[str, list[tuple[ResolvedDate, str]]] = defaultdict(list)
    for r in records:
        for value in r.dates:
            found[canonical[r.iri]].append((ResolvedDate.of(value), "stated"))
        anchor = anchors.get(r.article)
        if anchor is not None:
            for expression in r.expressions:
                resolved = resolve(expression, anchor)
                if resolved is not None:
                    found[canonical[r.iri]].append(
                        (resolved, f"{expression!r} resolved against {anchor.isoformat()}, the date of an "
                                   f"operation the same article reports"))
    best: dict[str, tuple[ResolvedDate, str]] = {}
    for op, values in found.items():
        values.sort(key=lambda v: (-len(v[0].value), v[1] != "stated", v[0].value))
        precise = values[0]
        if all(precise[0].value.startswith(v[0].value) for v in values):  # no contradiction
            best[op] = precise
    return best


@dataclass
class Tenure:
    iri: str
    holder: str
    role: str
    ordinal: int | None = None
    current: bool | None = None
    #: The date the tenure ended (the holder's death), if known.
    ended: str | None = None


@dataclass(frozen=True)
class Succession:
    predecessor: str
    successor: str
    role: str
    direct: bool
    tenures: tuple[str, ...]


def succession(tenures: list[Tenure], role_titles: dict[str, str]) -> list[Succession]:
    """Who followed whom in each single-holder role, from ordinals, end dates and "current"."""
    by_role: dict[str, dict[str, Tenure]] = defaultdict(dict)
    for t in tenures:
        title = role_titles.get(t.role, "")
        if title not in SINGLE_HOLDER:
            continue
        held = by_role[t.role].setdefault(t.holder, Tenure(t.iri, t.holder, t.role))
        held.ordinal = held.ordinal or t.ordinal
        held.current = t.current if t.current is not None else held.current
        held.ended = held.ended or t.ended
    out = []
    for role, holders in sorted(by_role.items()):
        ordered = _order(list(holders.values()))
        for earlier, later in pairwise(ordered):
            direct = earlier.ordinal is not None and later.ordinal == earlier.ordinal + 1
            out.append(Succession(earlier.holder, later.holder, role, direct, (earlier.iri, later.iri)))
    return out


def _order(holders: list[Tenure]) -> list[Tenure]:
    """Ordinals first, holders whose tenure ended placed by that date, the current holder last."""
    with_ordinal = sorted((h for h in holders if h.ordinal is not None and not h.current), key=lambda h: h.ordinal or 0)
    ended = sorted((h for h in holders if h.ordinal is None and h.ended and not h.current), key=lambda h: h.ended or "")
    current = [h for h in holders if h.current]
    ordered = list(with_ordinal)
    for h in ended:  # by end date among those whose end date is known
        position = len(ordered)
        for i, other in enumerate(ordered):
            if other.ended and h.ended and h.ended < other.ended:
                position = i
                break
        ordered.insert(position, h)
    if not ordered and len(current) <= 1:
        return []
    return ordered + current[:1] if len(current) == 1 else ordered
