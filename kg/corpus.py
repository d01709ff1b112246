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

import functools
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from itertools import combinations, pairwise

from kg.extract.dates import ResolvedDate, resolve
from kg.kinds import OPERATION_FAMILY, OPERATION_RANK

log = logging.getLogger(__name__)

FAMILY = OPERATION_FAMILY
KIND_RANK = OPERATION_RANK
BROAD_PLACES = {"Country", "Region", "Province"}
#: Places small enough that one strike on one day there is one operation.
SMALL_PLACES = {"Town", "Village", "Camp", "Airport", "MilitaryBase", "Prison"}
#: Titles of positions held by one person at a time.
SINGLE_HOLDER = {"leader", "president", "prime minister", "king", "emir", "caliph", "chief", "head", "commander",
                 "secretary general", "chief of staff", "chairman", "director"}
#: Titles of the head of a force or state body: one position there ("head of the Guard", "its commander").
HEAD_TITLES = {"leader", "head", "chief", "commander"}


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

    # computed once (clustering asks for them at every comparison): ``kinds`` is set when it is made
    @functools.cached_property
    def kind(self) -> str:
        return max(self.kinds or {"Operation"}, key=lambda k: (KIND_RANK.get(k, 0), k))

    @functools.cached_property
    def family(self) -> str | None:
        return FAMILY.get(self.kind)


def _dates_agree(a: set[str], b: set[str], same_people: bool = False) -> bool:
    """No dates on one side, or a pair that agrees: one contains the other ("2023-03" and "2023-03-09"),
    or, for reports of the same people, two days a day apart (outlets in other time zones date one
    night's raid differently)."""
    return not (a and b) or any(x.startswith(y) or y.startswith(x) or (same_people and _a_day_apart(x, y))
                                for x in a for y in b)


def _a_day_apart(x: str, y: str) -> bool:
    if len(x) != 10 or len(y) != 10:
        return False
    try:
        return abs((date.fromisoformat(x) - date.fromisoformat(y)).days) == 1
    except ValueError:
        return False


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
    if a.family and b.family and a.family != b.family and not a.killed & b.killed:
        return False  # a raid is not a strike, unless both killed the same person: one dies once
    if not _dates_agree(a.dates, b.dates, same_people=bool(a.people & b.people)):
        return False
    if a.killed and b.killed and not a.killed & b.killed and not _same_place_and_day(a, b, places):
        return False  # different dead: different operations, unless one strike on one town that day
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


def _same_place_and_day(a: OperationRecord, b: OperationRecord, places: Places) -> bool:
    """Two reports of the same kind of operation on the same town or village on the same day, or on the
    same city when neither names a part of it (where strikes are many, reports name the district): one
    operation,
    whose dead each report names in part ("the strike killed X" / "Y was also killed in the strike")."""
    days = {d for d in a.dates if len(d) == 10} & {d for d in b.dates if len(d) == 10}
    finer = {p for p in a.places | b.places if places.kinds.get(p) in SMALL_PLACES | {"District"}}
    shared = {p for p in (a.places - a.near) & (b.places - b.near)
              if places.kinds.get(p) in SMALL_PLACES or (places.kinds.get(p) == "City" and not finer)}
    return bool(days and shared) and a.family == b.family and a.family is not None


def _candidate_pairs(ordered: list[OperationRecord], places: Places) -> list[tuple[int, int]]:
    """The pairs (in order) that can be one operation: only reports that share a person or a specific
    place have evidence (:func:`_evidence`), so the others are never compared (blocking, instead of
    every pair of the corpus)."""
    index: dict[str, list[int]] = defaultdict(list)
    for i, record in enumerate(ordered):
        for key in record.people | places.specific(record.places):
            index[key].append(i)
    pairs: set[tuple[int, int]] = set()
    for members in index.values():
        pairs.update(combinations(members, 2))
    return sorted(pairs)


def cluster_operations(records: list[OperationRecord],
                       places: Places) -> tuple[dict[str, str], list[tuple[str, str, str]]]:
    """Operation IRI -> canonical IRI; (a, b, reason) of every merge. Complete linkage: a cluster
    only grows when every member is compatible with every member of the other."""
    clusters: dict[str, list[OperationRecord]] = {r.iri: [r] for r in records}
    home = {r.iri: r.iri for r in records}
    decisions = []
    ordered = sorted(records, key=lambda r: r.iri)
    for i, j in _candidate_pairs(ordered, places):
        a, b = ordered[i], ordered[j]
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
    #: The date (or year) the tenure started, when an article gives it.
    started: str | None = None


@dataclass(frozen=True)
class Succession:
    predecessor: str
    successor: str
    role: str
    direct: bool
    tenures: tuple[str, ...]


@dataclass(frozen=True)
class Statement:
    """An article's statement that the tenure ``later`` came after ``earlier`` (directly, or not)."""

    earlier: str
    later: str
    direct: bool
    article: str


@dataclass(frozen=True)
class SuccessionConflict:
    """Articles that disagree on the order of two holders: the side more articles support was kept."""

    role: str
    kept: tuple[str, str]
    dropped: tuple[str, str]
    kept_articles: int
    dropped_articles: int

    def describe(self) -> str:
        def name(iri: str) -> str:
            return iri.rsplit("/", 1)[-1]
        return (f"succession in {name(self.role)}: {self.kept_articles} article(s) put {name(self.kept[0])} before "
                f"{name(self.kept[1])}, {self.dropped_articles} the other way round; kept the former")


@dataclass
class SuccessionResult:
    successions: list[Succession]
    conflicts: list[SuccessionConflict]


def succession(tenures: list[Tenure], role_titles: dict[str, str]) -> list[Succession]:
    """Who followed whom in each single-holder role, from ordinals, end dates and "current"."""
    return order_successions(tenures, role_titles).successions


def order_successions(tenures: list[Tenure], role_titles: dict[str, str], statements: Iterable[Statement] = (),
                      role_groups: dict[str, str] | None = None) -> SuccessionResult:
    """Who followed whom in each single-holder role.

    The evidence, strongest first: what articles state (:class:`Statement`, weighed by the number of
    articles that support it; the weaker side of a contradiction is dropped and reported), ordinals,
    then dates (tenure ends and starts) and "current" / "former". A constraint that would close a cycle
    is skipped, so the result is always a partial order; the successions are its covering pairs (A then
    B with nobody known in between). ``role_groups`` maps role IRIs that are one position (the same title
    in the same organization, spelt differently) to one key.
    """
    groups = role_groups or {}
    by_tenure = {t.iri: t for t in tenures}
    by_role: dict[str, dict[str, Tenure]] = defaultdict(dict)
    iris: dict[tuple[str, str], list[str]] = defaultdict(list)
    roles: dict[str, str] = {}
    for t in tenures:
        title = role_titles.get(t.role, "")
        if title not in SINGLE_HOLDER:
            continue
        key = groups.get(t.role, t.role)
        roles[key] = min(roles.get(key, t.role), t.role)
        held = by_role[key].setdefault(t.holder, Tenure(t.iri, t.holder, key))
        held.ordinal = held.ordinal or t.ordinal
        held.current = t.current if t.current is not None else held.current
        held.ended = held.ended or t.ended
        held.started = min(filter(None, (held.started, t.started)), default=None)
        iris[(key, t.holder)].append(t.iri)
    stated: dict[str, dict[tuple[str, str], tuple[set[str], bool]]] = defaultdict(dict)
    for st in statements:
        first, second = by_tenure.get(st.earlier), by_tenure.get(st.later)
        if first is None or second is None or first.holder == second.holder:
            continue
        key_a, key_b = groups.get(first.role, first.role), groups.get(second.role, second.role)
        if key_a != key_b or key_a not in by_role:
            continue
        articles, direct = stated[key_a].get((first.holder, second.holder), (set(), False))
        articles.add(st.article)
        stated[key_a][(first.holder, second.holder)] = (articles, direct or st.direct)
    out = SuccessionResult([], [])
    for key in sorted(by_role):
        holders = by_role[key]
        order = _Order()
        direct_pairs: set[tuple[str, str]] = set()
        claims = stated.get(key, {})
        for (a, b), (articles, direct) in sorted(claims.items(), key=lambda kv: (-len(kv[1][0]), kv[0])):
            against = claims.get((b, a), (set(), False))[0]
            if len(against) > len(articles) or (len(against) == len(articles) and (b, a) < (a, b)):
                continue  # the other side wins (or, on a tie, the first in a fixed order, reported)
            if against:
                out.conflicts.append(SuccessionConflict(roles[key], (a, b), (b, a), len(articles), len(against)))
            if order.add(a, b):
                if direct:
                    direct_pairs.add((a, b))
            else:
                log.info("succession in %s: %s before %s would close a cycle; skipped", key, a, b)
        for earlier, later in _direct_implications(direct_pairs, order):
            order.add(earlier, later)
        # A title in no known organization or country ("leader", "prime minister") is many positions across
        # articles: only what the articles state orders its holders.
        anchored = role_groups is None or key in set(groups.values())
        for a, b in _weaker_constraints(list(holders.values())) if anchored else []:
            order.add(a, b)
        for a, b in _direct_implications(direct_pairs, order):
            order.add(a, b)
        ordinals = {h.holder: h.ordinal for h in holders.values() if h.ordinal is not None}
        for a, b in order.covering():
            direct = (a, b) in direct_pairs or (a in ordinals and b in ordinals and ordinals[b] == ordinals[a] + 1)
            tenures_used = tuple(sorted(set(iris[(key, a)][:1] + iris[(key, b)][:1])))
            out.successions.append(Succession(a, b, roles[key], direct, tenures_used))
    for conflict in out.conflicts:
        log.warning("%s", conflict.describe())
    return out


class _Order:
    """A strict partial order grown one constraint at a time, refusing any that closes a cycle."""

    def __init__(self) -> None:
        self.after: dict[str, set[str]] = defaultdict(set)
        self.nodes: set[str] = set()

    def reaches(self, a: str, b: str) -> bool:
        seen, stack = set(), [a]
        while stack:
            for n in self.after.get(stack.pop(), ()):
                if n == b:
                    return True
                if n not in seen:
                    seen.add(n)
                    stack.append(n)
        return False

    def add(self, a: str, b: str) -> bool:
        """Put ``a`` before ``b``; False (and nothing added) if ``b`` is already before ``a``."""
        if a == b or self.reaches(b, a):
            return False
        self.after[a].add(b)
        self.nodes |= {a, b}
        return True

    def covering(self) -> list[tuple[str, str]]:
        """The pairs (a, b) with a before b and nothing known in between, in a fixed order."""
        out = []
        for a in sorted(self.nodes):
            later = {b for b in self.nodes if b != a and self.reaches(a, b)}
            for b in sorted(later):
                if not any(c != b and self.reaches(c, b) for c in later):
                    out.append((a, b))
        return out


def _direct_implications(direct: set[tuple[str, str]], order: _Order) -> list[tuple[str, str]]:
    """What "B directly followed A" implies: whoever else came after A came after B, and whoever else came
    before B came before A."""
    out = []
    for a, b in sorted(direct):
        # Two people each said to follow A directly are a contradiction, not an order between them.
        for c in sorted(order.nodes - {a, b} - {y for x, y in direct if x == a} - {x for x, y in direct if y == b}):
            if order.reaches(a, c) and not order.reaches(b, c):
                out.append((b, c))
            if order.reaches(c, b) and not order.reaches(c, a):
                out.append((c, a))
    return out


def _weaker_constraints(holders: list[Tenure]) -> list[tuple[str, str]]:
    """Order from ordinals, then from dates, then from "current" / "former", strongest first."""
    out: list[tuple[str, str]] = []
    numbered = sorted((h for h in holders if h.ordinal is not None and not h.current), key=lambda h: h.ordinal or 0)
    out += [(a.holder, b.holder) for a, b in pairwise(numbered) if (a.ordinal or 0) < (b.ordinal or 0)]
    dated = [h for h in holders if h.ended and not h.current]
    for a in dated:
        for b in dated:
            if (a.ended or "") < (b.ended or "") and not (b.ended or "").startswith(a.ended or "@"):
                out.append((a.holder, b.holder))
    for a in holders:
        for b in holders:
            if a is b:
                continue
            ended_before = bool(a.ended and b.started and a.ended[:4] <= b.started[:4])
            started_before = bool(a.started and b.started and a.started[:4] < b.started[:4])
            if ended_before or started_before:
                out.append((a.holder, b.holder))
    current = [h for h in holders if h.current]
    ordered = {h.holder for h in holders if h.ordinal is not None or h.ended or h.current is False}
    if len(current) == 1 and ordered - {current[0].holder}:
        out += [(h, current[0].holder) for h in sorted(ordered - {current[0].holder})]
    return out
