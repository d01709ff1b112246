"""Succession statements: who followed whom in a position, read from one sentence's dependency parse.

For any group, force or state:

- replacing verbs: "X replaced / succeeded Y (as head of G)", "Y was replaced by X", "named X to succeed
  Y", "X was named leader, replacing Y", "after succeeding Y, X ...", "X, who succeeded Y";
- taking over: "X took over from Y", "X took over (the group) / took the helm after Y was killed / after
  the death of Y";
- handing over: "Y handed over / relinquished the leadership to X";
- the nouns: "Y's successor, X", "X, the successor of Y", "named X as (his) successor (to Y)",
  "his predecessor(s) A, B and C", "the death of his predecessor Y";
- a new or present holder: "G named X as its new leader / emir after the death of Y", "X was appointed
  the new commander of G", "pledged allegiance to the new caliph, X", "X is now the leader of G",
  "X became leader of G (in 2009)", "X has led G since 2016", "He is the group's third leader".

Pronouns ("his successor", "He took over") stand for the last person named before them, never for
someone who only reports the news or holds a state office elsewhere in the article. Guesses ("a likely
candidate to replace Y", "is expected to succeed Y", "may replace Y") and other capacities ("replaced Y
as its main supplier") are not statements.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from spacy.tokens import Doc, Token

from kg.extract.entities import ArticleEntities
from kg.extract.roles import ORDINALS
from kg.model import EntityRef, Span

#: Words for a single-holder position -> the title of the role (as :mod:`kg.extract.roles` names it).
TITLES = {"leader": "leader", "emir": "leader", "amir": "leader", "caliph": "leader", "chief": "leader",
          "head": "leader", "commander": "commander", "president": "president", "king": "king",
          "premier": "prime minister", "secretary-general": "secretary general", "chairman": "chairman",
          "director": "director"}
#: Verbs that put someone into a position.
NAMING = {"name", "appoint", "choose", "select", "elect", "pick", "install", "announce", "proclaim", "declare",
          "designate", "nominate", "confirm", "unveil", "reveal"}
#: Verbs and nouns of a holder's death (what ends a tenure in these reports).
DEATH_VERBS = {"kill", "die", "assassinate", "eliminate", "slay", "execute"}
DEATH_NOUNS = {"death", "killing", "assassination", "elimination", "demise", "martyrdom", "loss"}
#: Words around a replacing verb that make it a guess, not a fact.
HYPOTHETICAL = {"candidate", "likely", "expect", "tip", "consider", "poise", "set", "want", "plan", "hope",
                "possible", "contender", "favourite", "favorite", "see", "try", "seek", "choice", "may", "might",
                "could", "would", "should", "potential", "probable"}
#: Verbs of reporting: their subjects tell the news, they are not in it.
REPORTING = {"say", "announce", "tell", "report", "claim", "state", "add", "confirm", "declare", "note", "write"}
#: Words before a holder's name that say his tenure is over.
ENDED = {"late", "previous", "slain", "predecessor", "killed", "deceased", "ousted", "outgoing"}


@dataclass(frozen=True)
class Statement:
    """What one sentence says: ``later`` followed ``earlier`` (either may be unknown) in a position."""

    earlier: EntityRef | None
    later: EntityRef | None
    direct: bool
    sentence: Span
    #: The role word's token, when the sentence names the position.
    role: Token | None = None
    #: The later holder is named as the new holder.
    new: bool = False
    #: The sentence calls the later holder the new or present one.
    current: bool = False
    #: The year the later holder took the position, when the sentence gives it.
    start: str | None = None
    #: The later holder's rank among the holders ("He is the group's third leader").
    ordinal: int | None = None
    #: The earlier holder is reported dead in the sentence.
    earlier_died: bool = False


class StatementReader:
    """The rules over one parsed article."""

    def __init__(self, doc: Doc, found: ArticleEntities, officials: set[EntityRef] | None = None) -> None:
        self.doc = doc
        self.found = found
        self.people = sorted((s, e, r) for (s, e), r in found.at.items() if r.cls == "Person")
        #: People who hold a state office or report the news: never what "his" in "his successor" means.
        self.officials = (officials or set()) | self._reporters()

    def _reporters(self) -> set[EntityRef]:
        out = set()
        for token in self.doc:
            if token.dep_ == "nsubj" and token.head.lemma_.lower() in REPORTING:
                ref = self.found.find(token.idx, token.idx + len(token.text))
                if ref is not None and ref.cls == "Person":
                    out.add(ref)
        return out

    # --- who a token stands for ----------------------------------------------------------------------

    def person(self, token: Token | None, depth: int = 0, exclude: EntityRef | None = None) -> EntityRef | None:
        """The person a token names: the name itself, a pronoun's antecedent, "his son X", "the new leader,
        X", "the death of X"."""
        if token is None or depth > 3:
            return None
        ref = self.found.find(token.idx, token.idx + len(token.text))
        if ref is not None and ref.cls == "Person" and token.pos_ in ("PROPN", "NOUN", "X", "ADJ", "VERB"):
            return ref
        if token.pos_ == "PRON" and token.lower_ in ("he", "him", "his", "who", "whom", "whose"):
            if token.lower_ in ("who", "whom", "whose") and token.head.dep_ == "relcl":
                return self.person(token.head.head, depth + 1)
            return self.antecedent(token, exclude)
        for child in token.children:
            if child.dep_ in ("appos", "compound", "flat") or (child.dep_ == "prep" and child.lower_ == "of"
                                                             and token.lemma_.lower() in DEATH_NOUNS):
                target = child if child.dep_ != "prep" else next((c for c in child.children if c.dep_ == "pobj"),
                                                                 None)
                found = self.person(target, depth + 1)
                if found is not None:
                    return found
        if token.lemma_.lower() in DEATH_NOUNS:
            return next((self.person(c, depth + 1) for c in token.children if c.dep_ == "poss"), None)
        if token.lemma_.lower() in ("selection", "appointment", "election", "choice", "nomination"):
            return self.person(self._pobj(token, "of"), depth + 1)  # "announced the selection of X as ..."
        if is_title(token) and depth == 0:
            beside = self.holder_beside(token)
            if beside is not None:
                return beside  # "the prime minister of ..., Y, was killed"
        if token.lemma_.lower() in TITLES and any(c.dep_ == "det" and c.lower_ == "the" for c in token.children) \
                and any(c.lower_ in ENDED for c in token.children):
            return self.antecedent(token)  # "the slain leader": the one the text was just about
        return None

    def antecedent(self, pronoun: Token, exclude: EntityRef | None = None) -> EntityRef | None:
        """The person a "he" / "his" stands for: the last one named before it in the sentence, else the
        subject of an earlier sentence, else the last one named before it (two sentences back at most)."""
        sent = pronoun.sent
        skip = self.officials | ({exclude} if exclude else set())
        before = [r for s, e, r in self.people if sent.start_char <= s and e <= pronoun.idx and r not in skip]
        if before:
            return before[-1]
        sentences = list(self.doc.sents)
        index = next(i for i, s in enumerate(sentences) if s.start == sent.start)
        for earlier in reversed(sentences[max(0, index - 2):index]):
            subjects = [self.person(t) for t in earlier if t.dep_ in ("nsubj", "nsubjpass")]
            named = [r for r in subjects if r is not None and r not in skip]
            if named:
                return named[0]
            mentioned = [r for s, e, r in self.people if earlier.start_char <= s and e <= earlier.end_char
                         and r not in skip]
            if mentioned:
                return mentioned[-1]
        return None

    def people_in(self, token: Token) -> list[EntityRef]:
        """The person a token names and those coordinated with it ("A, B and C")."""
        out = []
        for t in [token, *(c for c in token.subtree if c.dep_ == "conj" and self._conj_chain(c, token))]:
            ref = self.person(t)
            if ref is not None and ref not in out:
                out.append(ref)
        return out

    @staticmethod
    def _conj_chain(token: Token, top: Token) -> bool:
        while token.dep_ == "conj" and token != top:
            token = token.head
        return token == top

    # --- the rules -----------------------------------------------------------------------------------

    def statements(self) -> Iterator[Statement]:
        for token in self.doc:
            lemma = token.lemma_.lower()
            if token.pos_ in ("VERB", "AUX") and lemma in ("replace", "succeed"):
                yield from self._replacing(token)
            elif token.pos_ == "VERB" and lemma in ("take", "assume") and (
                    any(c.dep_ == "prt" and c.lower_ == "over" for c in token.children)
                    or any(c.dep_ == "dobj" and c.lemma_.lower() in ("helm", "reins", "leadership", "command")
                           for c in token.children)):
                yield from self._taking_over(token)
            elif token.pos_ == "VERB" and lemma in ("hand", "relinquish", "pass", "cede", "transfer"):
                yield from self._handing_over(token)
            elif lemma in ("successor", "replacement") and token.pos_ == "NOUN":
                yield from self._successor(token)
            elif lemma == "predecessor" and token.pos_ == "NOUN":
                yield from self._predecessors(token)
            elif token.pos_ == "VERB" and lemma in NAMING:
                yield from self._naming(token)
            elif token.pos_ in ("VERB", "AUX") and lemma == "become":
                yield from self._becoming(token)
            elif token.pos_ == "VERB" and lemma == "lead":
                yield from self._leading(token)
            elif is_title(token) and token.pos_ in ("NOUN", "PROPN") and not self.deputy(token) \
                    and token.ent_type_ != "PERSON":
                yield from self._holder_of(token)

    def _holder_of(self, role: Token) -> Iterator[Statement]:
        """"the new caliph, X", "X is the new leader of G", "X is now the leader", "He is the group's third
        leader"."""
        fresh, now, ordinal = self._new(role), self._now(role), self._ordinal(role)
        if not (fresh or now or ordinal) or self._named_by_verb(role):
            return
        later = self.holder_beside(role) if fresh else None
        copula = role.dep_ == "attr" and role.head.lemma_ == "be" and not self._hypothetical(role.head)
        if later is None and copula:
            later = self._subject(role.head)  # "X is now the leader of G", "He is the group's third leader"
        if later is None or (ordinal and not copula and not fresh):
            return  # an ordinal beside a name is read with the other roles
        verb = role
        while verb.pos_ not in ("VERB", "AUX") and verb.head != verb:
            verb = verb.head
        earlier = self._death_of(verb) if fresh and verb.pos_ in ("VERB", "AUX") else None
        earlier = earlier if earlier != later else None  # "pledged allegiance to the new caliph, X, after Y died"
        yield Statement(earlier, later, earlier is not None, self._span(role), role=role, new=fresh or now,
                        current=fresh or now, ordinal=ordinal if copula else None, earlier_died=earlier is not None)

    def _ordinal(self, role: Token) -> int | None:
        for child in role.children:
            if child.lower_ in ORDINALS and child.dep_ == "amod" and not any(
                    d.lower_ in ("a", "an", "another") for d in role.children if d.dep_ == "det"):
                return ORDINALS[child.lower_]
        return None

    def _span(self, token: Token) -> Span:
        return Span(token.sent.start_char, token.sent.end_char)

    def _hypothetical(self, verb: Token) -> bool:
        """"candidate to replace", "expected to succeed", "may replace", "did not replace"."""
        if any(c.dep_ == "neg" or (c.dep_ == "aux" and c.lemma_.lower() in HYPOTHETICAL) for c in verb.children):
            return True
        head = verb.head
        if verb.dep_ in ("xcomp", "acl", "advcl", "ccomp", "relcl") and head != verb:
            if head.lemma_.lower() in HYPOTHETICAL or any(c.lemma_.lower() in HYPOTHETICAL
                                                           for c in head.children if c.dep_ in ("acomp", "amod")):
                return True
            if head.dep_ in ("attr", "acomp", "xcomp") and head.lemma_.lower() in HYPOTHETICAL:
                return True
            if head.head.lemma_.lower() in HYPOTHETICAL and head.dep_ in ("attr", "acomp", "xcomp", "oprd"):
                return True
        return False

    def _child(self, token: Token, *deps: str) -> Token | None:
        return next((c for c in token.children if c.dep_ in deps), None)

    def _pobj(self, token: Token, *preps: str) -> Token | None:
        for child in token.children:
            if child.dep_ in ("prep", "agent") and child.lower_ in preps:
                return self._child(child, "pobj")
        return None

    def _subject(self, verb: Token) -> EntityRef | None:
        """Who does the verb: its subject, the noun a relative clause hangs on, or the person named by the
        verb it depends on ("named X to succeed Y", "X was named leader, replacing Y", "after succeeding Y,
        X ...")."""
        subject = self._child(verb, "nsubj")
        if subject is not None:
            return self.person(subject)
        if verb.dep_ == "relcl":
            return self.person(verb.head)
        governor = verb.head
        if verb.dep_ == "pcomp" and governor.dep_ == "prep":
            governor = governor.head
        if governor == verb:
            return None
        for dep in ("dobj", "nsubjpass", "nsubj"):
            found = self._child(governor, dep)
            if found is not None:
                ref = self.person(found)
                if ref is not None:
                    return ref
        if governor.dep_ == "relcl":
            return self.person(governor.head)
        if governor.pos_ not in ("VERB", "AUX"):  # a clause hung on a noun by a bad parse: the one named
            named = [self.named_by(t) for t in verb.sent if t.pos_ == "VERB" and t.lemma_.lower() in NAMING]
            people = {r for r in named if r is not None}
            if len(people) == 1:
                return people.pop()
        return None

    def named_by(self, verb: Token) -> EntityRef | None:
        """The person a naming verb names: "named X", "X was named", "named X as" parsed as a predicate."""
        for dep in ("dobj", "nsubjpass", "oprd"):
            ref = self.person(self._child(verb, dep))
            if ref is not None:
                return ref
        return None

    def _role_as(self, verb: Token) -> Token | None:
        """The role word of "as head of G" / "as its new leader" / "named interim president" on a verb."""
        role = self._pobj(verb, "as")
        if role is None:
            role = self._child(verb, "oprd", "attr", "xcomp")
        if role is not None and is_title(role):
            return role
        return None

    def _death_of(self, token: Token) -> EntityRef | None:
        """Whose death a verb's or noun's "after / following ..." clause reports: "after the death of Y",
        "following the killing of Y", "after Y was killed", "after Y died"."""
        for child in token.children:
            if child.dep_ == "prep" and child.lower_ in ("after", "following"):
                noun = self._child(child, "pobj")
                if noun is not None and noun.lemma_.lower() in DEATH_NOUNS:
                    return self.person(noun)
                if noun is not None and self._dies_next(noun):
                    # "after its founder, Y, was killed", parsed as "after its founder" and a loose "Y"
                    return self.person(noun) or self._name_beside(noun)
            if child.dep_ == "advcl" and child.lemma_.lower() in DEATH_VERBS and any(
                    m.dep_ == "mark" and m.lower_ in ("after", "following", "when") for m in child.children):
                subject = self._child(child, "nsubjpass", "nsubj")
                if subject is not None:
                    return self.person(subject)
            if child.dep_ == "advcl" and child.lower_ == "following":
                noun = self._child(child, "dobj")
                if noun is not None and noun.lemma_.lower() in DEATH_NOUNS:
                    return self.person(noun)
        return None

    def _dies_next(self, noun: Token) -> bool:
        """A death verb right after the noun phrase, past a name between commas: "... founder, Y, was killed"."""
        end = max(t.i for t in noun.subtree) + 1
        for t in noun.doc[end:min(end + 10, noun.sent.end)]:
            if t.lemma_.lower() in DEATH_VERBS and t.pos_ == "VERB":
                return True
            if t.pos_ not in ("AUX", "PUNCT", "ADV") and t.ent_type_ != "PERSON":
                return False
        return False

    def _name_beside(self, noun: Token) -> EntityRef | None:
        """The person named right after the noun phrase between commas: "its founder, Y, ..."."""
        end = max(t.i for t in noun.subtree) + 1
        if end < noun.sent.end and noun.doc[end].text == ",":
            nxt = noun.doc[end + 1] if end + 1 < noun.sent.end else None
            return self.person(nxt) if nxt is not None and nxt.ent_type_ == "PERSON" else None
        return None

    def _other_capacity(self, verb: Token) -> bool:
        """"replaced Y as its main supplier": "as" names something other than a position of one holder."""
        capacity = self._pobj(verb, "as")
        return capacity is not None and not is_title(capacity) and capacity.lemma_.lower() not in (
            "leadership", "command", "helm", "successor", "replacement")

    def _replacing(self, verb: Token) -> Iterator[Statement]:
        if self._hypothetical(verb) or self._other_capacity(verb):
            return
        passive = any(c.dep_ in ("nsubjpass", "auxpass") for c in verb.children)
        if passive:
            earlier = self.person(self._child(verb, "nsubjpass"))
            later = self.person(self._pobj(verb, "by"))
        else:
            earlier = self.person(self._child(verb, "dobj"))
            later = self._subject(verb)
        if earlier is not None and later is not None and earlier != later:
            yield Statement(earlier, later, True, self._span(verb), role=self._role_as(verb), start=self._year(verb))

    def _taking_over(self, verb: Token) -> Iterator[Statement]:
        if self._hypothetical(verb) or self._other_capacity(verb):
            return
        later = self._subject(verb)
        earlier = self.person(self._pobj(verb, "from")) or self._death_of(verb)
        role = self._role_as(verb)
        if role is None:
            obj = self._child(verb, "dobj")
            if obj is not None and obj.lemma_.lower() in ("leadership", "command", "helm", "reins"):
                role = obj
        if later is not None and earlier is not None and later != earlier:
            yield Statement(earlier, later, True, self._span(verb), role=role)

    def _handing_over(self, verb: Token) -> Iterator[Statement]:
        obj = self._child(verb, "dobj")
        if obj is None or obj.lemma_.lower() not in ("leadership", "command", "control", "helm", "reins", "post"):
            return
        earlier = self._subject(verb)
        later = self.person(self._pobj(verb, "to")) or self.person(self._pobj(obj, "to"))
        if earlier is not None and later is not None and earlier != later and not self._hypothetical(verb):
            yield Statement(earlier, later, True, self._span(verb), role=obj, start=self._year(verb))

    def _successor(self, noun: Token) -> Iterator[Statement]:
        later: EntityRef | None = None
        appos = self._child(noun, "appos")
        if appos is not None:
            later = self.person(appos)  # "Y's successor, X"
        elif self._loose_appositive(noun) is not None:
            later = self._loose_appositive(noun)  # "Y's successor as leader of G, X"
        elif noun.dep_ == "appos":
            later = self.person(noun.head)  # "X, the successor of Y"
        elif noun.dep_ == "pobj" and noun.head.lower_ == "as":
            verb = noun.head.head  # "named X as (his) successor (to Y)", "X has been appointed as successor"
            if verb.lemma_.lower() not in NAMING:  # "The statement, which named X, ... as his successor"
                verbs = [t for t in noun.sent if t.lemma_.lower() in NAMING and t.pos_ == "VERB"]
                verb = verbs[0] if len(verbs) == 1 else verb
            if verb.lemma_.lower() in NAMING and not self._hypothetical(verb):
                later = self.person(self._child(verb, "dobj", "nsubjpass"))
        elif noun.dep_ in ("attr",):
            later = self.person(self._child(noun.head, "nsubj"))  # "X is his successor"
        elif noun.dep_ == "dobj" and noun.head.lemma_.lower() in NAMING:
            later = self.person(self._pobj(noun.head, "as"))  # "named his successor as X"
        if later is None:
            return
        owner = self._child(noun, "poss")
        earlier = self.person(owner, exclude=later) if owner is not None else \
            self.person(self._pobj(noun, "of", "to"), exclude=later)
        if later == earlier:
            return
        yield Statement(earlier, later, True, self._span(noun), role=self._role_as(noun), new=earlier is None)

    def _predecessors(self, noun: Token) -> Iterator[Statement]:
        owner = self._child(noun, "poss")
        later = self.person(owner) if owner is not None else self.person(self._pobj(noun, "of"))
        if later is None and noun.dep_ == "appos":
            return
        earlier: list[EntityRef] = []
        for child in noun.children:
            if child.dep_ in ("appos", "compound"):
                earlier += self.people_in(child)
        if noun.dep_ == "appos":
            earlier += [r for r in [self.person(noun.head)] if r is not None]
        died = noun.dep_ == "pobj" and noun.head.head.lemma_.lower() in DEATH_NOUNS
        plural = noun.tag_ == "NNS"
        for ref in earlier:
            if later is not None and ref != later:
                yield Statement(ref, later, not plural, self._span(noun), earlier_died=died)

    def _naming(self, verb: Token) -> Iterator[Statement]:
        if self._hypothetical(verb):
            return
        named = self._child(verb, "dobj", "nsubjpass")
        if named is None or self.person(named) is None:
            named = self._child(verb, "oprd") or named  # "named X as ..." parsed with X as a predicate
        role = self._role_as(verb)
        later = self.person(named) if named is not None else None
        if named is not None and is_title(named) and not self.deputy(named):
            beside = self.holder_beside(named)
            if beside is not None:
                role, later = named, beside  # "named its new leader, X"
        if role is None or later is None:
            return
        earlier = self._death_of(verb) or self._death_of(role)
        if earlier == later:
            earlier = None
        yield Statement(earlier, later, earlier is not None, self._span(verb), role=role, new=True,
                        current=self._new(role), earlier_died=earlier is not None)

    def _becoming(self, verb: Token) -> Iterator[Statement]:
        role = self._child(verb, "attr")
        if role is None or role.lemma_.lower() not in TITLES or self.deputy(role):
            return
        later = self._subject(verb)
        if later is None:
            return
        earlier = self._death_of(verb)
        yield Statement(earlier, later, earlier is not None, self._span(verb), role=role,
                        start=self._year(verb) or self._year(role),
                        earlier_died=earlier is not None)

    def _year(self, token: Token) -> str | None:
        """The year of "in 2019" on a verb or noun."""
        when = self._pobj(token, "in")
        if when is not None and when.like_num and len(when.text) == 4 and when.text[:2] in ("19", "20"):
            return when.text
        return None

    def _leading(self, verb: Token) -> Iterator[Statement]:
        """"X leads G", "X had led G since 2016": X holds the leadership of G (from that year)."""
        group = self._child(verb, "dobj")
        if group is None or self._hypothetical(verb) or not any(t.ent_type_ == "ORG" for t in group.subtree):
            return
        later = self._subject(verb) if self._child(verb, "nsubj") is not None else None
        if later is None:
            return
        since = self._pobj(verb, "since")
        year = since.text if since is not None and since.like_num and len(since.text) == 4 else None
        yield Statement(None, later, False, self._span(verb), role=verb, start=year)

    def _new(self, role: Token) -> bool:
        return any(c.lower_ == "new" and c.dep_ in ("amod", "compound") for c in role.children)

    def _now(self, role: Token) -> bool:
        """"X is now the leader", "X, now the leader": the present holder."""
        if role.dep_ == "attr" and role.head.lemma_ == "be" and not self._hypothetical(role.head):
            return any(c.lower_ == "now" for c in role.head.children) and role.head.tag_ in ("VBZ", "VBP")
        return any(c.lower_ == "now" and c.dep_ == "advmod" for c in role.children)

    def deputy(self, role: Token) -> bool:
        return any(c.lower_ in ("deputy", "vice", "assistant", "former") for c in role.children)

    def holder_beside(self, role: Token) -> EntityRef | None:
        """The person named next to a role word: "the new leader, X", "new leader X"."""
        for child in role.children:
            if child.dep_ in ("appos", "compound"):
                ref = self.person(child)
                if ref is not None:
                    return ref
        if role.dep_ in ("appos", "compound"):
            return self.person(role.head)
        return self._loose_appositive(role)

    def _loose_appositive(self, noun: Token) -> EntityRef | None:
        """A name between commas that the parser hung on a word inside the noun's phrase: "the prime
        minister of the government in T, Y," or "Y's successor as leader of G, X," (X on G)."""
        for token in noun.subtree:
            if token.dep_ == "appos" and token.i > noun.i and token.doc[token.left_edge.i - 1].text == ",":
                ref = self.person(token)
                if ref is not None:
                    return ref
        return None

    def _named_by_verb(self, role: Token) -> bool:
        """The role word is the one a naming verb already reads ("named its new leader, X")."""
        return (role.dep_ in ("dobj", "oprd", "attr") and role.head.lemma_.lower() in NAMING) or \
            (role.dep_ == "pobj" and role.head.lower_ == "as" and role.head.head.lemma_.lower() in NAMING)


def is_title(token: Token) -> bool:
    """A word for a single-holder position: "leader", "emir", "prime minister", "chief of staff"."""
    word = token.lemma_.lower()
    return word in TITLES or (word == "minister" and any(c.lower_ == "prime" for c in token.children)) \
        or secretary_general(token)


def secretary_general(token: Token) -> bool:
    """"secretary-general", "secretary general" (the head of a party or movement), by either word."""
    doc = token.doc
    if token.lower_ == "secretary":
        after = [t.lower_ for t in doc[token.i + 1:token.i + 3]]
        return after[:1] == ["general"] or after == ["-", "general"]
    if token.lower_ != "general":
        return False
    before = [t.lower_ for t in doc[max(0, token.i - 2):token.i]]
    return before[-1:] == ["secretary"] or before == ["secretary", "-"]


def reported_dead(reader: StatementReader) -> set[EntityRef]:
    """People whose death the article reports in so many words: "the death of Y", "Y was killed"."""
    out = set()
    for token in reader.doc:
        lemma = token.lemma_.lower()
        if lemma in DEATH_NOUNS and token.pos_ == "NOUN":
            ref = reader.person(token)
            if ref is not None:
                out.add(ref)
        elif lemma in DEATH_VERBS and token.pos_ == "VERB":
            subject = next((c for c in token.children if c.dep_ in ("nsubjpass",) or
                            (c.dep_ == "nsubj" and lemma == "die")), None)
            ref = reader.person(subject)
            if ref is not None:
                out.add(ref)
    return out



def called_ended(person: EntityRef, reader: StatementReader) -> bool:
    """A mention of the person follows a word that says the tenure is over ("the late leader Y")."""
    for start, _end, ref in reader.people:
        if ref != person:
            continue
        span = reader.doc.char_span(start, _end, alignment_mode="expand")
        if span is None:
            continue
        window = reader.doc[max(span.sent.start, span.start - 4):span.start]
        if any(t.lower_ in ENDED for t in window):
            return True
    return False
