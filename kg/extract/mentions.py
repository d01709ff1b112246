"""Trigger mentions and their kind: which words of a sentence name an operation, and what kind.

- A trigger noun names an operation ("a raid", "the strike", "an air strike", "the operation"), and
  so does "raided" with a subject ("Troops raided a house"); not a plural ("previous raids", "a
  string of operations"), not the alternative not taken ("a raid rather than an air strike"), not
  "such"/"any"/"every" raid, and not a unit ("special operations forces").
- "bombing" only with a modifier that makes it an air raid: "an aerial bombing", "the drone
  bombardment", "Israeli bombing", "US bombing" (a kind modifier, or a country or force that
  carries it out); not "the resort bombing", "a car bombing", "the Kabul bombing".
- A noun of killing names an operation when it says whom: "the assassination of X", "the killings
  of X and Y".
- The kind: the trigger's own ("raid" -> Raid, "strike" -> AirStrike), made finer by its modifiers
  (drone -> DroneStrike, helicopter-borne -> HelicopterRaid).
"""

from __future__ import annotations

from spacy.tokens import Token

from kg.extract.entities import ArticleEntities
from kg.extract.operation import (
    AERIAL,
    ENCOUNTER_NOUNS,
    FAMILY,
    FORCE_WORDS,
    GROUND_ATTACK_NOUNS,
    KILLING_NOUNS,
    KILLING_VERBS,
    KIND_MODIFIERS,
    NON_STATE_WORDS,
    STATE_ACTION_NOUNS,
    STATE_FORCE_NOUNS,
    STATE_WORDS,
    STRIKE_VERBS,
    TRIGGERS,
)
from kg.extract.participation import shot_dead
from kg.extract.referents import Referents
from kg.gazetteer import demonyms
from kg.model import EntityRef
from kg.names import fold

#: Kinds of organization that are a state's forces.
STATE_FORCES = {"MilitaryUnit", "ParamilitaryForce"}


def is_trigger(token: Token, referents: Referents) -> bool:
    lemma = token.lemma_.lower()
    if token.pos_ == "VERB" and lemma == "raid" and any(c.dep_ == "nsubj" for c in token.children):
        return True  # "Troops raided a house"
    if token.pos_ == "VERB" and lemma in STRIKE_VERBS:
        return any(c.dep_ == "nsubj" and _a_state_s(c, referents.found) for c in token.children)
    if token.pos_ == "VERB" and (lemma in KILLING_VERBS or shot_dead(token)):
        return _by_state_forces(token, referents.found) and not told_by_a_noun(token)
    if token.pos_ == "NOUN" and lemma in ENCOUNTER_NOUNS:
        return token.tag_ == "NN" and any(
            c.dep_ == "prep" and c.lower_ in ("with", "by") and any(_a_state_s(g, referents.found) for g in c.children)
            for c in token.children)
    if token.pos_ == "NOUN" and lemma in KILLING_NOUNS:
        return _killing_of_someone(token, referents)
    if token.pos_ == "NOUN" and lemma in STATE_ACTION_NOUNS:
        return token.tag_ == "NN" and not _alternative(token) and _by_a_state(token, referents.found)
    if token.pos_ not in ("NOUN", "PROPN") or lemma not in TRIGGERS:
        return False
    if token.tag_ in ("NNS", "NNPS"):
        return False  # "previous raids", "a string of operations": not one operation
    if _alternative(token):
        return False  # "a raid rather than an air strike": the strike did not happen
    if lemma in GROUND_ATTACK_NOUNS and not _from_the_air(token, referents.found):
        return False  # "the resort bombing", "a car bombing": an attack, not an air raid
    if any(c.lower_ in ("such", "any", "every") for c in token.children):
        return False
    if lemma == "operation" and any(c.lower_ in ("special", "military", "intelligence") and c.dep_ == "amod"
                                    and c.i == token.i - 1 and token.i + 1 < len(token.doc)
                                    and token.doc[token.i + 1].lower_ == "forces" for c in token.children):
        return False
    following = token.doc[token.i + 1].lower_ if token.i + 1 < len(token.doc) else ""
    return following not in ("forces", "force", "command", "team", "teams", "unit")  # "special operations forces"


def _from_the_air(noun: Token, found: ArticleEntities) -> bool:
    """"an aerial bombing", "the drone bombardment", "Northland's bombing": a modifier that makes it an air
    raid (a kind modifier, or a state that carries it out)."""
    for child in noun.children:
        if child.dep_ not in ("amod", "compound", "nmod", "poss"):
            continue
        if any(part in KIND_MODIFIERS or part in AERIAL for part in child.lower_.split("-")):
            return True
    return _by_a_state(noun, found)  # "a Northland bombing", not "the Marzin bombing" nor "a hotel bombing"


def _a_state_s(subject: Token, found: ArticleEntities) -> bool:
    """Whether a verb's subject is a state or its forces: a country or a state force by name ("Northland",
    "the Northland Armed Forces"), a force noun with a state's modifier ("Northland forces", "government
    troops", "security forces") or one of the nouns that name a state's forces by themselves ("troops",
    "soldiers", "the army") — never with a non-state modifier ("rebel forces", "Afghan militants")."""
    if _names_a_state(subject, found):
        return True
    word = subject.lemma_.lower()
    if word not in FORCE_WORDS and subject.lower_ not in FORCE_WORDS:
        return False
    modifiers = [c for c in subject.children if c.dep_ in ("amod", "compound", "nmod", "poss")]
    if any(m.lower_ in NON_STATE_WORDS or _an_armed_group(m, found) for m in modifiers):
        return False  # "rebel forces", "Houthi drones", "insurgent fighters"
    if any(m.lower_ in STATE_WORDS or _names_a_state(m, found) or fold(m.text) in demonyms() for m in modifiers):
        return True  # "government troops", "security forces", "Pakistani forces"
    if any(m.ent_type_ in ("GPE", "ORG", "NORP") for m in modifiers):
        return True  # "Northland forces", "Kurdish forces": a named side that is no armed group
    return word in STATE_FORCE_NOUNS or subject.lower_ in STATE_FORCE_NOUNS


def _an_armed_group(token: Token, found: ArticleEntities) -> bool:
    ref = found.find(token.idx, token.idx + len(token.text)) if token.ent_type_ else None
    entity = found.by_ref(ref) if ref is not None else None
    return entity is not None and entity.kind == "ArmedGroup"


def _by_state_forces(verb: Token, found: ArticleEntities) -> bool:
    """Whether a state or its forces do the killing: the subject ("troops killed X") or the agent ("X was
    killed by government forces")."""
    for child in verb.children:
        if child.dep_ == "nsubj" and _a_state_s(child, found):
            return True
        if child.dep_ == "agent" and any(_a_state_s(g, found) for g in child.children if g.dep_ == "pobj"):
            return True
    return False


def told_by_a_noun(verb: Token) -> bool:
    """Whether the killing's subject or own phrase names the operation: "killed X in a raid", "the raid
    killed X" (the raid is the mention)."""
    nouns = TRIGGERS.keys() | ENCOUNTER_NOUNS | STATE_ACTION_NOUNS
    if any(c.dep_ == "nsubj" and c.lemma_.lower() in nouns for c in verb.children):
        return True  # "a US raid killed X": the raid is the mention
    return any(c.dep_ == "prep" and c.lower_ in ("in", "during", "with")
               and any(g.lemma_.lower() in nouns for g in c.children) for c in verb.children)


def _by_a_state(noun: Token, found: ArticleEntities) -> bool:
    """Whether a noun's possessor, modifier or "by" phrase names a state, with nothing that makes it
    another kind of attack: "Northland's attack", "a Northland attack", "an attack by Northland forces";
    not "a Northland suicide attack" (a country before an attack is as often its place as its author)."""
    modifiers = [c for c in noun.children if c.dep_ in ("amod", "compound", "nmod", "poss")]
    if any(m.pos_ in ("NOUN", "PROPN") and not _names_a_state(m, found) and m.lower_ not in KIND_MODIFIERS
           for m in modifiers if m.dep_ != "poss"):
        return False  # "a suicide attack", "the hotel bombing", "a rocket attack"
    for child in noun.children:
        if child.dep_ in ("amod", "compound", "nmod", "poss") and _names_a_state(child, found):
            return True
        if child.dep_ == "prep" and child.lower_ == "by":
            return any(_a_state_s(g, found) for g in child.children if g.dep_ == "pobj")
    return False


def _names_a_state(token: Token, found: ArticleEntities) -> bool:
    """The token itself is a country's name or demonym ("Northland", "Northland's", "Northlander") or a
    state's force ("the Northland Armed Forces"); what modifies it is the caller's question."""
    if fold(token.text) in demonyms():
        return True
    ref = found.find(token.idx, token.idx + len(token.text)) if token.ent_type_ else None
    entity = found.by_ref(ref) if ref is not None else None
    return entity is not None and (entity.kind == "Country" or entity.kind in STATE_FORCES)


def _killing_of_someone(noun: Token, referents: Referents) -> bool:
    """"the assassination of X", "the killings of X and Y", "X's killing": an operation told by its outcome."""
    return bool(victims_named(noun, referents))


def victims_named(noun: Token, referents: Referents) -> set[EntityRef]:
    """The people a killing noun names as its victims: "of X", "X's"."""
    tokens = [pobj for prep in noun.children if prep.dep_ == "prep" and prep.lower_ == "of"
              for pobj in prep.children if pobj.dep_ == "pobj"]
    tokens += [c for c in noun.children if c.dep_ == "poss"]
    return {ref for ref in map(referents.person, tokens) if ref is not None}


def kind_of(trigger: Token) -> str:
    lemma = trigger.lemma_.lower()
    kind = STRIKE_VERBS[lemma] if trigger.pos_ == "VERB" and lemma in STRIKE_VERBS else TRIGGERS.get(lemma, "Operation")
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


def phrase(trigger: Token) -> str:
    """The trigger with its kind-giving modifiers: "helicopter-borne raid", "drone strike"."""
    start = trigger.i
    while start > trigger.sent.start and (trigger.doc[start - 1].lower_ in KIND_MODIFIERS
                                          or trigger.doc[start - 1].text == "-"
                                          or trigger.doc[start - 1].lower_ in ("borne", "strike", "air")):
        start -= 1
    while start < trigger.i and trigger.doc[start].text == "-":
        start += 1
    return trigger.doc[start:trigger.i + 1].text.lower()
