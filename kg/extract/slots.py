"""Slot filling: an operation's place (``ops:tookPlaceIn``) and date (``ops:date``).

The event reader (:mod:`kg.extract.events`) finds the operations and, sentence by sentence, puts on
each the places and dates of its trigger's or its participants' clause. This stage, run once the
article's mentions are merged into operations, does the rest:

- **what belongs to something else** is no place of the operation: "plotting attacks in X", "a
  group based in X", "who led the group in X" (:func:`belongs_elsewhere`);
- **beyond the clause**: an operation with no place or date in its clauses takes one from the rest of
  its sentences ("Later Thursday, the military delivered a blow, launching a strike"), then from the
  sentences that follow in the same paragraph ("The raid killed X. It took place near Y."); a date
  there must name a day ("late on Sunday", "on March 3"), not a bare year or month, and a statement's
  date ("officials said on Monday") only dates what it reports when nothing else does;
- **a retelling** without a trigger word: a verb of striking whose clause names one of the
  operation's participants ("Yesterday the army struck the X area, targeting Y") gives its place and
  day; the object of such a verb is a place ("struck X");
- **the article's main operation** (the first one it tells of, not a recalled earlier one) takes the
  first place an operation's verb governs anywhere in the article, unless that sentence tells of
  another operation or its people ("the compound struck at dawn in the town of X"), and falls back
  on the places and the day of the lede that opens with the dateline ("KARANA, Syria —", "BEIRUT (AP)
  —", "Mogadishu, Somalia –", "TEHRAN:"); the dateline's own place is where the article was filed
  ("WASHINGTON —"), which is the operation's only when the operation is known to be in a country or
  region that holds it (see :mod:`kg.extract.events`);
- a place that is only part of a longer name ("on Freedom Street") is none;
- the most specific place and the most precise date win: the clause's date, else one beyond it, else
  the date of a statement that reports the operation.

A clause of another time ("since X was killed in 2019", "two weeks after a strike killed Y") or a
relative clause of something else ("a bomb first used in 2004") tells of another thing: nothing in it
fills a slot of the main operation (:func:`detached`, :func:`in_other_clause`). A "since" clause or a
date well before the article's marks a recalled operation (:func:`recalled`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable
from datetime import date
from typing import Protocol

from spacy.tokens import Doc, Token
from spacy.tokens import Span as SpacySpan

from kg.extract import parsed
from kg.extract.dates import ResolvedDate, resolve
from kg.extract.entities import ArticleEntities
from kg.kinds import place_rank
from kg.model import EntityRef, Span

#: Subordinators of clauses that tell of another time or a contrast, not of the operation.
DETACHED_CLAUSES = {"after", "since", "before", "although", "though", "until", "once", "unlike"}
CLAUSE_DEPS = {"advcl", "relcl", "ccomp", "acl", "csubj", "parataxis", "pcomp"}
LOCATIVE = {"in", "near", "at", "inside", "outside", "around", "on", "across", "within"}
PLACE_NOUNS = {"village", "town", "city", "province", "governorate", "district", "region", "area", "countryside",
               "outskirts", "outskirt", "suburb", "suburbs", "neighbourhood", "neighborhood", "house", "home",
               "compound", "building", "camp", "part", "border", "vicinity", "hideout", "headquarters", "base",
               "apartment", "car", "vehicle", "farm", "street", "road", "cave", "hospital", "school", "mosque",
               "residence", "site", "hideaway", "safe", "capital", "enclave", "quarter"}
SPEECH = {"say", "tell", "announce", "confirm", "report", "state", "add", "claim", "declare", "reveal", "write"}
#: Nouns whose place is their own: "attacks in Europe", "the group's branch in X", "its presence in X".
OWN_PLACE_NOUNS = {"plot", "plan", "threat", "campaign", "war", "insurgency", "presence", "branch", "affiliate",
                   "cell", "network", "wing", "offshoot", "faction", "franchise", "activity", "interest", "embassy",
                   "consulate", "office", "territory", "swathe", "conference", "briefing", "summit", "hearing",
                   "trial", "court", "interview", "speech", "funeral", "rally", "ceremony", "prison"}
#: Nouns of events whose place is their own when plural: "attacks in Europe", "bombings in X".
OWN_PLACE_PLURALS = {"attack", "bombing", "operation", "strike", "raid", "assault"}
#: Nouns of events that are not the operation even when singular (unless it is their trigger): "the
#: rocket attack on X", "a shooting in X".
OTHER_EVENTS = {"attack", "shooting", "massacre", "explosion", "blast", "bombing"}
#: Verbs whose place is not the operation's: "plotting attacks in X", "based in X", "who led the group in X".
OWN_PLACE_VERBS = {"plot", "plan", "base", "operate", "orchestrate", "mastermind", "recruit", "train", "fight",
                   "lead", "found", "bear", "head", "command", "run", "oversee", "deploy", "station", "prepare",
                   "direct", "coordinate", "want", "seek", "grow", "study"}
#: Verbs that tell what an operation did to a place: "the compound struck at dawn in the town of X".
STRUCK = {"target", "strike", "hit", "raid", "bomb", "storm", "surround", "shell", "attack"}
#: Prepositions that never give where the operation was: "a leader from X", "attacks into X".
NOT_LOCATIVE = {"from", "into", "against", "toward", "towards", "to", "of", "for", "with", "over"}
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
#: A date that names a day: the only kind a following sentence may give ("late on Sunday", "on March 3").
_DAY = re.compile(r"\b(?:" + "|".join(WEEKDAYS) + r"|today|tonight|yesterday|overnight|last night|same day)\b|"
                  r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2}\b|"
                  r"\b\d{1,2}\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)", re.I)
#: A dateline: the place, an optional state or country, an optional agency, then a dash, colon or underscore.
_DATELINE = re.compile(r"^(?:,\s*[A-Z][\w .'-]{1,30})?\s*(?:\(\w+\)\s*)?(?:[—–-]{1,2}|:|_)\s")
#: How far into the text the dateline stands.
LEDE_WINDOW = 400
PlaceSlot = tuple[EntityRef, Span, str]


class Slotted(Protocol):
    """What slot filling needs of an operation (:class:`kg.extract.events.Event`)."""

    triggers: list[Token]
    places: list[PlaceSlot]
    dates: list[tuple[str, Span]]
    statement_dates: list[tuple[str, Span]]
    sentences: set[int]
    verbs: set[int]
    #: (relation, person, evidence, certainty) of each participant.
    participants: list[tuple[str, EntityRef, Span, float]]


# --- what a place or a date belongs to ---------------------------------------------------------------


def locative(token: Token) -> str | None:
    """"in X", "near X", "in the village of X", "at a safe house in X": the relation ("in"/"near"), else None."""
    current = token
    for _ in range(4):
        if current.dep_ in ("compound", "appos", "amod", "flat") and (
                current.head.ent_type_ in ("GPE", "LOC", "FAC") or current.head.lemma_.lower() in PLACE_NOUNS):
            current = current.head
            continue
        if current.dep_ == "compound" and current.head.dep_ == "compound" \
                and current.head.head.lemma_.lower() in PLACE_NOUNS:
            current = current.head.head  # "the X refugee camp", "the X border crossing"
            continue
        if current.dep_ == "dobj" and current.head.lemma_.lower() in STRUCK:
            return "in"  # "the army struck X", "the raid targeted the X area"
        if current.dep_ == "pobj":
            prep = current.head
            if prep.lower_ in LOCATIVE:
                return "near" if prep.lower_ == "near" else "in"
            if prep.lower_ == "of" and prep.head.lemma_.lower() in PLACE_NOUNS:
                current = prep.head
                continue
        return None
    return None


#: Words after a place name that make it part of another name: "Freedom Street", "Airport Road".
STREET_WORDS = {"street", "road", "avenue", "square", "highway", "boulevard", "bridge", "lane", "roundabout"}


def part_of_a_name(span: SpacySpan) -> bool:
    """Whether a place's mention is only part of a longer name: "on Freedom Street" is a street, not
    the country."""
    following = span.doc[span.end] if span.end < len(span.doc) else None
    return following is not None and following.is_title and following.lower_ in STREET_WORDS


def belongs_elsewhere(token: Token, stop: Iterable[int] = ()) -> bool:
    """Whether the place the token names is the place of something else than an operation: a noun of
    another activity ("attacks in X"), a verb of residence or command ("based in X", "led the group
    in X"), or a preposition of origin or direction ("a leader from X"). The walk goes up to the
    first token in ``stop`` (the operation's trigger or verb)."""
    stops = set(stop)
    current = token
    for _ in range(10):
        head = current.head
        if head is current or current.i in stops or head.i in stops:
            return False
        lemma = head.lemma_.lower()
        if current is token and current.dep_ == "pobj" and head.lower_ in NOT_LOCATIVE \
                and head.head.lemma_.lower() not in PLACE_NOUNS:
            return True  # "a leader from X" (but "fled from the house in X": X is where it happened)
        if head.pos_ in ("NOUN", "PROPN") and (lemma in OWN_PLACE_NOUNS or lemma in OTHER_EVENTS or (
                lemma in OWN_PLACE_PLURALS and head.tag_ in ("NNS", "NNPS"))):
            return True
        if head.pos_ in ("VERB", "AUX") and lemma in OWN_PLACE_VERBS:
            return True
        if head.pos_ in ("VERB", "AUX") and head.dep_ in ("ROOT", "ccomp", "advcl", "conj", "relcl", "acl", "xcomp"):
            return False  # the place's own clause: what governs the clause is the caller's question
        current = head
    return False


def detached(token: Token, verb: Token) -> bool:
    """Whether the token stands in a clause of another time or a contrast than the verb's own: "struck
    the house a day after a raid killed X" (the raid), below the two's common ancestor."""
    above = {verb.i, *(a.i for a in verb.ancestors)}
    for ancestor in [token, *token.ancestors]:
        if ancestor.i in above:
            return False
        if ancestor.dep_ == "prep" and ancestor.lower_ in DETACHED_CLAUSES:
            return True
        if ancestor.dep_ in CLAUSE_DEPS and any(c.dep_ == "mark" and c.lower_ in DETACHED_CLAUSES
                                                for c in ancestor.children):
            return True
    return False


def in_other_clause(token: Token, anchors: list[Token]) -> bool:
    """Whether the token stands in a relative or adjectival clause that holds none of the anchors: "a
    rocket attack launched on July 28" or "a bomb that got its first use in 2004" tell of something
    else than the operation whose trigger or verb the anchors are."""
    above: set[int] = set()
    for anchor in anchors:
        above |= {anchor.i, *(a.i for a in anchor.ancestors)}
    for ancestor in [token, *token.ancestors]:
        if ancestor.i in above:
            return False
        if ancestor.dep_ in ("relcl", "acl") and ancestor.pos_ in ("VERB", "AUX"):
            return True
    return False


def recalled(trigger: Token, reference: date | None) -> bool:
    """Whether a trigger tells of an earlier operation, recalled: in a "since" clause ("the biggest blow
    since his predecessor was killed in a raid"), or dated by its own modifier or its verb's date to a
    time well before the article's ("the 2011 raid", "In 2019, X was killed in a raid"). An "after" clause
    is no sign: "the strike came hours after a raid killed X" often tells of a raid the article reports."""
    for ancestor in trigger.ancestors:
        if ancestor.dep_ == "prep" and ancestor.lower_ == "since":
            return True
        if ancestor.dep_ in CLAUSE_DEPS and any(c.dep_ == "mark" and c.lower_ == "since" for c in ancestor.children):
            return True
    if reference is None:
        return False
    words = [c for c in trigger.children if c.dep_ in ("nummod", "compound", "amod", "npadvmod", "nmod")]
    words += [g for c in trigger.children if c.dep_ == "prep" and c.lower_ in ("in", "on")
              for g in c.children if g.dep_ == "pobj"]  # "a strike in June 2006"
    verb = trigger.head.head if trigger.dep_ == "pobj" else trigger.head
    if verb.pos_ in ("VERB", "AUX"):
        words += [g for c in verb.children if c.dep_ == "prep" and c.lower_ == "in"
                  for g in c.children if g.dep_ == "pobj"]
        words += [c for c in verb.children if c.dep_ == "npadvmod"]
    for word in words:
        if word.ent_type_ != "DATE":
            continue
        value = resolve(" ".join(t.text for t in word.subtree), reference)
        if value is None:
            continue
        if len(value.value) == 4 and int(value.value) < reference.year:
            return True  # "in 2022" in a paper of 2023: a year is no news
        if len(value.value) > 4 and (reference - _latest_day(value.value)).days > RECALLED_AFTER_DAYS:
            return True
    return False


#: How long before the article's date an operation's own day or month makes it a recalled one: "on Dec.
#: 30" in a paper of 2 January is the news, "in February" in a paper of May is not.
RECALLED_AFTER_DAYS = 60


def _latest_day(value: str) -> date:
    """The last day an ISO date, month or year can mean."""
    if len(value) == 10:
        return date.fromisoformat(value)
    year = int(value[:4])
    month = int(value[5:7]) if len(value) == 7 else 12
    following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return date.fromordinal(following.toordinal() - 1)


def is_date(ent: SpacySpan) -> bool:
    """A date entity, or a time that names a day ("Wednesday night" is a time to the model)."""
    return ent.label_ == "DATE" or (ent.label_ == "TIME" and bool(_DAY.search(ent.text)))


def dates_another_noun(ent: SpacySpan, own_nouns: Collection[str]) -> bool:
    """Whether a date is part of a noun phrase that names something else than an operation: "the
    March 3, 2004 attacks", "his 2010 trial" (dates of the attacks, of the trial)."""
    head = ent.root.head
    return ent.root.dep_ in ("compound", "nmod", "amod", "nummod", "poss", "npadvmod") and ent.end <= head.i \
        and head.pos_ in ("NOUN", "PROPN") \
        and head.lemma_.lower() not in own_nouns and not head.ent_type_


def statement_date(ent: SpacySpan) -> bool:
    """Whether a date is the date of a statement ("officials said on Monday"), not of an event."""
    head = ent.root
    for _ in range(4):
        if head.pos_ in ("VERB", "AUX"):
            return head.lemma_.lower() in SPEECH
        if head.head is head:
            return False
        head = head.head
    return False


# --- filling -------------------------------------------------------------------------------------


class SlotFiller:
    """Fills the place and the date of an article's operations beyond the clauses of their mentions."""

    def __init__(self, doc: Doc, found: ArticleEntities, reference: date | None,
                 owner: Callable[[Token], Slotted | None], by_trigger: dict[int, Slotted]) -> None:
        self.doc = doc
        self.text = parsed.text(doc)
        self.found = found
        self.reference = reference
        #: The operation a token's clause tells of, if any (the reader's clause reading).
        self.owner = owner
        #: The operation of each trigger token.
        self.by_trigger = by_trigger
        #: The nouns that name the article's operations: a date in another noun's phrase is not theirs.
        self.own_nouns = {doc[i].lemma_.lower() for i in by_trigger}
        self.sents = list(doc.sents)
        #: The participants of the other operations, by ``id`` of each operation.
        self.others: dict[int, set[EntityRef]] = {}

    def fill(self, events: list[Slotted], main: Slotted | None,
             dateline: PlaceSlot | None) -> dict[int, list[tuple[str, Span]]]:
        """Add places to the operations that have none; return the dates found beyond their clauses,
        by ``id`` of the operation (used when the clauses gave none). ``events`` are the operations
        the article tells something of (a passing mention gets no slot filled), ``main`` the first."""
        near_dates: dict[int, list[tuple[str, Span]]] = {}
        people = {id(e): {p for _r, p, _s, _c in e.participants} for e in events}
        self.others = {id(e): set().union(*(people[id(o)] - people[id(e)] for o in events if o is not e))
                       for e in events}
        for event in events:
            if not event.places:
                event.places.extend(self._places_beyond(event))
            if best_date(event.dates, self.reference) is None:  # none, or none that resolves ("of the week")
                near_dates[id(event)] = self._dates_beyond(event)
        if main is not None and not main.places:
            main.places.extend(self._struck_places(main))
        lede = self._lede(dateline)
        if main is not None and lede is not None and not self._tells_of_another(lede, main):
            if not main.places:
                main.places.extend(self._places_in(lede, main, []))  # not the dateline's own: "WASHINGTON —"
            if best_date(main.dates, self.reference) is None and not near_dates.get(id(main)):
                # the lede's day, before the day a statement was made ("the command said on Friday")
                near_dates[id(main)] = self._dates_in(lede, main, [], day_only=True)
        return near_dates

    # places

    def _anchors(self, event: Slotted, sent: SpacySpan) -> list[Token]:
        tokens = [t for t in event.triggers if sent.start <= t.i < sent.end]
        return tokens + [self.doc[i] for i in event.verbs if sent.start <= i < sent.end]

    def _places_in(self, sent: SpacySpan, event: Slotted, anchors: list[Token],
                   governed: set[int] | None = None) -> list[PlaceSlot]:
        """The sentence's places of the operation; with ``governed``, only those under one of these tokens."""
        out = []
        stop = {t.i for t in anchors}
        for (start, end), ref in self.found.at.items():
            if ref.cls != "Location" or not (sent.start_char <= start < sent.end_char):
                continue
            span = self.doc.char_span(start, end, alignment_mode="expand")
            if span is None:
                continue
            root = span.root
            relation = locative(root)
            if relation is None or belongs_elsewhere(root, stop) or part_of_a_name(span):
                continue
            other = self.owner(root)
            if other is not None and other is not event:
                continue
            if _elsewhere(root, anchors or [sent.root]):
                continue
            if governed is not None and not any(a.i in governed for a in root.ancestors):
                continue
            out.append((ref, Span(sent.start_char, sent.end_char), relation))
        return out

    def _places_beyond(self, event: Slotted) -> list[PlaceSlot]:
        for number in sorted(event.sentences):
            sent = self.sents[number]
            places = self._places_in(sent, event, self._anchors(event, sent))
            if places:
                return places
        for sent, verbs in self._struck_participants(event):
            places = self._places_in(sent, event, verbs, governed={v.i for v in verbs})
            if places:
                return places
        for number in self._following(event):
            places = self._places_in(self.sents[number], event, [])
            if places:
                return places
        return []

    def _struck_participants(self, event: Slotted) -> list[tuple[SpacySpan, list[Token]]]:
        """Sentences that retell the operation without naming it: a verb of striking whose clause names
        one of its participants ("Yesterday the army struck the X area, targeting Y"), with those verbs."""
        people = {p for _r, p, _s, _c in event.participants}
        out = []
        for number, sent in enumerate(self.sents):
            if number in event.sentences or self._tells_of_another(sent, event):
                continue
            verbs = [t for t in sent if t.pos_ == "VERB" and t.lemma_.lower() in STRUCK]
            if not verbs:
                continue
            named = {ref for (start, _end), ref in self.found.at.items() if sent.start_char <= start < sent.end_char}
            if named & people:
                out.append((sent, verbs))
        return out

    def _following(self, event: Slotted, limit: int = 2) -> list[int]:
        """The sentences after the operation's first one, in the same paragraph, that tell of no other
        operation."""
        if not event.sentences:
            return []
        first = min(event.sentences)
        out: list[int] = []
        for number in range(first + 1, min(first + 1 + limit, len(self.sents))):
            sent, previous = self.sents[number], self.sents[number - 1]
            gap = self.text[previous.start_char:sent.start_char]
            if "\n" in gap[len(gap.rstrip()):]:
                break  # a new paragraph
            if self._tells_of_another(sent, event):
                break
            if number not in event.sentences:
                out.append(number)
        return out

    def _struck_places(self, main: Slotted) -> list[PlaceSlot]:
        """For the article's main operation: the first place anywhere in the article that an operation's
        verb governs and no other operation claims ("the compound struck at dawn in the town of X")."""
        for sent in self.sents:
            if self._tells_of_another(sent, main):
                continue
            verbs = [t for t in sent if t.pos_ == "VERB" and t.lemma_.lower() in STRUCK]
            places = self._places_in(sent, main, verbs, governed={v.i for v in verbs}) if verbs else []
            if places:
                return places
        return []

    def _lede(self, dateline: PlaceSlot | None) -> SpacySpan | None:
        """The sentence the dateline opens, or the next one when the dateline stands alone."""
        if dateline is None:
            return None
        for number, sent in enumerate(self.sents):
            if sent.start_char == dateline[1].start:
                alone = sum(1 for t in sent if t.is_alpha) <= 6
                return self.sents[number + 1] if alone and number + 1 < len(self.sents) else sent
        return None

    def _tells_of_another(self, sent: SpacySpan, event: Slotted) -> bool:
        """Whether the sentence names another operation or one of another operation's participants."""
        if any(self.by_trigger.get(i, event) is not event for i in range(sent.start, sent.end)):
            return True
        named = {ref for (start, _end), ref in self.found.at.items() if sent.start_char <= start < sent.end_char}
        return bool(named & self.others.get(id(event), set()))


    # dates

    def _dates_in(self, sent: SpacySpan, event: Slotted, anchors: list[Token],
                  day_only: bool) -> list[tuple[str, Span]]:
        out = []
        for ent in parsed.ents(sent):
            if not is_date(ent) or statement_date(ent) or dates_another_noun(ent, self.own_nouns):
                continue
            if resolve(ent.text, self.reference or date(2000, 6, 15)) is None:
                continue
            if day_only and not _DAY.search(ent.text):
                continue
            other = self.owner(ent.root)
            if other is not None and other is not event:
                continue
            if _elsewhere(ent.root, anchors or [sent.root]):
                continue
            out.append((ent.text, Span(sent.start_char, sent.end_char)))
        return out

    def _dates_beyond(self, event: Slotted) -> list[tuple[str, Span]]:
        for number in sorted(event.sentences):
            sent = self.sents[number]
            dates = self._dates_in(sent, event, self._anchors(event, sent), day_only=False)
            if dates:
                return dates
        for sent, verbs in self._struck_participants(event):
            dates = self._dates_in(sent, event, verbs, day_only=False)
            if dates:
                return dates
        for number in self._following(event, limit=1):
            dates = self._dates_in(self.sents[number], event, [], day_only=True)
            if dates:
                return dates
        return []


def _elsewhere(token: Token, anchors: list[Token]) -> bool:
    """Whether the token tells of another time or thing than the anchors' operation."""
    return all(detached(token, a) for a in anchors) or in_other_clause(token, anchors)


# --- choosing ------------------------------------------------------------------------------------


def most_specific(places: list[PlaceSlot], found: ArticleEntities) -> PlaceSlot | None:
    """The place of the smallest kind (a village before its province before its country)."""
    best = None
    for ref, span, relation in places:
        entity = found.by_ref(ref)
        r = place_rank(entity.kind) if entity else 9
        if best is None or r < best[0]:
            best = (r, (ref, span, relation))
    return best[1] if best else None


def best_date(candidates: list[tuple[str, Span]], reference: date | None) -> tuple[ResolvedDate | str, Span] | None:
    """The most precise resolved date; else the relative expression, to be resolved by the corpus."""
    best: tuple[ResolvedDate | str, Span] | None = None
    for text, span in candidates:
        value = resolve(text, reference)
        if value is not None:
            if best is None or not isinstance(best[0], ResolvedDate) or len(value.value) > len(best[0].value):
                best = (value, span)
        elif best is None and resolve(text, date(2000, 6, 15)) is not None:
            best = (text, span)  # relative, with no publication date to anchor it
    return best


def dateline_place(doc: Doc, found: ArticleEntities) -> PlaceSlot | None:
    """"KARANA, Syria —", "BEIRUT (AP) —", "TEHRAN:": the place an article was filed from, when a line near
    its top opens with one."""
    text = parsed.text(doc)
    for (start, end), ref in sorted(found.at.items()):
        if start > LEDE_WINDOW:
            break
        entity = found.by_ref(ref)
        if ref.cls != "Location" or entity is None or entity.kind in ("Country", "Region"):
            continue
        line_start = text.rfind("\n", 0, start) + 1
        if text[line_start:start].strip():
            continue  # not at the start of a line
        if _DATELINE.match(text[end:end + 40]):
            span = doc.char_span(start, end, alignment_mode="expand")
            if span is not None:
                return ref, Span(span.sent.start_char, span.sent.end_char), "in"
    return None
