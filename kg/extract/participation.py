"""Who took part in an operation, read from the dependency parse: who was killed, targeted, wounded
or detained, by the verb or noun that governs the person's mention.

- The verbs: kill, die, blow oneself up, detonate, target, wound, detain, capture, and the nouns
  of killing ("the killing of X in a raid"); through apposition and coordination ("killed X, a
  senior official", "X and Y were killed"), raising verbs ("X was believed to have been killed")
  and shared subjects ("X was wounded and later died").
- A person named as one described before: "named the fighter killed as X", "identified the dead
  man as X", "X was among three fighters killed", "X was the target of the strike".
- Negation ("no bystanders were killed", "did not kill", "no confirmation that the raid targeted X")
  takes the participant away; a hedge ("believed to be", "reportedly") lowers its certainty.
- A verb whose "in/during" phrase names several operations ("killed during US raids") is about
  none of them in particular.
"""

from __future__ import annotations

from spacy.tokens import Token

from kg.extract.operation import TRIGGERS

KILL = {"kill", "eliminate", "assassinate", "neutralize", "neutralise", "slay"}
DIE = {"die", "perish"}
#: Nouns that tell of a killing: "the death of X", "the killings of X and Y".
KILL_NOUNS = {"death", "killing", "assassination", "elimination", "slaying", "martyrdom"}
#: Verbs that name someone described before ("identified the dead man as X"), and the descriptions of the dead.
IDENTIFY = {"identify", "name"}
DEAD_NOUNS = {"dead", "body", "victim", "deceased", "corpse"}
SLAIN = {"slain", "dead", "killed", "deceased"}
SELF_KILL = {"detonate", "blow", "explode"}
TARGET = {"target"}
WOUND = {"wound", "injure", "hurt"}
DETAIN = {"detain", "capture", "arrest", "apprehend", "seize"}
HEDGES = {"believe", "reportedly", "allegedly", "likely", "probable", "probably", "possibly", "suspect", "claim",
          "unconfirmed", "apparently", "may", "might", "could", "presumably"}
NEGATIONS = {"no", "not", "never", "n't", "without"}
#: Words that pick some of a group: "one of its commanders, X".
PARTITIVES = {"one", "another", "two", "three", "some", "several", "both"}
#: Marks of a clause that stands against its main clause: a negation there is not the clause's own.
CONCESSIVE = {"though", "although", "while", "whereas", "but"}


def head_noun(token: Token) -> str:
    if token.pos_ == "NUM" or token.lower_ in ("one", "others"):
        for child in token.children:
            if child.lower_ == "of":
                for pobj in child.children:
                    return pobj.lemma_.lower()
    return token.lemma_.lower()


def clause_head(token: Token) -> Token:
    head = token
    for _ in range(20):
        if head.pos_ in ("VERB", "AUX") and head.dep_ in ("ROOT", "ccomp", "advcl", "relcl", "xcomp", "conj",
                                                           "acl", "pcomp", "csubj"):
            return head
        if head.head is head:
            return head
        head = head.head
    return head


def verb_of(token: Token) -> Token | None:
    head = token
    for _ in range(10):
        if head.pos_ in ("VERB", "AUX"):
            return head
        if head.head is head:
            return None
        head = head.head
    return None


def _argument(token: Token) -> Token:
    """The token whose dependency says what the mention does: up through appositions, conjuncts, names,
    and partitives ("one of its commanders, X": X is what "one" is)."""
    current = token
    for _ in range(8):
        if current.dep_ in ("appos", "conj", "compound", "flat") and current.head is not current:
            current = current.head
        elif current is not token and current.dep_ == "pobj" and current.head.lower_ == "of" \
                and current.head.head.lower_ in PARTITIVES:  # from a name in apposition only
            current = current.head.head
        else:
            break
    return current


def relation_of(token: Token) -> tuple[str | None, Token | None]:
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
    lemmas = {v.lemma_.lower() for v in verbs} | ({"kill"} if any(map(shot_dead, verbs)) else set())
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
    if arg.dep_ == "poss" and arg.head.lemma_.lower() in KILL_NOUNS:
        return "killedIn", arg.head  # "X's death was confirmed"
    return None, None


def shot_dead(verb: Token) -> bool:
    """A killing told by a phrasal verb: "shot dead", "gunned down"."""
    lemma = verb.lemma_.lower()
    following = verb.doc[verb.i + 1].lower_ if verb.i + 1 < len(verb.doc) else ""
    return (lemma == "shoot" and (following == "dead" or any(c.lower_ == "dead" for c in verb.children))) or (
        lemma in ("gun", "mow", "cut") and any(c.dep_ == "prt" and c.lower_ == "down" for c in verb.children))


def _identified(arg: Token) -> tuple[str | None, Token | None]:
    """A person named as one described before: "named the fighter killed as X", "identified the dead
    man as X", "X was among three fighters killed", "X was the target of the strike"."""
    if arg.dep_ == "pobj" and arg.head.lower_ == "as":
        head = arg.head.head
        if head.lemma_.lower() in KILL and head.dep_ == "acl":
            return "killedIn", head  # "named the fighter killed as X"
        if head.lemma_.lower() in IDENTIFY:
            for obj in (c for c in head.children if c.dep_ == "dobj"):
                killed = next((c for c in obj.children if c.dep_ == "acl" and c.lemma_.lower() in KILL), None)
                if killed is not None:
                    return "killedIn", killed
                if obj.lemma_.lower() in DEAD_NOUNS or any(c.lower_ in SLAIN for c in obj.children):
                    return "killedIn", head  # "identified the dead as X", "named the slain man as X"
                if obj.lemma_.lower() == "target":
                    return "targetedIn", head
    if arg.dep_ == "nsubj" and arg.head.lemma_ == "be":
        for child in arg.head.children:
            coordinated = any(c.dep_ == "cc" and c.lower_ == "and" and c.i < child.i
                              for c in [*arg.head.children, *child.children])
            if child.dep_ == "conj" and child.lemma_.lower() in KILL and child.tag_ == "VBN" and coordinated \
                    and not any(g.dep_ in ("nsubj", "nsubjpass") for g in child.children):
                return "killedIn", child  # "X was the target of the strike and was killed"
        for child in arg.head.children:
            if child.dep_ == "prep" and child.lower_ == "among":
                for group in (c for c in child.children if c.dep_ == "pobj"):
                    killed = next((c for c in group.children if c.dep_ in ("acl", "relcl")
                                   and c.lemma_.lower() in KILL | DIE), None)
                    if killed is not None:
                        return "killedIn", killed  # "X was among three fighters killed in the strike"
            if child.dep_ == "attr" and child.lemma_.lower() == "target":
                of = [g for c in child.children if c.dep_ == "prep" and c.lower_ == "of" for g in c.children
                      if g.dep_ == "pobj" and g.lemma_.lower() in TRIGGERS.keys() | {"attack"}]
                if of:
                    return "targetedIn", of[0]  # "X was the target of the strike"
    return None, None


def plural_operation(verb: Token) -> bool:
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


def negated(token: Token, verb: Token) -> bool:
    """"no bystanders were killed", "did not kill", "no confirmation that the raid targeted X"."""
    arg = _argument(token)
    if any(c.lower_ in NEGATIONS for c in arg.children):
        return True
    for v in [verb, *verb.ancestors]:
        if any(c.dep_ == "neg" or (c.lower_ in ("no", "not", "never") and c.dep_ in ("det", "neg", "advmod"))
               for c in v.children):
            return True
        if v.lemma_.lower() in ("deny", "dismiss", "refute"):
            return True
        if v.dep_ == "advcl" and any(c.dep_ == "mark" and c.lower_ in CONCESSIVE for c in v.children):
            break  # "The army would not say who died, although officials named the dead man as X"
    subject = [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")]
    return any(any(c.lower_ == "no" for c in s.children) for s in subject)


def hedged(verb: Token) -> bool:
    for v in [verb, *verb.ancestors]:
        if v.lemma_.lower() in HEDGES or any(c.lemma_.lower() in HEDGES for c in v.children
                                               if c.dep_ in ("advmod", "aux", "amod")):
            return True
    return False
