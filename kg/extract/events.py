"""Operations: mentions, kinds, participants, place, time and who conducted them, within one article.

- A trigger noun names an operation: raid, strike, air strike, drone strike, operation... Its
  modifiers give the kind (drone -> DroneStrike, helicopter-borne -> HelicopterRaid).
- A definite mention ("the raid", "the latest strike", "this operation") refers back to the most
  recent compatible operation; an indefinite one starts a new operation unless it is compatible
  with one of the same kind (a second report of it); "another", "previous", "second" always start one.
- Participants come from the verbs that govern person mentions (kill, die, blow oneself up,
  detonate, target, wound, detain, capture), through apposition and coordination, with negation
  ("no civilians were killed", "no confirmation that the raid targeted X") and hedges ("believed
  to be", "reportedly") taken into account.
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
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from spacy.tokens import Doc, Token
from spacy.tokens import Span as SpacySpan

from kg import gazetteer as gaz
from kg.extract.actors import Actors
from kg.extract.dates import ResolvedDate, resolve
from kg.extract.entities import ArticleEntities
from kg.extract.slots import (
    CLAUSE_DEPS,
    DETACHED_CLAUSES,
    SlotFiller,
    belongs_elsewhere,
    best_date,
    dateline_place,
    dates_another_noun,
    detached,
    is_date,
    locative,
    most_specific,
    part_of_a_name,
    recalled,
)
from kg.kinds import OPERATION_FAMILY, OPERATION_RANK
from kg.model import Article, Entity, EntityRef, Fact, Span

#: Trigger lemmas -> the kind they give by themselves.
TRIGGERS = {"raid": "Raid", "strike": "AirStrike", "airstrike": "AirStrike", "operation": "Operation",
            "bombing": "AirStrike", "bombardment": "AirStrike", "assault": "Raid", "incursion": "Raid",
            "ambush": "Raid"}
#: Triggers that, alone, more often name an attack than an operation: they need an aerial modifier or an actor.
GROUND_ATTACK_NOUNS = {"bombing"}
AERIAL = {"air", "aerial", "airborne", "jet", "warplane", "bomber"}
#: Modifiers of a trigger -> the finer kind they give.
KIND_MODIFIERS = {"drone": "DroneStrike", "uav": "DroneStrike", "unmanned": "DroneStrike",
                  "air": "AirStrike", "aerial": "AirStrike", "precision": "AirStrike", "missile": "AirStrike",
                  "helicopter": "HelicopterRaid", "helicopter-borne": "HelicopterRaid", "heliborne": "HelicopterRaid",
                  "airborne": "Raid", "commando": "Raid", "ground": "Raid", "special": None}
RANK_OF_KIND = OPERATION_RANK
FAMILY = OPERATION_FAMILY
KILL = {"kill", "eliminate", "assassinate", "neutralize", "neutralise", "slay"}
DIE = {"die", "perish"}
#: Nouns that tell of a killing: "the death of X", "the killings of X and Y".
KILL_NOUNS = {"death", "killing", "assassination", "elimination", "slaying"}
#: Of those, the ones that tell of an operation by themselves ("the assassination of X"), not of a death.
KILLING_NOUNS = {"killing", "assassination", "elimination"}
#: Verbs that name someone described before ("identified the dead man as X"), and the descriptions of the dead.
IDENTIFY = {"identify", "name"}
DEAD_NOUNS = {"dead", "body", "victim", "deceased", "corpse"}
SELF_KILL = {"detonate", "blow", "explode"}
TARGET = {"target"}
WOUND = {"wound", "injure", "hurt"}
DETAIN = {"detain", "capture", "arrest", "apprehend", "seize"}
SPEECH = {"say", "tell", "announce", "confirm", "report", "state", "add", "claim"}
NEW_MARKERS = {"another", "previous", "earlier", "second", "separate", "other", "prior", "similar"}
HEDGES = {"believe", "reportedly", "allegedly", "likely", "probable", "probably", "possibly", "suspect", "claim",
          "unconfirmed", "apparently", "may", "might", "could", "presumably"}
NEGATIONS = {"no", "not", "never", "n't", "without"}
UNNAMED_HEADS = {"leader", "official", "commander", "operative", "smuggler", "militant", "fighter", "member",
                 "man", "woman", "person", "people", "civilian", "associate", "son", "daughter", "relative",
                 "jihadist", "suspect", "figure", "individual", "guard", "bodyguard", "courier", "facilitator",
                 "financier", "other", "others", "wife", "child", "children", "family"}
NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
           "ten": 10, "a": 1, "an": 1, "several": None, "some": None}


@dataclass
class Event:
    index: int
    kind: str
    triggers: list[Token] = field(default_factory=list)
    places: list[tuple[EntityRef, Span, str]] = field(default_factory=list)
    dates: list[tuple[str, Span]] = field(default_factory=list)
    #: Who carried it out, with the evidence sentence and the certainty of the credit.
    actors: list[tuple[EntityRef, Span, float]] = field(default_factory=list)
    participants: list[tuple[str, EntityRef, Span, float]] = field(default_factory=list)
    sentences: set[int] = field(default_factory=set)
    #: Dates of statements that report the operation: used only when nothing dates it directly.
    statement_dates: list[tuple[str, Span]] = field(default_factory=list)
    #: Token indices of the verbs that gave it participants ("X was killed ... as he fled from Y").
    verbs: set[int] = field(default_factory=set)
    #: An earlier operation the article recalls ("since X was killed in a raid in 2019", "the 2011 raid").
    recalled: bool = False

    @property
    def family(self) -> str | None:
        return FAMILY.get(self.kind)

    def killed(self) -> set[EntityRef]:
        return {p for r, p, _s, _c in self.participants if r == "killedIn" and not p.key.startswith("unnamed")}


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


def extract_events(doc: Doc, article: Article, found: ArticleEntities, g: gaz.Gazetteer,
                   members: set[EntityRef] | None = None, containment: list[Fact] | None = None) -> EventResult:
    """The article's operations and their facts.

    ``members`` are people known to belong to armed groups; ``containment`` the article's
    ``locatedIn`` facts.
    """
    reader = _Reader(doc, article, found, g, members or set())
    reader.containment = containment or []
    reader.read()
    return reader.result()


class _Reader:
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
        self.unnamed: list[Entity] = []
        self.reference = date.fromisoformat(article.published) if article.published else None
        self.actors = Actors(found, g)

    # --- reading -----------------------------------------------------------------------------

    def read(self) -> None:
        for number, sent in enumerate(self.doc.sents):
            triggers = [t for t in sent if self._is_trigger(t)]
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

    def _is_trigger(self, token: Token) -> bool:
        lemma = token.lemma_.lower()
        if token.pos_ == "VERB" and lemma == "raid" and any(c.dep_ == "nsubj" for c in token.children):
            return True  # "Troops raided a house"
        if token.pos_ == "NOUN" and lemma in KILLING_NOUNS:
            return self._killing_of_someone(token)
        if token.pos_ not in ("NOUN", "PROPN") or lemma not in TRIGGERS:
            return False
        if token.tag_ in ("NNS", "NNPS"):
            return False  # "previous raids", "a string of operations": not one operation
        if _alternative(token):
            return False  # "a raid rather than an air strike": the strike did not happen
        if lemma in GROUND_ATTACK_NOUNS and not self._from_the_air(token):
            return False  # "the resort bombing", "a car bombing": an attack, not an air raid
        if any(c.lower_ in ("such", "any", "every") for c in token.children):
            return False
        if lemma == "operation" and any(c.lower_ in ("special", "military", "intelligence") and c.dep_ == "amod"
                                        and c.i == token.i - 1 and token.i + 1 < len(token.doc)
                                        and token.doc[token.i + 1].lower_ == "forces" for c in token.children):
            return False
        following = token.doc[token.i + 1].lower_ if token.i + 1 < len(token.doc) else ""
        return following not in ("forces", "force", "command", "team", "teams", "unit")  # "special operations forces"

    def _from_the_air(self, noun: Token) -> bool:
        """"an aerial bombing", "the drone bombardment", "US bombing": a modifier that makes it an air raid
        (a kind modifier, or a country or force that carries it out)."""
        for child in noun.children:
            if child.dep_ not in ("amod", "compound", "nmod", "poss"):
                continue
            if any(part in KIND_MODIFIERS or part in AERIAL for part in child.lower_.split("-")):
                return True
            if child.ent_type_ in ("NORP", "ORG"):
                return True  # "Israeli bombing", "NATO bombing"
            ref = self.found.find(child.idx, child.idx + len(child.text)) if child.ent_type_ == "GPE" else None
            entity = self.found.by_ref(ref) if ref is not None else None
            if entity is not None and entity.kind == "Country":
                return True  # "US bombing", not "the Kabul bombing"
        return False

    def _killing_of_someone(self, noun: Token) -> bool:
        """"the assassination of X", "the killings of X and Y": an operation told by its outcome."""
        return any(pobj.dep_ == "pobj" and self._person(pobj) is not None
                   for prep in noun.children if prep.dep_ == "prep" and prep.lower_ == "of"
                   for pobj in prep.children)

    def _kind(self, trigger: Token) -> str:
        kind = TRIGGERS.get(trigger.lemma_.lower(), "Operation")
        window = [t for t in trigger.doc[max(trigger.i - 4, trigger.sent.start):trigger.i]]
        window += [c for c in trigger.children if c.dep_ in ("compound", "amod", "nmod")]
        for token in window:
            for part in token.lower_.split("-"):
                finer = KIND_MODIFIERS.get(part) or KIND_MODIFIERS.get(token.lower_)
                if finer is None:
                    continue
                if FAMILY.get(finer) in (FAMILY.get(kind), None) or kind == "Operation":
                    kind = finer
        return kind

    def _event_for(self, trigger: Token, number: int) -> Event | None:
        kind = self._kind(trigger)
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
        definite = bool(det & {"the", "this", "that", "latest", "its", "their"}) or any(
            c.dep_ == "poss" for c in trigger.children) or trigger.pos_ == "VERB"  # "they also raided": the same
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
        event.new_marked = new_marked  # type: ignore[attr-defined]
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
        named = {self._person(pobj) for prep in trigger.children if prep.lower_ == "of" for pobj in prep.children}
        named.discard(None)
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
        return _clause_head(a) == _clause_head(b)

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
            if token.dep_ not in ("dobj", "nsubjpass", "nsubj", "pobj", "appos", "conj", "attr"):
                continue
            group = self._plural_antecedent(token)  # "they were killed": the two just named
            ref = group[0] if group else self._person(token) or self._named_in(token)  # "a man known as X"
            unnamed = None
            if ref is None:
                unnamed = self._unnamed(token)
                if unnamed is None:
                    continue
            relation, verb = _relation(token)
            if relation is None or verb is None or _negated(token, verb):
                continue
            if _plural_operation(verb):
                continue  # "killed during US raids": several operations, not the one in focus
            event = self._event_of(verb)
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
                ref = self._add_unnamed(unnamed, token)
                if not hasattr(event, "unnamed_heads"):
                    event.unnamed_heads = set()  # type: ignore[attr-defined]
                event.unnamed_heads.add(_head_noun(token))  # type: ignore[attr-defined]
            certainty = 0.6 if _hedged(verb) else 1.0
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

    def _person(self, token: Token) -> EntityRef | None:
        if token.ent_type_:
            ref = self.found.find(token.idx, token.idx + len(token.text))
            if ref is not None and ref.cls == "Person":  # the extractor may have corrected the model's label
                return ref
        if token.lower_ in ("he", "him", "himself", "she", "her", "herself"):
            return self._antecedent(token)
        if token.lower_ in ("who", "whom") and token.head.dep_ == "relcl":
            return self._relative_antecedent(token.head)
        return None

    def _plural_antecedent(self, pronoun: Token) -> list[EntityRef]:
        """For "they"/"them", the people last named together ("X and Y") in this or the two previous
        sentences, before the pronoun; else nothing."""
        if pronoun.lower_ not in ("they", "them"):
            return []
        sents = list(self.doc.sents)
        first = next((k for k, s in enumerate(sents) if s.start <= pronoun.i < s.end), 0)
        start = sents[max(first - 2, 0)].start
        for token in reversed(self.doc[start:pronoun.i]):
            if token.dep_ != "conj" or token.head.i >= token.i:
                continue
            second, first_ref = self._person(token), self._person(token.head)
            if second is not None and first_ref is not None and second != first_ref:
                others = [self._person(c) for c in token.children if c.dep_ == "conj"]
                return [first_ref, second, *[o for o in others if o is not None]]
        return []

    def _relative_antecedent(self, clause: Token) -> EntityRef | None:
        """The person a relative clause is about: "X, a commander of the group's forces who was killed"
        (X: the clause hangs on "forces", but its singular verb skips the plural noun), "X, who died"."""
        singular = any(t.tag_ == "VBZ" or t.lower_ in ("was", "has") for t in [clause, *clause.children]
                       if t.dep_ in ("aux", "auxpass", "ROOT", "relcl"))
        noun = clause.head
        for _ in range(6):
            if noun.ent_type_:
                ref = self.found.find(noun.idx, noun.idx + len(noun.text))
                if ref is not None and ref.cls == "Person":
                    return ref
            if noun.dep_ not in ("pobj", "prep", "appos", "compound", "flat") or noun.head is noun:
                return None
            if noun.tag_ in ("NNS", "NNPS") and not singular:
                return None  # "X's guards, who were killed": not X
            noun = noun.head
        return None

    def _antecedent(self, pronoun: Token) -> EntityRef | None:
        """The most recent person mentioned before a pronoun (same or previous sentences), but not
        the speaker of the statement the pronoun is in ("spokesman X said he was killed")."""
        speakers: set[EntityRef] = set()
        for ancestor in pronoun.ancestors:
            if ancestor.lemma_.lower() in SPEECH:
                for child in ancestor.children:
                    if child.dep_ == "nsubj":
                        for t in child.subtree:
                            ref = self.found.find(t.idx, t.idx + len(t.text))
                            if ref is not None and ref.cls == "Person":
                                speakers.add(ref)
        best = None
        for (start, _end), ref in self.found.at.items():
            if ref.cls == "Person" and ref not in speakers and start < pronoun.idx \
                    and (best is None or start > best[0]):
                best = (start, ref)
        if best is None or pronoun.idx - best[0] > 600:
            return None
        return best[1]

    def _named_in(self, token: Token) -> EntityRef | None:
        """The person a noun names: "a national known as X", "a man named X", "an official identified as X"."""
        for child in token.children:
            if child.dep_ in ("acl", "relcl") and child.lemma_.lower() in ("know", "name", "call", "identify"):
                for t in child.subtree:
                    if t.ent_type_ == "PERSON":
                        return self._person(t)
        return None

    def _unnamed(self, token: Token) -> str | None:
        """"an ISIS smuggler", "two of his associates", "one person": an unnamed participant."""
        if token.pos_ not in ("NOUN", "NUM", "PRON") or token.ent_type_ in ("ORG", "GPE", "NORP", "PERSON"):
            return None
        head = token
        if token.pos_ == "NUM" or token.lower_ in ("one", "others"):
            of = [c for c in token.children if c.lower_ == "of"]
            noun = next((g for c in of for g in c.children if g.dep_ == "pobj"), None)
            head = noun or token
        if head.lemma_.lower() not in UNNAMED_HEADS and token.lower_ not in ("one", "others"):
            return None
        if token.dep_ == "appos" and token.head.ent_type_ == "PERSON":
            return None  # "killed X, a senior official": a description of X
        if any(c.dep_ == "appos" and c.ent_type_ == "PERSON" for c in token.children):
            return None  # "killed the group's leader, X": X is the participant
        if any(c.lower_ == "no" for c in token.children):
            return None
        left = token.left_edge.i
        return self.doc[left:token.right_edge.i + 1].text if token.right_edge.i - left < 12 else token.text

    def _add_unnamed(self, description: str, token: Token) -> EntityRef:
        digest = hashlib.sha1(f"{self.article.id} {token.idx}".encode()).hexdigest()[:10]
        ref = EntityRef("Person", f"unnamed {digest}")
        entity = Entity(ref, "", attributes={"description": description})
        count = next((NUMBERS.get(c.lower_) for c in [token, *token.children] if c.lower_ in NUMBERS), None)
        if count and count > 1:
            entity.attributes["count"] = count
        self.unnamed.append(entity)
        return ref

    # --- place, date, actor -------------------------------------------------------------------

    def _places(self, sent: SpacySpan, number: int) -> None:
        for (start, end), ref in self.found.at.items():
            if ref.cls != "Location" or not (start < sent.end_char and end > sent.start_char):
                continue
            span = self.doc.char_span(start, end, alignment_mode="expand")
            if span is None:
                continue
            relation = locative(span.root)
            if relation is None or part_of_a_name(span):
                continue  # not "in X", or "on X Street"
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

    def _dates(self, sent: SpacySpan, number: int) -> None:
        for ent in sent.ents:
            if not is_date(ent) or dates_another_noun(ent, TRIGGERS.keys() | KILLING_NOUNS):
                continue
            verb = _verb_of(ent.root)
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

    # --- output -------------------------------------------------------------------------------

    def _within(self, inner: EntityRef, outer: EntityRef) -> bool:
        """Whether the article places ``inner`` inside ``outer`` (or inside ``outer``'s own container)."""
        up: dict[EntityRef, set[EntityRef]] = {}
        for fact in self.containment:
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

    def result(self) -> EventResult:
        events = _merge_compatible(self.events, self.found, self._within, self.reference)
        dateline = dateline_place(self.doc, self.found)
        if dateline is not None:
            # An operation known only to be in a region or country that contains the dateline's town
            # took place there: such local reports are filed from where it happened.
            for event in events:
                place = most_specific(event.places, self.found)
                if place is None:
                    continue
                entity = self.found.by_ref(place[0])
                if entity is not None and entity.kind in ("Country", "Region") and self._within(dateline[0], place[0]):
                    event.places.append(dateline)
        final = {t.i: e for e in events for t in e.triggers}

        def owner(token: Token) -> Event | None:
            event = self._event_of(token)
            return final.get(event.triggers[0].i) if event is not None and event.triggers else None

        told = [e for e in events if not e.recalled and (e.participants or e.places or e.actors or e.dates)]
        main = min(told, key=lambda e: min(t.i for t in e.triggers)) if told else None
        filler = SlotFiller(self.doc, self.found, self.reference, owner, final)  # type: ignore[arg-type]
        near_dates = filler.fill(told, main, dateline)  # type: ignore[arg-type]
        entities: list[Entity] = list(self.unnamed)
        facts = _FactSet()
        for event in events:
            if not (event.participants or event.places or event.actors or event.dates):
                continue  # a passing mention with nothing known about it
            if event.recalled and not event.participants:
                continue  # "the 1983 bombing", "since a raid in 2019": background, not an operation reported
            ref = self._event_ref(event)
            trigger_words = sorted({_phrase(t) for t in event.triggers})
            entity = Entity(ref, trigger_words[0] if trigger_words else event.kind.lower(),
                            kind=event.kind if event.kind != "Operation" else None)
            entity.aliases.update(trigger_words[1:])
            entities.append(entity)
            named = {r for r, p, _s, _c in event.participants if not p.key.startswith("unnamed")}
            singles = {e.ref for e in self.unnamed if not e.attributes.get("count")}
            for relation, person, span, certainty in event.participants:
                if person in singles and relation in named:
                    continue  # "killed a senior commander ... X was killed": most likely X himself
                facts.add(Fact(person, relation, ref, span, certainty=certainty))
                if relation == "killedIn" and self._is_militant(person):
                    facts.add(Fact(person, "targetedIn", ref, span, certainty=min(certainty, 0.8)))
            place = most_specific(event.places, self.found)
            if place is not None:
                place_ref, span, relation = place
                facts.add(Fact(ref, "tookPlaceIn", place_ref, span, qualifier=relation if relation == "near" else None))
            for actor, span, certainty in sorted(event.actors, key=lambda a: -a[2]):
                facts.add(Fact(ref, "conductedBy", actor, span, certainty=certainty))
            # its own clause's date, else one beyond it, else the date of a statement that reports it
            resolved = next((d for d in (best_date(c, self.reference) for c in (
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

    def _is_militant(self, person: EntityRef) -> bool:
        """A named person killed in an operation is its target when they hold a role in an armed group."""
        return person in self.members

    def _event_ref(self, event: Event) -> EntityRef:
        digest = hashlib.sha1(f"{self.article.id} {event.index}".encode()).hexdigest()[:8]
        place = most_specific(event.places, self.found)
        place_entity = self.found.by_ref(place[0]) if place else None
        parts = [event.kind.lower()]
        if place_entity is not None:
            parts.append(place_entity.name)
        parts.append(digest)
        return EntityRef("Operation", " ".join(parts))



def _head_noun(token: Token) -> str:
    if token.pos_ == "NUM" or token.lower_ in ("one", "others"):
        for child in token.children:
            if child.lower_ == "of":
                for pobj in child.children:
                    return pobj.lemma_.lower()
    return token.lemma_.lower()


def _clause_head(token: Token) -> Token:
    head = token
    for _ in range(20):
        if head.pos_ in ("VERB", "AUX") and head.dep_ in ("ROOT", "ccomp", "advcl", "relcl", "xcomp", "conj",
                                                           "acl", "pcomp", "csubj"):
            return head
        if head.head is head:
            return head
        head = head.head
    return head


def _verb_of(token: Token) -> Token | None:
    head = token
    for _ in range(10):
        if head.pos_ in ("VERB", "AUX"):
            return head
        if head.head is head:
            return None
        head = head.head
    return None


def _argument(token: Token) -> Token:
    """The token whose dependency says what the mention does: up through appositions, conjuncts, names."""
    current = token
    for _ in range(8):
        if current.dep_ in ("appos", "conj", "compound", "flat") and current.head is not current:
            current = current.head
        else:
            break
    return current


def _relation(token: Token) -> tuple[str | None, Token | None]:
    arg = _argument(token)
    verb = arg.head
    # "X was believed to have been killed": the raised subject's fate is the complement's verb.
    if (verb.lemma_.lower() in HEDGES | {"say", "report", "think", "seem", "appear"} and arg.dep_ == "nsubjpass") \
            or verb.lemma_.lower() in ("seem", "appear"):
        # only an infinitival complement without a subject of its own: "X was believed/said to have been
        # killed", "X seems to have died" (in "X said he was killed" the complement has its own subject)
        complement = next((c for c in verb.children if c.dep_ == "xcomp"), None)
        if complement is not None and complement.lemma_.lower() in KILL | DIE | TARGET | WOUND | DETAIN:
            verb = complement
            arg = _RaisedArgument(arg, "nsubjpass" if complement.tag_ == "VBN" else "nsubj")  # type: ignore[assignment]
    verbs = [verb]
    if arg.dep_ in ("nsubj", "nsubjpass"):
        # A shared subject: "X was wounded and later died" / "were injured or killed" (its conjuncts
        # without a subject of their own). An object belongs to its own verb only.
        verbs += [c for c in verb.children if c.dep_ == "conj" and c.pos_ == "VERB"
                  and not any(g.dep_ in ("nsubj", "nsubjpass") for g in c.children)]
    lemmas = {v.lemma_.lower() for v in verbs}
    if arg.dep_ in ("dobj", "nsubjpass"):
        if lemmas & KILL:
            return "killedIn", verb
        if lemmas & TARGET:
            return "targetedIn", verb
        if lemmas & WOUND:
            return "woundedIn", verb
        if lemmas & DETAIN:
            return "detainedIn", verb
    if arg.dep_ == "nsubj":
        if lemmas & DIE:
            return "killedIn", verb
        if lemmas & SELF_KILL and _suicide(verb):
            return "killedIn", verb
        if "commit" in lemmas and any(c.lower_ == "suicide" for v in verbs for c in v.children):
            return "killedIn", verb
    identified = _identified(arg)
    if identified != (None, None):
        return identified
    if arg.dep_ == "pobj" and arg.head.lower_ == "of" and arg.head.head.lemma_.lower() in KILL_NOUNS:
        return "killedIn", arg.head.head  # "the killing of X in a raid": the noun holds the operation
    return None, None


def _alternative(token: Token) -> bool:
    """Whether a noun is the alternative not taken: "rather than X", "instead of X", "not X but ..."."""
    if token.dep_ == "conj":
        for sibling in token.head.children:
            if sibling.dep_ == "cc" and token.head.i < sibling.i < token.i and sibling.lower_ in ("than", "of") \
                    and any(c.lower_ in ("rather", "instead") for c in sibling.children):
                return True
    prep = token.head
    return token.dep_ == "pobj" and (
        (prep.lower_ == "of" and prep.i > 0 and token.doc[prep.i - 1].lower_ == "instead")
        or (prep.lower_ == "than" and prep.i > 0 and token.doc[prep.i - 1].lower_ == "rather"))


def _identified(arg: Token) -> tuple[str | None, Token | None]:
    """A person named as one described before: "identified the militant killed as X", "named the dead
    man as X", "X was among four men killed", "X was the target of the raid"."""
    if arg.dep_ == "pobj" and arg.head.lower_ == "as":
        head = arg.head.head
        if head.lemma_.lower() in KILL and head.dep_ == "acl":
            return "killedIn", head  # "identified the militant killed as X"
        if head.lemma_.lower() in IDENTIFY:
            for obj in (c for c in head.children if c.dep_ == "dobj"):
                killed = next((c for c in obj.children if c.dep_ == "acl" and c.lemma_.lower() in KILL), None)
                if killed is not None:
                    return "killedIn", killed
                if obj.lemma_.lower() in DEAD_NOUNS:
                    return "killedIn", head
                if obj.lemma_.lower() == "target":
                    return "targetedIn", head
    if arg.dep_ == "nsubj" and arg.head.lemma_ == "be":
        for child in arg.head.children:
            if child.dep_ == "prep" and child.lower_ == "among":
                for group in (c for c in child.children if c.dep_ == "pobj"):
                    killed = next((c for c in group.children if c.dep_ in ("acl", "relcl")
                                   and c.lemma_.lower() in KILL | DIE), None)
                    if killed is not None:
                        return "killedIn", killed  # "X was among four men killed in the raid"
            if child.dep_ == "attr" and child.lemma_.lower() == "target":
                of = [g for c in child.children if c.dep_ == "prep" and c.lower_ == "of" for g in c.children
                      if g.dep_ == "pobj" and g.lemma_.lower() in TRIGGERS]
                if of:
                    return "targetedIn", of[0]  # "X was the target of the raid"
    return None, None


def _plural_operation(verb: Token) -> bool:
    """Whether the verb's own "in/during" phrase names several operations ("during US raids")."""
    for child in verb.children:
        if child.dep_ == "prep" and child.lower_ in ("in", "during"):
            for pobj in child.children:
                if pobj.lemma_.lower() in TRIGGERS and pobj.tag_ in ("NNS", "NNPS"):
                    return True
    return False


class _RaisedArgument:
    """An argument seen through a raising verb: its dependency is the one it has in the complement."""

    def __init__(self, token: Token, dep: str) -> None:
        self._token = token
        self.dep_ = dep

    def __getattr__(self, name: str) -> object:
        return getattr(self._token, name)


def _suicide(verb: Token) -> bool:
    """"blew himself up", "detonated himself", "detonated a bomb that killed him"."""
    reflexive = any(c.lower_ in ("himself", "herself", "themselves") for c in verb.subtree)
    killed_self = any(t.lemma_.lower() in KILL and any(c.lower_ in ("him", "her", "them") for c in t.children)
                      for t in verb.subtree)
    return reflexive or killed_self


def _negated(token: Token, verb: Token) -> bool:
    """"no civilians were killed", "did not kill", "no confirmation that the raid targeted X"."""
    arg = _argument(token)
    if any(c.lower_ in NEGATIONS for c in arg.children):
        return True
    for v in [verb, *verb.ancestors]:
        if any(c.dep_ == "neg" or (c.lower_ in ("no", "not", "never") and c.dep_ in ("det", "neg", "advmod"))
               for c in v.children):
            return True
        if v.lemma_.lower() in ("deny", "dismiss", "refute"):
            return True
    subject = [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")]
    return any(any(c.lower_ == "no" for c in s.children) for s in subject)


def _hedged(verb: Token) -> bool:
    for v in [verb, *verb.ancestors]:
        if v.lemma_.lower() in HEDGES or any(c.lemma_.lower() in HEDGES for c in v.children
                                               if c.dep_ in ("advmod", "aux", "amod")):
            return True
    return False



def _participant_sentence(reader: _Reader, sent: SpacySpan) -> bool:
    return any(sent.start_char <= s.start < sent.end_char for e in reader.events for _r, _p, s, _c in e.participants)


def _phrase(trigger: Token) -> str:
    """The trigger with its kind-giving modifiers: "helicopter-borne raid", "drone strike"."""
    start = trigger.i
    while start > trigger.sent.start and (trigger.doc[start - 1].lower_ in KIND_MODIFIERS
                                          or trigger.doc[start - 1].text == "-"
                                          or trigger.doc[start - 1].lower_ in ("borne", "strike", "air")):
        start -= 1
    while start < trigger.i and trigger.doc[start].text == "-":
        start += 1
    return trigger.doc[start:trigger.i + 1].text.lower()



def _compatible(a: Event, b: Event, found: ArticleEntities, reference: date | None = None) -> bool:
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
        small = {"Village", "Town", "City", "Camp", None}
        if ea and eb and ea.kind in small and eb.kind in small:
            return False
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
    return bool(getattr(a, "unnamed_heads", set()) & getattr(b, "unnamed_heads", set())) and bool(heads_a and heads_b)


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


def _merge_compatible(events: list[Event], found: ArticleEntities,
                      within: Callable[[EntityRef, EntityRef], bool] | None = None,
                      reference: date | None = None) -> list[Event]:
    """Two indefinite reports of one operation in an article ("a US raid" ... "a separate raid") become one,
    and so does a report with no participant whose place lies in the other's ("a drone strike in Kabul"
    after "X was killed in a drone strike in Afghanistan")."""
    merged: list[Event] = []
    for event in events:
        target = None
        if not getattr(event, "new_marked", False) or any(t.lower_ == "separate" for tr in event.triggers
                                                           for t in tr.children):
            target = next((m for m in merged if _kinds_agree(m, event)
                           and not m.recalled and _compatible(m, event, found, reference)
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
