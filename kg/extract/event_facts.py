"""The facts of an article's operations, once the reader has found their mentions, people, places,
dates and actors (:mod:`kg.extract.events`).

- The mentions of one operation become one node (:mod:`kg.extract.coreference`), named by its
  kind, its most specific place and a digest ("airstrike Marzin 1a2b3c4d").
- An operation known only to be in a region or country that contains the dateline's town took place
  there: such local reports are filed from where it happened.
- The slot-filling stage (:mod:`kg.extract.slots`) looks beyond the clause for places and dates;
  the most specific place and the most precise date win.
- Who was killed, targeted, wounded or detained; a named person killed who holds a role in an armed
  group was also its target. A passing mention with nothing known about it, and a recalled
  operation ("the 1983 bombing", "since a raid in 2019") that says nobody died or was caught in it,
  are not reported.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from spacy.tokens import Doc, Token

from kg.extract.coreference import merge_compatible
from kg.extract.dates import ResolvedDate
from kg.extract.entities import ArticleEntities
from kg.extract.mentions import phrase
from kg.extract.operation import Event
from kg.extract.referents import Referents
from kg.extract.slots import SlotFiller, best_date, dateline_place, most_specific
from kg.model import Article, Entity, EntityRef, Fact


class ArticleReading(Protocol):
    """What the output stage needs of the reader that found the article's operations."""

    doc: Doc
    article: Article
    found: ArticleEntities
    reference: date | None
    events: list[Event]
    referents: Referents
    #: People known to belong to armed groups.
    members: set[EntityRef]
    #: The article's ``locatedIn`` facts.
    containment: list[Fact]

    def clause_event(self, token: Token) -> Event | None:
        """The operation a verb or noun belongs to, in its own clause."""


class _FactSet:
    """Facts without repeats: one (subject, predicate, object) from its first evidence sentence."""

    def __init__(self) -> None:
        self.facts: list[Fact] = []
        self._seen: set[tuple[EntityRef, str, EntityRef | str]] = set()

    def add(self, fact: Fact) -> None:
        key = (fact.subject, fact.predicate, fact.object)
        if key not in self._seen:
            self._seen.add(key)
            self.facts.append(fact)


@dataclass
class EventResult:
    entities: list[Entity]
    facts: list[Fact]


def event_facts(reader: ArticleReading) -> EventResult:
    """The article's operations as entities and facts."""

    def within(inner: EntityRef, outer: EntityRef) -> bool:
        return _within(reader.containment, inner, outer)

    events = merge_compatible(reader.events, reader.found, within, reader.reference)
    dateline = dateline_place(reader.doc, reader.found)
    if dateline is not None:
        # An operation known only to be in a region or country that contains the dateline's town
        # took place there: such local reports are filed from where it happened.
        for event in events:
            place = most_specific(event.places, reader.found)
            if place is None:
                continue
            entity = reader.found.by_ref(place[0])
            if entity is not None and entity.kind in ("Country", "Region") and within(dateline[0], place[0]):
                event.places.append(dateline)
    final = {t.i: e for e in events for t in e.triggers}

    def owner(token: Token) -> Event | None:
        event = reader.clause_event(token)
        return final.get(event.triggers[0].i) if event is not None and event.triggers else None

    told = [e for e in events if not e.recalled and (e.participants or e.places or e.actors or e.dates)]
    main = min(told, key=lambda e: min(t.i for t in e.triggers)) if told else None
    filler = SlotFiller(reader.doc, reader.found, reader.reference, owner, final)  # type: ignore[arg-type]
    near_dates = filler.fill(told, main, dateline)  # type: ignore[arg-type]
    entities: list[Entity] = list(reader.referents.unnamed)
    _name_the_described(events, reader)
    facts = _FactSet()
    for event in events:
        if not (event.participants or event.places or event.actors or event.dates):
            continue  # a passing mention with nothing known about it
        if event.recalled and not event.participants:
            continue  # "the 1983 bombing", "since a raid in 2019": background, not an operation reported
        ref = _event_ref(event, reader.article, reader.found)
        trigger_words = sorted({phrase(t) for t in event.triggers})
        entity = Entity(ref, trigger_words[0] if trigger_words else event.kind.lower(),
                        kind=event.kind if event.kind != "Operation" else None)
        entity.aliases.update(trigger_words[1:])
        entities.append(entity)
        named = {r for r, p, _s, _c in event.participants if not p.key.startswith("unnamed")}
        singles = {e.ref for e in reader.referents.unnamed if not e.attributes.get("count")}
        # Whom the operation aimed at, when the article does not say: a named militant it killed, else
        # the named people it killed that the article does not call bystanders.
        aimed = any(r == "targetedIn" and not p.key.startswith("unnamed") for r, p, _s, _c in event.participants) \
            or any(r == "killedIn" and _is_militant(p, reader.members) for r, p, _s, _c in event.participants)
        for relation, person, span, certainty in event.participants:
            if person in singles and relation in named:
                continue  # "killed a senior commander ... X was killed": most likely X himself
            facts.add(Fact(person, relation, ref, span, certainty=certainty))
            if relation == "killedIn" and _is_militant(person, reader.members):
                facts.add(Fact(person, "targetedIn", ref, span, certainty=min(certainty, 0.8)))
            elif relation == "killedIn" and not aimed and not person.key.startswith("unnamed") \
                    and not reader.referents.bystander(person):
                facts.add(Fact(person, "targetedIn", ref, span, certainty=min(certainty, 0.6)))
        place = most_specific(event.places, reader.found)
        if place is not None:
            place_ref, span, relation = place
            facts.add(Fact(ref, "tookPlaceIn", place_ref, span, qualifier=relation if relation == "near" else None))
        for actor, span, certainty in sorted(event.actors, key=lambda a: -a[2]):
            facts.add(Fact(ref, "conductedBy", actor, span, certainty=certainty))
        # its own clause's date, else one beyond it, else the date of a statement that reports it
        resolved = next((d for d in (best_date(c, reader.reference) for c in (
            event.dates, near_dates.get(id(event), []), event.statement_dates)) if d is not None), None)
        if resolved is not None:
            value, span = resolved
            if isinstance(value, ResolvedDate):
                facts.add(Fact(ref, "date", value.value, span, datatype=value.datatype))
            else:
                facts.add(Fact(ref, "dateExpression", value, span))
    used = {f.subject for f in facts.facts}
    entities = [e for e in entities if not e.ref.key.startswith("unnamed") or e.ref in used]
    return EventResult(entities, facts.facts)


def _within(containment: list[Fact], inner: EntityRef, outer: EntityRef) -> bool:
    """Whether the article places ``inner`` inside ``outer`` (or inside ``outer``'s own container)."""
    up: dict[EntityRef, set[EntityRef]] = {}
    for fact in containment:
        if isinstance(fact.object, EntityRef):
            up.setdefault(fact.subject, set()).add(fact.object)
    targets = {outer} | up.get(outer, set())
    seen: set[EntityRef] = set()
    stack = [inner]
    while stack:
        for parent in up.get(stack.pop(), ()):
            if parent in targets:
                return True
            if parent not in seen:
                seen.add(parent)
                stack.append(parent)
    return False


def _name_the_described(events: list[Event], reader: ArticleReading) -> None:
    """An unnamed participant whom the article identifies soon after by the same description: "killed a
    top commander of the group ... X, a commander of the group in the hills, was a key figure",
    "identified the leader as X". Only when one named person fits and takes part in no operation of the
    article (:meth:`Referents.identifying_descriptions` says what identifies)."""
    referents = reader.referents
    sentences = list(reader.doc.sents)
    taking_part = {p for e in events for _r, p, _s, _c in e.participants if not p.key.startswith("unnamed")}
    singles = {e.ref for e in referents.unnamed if not e.attributes.get("count")}
    people = [e.ref for e in reader.found.entities if e.ref.cls == "Person" and e.ref not in taking_part]
    for event in events:
        if event.recalled or any(not p.key.startswith("unnamed") for r, p, _s, _c in event.participants
                                 if r == "killedIn"):
            continue  # the operation names its dead already
        for relation, person, span, _certainty in list(event.participants):
            head = referents.heads.get(person)
            if person not in singles or head is None:
                continue
            # the naming follows the description closely: in its sentence or the next two
            following = [s for s in sentences if s.start_char >= span.start][:3]
            window = (span.start, following[-1].end_char if following else span.end)
            fitting = [p for p in people if head in referents.identifying_descriptions(p, window)]
            if len(fitting) == 1:
                event.participants.append((relation, fitting[0], span, 0.8))
                people.remove(fitting[0])


def _is_militant(person: EntityRef, members: set[EntityRef]) -> bool:
    """A named person killed in an operation is its target when they hold a role in an armed group; a
    named person killed whom the article does not describe as a bystander most likely is (with less
    certainty): operations are aimed at named people, bystanders are rarely named."""
    return person in members


def _event_ref(event: Event, article: Article, found: ArticleEntities) -> EntityRef:
    digest = hashlib.sha1(f"{article.id} {event.index}".encode()).hexdigest()[:8]
    place = most_specific(event.places, found)
    place_entity = found.by_ref(place[0]) if place else None
    parts = [event.kind.lower()]
    if place_entity is not None:
        parts.append(place_entity.name)
    parts.append(digest)
    return EntityRef("Operation", " ".join(parts))
