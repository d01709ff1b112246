"""Who carried an operation out (``ops:conductedBy``): the actor stage of event extraction.

Where a mention stands says whether it names the operation's actor:

- a modifier of the trigger: "a US raid", "an Israeli airstrike", "a joint US-Iraqi operation";
- the subject of a verb of carrying out, striking, killing or capturing, alone or through a shared
  subject or a participle: "the US carried out a raid", "French troops killed X in a raid", "troops
  attacked and killed X", "the military delivered a blow, launching an airstrike";
- the agent: "a raid by commandos", "killed by Israeli forces"; a partner: "a raid with US
  troops and local fighters", "in coordination with the Somali government, AFRICOM conducted...";
- a speaker who says that it did it: "the Israeli army said it killed X", "CENTCOM said its forces
  killed X", "X said we carried out the strike".

What the mention names:

- an organization, unless it is a news outlet or a monitor (an armed group acts only as a subject or an
  agent: "an ISIS commander" modifies a person, not the operation);
- a country or its demonym, as an entity or as a plain word ("Israeli", "American"): the country's armed
  forces ("a US strike", "Israeli jets", "Kenyan troops"), or its intelligence service when the phrase
  says so ("Turkish intelligence", "his country's intelligence services" said by a Turkish president).

Not actors: a speaker who only reports ("the monitor said the strike killed"), an agency whose
intelligence work helped ("a raid ... aided by Kurdish forces"), a denied or negated act.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol, TypeVar

from spacy.tokens import Span as SpacySpan
from spacy.tokens import Token

from kg import gazetteer as gaz
from kg.extract.entities import ArticleEntities
from kg.gazetteer import demonyms
from kg.model import Entity, EntityRef
from kg.names import fold

log = logging.getLogger(__name__)

E = TypeVar("E")
E_co = TypeVar("E_co", covariant=True)

#: Verbs whose subject carried the operation out.
ACT_VERBS = {"conduct", "carry", "launch", "execute", "stage", "mount", "perform", "lead", "kill", "surround",
             "raid", "strike", "bomb", "hit", "target", "attack", "storm", "eliminate", "neutralize", "neutralise",
             "assassinate", "capture", "detain", "arrest", "apprehend", "seize", "shoot", "pound", "shell",
             "slay", "ambush", "engage", "fire"}
#: Verbs that are themselves a report of a strike or raid ("Israeli jets struck the building").
OPERATION_VERBS = {"raid", "strike", "bomb", "hit", "storm", "pound", "shell"}
#: Verbs whose "by" phrase is the actor ("killed by US forces", "carried out by the army").
AGENT_VERBS = ACT_VERBS | {"wound", "injure"}
SPEECH = {"say", "tell", "announce", "confirm", "report", "state", "add", "claim", "declare", "reveal", "write"}
PRONOUN_SUBJECTS = {"it", "they", "we"}
PRONOUN_OWNERS = {"its", "their", "our"}
#: Nouns a state or an organization acts through: "Kenyan troops", "IDF jets", "Centcom forces".
FORCE_NOUNS = {"force", "forces", "troop", "troops", "military", "militaries", "army", "armies", "soldier",
               "soldiers", "commando", "commandos", "operator", "operators", "jet", "jets", "warplane",
               "warplanes", "aircraft", "plane", "planes", "drone", "drones", "helicopter", "helicopters",
               "gunship", "gunships", "navy", "marines", "personnel", "unit", "units", "team", "teams",
               "fighter", "fighters", "member", "members", "militant", "militants", "gunmen", "agent", "agents",
               "intelligence", "service", "services", "agency", "spies", "command", "police", "guard", "guards",
               "artillery", "aviation", "paratroopers", "sniper", "snipers", "boat", "boats", "ship", "ships"}
#: Nouns that make a state's force its intelligence service: "Turkish intelligence", "the country's spies".
INTELLIGENCE_WORDS = {"intelligence", "spies", "spy"}
#: Modifiers of "operation" that make it intelligence work that fed a raid, not the raid itself.
INTELLIGENCE_WORK = {"collection", "gathering", "surveillance", "reconnaissance", "monitoring", "tracking"}
#: "in coordination with X", "in cooperation with X": a partner in the operation.
PARTNERSHIP = {"coordination", "cooperation", "conjunction", "partnership", "collaboration", "concert"}
#: Organization kinds that report on operations but never carry them out.
NOT_ACTORS = {"NewsOrganization"}
NEGATIONS = {"not", "never", "n't", "no"}
#: Words that make a credit a supposition: "a suspected Israeli strike", "Israel is believed to have carried
#: out the strike", "the army said it may have killed".
HEDGE_MODIFIERS = {"suspected", "apparent", "apparently", "alleged", "allegedly", "presumed", "presumably",
                   "possible", "possibly", "likely", "probably", "reportedly", "unconfirmed"}
HEDGE_VERBS = {"believe", "suspect", "think", "appear", "seem", "allege", "presume"}
HEDGE_AUX = {"may", "might", "could"}
#: The certainty of a hedged credit (a stated one is 1.0).
HEDGED = 0.6
DENIALS = {"deny", "dismiss", "refute", "reject"}
#: Dependencies through which a word modifies the noun it belongs to ("U.S." in "U.S. forces").
MODIFIER_DEPS = ("compound", "amod", "nmod", "npadvmod", "poss", "nummod")


class EventIndex(Protocol[E_co]):
    """What the actor stage asks of the reader that found the article's operations."""

    def trigger_event(self, index: int) -> E_co | None:
        """The operation whose trigger is the token at ``index``."""

    def clause_event(self, token: Token) -> E_co | None:
        """The operation a verb or noun belongs to, in its own clause."""

    def verb_event(self, verb: Token) -> E_co | None:
        """The operation whose participant this verb gave ("killed X" where X died in it)."""

    def sentence_event(self, verb: Token) -> E_co | None:
        """The sentence's one operation, if it mentions exactly one, and not in a clause of another time."""


@dataclass(frozen=True)
class Mention:
    """A phrase that may name an actor: an entity's mention or a demonym."""

    tokens: tuple[Token, ...]
    ref: EntityRef | None
    #: The gazetteer country it names (a country entity or a demonym), if any.
    country: str | None


def national_force(g: gaz.Gazetteer, country: str) -> gaz.Organization | None:
    """A country's armed forces in the gazetteer: its top military body ("US military" for the United
    States, "Iraqi Security Forces" for Iraq), not a branch or a command of it. A ministry above it
    does not make it a branch."""
    tops = [o for o in g.organizations.values() if o.country == country and o.kind == "military"
            and not (o.parent in g.organizations and g.organizations[o.parent].kind == "military"
                     and g.organizations[o.parent].country == country)]
    words = ("military", "armed forces", "defence forces", "defense forces", "army", "forces")
    for word in words:
        for org in tops:
            if word in org.name.lower():
                return org
    for word in words:  # "Somali National Army", also known as "Somali military"
        for org in tops:
            if any(a.lower().split(" ", 1)[-1] == word for a in org.aliases):
                return org
    return None


def intelligence_service(g: gaz.Gazetteer, country: str) -> gaz.Organization | None:
    """A country's foreign or national intelligence service in the gazetteer: the one known as
    "<Demonym> intelligence", else the top body called an intelligence agency, service or organization."""
    names = {fold(d) for d, c in demonyms().items() if c == country} | {fold(country)}
    candidates = [o for o in g.organizations.values() if o.country == country and o.kind in ("government", "military")]
    for org in candidates:
        if any(fold(a) in {f"{n} intelligence" for n in names} for a in (org.name, *org.aliases)):
            return org
    for org in candidates:
        forms = " ".join((org.name, *org.aliases)).lower()
        if org.parent is None and any(f"intelligence {w}" in forms for w in ("agency", "service", "organization")):
            return org
    return None


class Actors:
    """Finds the actors of an article's operations, sentence by sentence."""

    def __init__(self, found: ArticleEntities, g: gaz.Gazetteer) -> None:
        self.found = found
        self.g = g
        self._demonyms = demonyms()

    # --- where ------------------------------------------------------------------------------------

    def read(self, sent: SpacySpan, events: EventIndex[E]) -> list[tuple[E, EntityRef, float]]:
        """(operation, actor, certainty) triples the sentence states."""
        out: list[tuple[E, EntityRef, float]] = []
        for mention in self._mentions(sent):
            for head in _attachments(mention):
                found = self._position(head, mention, events)
                if found is None:
                    continue
                event, holder, certainty = found
                actor = self._who(mention, holder)
                if actor is not None:
                    out.append((event, actor, certainty))
                    break
        out += self._speakers(sent, events)
        return out

    def _mentions(self, sent: SpacySpan) -> Iterator[Mention]:
        covered: set[int] = set()
        for (start, end), ref in sorted(self.found.at.items()):
            if ref.cls not in ("Organization", "Location") or not (start < sent.end_char and end > sent.start_char):
                continue
            span = sent.doc.char_span(start, end, alignment_mode="expand")
            if span is None:
                continue
            covered.update(range(span.start, span.end))
            entity = self.found.by_ref(ref)
            country = entity.gazetteer if entity is not None and entity.kind == "Country" else None
            yield Mention(tuple(span), ref, country)
        for token in sent:
            if token.i in covered:
                continue
            country = self._demonyms.get(fold(token.text))
            if country is not None and token.text[:1].isupper() and token.pos_ in ("ADJ", "PROPN", "NOUN"):
                yield Mention((token,), None, country)
            elif token.lower_ in ("country", "nation") and any(c.lower_ in ("his", "her") and c.dep_ == "poss"
                                                               for c in token.children):
                country = self._leader_country(sent, token)  # "the Turkish president said his country's..."
                if country is not None:
                    yield Mention((token,), None, country)

    def _leader_country(self, sent: SpacySpan, token: Token) -> str | None:
        """The country of the person a "his country" refers to: the nearest earlier demonym or country
        that modifies a person or title ("Turkish President X", "France's defence minister")."""
        for t in reversed(sent[:token.i - sent.start]):
            country = self._demonyms.get(fold(t.text)) if t.text[:1].isupper() else None
            if country is None:
                ref = self.found.find(t.idx, t.idx + len(t.text))
                entity = self.found.by_ref(ref) if ref is not None else None
                country = entity.gazetteer if entity is not None and entity.kind == "Country" else None
            if country is not None and t.dep_ in MODIFIER_DEPS and t.head.lower_ not in FORCE_NOUNS \
                    and (t.head.ent_type_ == "PERSON" or t.head.pos_ in ("NOUN", "PROPN")):
                return country
        return None

    def _position(self, token: Token, mention: Mention,
                  events: EventIndex[E]) -> tuple[E, Token, float] | None:
        """The operation the mention's phrase carried out, the noun it acts through and how certainly."""
        holder = token
        for _ in range(5):  # up to the acting noun: "US-led Coalition forces", "the country's intelligence services"
            if holder.dep_ == "conj" and holder.head.dep_ in MODIFIER_DEPS:
                holder = holder.head  # "French and Northland forces": "Northland" modifies "forces" with "French"
            event = events.trigger_event(holder.head.i)
            if holder.dep_ in MODIFIER_DEPS and event is not None and holder.head is not holder:
                if mention.ref is not None and self._kind(mention.ref) == "ArmedGroup":
                    return None  # "an ISIS raid" is rare; "the ISIS commander killed in the raid" is not
                if mention.ref is not None and mention.country is not None and not self._adjectival(mention):
                    return None  # "a Syria raid", "the Yemen strike": where, not who ("a US raid": who)
                if _intelligence_work(holder.head):
                    return None  # "a CIA intelligence collection operation" fed the raid: it did not carry it out
                hedged = any(c.lower_ in HEDGE_MODIFIERS for c in holder.head.children)
                return event, holder.head, HEDGED if hedged else 1.0
            if holder.dep_ in MODIFIER_DEPS and holder.head is not holder \
                    and holder.head.pos_ in ("NOUN", "PROPN", "ADJ"):  # "US-Iraqi": "US" hangs on "Iraqi"
                holder = holder.head
            elif holder.dep_ == "pobj" and holder.head.lower_ == "of" and holder.head.head.lower_ in FORCE_NOUNS:
                holder = holder.head.head  # "members of the group tried to capture him"
            else:
                break
        acting = holder
        while acting.dep_ in ("conj", "appos") and acting.head is not acting:  # "by US troops and the SDF"
            acting = acting.head
        if acting.lower_ not in FORCE_NOUNS and not (mention.ref is not None and acting is token):
            # A demonym or a country acts through a force ("Israeli jets", "US forces"), an organization through its
            # people ("Centcom forces"), either as the subject itself ("Israel struck", "the US carried out"),
            # not through its officials or leaders ("US officials said", "the ISIS leader killed in the raid").
            return None
        found = self._role(acting, events)
        return (found[0], acting, found[1]) if found is not None else None

    def _adjectival(self, mention: Mention) -> bool:
        """Whether a country's mention is written as its demonym ("US", "U.S.") rather than its name
        ("Syria"); a country whose demonym is not known is taken to use its name as one."""
        if mention.country not in self._demonyms.values():
            return True
        return fold(" ".join(t.text for t in mention.tokens)) in self._demonyms

    def _role(self, acting: Token, events: EventIndex[E]) -> tuple[E, float] | None:
        """The operation of the clause where the acting noun is subject, agent or partner, and how
        certainly."""
        if acting.dep_ == "nsubj":
            return self._verb_operation(acting.head, events)
        if acting.dep_ == "nsubjpass" and acting.head.lemma_.lower() in HEDGE_VERBS:
            # "Israel is believed to have carried out the strike"
            complement = next((c for c in acting.head.children if c.dep_ == "xcomp"), None)
            found = self._verb_operation(complement, events) if complement is not None else None
            return (found[0], HEDGED) if found is not None else None
        if acting.dep_ == "pobj" and acting.head.lower_ == "by":
            governor = acting.head.head
            event = events.trigger_event(governor.i)
            if event is not None:
                return event, 1.0
            if governor.pos_ in ("VERB", "AUX") and governor.lemma_.lower() in AGENT_VERBS:
                return self._verb_operation(governor, events, subject_given=True)
            return None
        if acting.dep_ == "pobj" and acting.head.lower_ in ("with", "alongside"):
            governor = acting.head.head
            event = events.trigger_event(governor.i)
            if event is not None:
                return event, 1.0  # "a raid with US troops"
            if governor.lemma_.lower() in PARTNERSHIP and governor.dep_ == "pobj":
                verb = governor.head.head  # "in coordination with X, AFRICOM conducted the strike"
                if verb.pos_ in ("VERB", "AUX") and verb.lemma_.lower() in ACT_VERBS:
                    return self._verb_operation(verb, events)
        return None

    def _verb_operation(self, verb: Token, events: EventIndex[E],
                        subject_given: bool = False) -> tuple[E, float] | None:
        """The operation a verb of acting tells of: its own, a conjunct's ("attacked and killed X in a raid"),
        or a participle's ("delivered a blow, launching a strike"); and how certainly it is said."""
        if _negated(verb):
            return None
        for v in [verb, *_shared_subject_verbs(verb)]:
            if v.lemma_.lower() not in ACT_VERBS and not subject_given:
                continue
            event = events.clause_event(v) or events.verb_event(v)
            if event is None and v.lemma_.lower() in OPERATION_VERBS:
                event = events.sentence_event(v)
            if event is not None:
                return event, HEDGED if _hedged(v) else 1.0
        return None

    # --- who -------------------------------------------------------------------------------------

    def _kind(self, ref: EntityRef) -> str | None:
        entity = self.found.by_ref(ref)
        return entity.kind if entity is not None else None

    def _who(self, mention: Mention, holder: Token) -> EntityRef | None:
        """The organization credited: the mention's own, or its country's force or intelligence service."""
        if mention.ref is not None and mention.ref.cls == "Organization":
            return None if self._kind(mention.ref) in NOT_ACTORS else mention.ref
        if mention.country is None:
            return None
        # the words from the mention to the noun it acts through: "Turkish intelligence", "his country's
        # intelligence services" (not "a US strike after months of intelligence gathering")
        first = mention.tokens[0].i
        phrase = {t.lower_ for t in holder.doc[first:holder.i + 1]} if holder.i > first else set()
        if phrase & INTELLIGENCE_WORDS:
            return self._country_body(mention.country, intelligence=True)
        return self._country_body(mention.country)

    def _country_body(self, country: str, intelligence: bool = False) -> EntityRef | None:
        org = intelligence_service(self.g, country) if intelligence else national_force(self.g, country)
        if org is None:
            log.debug("no %s of %s in the gazetteer", "intelligence service" if intelligence else "military", country)
            return None
        existing = next((e for e in self.found.entities if e.gazetteer == org.name and e.ref.cls == "Organization"),
                        None)
        if existing is None:
            existing = Entity(EntityRef("Organization", org.name.lower()), org.name,
                              kind=gaz.ORG_CLASSES.get(org.kind), gazetteer=org.name)
            self.found.entities.append(existing)
        return existing.ref

    def organization(self, ref: EntityRef) -> EntityRef | None:
        """The actor an organization or country entity stands for, as a speaker ("Israel said it...")."""
        entity = self.found.by_ref(ref)
        if entity is None:
            return None
        if ref.cls == "Organization":
            return None if entity.kind in NOT_ACTORS else ref
        if entity.kind == "Country" and entity.gazetteer:
            return self._country_body(entity.gazetteer)
        return None

    # --- speakers --------------------------------------------------------------------------------

    def _speakers(self, sent: SpacySpan, events: EventIndex[E]) -> list[tuple[E, EntityRef, float]]:
        """"The Pentagon said it killed X", "CENTCOM said its forces killed X", "the army said its strike
        killed X": the speaker did it."""
        out: list[tuple[E, EntityRef, float]] = []
        for token in sent:
            lower = token.lower_
            found: tuple[E, float] | None
            if lower in PRONOUN_SUBJECTS and token.dep_ == "nsubj":
                verb = token.head
                found = self._verb_operation(verb, events) if verb.lemma_.lower() in ACT_VERBS else None
            elif lower in PRONOUN_OWNERS and token.dep_ == "poss":
                owned = token.head
                event = events.trigger_event(owned.i)
                found = (event, 1.0) if event is not None else None
                if found is None and owned.lower_ in FORCE_NOUNS and owned.dep_ == "nsubj":
                    found = self._verb_operation(owned.head, events)
            else:
                continue
            if found is None:
                continue
            speaker = self._speaker_of(token)
            if speaker is not None:
                out.append((found[0], speaker, found[1]))
        return out

    def _speaker_of(self, token: Token) -> EntityRef | None:
        """The organization or country that says the clause: the subject of the verb of saying it is
        the complement of ("X said (that) it killed"), or the organization in that subject ("Israeli
        army spokesperson Y said")."""
        for ancestor in token.ancestors:
            if ancestor.lemma_.lower() not in SPEECH:
                continue
            subject = next((c for c in ancestor.children if c.dep_ == "nsubj"), None)
            if subject is None:
                return None
            for t in subject.subtree:
                ref = self.found.find(t.idx, t.idx + len(t.text))
                if ref is not None and ref.cls == "Organization":
                    return self.organization(ref)
                entity = self.found.by_ref(ref) if ref is not None else None
                country = entity.gazetteer if entity is not None and entity.kind == "Country" else None
                if ref is None and t.text[:1].isupper():
                    country = self._demonyms.get(fold(t.text))
                if country is None:
                    continue
                head = _head_noun(t)
                if head is t and ref is not None:
                    return self._country_body(country)  # "Israel said it..."
                if head.lower_ in FORCE_NOUNS:  # "the Israeli army said", "Turkey's intelligence agency said"
                    return self._country_body(country, intelligence=bool(
                        {w.lower_ for w in head.subtree} & INTELLIGENCE_WORDS))
            return None
        return None


def _head_noun(token: Token) -> Token:
    """The noun a modifier belongs to: "army" for "Israeli" in "the Israeli army spokesman"... up to the
    first noun that is not itself a modifier."""
    head = token
    for _ in range(4):
        if head.dep_ in MODIFIER_DEPS and head.head is not head and head.head.pos_ in ("NOUN", "PROPN"):
            head = head.head
            if head.lower_ in FORCE_NOUNS:
                return head
        else:
            break
    return head


def _attachments(mention: Mention) -> list[Token]:
    """The tokens that attach a mention to the rest of the sentence (usually one: its root)."""
    indices = {t.i for t in mention.tokens}
    return [t for t in mention.tokens if t.head.i not in indices or t.head is t]


def _shared_subject_verbs(verb: Token) -> list[Token]:
    """The verbs that share the verb's subject: conjuncts without a subject of their own ("attacked and
    killed"), and participles and infinitives ("delivered a blow, launching a strike", "tried to capture
    him"), also when the parser hangs them one clause lower. Never through a verb of saying: in "the
    Pentagon said the strike hit a convoy, killing X" the Pentagon only reports."""
    if verb.lemma_.lower() in SPEECH:
        return []
    out: list[Token] = []
    frontier = [verb]
    for _ in range(2):
        following = []
        for head in frontier:
            for c in head.children:
                if c.pos_ not in ("VERB", "AUX") or c.lemma_.lower() in SPEECH:
                    continue
                own_subject = any(g.dep_ in ("nsubj", "nsubjpass") for g in c.children)
                if (c.dep_ == "conj" and not own_subject) or (
                        c.dep_ in ("advcl", "xcomp", "conj") and c.tag_ in ("VBG", "VB") and not own_subject):
                    out.append(c)
                    following.append(c)
                elif c.dep_ == "ccomp" and head is verb:
                    following.append(c)  # "delivered what may have been a blow, launching..." (a misparse)
        frontier = following
    return out


def _intelligence_work(trigger: Token) -> bool:
    """"an intelligence collection operation", "a surveillance operation": intelligence work, not a raid."""
    return any(c.lower_ in INTELLIGENCE_WORK and c.dep_ in ("compound", "amod", "nmod") for c in trigger.children)


def _hedged(verb: Token) -> bool:
    """"is believed to have carried out", "may have killed", "reportedly struck"."""
    for v in [verb, *verb.ancestors]:
        if v.lemma_.lower() in HEDGE_VERBS:
            return True
        if any((c.dep_ in ("advmod", "aux") and c.lower_ in HEDGE_MODIFIERS | HEDGE_AUX) for c in v.children):
            return True
        if v.dep_ in ("ROOT", "ccomp") and v.lemma_.lower() in SPEECH:
            return False  # the speaker's own hedges, not the sentence's
    return False


def _negated(verb: Token) -> bool:
    """"did not carry out", "denied that it conducted the strike"."""
    for v in [verb, *verb.ancestors]:
        if any(c.dep_ == "neg" or (c.lower_ in NEGATIONS and c.dep_ in ("neg", "advmod")) for c in v.children):
            return True
        if v.lemma_.lower() in DENIALS:
            return True
    return False
