"""Coreference of operation mentions within an article: which of the reader's operations are reports
of one operation.

The reader has already joined a definite mention ("the raid", "this operation") to the operation in
focus. Once the article is read, a report merges into an earlier one:

- unless a marker says it is another ("another", "previous", "second"; "a separate raid" is still
  compared: a US raid ... a separate raid may be the same one), or the earlier one is recalled
  ("since X was killed in a raid in 2019");
- when their kinds agree and nothing sets them apart: no two different people killed, no two
  different villages, towns, cities, camps or sites (a site inside the other place is no difference:
  an airport and the city it serves), no two different dates (without the article's date
  only absolute dates compare);
- and something joins them: a specific place, a person or a description in common (a shared country
  is no evidence: many operations happen in Syria); or, for a report not recalled, one of them says
  nothing particular ("A rare raid in Syria..."), or not both name someone; or a report with no
  participant lies in the other's place ("a drone strike in Kabul" after "X was killed in a drone
  strike in Afghanistan").

The more specific kind wins (raid -> helicopter-borne raid).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from kg.extract.dates import ResolvedDate, resolve
from kg.extract.entities import ArticleEntities
from kg.extract.operation import RANK_OF_KIND, Event
from kg.extract.slots import most_specific
from kg.model import EntityRef


def _compatible(a: Event, b: Event, found: ArticleEntities, reference: date | None = None,
                within: Callable[[EntityRef, EntityRef], bool] | None = None) -> bool:
    if a.family and b.family and a.family != b.family:
        return False
    ka, kb = a.killed(), b.killed()
    if ka and kb and not ka & kb:
        return False
    pa = {r for r, _s, _x in a.places}
    pb = {r for r, _s, _x in b.places}
    if pa and pb and not pa & pb:
        specific_a = most_specific(a.places, found)
        specific_b = most_specific(b.places, found)
        ea = found.by_ref(specific_a[0]) if specific_a else None
        eb = found.by_ref(specific_b[0]) if specific_b else None
        small = {"Village", "Town", "City", "Camp", "Airport", "MilitaryBase", "Prison", None}
        sites = {"Camp", "Airport", "MilitaryBase", "Prison"}
        nested = within is not None and ea is not None and eb is not None and (bool(ka & kb) or not (ka and kb)) and (
            (ea.kind in sites and within(ea.ref, eb.ref)) or (eb.kind in sites and within(eb.ref, ea.ref)))
        if ea and eb and ea.kind in small and eb.kind in small and not nested:
            return False  # two villages, towns or sites; not an airport and the city it serves (unless
            # the two reports name different dead)
    # Without the article's date a weekday or "last month" cannot be placed: only absolute dates compare.
    da = {resolve(t, reference) if reference else _absolute(t) for t, _s in a.dates}
    db = {resolve(t, reference) if reference else _absolute(t) for t, _s in b.dates}
    da.discard(None)
    db.discard(None)
    return not (da and db and not any(x.value.startswith(y.value) or y.value.startswith(x.value)  # type: ignore[union-attr]
                                      for x in da for y in db))


def _shared(a: Event, b: Event, found: ArticleEntities) -> bool:
    """Positive evidence that two reports are one operation: a specific place, a person or a description in
    common. A shared country or region is no evidence: many operations happen in Syria."""
    def specific(event: Event) -> set[EntityRef]:
        out = set()
        for ref, _s, _x in event.places:
            entity = found.by_ref(ref)
            if entity is not None and entity.kind != "Country":  # a region ("northeast Syria") is narrow enough
                out.add(ref)
        return out

    if specific(a) & specific(b):
        return True
    if {p for _r, p, _s, _c in a.participants} & {p for _r, p, _s, _c in b.participants}:
        return True
    heads_a = {p.key for _r, p, _s, _c in a.participants if p.key.startswith("unnamed")}
    heads_b = {p.key for _r, p, _s, _c in b.participants if p.key.startswith("unnamed")}
    return bool(a.unnamed_heads & b.unnamed_heads) and bool(heads_a and heads_b)


def _nested(a: Event, b: Event, within: Callable[[EntityRef, EntityRef], bool] | None) -> bool:
    """Whether every place of ``b`` lies in one of ``a``'s places, which the article states or the
    gazetteer knows (a city of the country the other report names)."""
    outer = {r for r, _s, _x in a.places}
    inner = {r for r, _s, _x in b.places}
    return within is not None and bool(inner and outer) and all(
        any(i == o or within(i, o) for o in outer) for i in inner)


def _thin(event: Event, found: ArticleEntities) -> bool:
    """A mention that says nothing particular ("A rare raid in Syria..."): no participant, no place
    narrower than a country."""
    if event.participants:
        return False
    return all((e := found.by_ref(ref)) is not None and e.kind == "Country" for ref, _s, _x in event.places)


def _kinds_agree(a: Event, b: Event) -> bool:
    """The same family of operation, or one of them a generic "operation"."""
    return a.family is None or b.family is None or a.family == b.family


def _named(event: Event) -> bool:
    """Whether the report names someone it killed, targeted, wounded or detained."""
    return any(not p.key.startswith("unnamed") for _r, p, _s, _c in event.participants)


def _absolute(text: str) -> ResolvedDate | None:
    """A date that means the same whatever the day of reading ("March 3, 2023", "2019"), else None."""
    one, other = resolve(text, date(2000, 6, 15)), resolve(text, date(2030, 6, 15))
    return one if one is not None and other is not None and one.value == other.value else None


def merge_compatible(events: list[Event], found: ArticleEntities,
                     within: Callable[[EntityRef, EntityRef], bool] | None = None,
                     reference: date | None = None) -> list[Event]:
    """Two indefinite reports of one operation in an article ("a US raid" ... "a separate raid") become one,
    and so does a report with no participant whose place lies in the other's ("a drone strike in Kabul"
    after "X was killed in a drone strike in Afghanistan")."""
    merged: list[Event] = []
    for event in events:
        target = None
        if not event.new_marked or any(t.lower_ == "separate" for tr in event.triggers
                                                           for t in tr.children):
            target = next((m for m in merged if _kinds_agree(m, event)
                           and not m.recalled and _compatible(m, event, found, reference, within)
                           and (_shared(m, event, found) or (not event.recalled and (
                                _thin(m, found) or _thin(event, found) or not (_named(m) and _named(event))))
                                or (not event.participants and _nested(m, event, within)))), None)
        if target is None:
            merged.append(event)
            continue
        if RANK_OF_KIND.get(event.kind, 0) > RANK_OF_KIND.get(target.kind, 0):
            target.kind = event.kind  # the more specific report wins: raid -> helicopter-borne raid
        target.triggers += event.triggers
        target.places += event.places
        target.dates += event.dates
        target.statement_dates += event.statement_dates
        target.actors += event.actors
        target.participants += [p for p in event.participants if p not in target.participants]
        target.sentences |= event.sentences
    return merged
