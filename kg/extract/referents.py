"""Who a mention refers to: a person the article names, a pronoun's antecedent, or an unnamed participant.

- A named mention is the person the entity stage found there (the extractor may have corrected the
  model's label).
- "he", "him", "she": the most recent person mentioned before it, but not the speaker of the
  statement the pronoun is in ("spokesman X said he was killed"); "they", "them": the people last
  named together ("X and Y"); "who": the person the relative clause is about ("X, a commander of
  the group's forces who was killed", "X, who died").
- A noun that names someone: "a national known as X", "a man named X", "an official identified as X".
- An unnamed participant: "an ISIS smuggler", "two of his associates", "one person" becomes an
  entity of its own with its description and, when it says, how many they were.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

from spacy.tokens import Doc, Token

from kg.extract.entities import ArticleEntities
from kg.extract.participation import head_noun
from kg.model import Article, Entity, EntityRef

#: Verbs of saying: a pronoun in a statement does not refer to its speaker.
SPEECH = {"say", "tell", "announce", "confirm", "report", "state", "add", "claim"}
#: What the living do: a person described alike who says, vows or escapes is not the unnamed dead.
ALIVE_VERBS = SPEECH | {"vow", "promise", "escape", "survive", "flee", "call", "warn", "deny", "threaten", "urge",
                        "praise", "condemn", "speak", "get", "appear", "remain", "insist", "pledge"}
#: Words that make a description a state's man's: "army commander X", "police chief X".
STATE_DESCRIPTIONS = {"army", "military", "police", "government", "security", "regional", "district", "provincial"}
#: Verbs that say who a description is: "identified the leader as X", "named the commander as X".
IDENTIFYING = {"identify", "name", "describe"}
#: Descriptions of people an operation kills without aiming at them.
BYSTANDERS = {"wife", "husband", "son", "daughter", "child", "brother", "sister", "mother", "father", "relative",
              "civilian", "bystander", "journalist", "reporter", "worker", "neighbor", "neighbour", "soldier",
              "serviceman", "servicemember", "contractor", "nephew", "niece", "cousin", "grandson", "granddaughter",
              "boy", "girl", "student", "teacher", "farmer", "shepherd", "doctor", "nurse", "officer", "policeman",
              "guard", "driver", "engineer", "businessman", "trader", "shopkeeper", "resident", "villager", "pupil",
              "teenager", "elder", "medic", "paramedic", "employee"}
UNNAMED_HEADS = {"leader", "official", "commander", "operative", "smuggler", "militant", "fighter", "member",
                 "man", "woman", "person", "people", "civilian", "associate", "son", "daughter", "relative",
                 "jihadist", "suspect", "figure", "individual", "guard", "bodyguard", "courier", "facilitator",
                 "financier", "other", "others", "wife", "child", "children", "family"}
NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
           "ten": 10, "a": 1, "an": 1, "several": None, "some": None}


class Referents:
    """The people an article's mentions refer to, and the unnamed participants found so far."""

    def __init__(self, doc: Doc, article: Article, found: ArticleEntities) -> None:
        self.doc = doc
        self.article = article
        self.found = found
        self.unnamed: list[Entity] = []
        self.sents = list(doc.sents)
        #: The head noun of each unnamed participant's description ("leader" for "a senior leader").
        self.heads: dict[EntityRef, str] = {}

    def person(self, token: Token) -> EntityRef | None:
        if token.ent_type_:
            ref = self.found.find(token.idx, token.idx + len(token.text))
            if ref is not None and ref.cls == "Person":  # the extractor may have corrected the model's label
                return ref
        if token.lower_ in ("he", "him", "himself", "she", "her", "herself"):
            return self._antecedent(token)
        if token.lower_ in ("who", "whom") and token.head.dep_ == "relcl":
            return self._relative_antecedent(token.head)
        return None

    def plural_antecedent(self, pronoun: Token) -> list[EntityRef]:
        """For "they"/"them", the people last named together ("X and Y") in this or the two previous
        sentences, before the pronoun; else nothing."""
        if pronoun.lower_ not in ("they", "them"):
            return []
        sents = self.sents
        first = next((k for k, s in enumerate(sents) if s.start <= pronoun.i < s.end), 0)
        start = sents[max(first - 2, 0)].start
        for token in reversed(self.doc[start:pronoun.i]):
            if token.dep_ != "conj" or token.head.i >= token.i:
                continue
            second, first_ref = self.person(token), self.person(token.head)
            if second is not None and first_ref is not None and second != first_ref:
                others = [self.person(c) for c in token.children if c.dep_ == "conj"]
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
        if self._described_since(best[0], pronoun):
            return None  # "appointed X to replace its commander after he was killed": he is the commander
        return best[1]

    def bystander(self, person: EntityRef) -> bool:
        """Whether the article describes the person as a relative, a civilian or a soldier rather than a
        target: "his wife, X", "X, a civilian", "aid worker X", "X's son" (of someone else)."""
        return any(t.lemma_.lower() in BYSTANDERS for _root, described in self._described(person)
                   for t in described)

    def _described(self, person: EntityRef,
                   within: tuple[int, int] | None = None) -> Iterator[tuple[Token, list[Token]]]:
        """Each mention of the person (its root token), with the nouns that describe it there: the noun it
        is in apposition to or that is in apposition to it, and nouns just before it ("X, a commander of
        the group", "group leader X")."""
        for (start, end), ref in self.found.at.items():
            if ref != person or (within is not None and not within[0] <= start < within[1]):
                continue
            span = self.doc.char_span(start, end, alignment_mode="expand")
            if span is None:
                continue
            root = span.root
            described = [root.head] if root.dep_ == "appos" else []
            described += [c for c in root.children if c.dep_ == "appos"]
            # "group leader X", "aid worker X": a noun that modifies the name, not one that happens to stand before it
            described += [t for t in self.doc[max(span.start - 2, 0):span.start]
                          if t.pos_ == "NOUN" and t.dep_ in ("compound", "nmod") and span.start <= t.head.i < span.end]
            yield root, described

    def _described_since(self, start: int, pronoun: Token) -> bool:
        """Whether a definite description of someone else ("its commander", "the group's leader") stands
        between a person's mention and a pronoun: the nearer antecedent, though it has no name."""
        first = self.doc.char_span(start, start + 1, alignment_mode="expand")
        for token in self.doc[first.start if first is not None else pronoun.i:pronoun.i]:
            if token.lemma_.lower() not in UNNAMED_HEADS or token.tag_ != "NN":
                continue
            if token.dep_ not in ("dobj", "pobj", "nsubjpass") or token.head.ent_type_ == "PERSON":
                continue  # "X, the group's leader," describes X
            if any(c.dep_ == "poss" or c.lower_ in ("the", "its", "their") for c in token.children):
                return True
        return False

    def named_in(self, token: Token) -> EntityRef | None:
        """The person a noun names: "a national known as X", "a man named X", "an official identified as X"."""
        for child in token.children:
            if child.dep_ in ("acl", "relcl") and child.lemma_.lower() in ("know", "name", "call", "identify"):
                for t in child.subtree:
                    if t.ent_type_ == "PERSON":
                        return self.person(t)
        return None

    def describe_unnamed(self, token: Token) -> str | None:
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

    def add_unnamed(self, description: str, token: Token) -> EntityRef:
        digest = hashlib.sha1(f"{self.article.id} {token.idx}".encode()).hexdigest()[:10]
        ref = EntityRef("Person", f"unnamed {digest}")
        entity = Entity(ref, "", attributes={"description": description})
        count = next((NUMBERS.get(c.lower_) for c in [token, *token.children] if c.lower_ in NUMBERS), None)
        if count and count > 1:
            entity.attributes["count"] = count
        self.unnamed.append(entity)
        self.heads[ref] = head_noun(token)
        return ref

    def identifying_descriptions(self, person: EntityRef, within: tuple[int, int]) -> set[str]:
        """The nouns the article identifies a person by, between two character offsets (lemmas):
        "identified the leader as X", and "X, a commander of the group, was / had run ..." when X is told
        of in the past, not as one who says, vows or escapes (:data:`ALIVE_VERBS`), without a state's word on
        the noun ("army commander X" is no militant's description)."""
        nouns: set[str] = set()
        for root, described in self._described(person, within):
            if root.dep_ == "pobj" and root.head.lower_ == "as":
                holder = root.head.head  # "identified the leader as X": "as" hangs on the verb or on its object
                if holder.lemma_.lower() in IDENTIFYING:
                    nouns |= {c.lemma_.lower() for c in holder.children if c.dep_ == "dobj"}
                elif holder.dep_ == "dobj" and holder.head.lemma_.lower() in IDENTIFYING:
                    nouns.add(holder.lemma_.lower())
                continue
            verb = root.head
            if root.dep_ != "nsubj" or verb.lemma_.lower() in ALIVE_VERBS or verb.tag_ in ("VBZ", "VBP"):
                continue  # "X, a commander of the group, said / vowed / escaped / leads / is": not the one killed
            nouns |= {t.lemma_.lower() for t in described
                      if not any(c.lower_ in STATE_DESCRIPTIONS for c in t.children)}
        return nouns
