"""Operations: mentions, kinds, participants, place, time and who conducted them, within one article.

The reader here goes through the article sentence by sentence: it finds the operation mentions,
decides which operation each refers to, and puts on each operation the people, places, dates and
actors of its clauses. What it asks of the other stages:

- A trigger noun names an operation: raid, strike, air strike, drone strike, operation... Its
  modifiers give the kind (drone -> DroneStrike, helicopter-borne -> HelicopterRaid): the
  vocabulary and the operation itself are :mod:`kg.extract.operation`'s, the recognition of a
  mention and its kind :mod:`kg.extract.mentions`'.
- A definite mention ("the raid", "the latest strike", "this operation") refers back to the most
  recent compatible operation; an indefinite one starts a new operation unless it is compatible
  with one of the same kind (a second report of it, merged once the article is read:
  :mod:`kg.extract.coreference`); "another", "previous", "second" always start one.
- Participants come from the verbs that govern person mentions (kill, die, blow oneself up,
  detonate, target, wound, detain, capture), through apposition and coordination, with negation
  ("no civilians were killed", "no confirmation that the raid targeted X") and hedges ("believed
  to be", "reportedly") taken into account (:mod:`kg.extract.participation`); who a mention refers
  to ("he", "they", "who", "a man known as X", "two of his associates") is
  :mod:`kg.extract.referents`'.
- Place and date are read here in the clause of the trigger or of the participant's verb, leaving out
  what belongs to something else ("plotting attacks in X"); once the mentions are merged into
  operations, the slot-filling stage (:mod:`kg.extract.slots`) looks beyond the clause (the sentence,
  the paragraph, a retelling, the lede under the dateline) and chooses the most specific place and
  the most precise date. Who carried the operation out is the actor stage's
  (:mod:`kg.extract.actors`), which asks this reader where the operations are
  (:class:`kg.extract.actors.EventIndex`).
- A "since" clause or an earlier year ("the 2011 raid", "In 2019, X was killed in a raid") marks a
  recalled operation: it is never the one a later "the raid" refers to, nothing merges into it, and
  it is reported only when the article says who died or was caught in it.
- Plural strikes that killed several named people are one operation each, placed where the campaign
  told before them was; "in the country" is the country the article is about
  (:mod:`kg.extract.campaigns`).
- The reader's operations become entities and facts in :mod:`kg.extract.event_facts`.
"""

from __future__ import annotations

from datetime import date

from spacy.tokens import Doc, Token
from spacy.tokens import Span as SpacySpan

from kg import gazetteer as gaz
from kg.extract import parsed
from kg.extract.actors import Actors
from kg.extract.campaigns import campaign_places, main_country, several_operations
from kg.extract.entities import ArticleEntities
from kg.extract.event_facts import EventResult, event_facts
from kg.extract.mentions import is_trigger, kind_of, told_by_a_noun, victims_named
from kg.extract.operation import (
    FAMILY,
    KILLING_NOUNS,
    KILLING_VERBS,
    NEW_MARKERS,
    TRIGGERS,
    Event,
)
from kg.extract.participation import (
    KILL,
    clause_head,
    head_noun,
    hedged,
    negated,
    plural_operation,
    relation_of,
    shot_dead,
    verb_of,
)
from kg.extract.referents import SPEECH, Referents
from kg.extract.slots import (
    CLAUSE_DEPS,
    DETACHED_CLAUSES,
    belongs_elsewhere,
    dates_another_noun,
    detached,
    is_date,
    locative,
    part_of_a_name,
    recalled,
)
from kg.model import Article, EntityRef, Fact, Span


def extract_events(doc: Doc, article: Article, found: ArticleEntities, g: gaz.Gazetteer,
                   members: set[EntityRef] | None = None, containment: list[Fact] | None = None) -> EventResult:
    """The article's operations and their facts.

    ``members`` are people known to belong to armed groups; ``containment`` the article's
    ``locatedIn`` facts.
    """
    reader = _Reader(doc, article, found, g, members or set())
    reader.containment = containment or []
    reader.read()
    return event_facts(reader)


class _Reader:
    """Reads one article's operations, sentence by sentence, into :attr:`events`."""

    def __init__(self, doc: Doc, article: Article, found: ArticleEntities, g: gaz.Gazetteer,
                 members: set[EntityRef]) -> None:
        self.members = members
        self.containment: list[Fact] = []
        self.doc = doc
        self.article = article
        self.found = found
        self.g = g
        self.events: list[Event] = []
        self.by_trigger: dict[int, Event] = {}
        self.salient: Event | None = None
        self.salient_sentence = -10
        #: The last operation in focus that is not a recalled one, and the sentence it was last told in.
        self.focus: Event | None = None
        self.focus_sentence = -10
        self.referents = Referents(doc, article, found)
        self.sents = self.referents.sents
        #: The country the article is about: what "in the country" refers to.
        self.main_country = main_country(found)
        self.reference = date.fromisoformat(article.published) if article.published else None
        self.actors = Actors(found, g)

    # --- reading -----------------------------------------------------------------------------

    def read(self) -> None:
        for number, sent in enumerate(self.doc.sents):
            triggers = [t for t in sent if is_trigger(t, self.referents)]
            for trigger in triggers:
                event = self._event_for(trigger, number)
                if event is not None:
                    self.by_trigger[trigger.i] = event
                    event.triggers.append(trigger)
                    event.sentences.add(number)
                    self._attend(event, number)
            self._participants(sent, number)
            self._places(sent, number)
            self._dates(sent, number)
            self._actors(sent, number)

    def _event_for(self, trigger: Token, number: int) -> Event | None:
        kind = kind_of(trigger)
        told = self._killing_told_by(trigger)
        if told is not None:
            if told.kind == "Operation":
                told.kind = kind
            return told  # "the killing of X in a raid": the raid is that killing
        det = {c.lower_ for c in trigger.children if c.dep_ in ("det", "poss", "amod", "nummod")}
        if trigger.dep_ == "attr" and self.events:
            return self.salient or self.events[-1]  # "It was the second strike this month": about the one in focus
        earlier = recalled(trigger, self.reference)
        new_marked = bool(det & NEW_MARKERS) or earlier
        definite = bool(det & DEFINITE) or any(c.dep_ == "poss" for c in trigger.children) \
            or (trigger.pos_ == "VERB" and trigger.lemma_.lower() not in KILLING_VERBS and not shot_dead(trigger)) \
            or _determined_on_the_left(trigger)  # "they also raided": the same; "forces killed X": a report
        if definite and not new_marked:
            previous = self._recent_compatible(kind)
            if previous is None and self.focus is not None and trigger.lemma_.lower() not in KILLING_NOUNS:
                previous = self.focus  # "the strike" in a report of a raid: the same operation, told loosely
            if previous is not None and self._names_another_victim(trigger, previous):
                previous = None  # "Israel's assassination of Y" after a strike that killed X
            if previous is not None:
                if previous.kind == "Operation" or (FAMILY.get(kind) == previous.family and kind != previous.kind \
                        and kind not in ("Raid", "AirStrike")):
                    previous.kind = kind if kind != "Operation" else previous.kind
                return previous
        event = Event(len(self.events), kind, recalled=earlier)
        event.new_marked = new_marked
        self.events.append(event)
        return event

    def _killing_told_by(self, trigger: Token) -> Event | None:
        """The "killing of X" operation whose "in/during/by" phrase the trigger is."""
        prep = trigger.head
        if trigger.dep_ != "pobj" or prep.lower_ not in ("in", "during", "by", "through"):
            return None
        noun = prep.head
        for _ in range(3):  # "the killing of X in a raid" may hang the phrase on X
            if noun.i in self.by_trigger and noun.lemma_.lower() in KILLING_NOUNS:
                return self.by_trigger[noun.i]
            if noun.dep_ not in ("pobj", "prep") or noun.head is noun:
                return None
            noun = noun.head
        return None

    def _names_another_victim(self, trigger: Token, previous: Event) -> bool:
        """Whether a "killing of X" mention names a victim the earlier operation does not have."""
        if trigger.lemma_.lower() not in KILLING_NOUNS or not previous.killed():
            return False
        named = victims_named(trigger, self.referents)
        return bool(named) and not named & previous.killed()

    def _recent_compatible(self, kind: str) -> Event | None:
        family = FAMILY.get(kind)
        for event in reversed(self.events):
            if event.recalled:
                continue  # "the raid" after a recalled one is about the article's own
            if family is None or event.family in (family, None):
                return event
        return None

    def _event_of(self, token: Token) -> Event | None:
        """The operation a verb or noun belongs to, looked for in its own clause only.

        A trigger it is or governs ("killed in a raid", "the strike killed"), the trigger its
        relative clause hangs on ("a raid that killed", "a raid targeting"), else a trigger of
        the same clause.
        """
        head = token
        for _ in range(12):
            if head.i in self.by_trigger:
                return self.by_trigger[head.i]
            for child in head.children:
                if child.i in self.by_trigger and child.dep_ in ("nsubj", "nsubjpass", "dobj"):
                    return self.by_trigger[child.i]
                if child.dep_ in ("prep", "agent") and child.lower_ in ("in", "during", "by", "through", "after"):
                    for grand in child.children:
                        if grand.i in self.by_trigger:
                            return self.by_trigger[grand.i]
            if head.dep_ in ("relcl", "acl") and head.head.i in self.by_trigger:
                return self.by_trigger[head.head.i]
            if head.dep_ in CLAUSE_DEPS or head.dep_ == "ROOT" or head.head is head:
                break
            head = head.head
        clause = [e for i, e in self.by_trigger.items() if self._same_clause(self.doc[i], token)]
        return clause[0] if clause else None

    def _same_clause(self, a: Token, b: Token) -> bool:
        return clause_head(a) == clause_head(b)

    def _attend(self, event: Event, number: int) -> None:
        self.salient, self.salient_sentence = event, number
        if not event.recalled:
            self.focus, self.focus_sentence = event, number

    def _fallback(self, number: int) -> Event | None:
        """The operation in focus in the last two sentences (never a recalled one)."""
        if self.focus is not None and number - self.focus_sentence <= 2:
            return self.focus
        return None

    # --- participants ------------------------------------------------------------------------

    def _participants(self, sent: SpacySpan, number: int) -> None:
        for token in sent:
            if token.dep_ not in ("dobj", "nsubjpass", "nsubj", "pobj", "appos", "conj", "attr", "poss"):
                continue
            group = self.referents.plural_antecedent(token)  # "they were killed": the two just named
            # else the person named, or the one a noun names ("a man known as X")
            ref = group[0] if group else self.referents.person(token) or self.referents.named_in(token)
            unnamed = None
            if ref is None:
                unnamed = self.referents.describe_unnamed(token)
                if unnamed is None:
                    continue
            relation, verb = relation_of(token)
            if relation is None or verb is None or negated(token, verb) or _killed_by_another(verb, self.found):
                continue
            several = several_operations(verb)
            if several is not None and (unnamed is not None or group):
                continue
            if plural_operation(verb):
                continue  # "killed during US raids": several operations, not the one in focus
            event = self._one_of(several, ref, number) if several is not None and ref is not None \
                else self._event_of(verb)
            if event is None and self.by_trigger_in(sent):
                event = self.sentence_event(verb)  # not one in a clause of another time ("since ...")
                if event is not None and event.recalled:
                    event = None  # only its own clause joins someone to a recalled operation
                if event is None and unnamed is None and self._only_recalled(sent):
                    event = self._fallback(number)  # "X's death is the worst blow since a raid in 2019 killed Y"
            elif event is None and unnamed is None:
                event = self._fallback(number)  # a named person's fate told after the operation's sentence
            if event is None:
                continue
            if ref is None:
                assert unnamed is not None
                ref = self.referents.add_unnamed(unnamed, token)
                event.unnamed_heads.add(head_noun(token))
            certainty = 0.6 if hedged(verb) else 1.0
            span = Span(sent.start_char, sent.end_char)
            event.verbs.add(verb.i)
            for each in group or [ref]:
                if not any(r == relation and p == each for r, p, _s, _c in event.participants):
                    event.participants.append((relation, each, span, certainty))
                    event.sentences.add(number)
            self._attend(event, number)

    def _participant_event(self, token: Token) -> Event | None:
        """The operation whose participant's verb governs the token, through no temporal or concessive
        clause: "X was killed ... as he fled from the house in Y" (Y), not "... months after his men
        were defeated in Y" (not Y)."""
        for ancestor in token.ancestors:
            if ancestor.dep_ in CLAUSE_DEPS and any(c.dep_ == "mark" and c.lower_ in DETACHED_CLAUSES
                                                    for c in ancestor.children):
                return None
            if ancestor.dep_ == "prep" and ancestor.lower_ in DETACHED_CLAUSES:
                return None  # "months after his men were defeated in Y"
            for event in self.events:
                if ancestor.i in event.verbs:
                    return event
        return None

    def _only_recalled(self, sent: SpacySpan) -> bool:
        """Whether every operation the sentence mentions is a recalled one."""
        return all(e.recalled for i, e in self.by_trigger.items() if sent.start <= i < sent.end)

    def by_trigger_in(self, sent: SpacySpan) -> bool:
        return any(sent.start <= i < sent.end for i in self.by_trigger)

    def _only_event(self, sent: SpacySpan) -> Event | None:
        events = {id(e): e for i, e in self.by_trigger.items() if sent.start <= i < sent.end}
        return next(iter(events.values())) if len(events) == 1 else None

    # --- place, date, actor -------------------------------------------------------------------

    def _places(self, sent: SpacySpan, number: int) -> None:
        mentions: list[tuple[SpacySpan, EntityRef]] = []
        for (start, end), ref in self.found.at.items():
            if ref.cls != "Location" or not (start < sent.end_char and end > sent.start_char):
                continue
            span = self.doc.char_span(start, end, alignment_mode="expand")
            if span is not None and not part_of_a_name(span):  # not "on X Street"
                mentions.append((span, ref))
        country = self.main_country
        if country is not None:
            mentions += [(sent[t.i - sent.start:t.i - sent.start + 1], country) for t in sent
                         if t.lower_ == "country" and any(c.lower_ == "the" for c in t.children)]
        for span, ref in mentions:
            relation = locative(span.root)
            if relation is None:
                continue  # not "in X"
            event = self._event_of(span.root) or self._participant_event(span.root)
            if event is None and self.by_trigger_in(sent):
                only = self._only_event(sent)
                if only is not None and any(self._same_clause(t, span.root) for t in only.triggers
                                            if sent.start <= t.i < sent.end):
                    event = only  # not "... after his men were defeated in X in 2019"
            elif event is None and _participant_sentence(self, sent):
                event = self._fallback(number)
            if event is not None and belongs_elsewhere(span.root, [*(t.i for t in event.triggers), *event.verbs]):
                continue  # "plotting attacks in X", "based in X", "who led the group in X"
            if event is not None:
                event.places.append((ref, Span(sent.start_char, sent.end_char), relation))

    def _one_of(self, several: Token, person: EntityRef, number: int) -> Event:
        """The operation, one of several the plural names, that killed this person."""
        for event in self.events:
            if several in event.triggers and person in event.killed():
                return event
        event = Event(len(self.events), kind_of(several), recalled=recalled(several, self.reference))
        event.new_marked = True  # never merged with the others
        event.triggers.append(several)
        event.sentences.add(number)
        event.places += campaign_places(self.sents, self.found, number)
        self.events.append(event)
        return event

    def _dates(self, sent: SpacySpan, number: int) -> None:
        for ent in parsed.ents(sent):
            if not is_date(ent) or dates_another_noun(ent, TRIGGERS.keys() | KILLING_NOUNS):
                continue
            verb = verb_of(ent.root)
            event = self._event_of(ent.root)
            if event is None and verb is not None and verb.lemma_.lower() in SPEECH:
                # The date of a statement: it dates the operation the statement reports, as a fallback.
                reported = [self.by_trigger[t.i] for t in verb.subtree if t.i in self.by_trigger]
                if reported:
                    reported[0].statement_dates.append((ent.text, Span(sent.start_char, sent.end_char)))
                continue
            if event is None:
                event = self._only_event(sent)
                if event is not None and not any(self._same_clause(t, ent.root) for t in event.triggers
                                                 if sent.start <= t.i < sent.end):
                    event = None  # "...the raid ... since the holdout was captured in 2019"
            if event is not None:
                event.dates.append((ent.text, Span(sent.start_char, sent.end_char)))

    def _actors(self, sent: SpacySpan, number: int) -> None:
        for event, actor, certainty in self.actors.read(sent, self):
            event.actors.append((actor, Span(sent.start_char, sent.end_char), certainty))

    # EventIndex, for the actor stage (kg.extract.actors)

    def trigger_event(self, index: int) -> Event | None:
        return self.by_trigger.get(index)

    def clause_event(self, token: Token) -> Event | None:
        return self._event_of(token)

    def verb_event(self, verb: Token) -> Event | None:
        return next((e for e in self.events if verb.i in e.verbs), None)

    def sentence_event(self, verb: Token) -> Event | None:
        """The sentence's one operation, unless its trigger is in a clause of another time ("a day after
        a raid killed X")."""
        event = self._only_event(verb.sent)
        if event is None:
            return None
        own = [t for t in event.triggers if verb.sent.start <= t.i < verb.sent.end]
        # neither in a clause of another time than the other: not "the raid comes a week after a strike killed X"
        return event if any(not detached(t, verb) and not detached(verb, t) for t in own) else None


def _participant_sentence(reader: _Reader, sent: SpacySpan) -> bool:
    return any(sent.start_char <= s.start < sent.end_char for e in reader.events for _r, _p, s, _c in e.participants)


#: Determiners of a mention that refers back to an operation already told.
DEFINITE = {"the", "this", "that", "latest", "its", "their"}


def _determined_on_the_left(trigger: Token) -> bool:
    """A definite article before the trigger's modifiers that the parser hung elsewhere: "the early
    morning U.S. raid" (the parse may leave the raid with only "U.S." as its child)."""
    for token in reversed(trigger.doc[max(trigger.sent.start, trigger.i - 6):trigger.i]):
        if token.lower_ in DEFINITE:
            return True
        if token.lower_ in ("a", "an") or token.pos_ not in ("ADJ", "NOUN", "PROPN", "NUM", "PUNCT", "ADV"):
            return False
        if token.pos_ == "PUNCT" and token.text not in ("-", "‑"):
            return False
    return False


#: Subjects of a killing that are not an operation's: "the gunman had killed X the day before".
NON_STATE_KILLERS = {"gunman", "gunmen", "attacker", "attackers", "assailant", "assailants", "bomber", "bombers",
                     "militant", "militants", "insurgent", "insurgents", "rebel", "rebels", "jihadist", "jihadists",
                     "terrorist", "terrorists", "suspect", "suspects", "kidnapper", "kidnappers", "fighter", "fighters"}


def _killed_by_another(verb: Token, found: ArticleEntities) -> bool:
    """Whether an active killing has a subject that is no operation's: a named person, an armed group or
    its people ("the gunman had killed X", "Northern Front fighters killed two soldiers"); "X died" and
    "X was killed" have no killer for a subject."""
    if verb.lemma_.lower() not in KILL or not any(c.dep_ == "dobj" for c in verb.children) or told_by_a_noun(verb):
        return False  # "fighters of a rival group killed X in a raid": the raid is an operation all the same
    for subject in (c for c in verb.children if c.dep_ == "nsubj"):
        if subject.lemma_.lower() in NON_STATE_KILLERS or subject.lower_ in NON_STATE_KILLERS:
            return True
        ref = found.find(subject.idx, subject.idx + len(subject.text)) if subject.ent_type_ else None
        entity = found.by_ref(ref) if ref is not None else None
        if entity is not None and (entity.ref.cls == "Person" or entity.kind == "ArmedGroup"):
            return True
    return False
