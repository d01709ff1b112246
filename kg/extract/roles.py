"""Roles: the positions people hold, read from the phrases around their names.

- before the name: "Front leader X", "Northland President X", "Eastern Command Commander General X",
  "the Front's founder and first self-styled emir, X", "Korvath's most wanted Front militant, X";
- after the name: "X, a Front official in charge of recruitment", "X, one of the Front's three
  most senior figures and its second-in-command in Korvath";
- copula: "X is the leader of Y", "X, who was the group's spokesman";
- in brackets: "X [the leader of Y in Korvath]", "X (a Y commander)";
- predicates: "X served as Y's deputy leader", "investigators regard X as a senior Y official",
  "X, considered a senior Y leader", "X was named acting emir", "X headed Y's militant cells";
- a sentence-initial "He" / "She" standing for the one person the sentence before names.

A role is a position shared by its holders ("leader of the Northern Front"); what is particular to one
holder (the ordinal, "current", "former", the words used) goes on an ``ops:Tenure``. Holding a role
in an armed group or a paramilitary force makes the person a member of it (:mod:`kg.extract.memberships`).
State offices ("US President") are tied to
their country with ``ops:jurisdiction``, not ``ops:roleIn``: a country is a place, not an
organization.
"""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import dataclass, field

from spacy.tokens import Doc, Token
from spacy.tokens import Span as SpacySpan

from kg import gazetteer as gaz
from kg.extract import memberships
from kg.extract.entities import ArticleEntities
from kg.model import Entity, EntityRef, Fact, Span
from kg.names import fold

#: Role nouns (singular and plural) -> the canonical head of the position.
HEADS = {
    "leader": "leader", "caliph": "leader", "emir": "leader", "amir": "leader", "chief": "leader",
    "head": "leader", "founder": "founder", "co-founder": "founder", "deputy": "deputy leader",
    "official": "official", "operative": "operative", "commander": "commander", "militant": "militant",
    "jihadist": "jihadist", "fighter": "fighter", "member": "member", "financier": "financier",
    "facilitator": "facilitator", "smuggler": "smuggler", "recruiter": "recruiter", "bombmaker": "bombmaker",
    "spokesman": "spokesman", "spokeswoman": "spokesman", "spokesperson": "spokesman", "strategist": "strategist",
    "ideologue": "ideologue", "propagandist": "propagandist", "governor": "governor", "wali": "governor",
    "minister": "minister", "president": "president", "dictator": "dictator", "king": "king", "prince": "prince",
    "director": "director", "secretary": "secretary", "chairman": "chairman", "ambassador": "ambassador",
    "general": "general", "colonel": "colonel", "officer": "officer", "mufti": "mufti", "judge": "judge",
    "envoy": "envoy", "treasurer": "treasurer", "lieutenant": "lieutenant", "aide": "aide", "cleric": "cleric",
    "adviser": "adviser", "advisor": "adviser", "planner": "planner", "courier": "courier",
    "bodyguard": "bodyguard",
}
#: Titles of several words -> the head of the position ("Chief of Staff", "Secretary-General").
COMPOUND_HEADS = {
    ("chief", "of", "staff"): "chief of staff", ("secretary", "-", "general"): "secretary-general",
    ("secretary", "general"): "secretary-general", ("supreme", "leader"): "supreme leader",
    ("military", "chief"): "military chief", ("army", "chief"): "army chief", ("press", "secretary"): "press secretary",
    ("operations", "chief"): "operations chief", ("intelligence", "chief"): "intelligence chief",
    ("commander", "-", "in", "-", "chief"): "commander-in-chief", ("commander", "in", "chief"): "commander-in-chief",
}
#: Heads that are offices of a state: tied to a country by jurisdiction (the last word of a compound head).
STATE_OFFICES = {"president", "minister", "dictator", "king", "prince", "ambassador", "envoy", "secretary",
                 "supreme leader", "military chief", "army chief", "chief of staff", "commander-in-chief"}
#: Military ranks: a role only when the phrase names no office ("Eastern Command commander General X" holds the
#: command, not the rank).
RANK_HEADS = {"general", "colonel", "lieutenant"}
#: Words of a rank before a name ("Brig. Gen.", "Major General"); with a comma before them the title goes on
#: ("its army chief, Brigadier X").
RANK_WORDS = {"general", "major", "brigadier", "lieutenant", "colonel", "captain", "admiral", "sergeant",
              "commodore", "marshal", "gen", "gen.", "brig", "brig.", "lt", "lt.", "col", "col.", "maj", "maj.",
              "capt", "capt.", "adm", "adm.", "sgt", "sgt.", "cmdr", "cmdr.", "lt.-gen.", "maj.-gen."}
#: Abbreviated ranks -> the rank noun.
RANK_ABBREVIATIONS = {"gen": "general", "col": "colonel", "lt": "lieutenant"}
#: Modifiers kept in a role's name.
KEPT_MODIFIERS = {"deputy", "senior", "regional", "military", "religious", "media", "security", "finance",
                  "financial", "provincial", "local", "foreign", "prime", "vice", "chief", "assistant", "acting",
                  "supreme", "press", "national"}
ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
            "eighth": 8, "ninth": 9, "tenth": 10, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4, "5th": 5}
CURRENT = {"current": True, "new": True, "incumbent": True, "former": False, "late": False, "ex": False,
           "previous": False, "slain": False}
_STOP_RIGHT = {",", ".", ";", ":", "(", ")", "\"", "“", "”", "—", "–", "[", "]"}
_QUOTES = {"\"", "“", "”", "'", "‘", "’", "``", "''"}
_GROUP_WORDS = {"group", "organization", "organisation", "movement", "network"}
#: Parts of an organization: "its Korvath branch" is not the organization "its" stands for.
_SUBDIVISIONS = {"branch", "affiliate", "franchise", "province", "wing", "unit", "brigade", "arm", "faction"}
#: Parts whose members are members of the whole ("the Front's military wing").
_UNIT_WORDS = {"wing", "unit", "brigade", "arm"}
#: Words that tie a role to an organization it is not in: "a cleric close to the Front".
_LOOSE_TIES = {"close", "linked", "tied", "affiliated", "allied", "aligned", "loyal", "sympathetic", "near",
               "opposed", "against", "rival"}
#: Verbs whose complement says what their subject is: "X is / became / remains the leader of Y".
COPULAS = {"be", "become", "remain"}
#: Verbs whose "as" phrase says it: "X served as the group's deputy leader".
AS_VERBS = {"serve", "act", "work"}
#: Verbs of naming and describing, and whether "as" may be left out ("named X acting leader").
NAMING = {"name": True, "appoint": True, "choose": False, "select": False, "elect": True, "designate": True,
          "install": True, "promote": True, "consider": True, "call": True, "describe": False, "regard": False,
          "see": False, "view": False, "label": True, "dub": True, "brand": True, "refer": False, "make": True}
#: Verbs that are a role in their object: "X headed the Front's militant cells".
ROLE_VERBS = {"head": "leader", "lead": "leader", "command": "commander", "found": "founder", "co-found": "founder"}


@dataclass
class RolePhrase:
    heads: list[str]
    org: EntityRef | None = None
    country: EntityRef | None = None
    place: EntityRef | None = None
    modifiers: list[str] = field(default_factory=list)
    ordinal: int | None = None
    current: bool | None = None
    qualifier: str | None = None
    words: str = ""


def extract_roles(doc: Doc, found: ArticleEntities, g: gaz.Gazetteer) -> tuple[list[Entity], list[Fact]]:
    """Role and tenure entities, and the holdsRole / roleIn / memberOf / jurisdiction facts."""
    salient = _salient_group(found, g)
    roles: dict[EntityRef, Entity] = {}
    facts: dict[tuple[EntityRef, str, EntityRef | str], Fact] = {}
    read: list[tuple[RolePhrase, EntityRef, Span]] = []
    people = [(s, e, ref) for (s, e), ref in found.at.items() if ref.cls == "Person"]
    for start, end, person in sorted(people):
        span = doc.char_span(start, end, alignment_mode="expand")
        if span is None:
            continue
        sentence = Span(span.sent.start_char, span.sent.end_char)
        read += [(p, person, sentence) for p in _phrases_around(span, found, g, salient)
                 + _predicates(span, found, g, salient)]
        memberships.memberships_by_verb(span, person, found, g, facts)
    for pronoun, person in _pronoun_subjects(doc, found):
        sentence = Span(pronoun.sent.start_char, pronoun.sent.end_char)
        read += [(p, person, sentence) for p in _predicates(pronoun, found, g, salient)]
        memberships.memberships_by_verb(pronoun, person, found, g, facts)
    # A rank is a role only for someone the article gives no office: "Brig. Gen. X said" adds nothing to
    # "Eastern Command spokesman Brig. Gen. X".
    officers = {person for phrase, person, _ in read if any(h not in RANK_HEADS for h in phrase.heads)}
    for phrase, person, sentence in read:
        for head in phrase.heads:
            if head not in RANK_HEADS or person not in officers:
                _add_role(phrase, head, person, sentence, found, g, roles, facts)
    return list(roles.values()), list(facts.values())


def _pronoun_subjects(doc: Doc, found: ArticleEntities) -> list[tuple[SpacySpan, EntityRef]]:
    """A sentence-initial subject "He" / "She" and the one person the sentence before names (by any of
    their names), or of several the one that is its main subject: "Omar Hadi was born in Korvath. He
    joined the Front in 2003." The pronoun stands for no one when that leaves none or two."""
    out: list[tuple[SpacySpan, EntityRef]] = []
    sentences = list(doc.sents)
    for before, sent in itertools.pairwise(sentences):
        first = next((t for t in sent if not t.is_space), None)
        if first is None or first.lower_ not in ("he", "she") or first.dep_ not in ("nsubj", "nsubjpass"):
            continue
        named = {(s, e): ref for (s, e), ref in found.at.items()
                 if ref.cls == "Person" and before.start_char <= s and e <= before.end_char}
        if len(set(named.values())) > 1:  # several people: the one the sentence is about, its main subject
            named = {(s, e): ref for (s, e), ref in named.items() if _main_subject(doc, s, e)}
        if len(set(named.values())) == 1:
            out.append((doc[first.i:first.i + 1], next(iter(named.values()))))
    return out


def _main_subject(doc: Doc, start: int, end: int) -> bool:
    """Whether the name at ``[start, end)`` is the subject of its sentence's main verb."""
    span = doc.char_span(start, end, alignment_mode="expand")
    return span is not None and span.root.dep_ in ("nsubj", "nsubjpass") and span.root.head.dep_ == "ROOT"


def _phrases_around(span: SpacySpan, found: ArticleEntities, g: gaz.Gazetteer,
                    salient: EntityRef | None, plural_ok: bool = False) -> list[RolePhrase]:
    doc = span.doc
    out: list[RolePhrase] = []
    left, i = _left_phrase(doc, span.start, span.sent.start)
    coordinated = span.end + 1 < len(doc) and doc[span.end].lower_ == "and" \
        and doc[span.end + 1].ent_type_ == "PERSON"
    indefinite = i >= span.sent.start and doc[i].lower_ in ("a", "an", "another")
    # "another of its field commanders, X": one of several
    several = i >= span.sent.start and doc[i].lower_ == "another" and bool(left) and left[0].lower_ == "of"
    if left and not _coordinated_before(span):
        phrase = _read(left, found, g, salient, plural_ok=plural_ok or coordinated or several)
        if phrase is not None and indefinite:
            phrase.ordinal = None  # "a second commander, X": another commander, not the second holder
        if phrase is not None:
            out.append(phrase)
    elif _coordinated_before(span):
        # "Front leaders X and Y": Y shares the plural role before X.
        first = _coordinated_before(span)
        if first is not None:
            out += _phrases_around(first, found, g, salient, plural_ok=True)
    # After the name: ", <phrase>" up to the next comma, stop word or verb.
    j = span.end
    if j + 1 < len(doc) and doc[j].text == "," and doc[j + 1].lemma_.lower() in NAMING \
            and doc[j + 1].tag_ in ("VBN", "VBD"):
        # "X, considered a senior Front leader": the parser may not tie the participle to X
        described = _complement(doc, j + 2, span.sent.end, as_needed=not NAMING[doc[j + 1].lemma_.lower()])
        phrase = _read(described, found, g, salient) if described else None
        out += [phrase] if phrase is not None else []
    elif j < len(doc) and doc[j].text == ",":
        right = _right_phrase(doc, j + 1, span.sent.end)
        parts = [_read(part, found, g, salient) for part in _split_coordination(right)]
        for phrase, following in itertools.zip_longest(parts, parts[1:]):
            if phrase is not None and following is not None and not (phrase.org or phrase.country or phrase.place):
                phrase.org = following.org  # "X, founder and leader of the Front": both of the Front
            if phrase is not None:
                out.append(phrase)
    # In brackets: "X [the leader of Y in Korvath]", "X (a Y commander)".
    if j < len(doc) and doc[j].text in ("[", "("):
        inside = _bracketed(doc, j, min(len(doc), j + 30))  # the parser may end a sentence inside brackets
        phrase = _read(inside, found, g, salient) if inside else None
        if phrase is not None:
            out.append(phrase)
    # Copula: "X is / was the leader of Y".
    if j < len(doc) and doc[j].lemma_ == "be" and j + 1 < span.sent.end:
        right = _right_phrase(doc, j + 1, span.sent.end)
        phrase = _read(right, found, g, salient)
        if phrase is not None:
            out.append(phrase)
    return out


def _left_phrase(doc: Doc, first: int, sent_start: int) -> tuple[list[Token], int]:
    """The title right before the token ``first`` (a name's first token), back to a determiner, verb or
    punctuation, and the index of the token that ended it. A comma may separate it from the name ("Its
    second leader, X"), and a rank may stand between them ("its army chief, Brigadier X"); an
    acronym in brackets is passed over ("the Popular Front (PF) deputy X"); "of the" goes on ("the deputy
    head of the Front's media office, X") unless what follows "of" is already a title ("a deputy of
    Front leader X": X is the Front's leader)."""
    while sent_start > 1 and doc[sent_start - 1].text == "." and doc[sent_start - 2].lower_ in RANK_WORDS:
        sent_start = doc[sent_start - 1].sent.start  # "Brig. Gen. X": the parser ended a sentence at "Brig."
    i = first - 1
    if i >= sent_start and doc[i].text == ",":
        i -= 1
    left: list[Token] = []
    while i >= sent_start:
        token = doc[i]
        if token.text == ")":
            opening = _opening(doc, i, sent_start)
            if opening is None:
                break
            i = opening - 1
            continue
        if token.text == "," and left and all(_is_rank(t) for t in left):
            left.insert(0, token)
            i -= 1
            continue
        if token.lower_ == "of" and any(_office(t) and t.tag_ not in ("NNS", "NNPS") for t in left):
            break  # (not "one of the Front's commanders, X")
        if _ends_title(token):
            break
        left.insert(0, token)
        i -= 1
    return left, i


def _ends_title(token: Token) -> bool:
    """Whether a token before a title ends it: a verb, determiner, pronoun or punctuation, a date or another
    name; not a hyphenated word ("self-described"), an organization or place, "its", "of the", a rank."""
    doc, i = token.doc, token.i
    if token.text == "-" or (i > 0 and doc[i - 1].text == "-") or _is_rank(token):
        return False
    if token.ent_type_ in ("ORG", "GPE", "NORP") or token.lower_ in ("its", "their"):
        return False  # "IS leader": an acronym the tagger took for a verb; "Its second leader": the group's
    if token.lower_ in ("the", "its", "their") and i > 0 and doc[i - 1].lower_ == "of":
        return False
    return (token.pos_ in ("VERB", "AUX", "ADP", "DET", "PRON", "SCONJ") and token.lower_ != "of") \
        or token.text in _STOP_RIGHT or token.ent_type_ in ("DATE", "TIME", "PERSON")


def _is_rank(token: Token) -> bool:
    """A rank word before a name ("Gen.", "Major", "Brig"), or the full stop of an abbreviated one."""
    if token.text == "." and token.i > 0:
        return token.doc[token.i - 1].lower_ in RANK_WORDS
    return token.lower_ in RANK_WORDS and token.text[:1].isupper()


def _office(token: Token) -> bool:
    """A title noun other than a rank: "leader", "commander" (not "General")."""
    head = HEADS.get(token.lemma_.lower(), HEADS.get(token.lower_))
    return head is not None and head not in RANK_HEADS and token.pos_ in ("NOUN", "PROPN")


def _opening(doc: Doc, closing: int, sent_start: int) -> int | None:
    """The "(" of a short bracket (up to five tokens) that closes at ``closing``."""
    for k in range(closing - 1, max(sent_start, closing - 6) - 1, -1):
        if doc[k].text == "(":
            return k
    return None


def _bracketed(doc: Doc, opening: int, end: int) -> list[Token]:
    """The tokens between a bracket and the one that closes it before ``end`` (none if it does not close)."""
    closing = {"[": "]", "(": ")"}[doc[opening].text]
    for k in range(opening + 1, end):
        if doc[k].text == closing:
            return [t for t in doc[opening + 1:k] if t.text not in _QUOTES]
    return []


def _coordinated_before(span: SpacySpan) -> SpacySpan | None:
    """For "X and Y", the span of X (a person right before "and")."""
    doc = span.doc
    i = span.start - 1
    if i < 1 or doc[i].lower_ != "and":
        return None
    prev = doc[i - 1]
    if prev.ent_type_ != "PERSON":
        return None
    start = prev.i
    while (start > 0 and doc[start - 1].ent_type_ == "PERSON" and doc[start - 1].ent_iob_ != "B") or \
            (start > 0 and doc[start].ent_iob_ == "I"):
        start -= 1
    return doc[start:prev.i + 1]


def _right_phrase(doc: Doc, start: int, end: int, quotes: bool = False) -> list[Token]:
    """The phrase from ``start`` up to the next comma, stop word or verb (with ``quotes``, quotation marks
    are passed over: 'described X as a "key figure"'). A title right before another name is that name's:
    "the raid killed X, Front commander Y said" gives X nothing."""
    tokens: list[Token] = []
    for token in doc[start:end]:
        if quotes and token.text in _QUOTES:
            continue
        if token.ent_type_ == "PERSON" and not _is_rank(token):
            _, stop = _left_phrase(doc, token.i, start)
            return [t for t in tokens if t.i <= stop]
        if token.text in _STOP_RIGHT or token.dep_ == "mark":
            break  # "X, weeks after the former chief died": a clause, not X's role
        if (token.pos_ in ("VERB", "AUX") and token.tag_ != "VBN") or (token.tag_ == "VBN" and token.lower_ in (
                "known", "believed", "said", "reported", "accused", "suspected", "killed", "targeted")):
            break
        tokens.append(token)
    return tokens


def _split_coordination(tokens: list[Token]) -> list[list[Token]]:
    parts: list[list[Token]] = [[]]
    for token in tokens:
        if token.lower_ == "and" and parts[-1]:
            parts.append([])
        else:
            parts[-1].append(token)
    return [p for p in parts if p]


def _predicates(span: SpacySpan, found: ArticleEntities, g: gaz.Gazetteer,
                salient: EntityRef | None) -> list[RolePhrase]:
    """Roles that a verb gives its subject or object: "X served as Y's deputy leader", "X was named
    (as) the Front's new leader", "investigators regard X as a senior Front official", "X, considered a
    senior Front leader", "X, who became its commander", "X headed the Front's militant cells"."""
    doc, root = span.doc, span.root
    out: list[RolePhrase] = []
    for verb, role in _verbs_about(span):
        if role == "object":  # "described X as ...", "called X its new minister"
            start = span.end if verb.i < span.start else verb.i + 1
            phrase = _complement(doc, start, span.sent.end, as_needed=not NAMING[verb.lemma_.lower()])
        elif verb.lemma_.lower() in ROLE_VERBS:
            done = _role_verb(verb, found, g, salient)
            out += [done] if done is not None else []
            continue
        else:
            phrase = _complement(doc, verb.i + 1, span.sent.end, as_needed=verb.lemma_.lower() in AS_VERBS
                                 or not NAMING.get(verb.lemma_.lower(), True))
        read = _read(phrase, found, g, salient) if phrase else None
        if read is not None and root.i not in {t.i for t in phrase}:
            out.append(read)
    return out


def _verbs_about(span: SpacySpan) -> list[tuple[Token, str]]:
    """The verbs whose complement describes the person, with "subject" or "object": the person is the
    subject of a copula, an "as" verb, a passive naming verb or a role verb ("X was named ..."), is
    described by a participle ("X, considered ..."), or is the object of a naming verb ("named X ...")."""
    root = span.root
    verbs: list[tuple[Token, str]] = []
    lemma = root.head.lemma_.lower()
    if (root.dep_ == "nsubjpass" and lemma in NAMING) or \
            (root.dep_ == "nsubj" and lemma in COPULAS | AS_VERBS | set(ROLE_VERBS)):
        verbs.append((root.head, "subject"))
    elif root.dep_ in ("dobj", "oprd") and root.head.lemma_.lower() in NAMING:
        verbs.append((root.head, "object"))
    elif root.dep_ == "pobj" and root.head.lower_ == "to" and root.head.head.lemma_.lower() == "refer":
        verbs.append((root.head.head, "object"))
    for child in root.children:
        lemma = child.lemma_.lower()
        subjects = [c for c in child.children if c.dep_ in ("nsubj", "nsubjpass") and c.lower_ in ("who", "that")]
        if child.dep_ == "relcl" and subjects and (lemma in COPULAS | AS_VERBS | set(ROLE_VERBS) or
                                                   (subjects[0].dep_ == "nsubjpass" and lemma in NAMING)):
            verbs.append((child, "subject"))  # "X, who served as ...", "X, who was named ..."
        elif child.dep_ == "relcl" and lemma in NAMING and any(c.lower_ == "whom" for c in child.children):
            verbs.append((child, "object"))  # "X, whom the Front called its new treasurer"
        elif child.dep_ == "acl" and child.tag_ == "VBN" and lemma in NAMING:
            verbs.append((child, "subject"))  # "X, considered a senior leader"
    return verbs


def _complement(doc: Doc, start: int, end: int, as_needed: bool) -> list[Token]:
    """What a verb says its subject or object is, from ``start``: past adverbs, "as" and "to be" (with
    ``as_needed``, only a phrase after "as")."""
    k = start
    while k < end and (doc[k].pos_ == "ADV" or doc[k].text in _QUOTES) and doc[k].lower_ != "as":
        k += 1
    if k < end and doc[k].lower_ == "as":
        k += 1
    elif as_needed:
        return []
    if k + 1 < end and doc[k].lower_ == "to" and doc[k + 1].lemma_ == "be":
        k += 2
    while k < end and doc[k].lower_ in ("merely", "only", "just", "now"):
        k += 1
    return _right_phrase(doc, k, end, quotes=True)


def _role_verb(verb: Token, found: ArticleEntities, g: gaz.Gazetteer, salient: EntityRef | None) -> RolePhrase | None:
    """"X headed / led / commanded / founded <organization>": the role the verb names, in the organization its
    object names (nothing when the object names none: "X led the assault")."""
    obj = next((c for c in verb.children if c.dep_ == "dobj"), None)
    if obj is None:
        return None
    tokens = [t for t in obj.subtree if t.i <= obj.i]
    phrase = _read(tokens, found, g, salient, head=ROLE_VERBS[verb.lemma_.lower()])
    if phrase is None or phrase.org is None:
        return None
    phrase.heads[:] = [ROLE_VERBS[verb.lemma_.lower()]]  # "headed the Front's militant cells": not a militant
    return phrase


def _read(tokens: list[Token], found: ArticleEntities, g: gaz.Gazetteer,
          salient: EntityRef | None, plural_ok: bool = False, head: str | None = None) -> RolePhrase | None:
    """A role phrase's heads, organization, country, modifiers, ordinal and current/former (``head``: the
    role a verb gives, when the phrase names none)."""
    words = [t.lower_ for t in tokens]
    heads: list[str] = []
    phrase = RolePhrase(heads=heads, words=" ".join(t.text for t in tokens))
    one_of = (len(words) > 2 and words[0] in ("one", "another") and words[1] == "of") or words[:1] == ["among"]
    after_of = False
    orgs: list[tuple[int, EntityRef, bool]] = []  # (position, organization, before any head)
    loose = False  # after "close to", "linked to", "allied with": an organization the role is not in
    k = -1
    while k + 1 < len(tokens):
        k += 1
        token = tokens[k]
        low = token.lower_
        lemma = token.lemma_.lower()
        compound = _compound_head(words, k)
        ref = found.find(token.idx, token.idx + len(token.text)) if token.ent_type_ else None
        if compound is not None and (token.tag_ not in ("NNS", "NNPS") or one_of or plural_ok):
            heads.append(compound[0])
            k += compound[1] - 1
        elif ref is not None and ref.cls == "Organization" and loose:
            continue  # "a preacher close to the Front": near the Front, not in it
        elif ref is not None and ref.cls == "Organization":
            if orgs and orgs[-1][1] == ref and orgs[-1][0] == k - 1:
                orgs[-1] = (k, ref, orgs[-1][2])  # one mention of several tokens: where it ends
            else:
                orgs.append((k, ref, not heads))
        elif ref is not None and ref.cls == "Location":
            entity = found.by_ref(ref)
            if entity is not None and entity.kind == "Country" and phrase.country is None and not after_of:
                phrase.country = ref
            else:
                phrase.place = phrase.place or ref
        elif low in _GROUP_WORDS and ((k + 1 < len(tokens) and tokens[k + 1].text in ("'s", "’s")) or
                                      (k > 0 and words[k - 1] == "the")):
            group = _antecedent(token, found, g, armed=True) or salient
            if group is not None:
                orgs.append((k, group, not heads))
        elif low in ("its", "their"):
            group = _antecedent(token, found, g, armed=False) or salient  # "Its second leader, X": the group's
            if group is not None:
                orgs.append((k, group, not heads))
        elif low in ORDINALS:
            if k > 0 and words[k - 1] in ("a", "an", "another"):
                continue  # "a second commander": another one, not the second holder
            phrase.ordinal = ORDINALS[low]
        elif low in CURRENT:
            phrase.current = CURRENT[low]
        elif low in KEPT_MODIFIERS and k + 1 < len(tokens):
            if not heads:  # "the deputy head of its foreign intelligence service": "foreign" is the service's
                phrase.modifiers.append(low)
        elif (lemma in HEADS or low in HEADS or low.rstrip(".") in RANK_ABBREVIATIONS) \
                and token.pos_ in ("NOUN", "PROPN", "ADJ"):
            if token.tag_ in ("NNS", "NNPS") and not (one_of or plural_ok):
                continue  # "X, officials said": plural nouns do not describe one person
            found_head = HEADS.get(lemma, HEADS.get(low, RANK_ABBREVIATIONS.get(low.rstrip("."), "")))
            if found_head == "deputy leader" and k + 1 < len(tokens) and \
                    (HEADS.get(tokens[k + 1].lemma_.lower()) or _compound_head(words, k + 1)):
                phrase.modifiers.append("deputy")
                continue
            heads.append(found_head)
        elif low == "of":
            after_of = True
        elif low in _LOOSE_TIES and heads:
            loose = True
        elif low == "responsible":
            phrase.qualifier = " ".join(t.text for t in tokens[k:])
            break
    if not heads and head is not None:
        heads.append(head)
    if not heads:
        return None
    if any(h not in RANK_HEADS for h in heads):
        heads[:] = [h for h in heads if h not in RANK_HEADS]  # "Front commander General X": the command
    heads[:] = list(dict.fromkeys(heads))
    if one_of:
        heads[:] = ["senior leader" if h == "leader" else h for h in heads]
    phrase.org = _organization(orgs, tokens, found, g)
    if phrase.org is not None and phrase.place is not None:
        branch = _branch_in(phrase.org, phrase.place, found, g)
        if branch is not None:  # "the leader of al-Front from Northland": the Front's Northland branch
            phrase.org, phrase.place = branch, None
    return phrase


def _compound_head(words: list[str], k: int) -> tuple[str, int] | None:
    """The title of several words starting at ``words[k]`` ("chief of staff"), and its length."""
    for key, head in COMPOUND_HEADS.items():
        if tuple(words[k:k + len(key)]) == key:
            return head, len(key)
    return None


def _organization(orgs: list[tuple[int, EntityRef, bool]], tokens: list[Token], found: ArticleEntities,
                  g: gaz.Gazetteer) -> EntityRef | None:
    """The organization a role is in: the first named after its title ("the head of the Front's bureau"),
    else the last before it ("Front Eastern Brigade commander"); "its Korvath branch" is a part of the
    organization "its" stands for (the one such part the article names, else none)."""
    named = orgs
    known = [o for o in orgs if _kind(o[1], found) is not None]
    if known and len(known) < len(orgs):
        # "the Front's Korvath Brigade commander": a unit the gazetteer does not know is the Front's
        orgs = known
    after = [o for o in orgs if not o[2] and not (_possessive(tokens, o[0]) and any(p[0] > o[0] for p in orgs))]
    chosen = after[0] if after else (orgs[-1] if orgs else None)
    if chosen is None:
        return None
    position, org, _before = chosen
    part = next((t.lower_ for t in tokens[position + 1:] if t.lemma_.lower() in _SUBDIVISIONS), None)
    named_after = any(o[0] > position for o in named)
    if part is None or named_after:
        return org
    child = _named_part(org, found, g)
    if child is not None:
        return child
    return org if part.rstrip("s") in _UNIT_WORDS else None


def _kind(ref: EntityRef, found: ArticleEntities) -> str | None:
    entity = found.by_ref(ref)
    return entity.kind if entity is not None else None


def _possessive(tokens: list[Token], k: int) -> bool:
    """Whether the organization at ``tokens[k]`` is a possessor: "the Front's elite unit"."""
    return any(t.text in ("'s", "’s", "'", "’") for t in tokens[k + 1:k + 2])


def _named_part(org: EntityRef, found: ArticleEntities, g: gaz.Gazetteer) -> EntityRef | None:
    """The one organization the article names that the gazetteer lists as a part of ``org``."""
    entity = found.by_ref(org)
    if entity is None or entity.gazetteer is None:
        return None
    parts = [e.ref for e in found.entities if e.ref.cls == "Organization" and e.gazetteer
             and getattr(g.organizations.get(e.gazetteer), "parent", None) == entity.gazetteer]
    return parts[0] if len(parts) == 1 else None


def _definite_group(token: Token) -> bool:
    """"the group", "the militant group", "the organization": a group the text named before."""
    if token.lower_ not in _GROUP_WORDS or token.tag_ != "NN":
        return False
    before = [t.lower_ for t in token.doc[max(token.sent.start, token.i - 3):token.i]]
    return "the" in before and not any(t.ent_type_ for t in token.doc[token.i - len(before):token.i])


def _branch_in(org: EntityRef, place: EntityRef, found: ArticleEntities, g: gaz.Gazetteer) -> EntityRef | None:
    """The branch of ``org`` in the country ``place`` that the article names elsewhere: a text that splits
    "the Front in Northland" into the Front and a place still means the Front's Northland branch."""
    entity, where = found.by_ref(org), found.by_ref(place)
    if entity is None or where is None or entity.gazetteer is None or where.gazetteer is None:
        return None
    branches = [e.ref for e in found.entities if e.ref.cls == "Organization" and e.gazetteer
                and (entry := g.organizations.get(e.gazetteer)) is not None
                and entry.parent == entity.gazetteer and entry.country == where.gazetteer]
    return branches[0] if len(branches) == 1 else None


def _antecedent(token: Token, found: ArticleEntities, g: gaz.Gazetteer, armed: bool) -> EntityRef | None:
    """The organization "its" / "the group" stands for: the nearest one named before it in the sentence
    (an armed group or paramilitary force for "the group"; for "its" one of a known kind, no news
    organization); "the Front
    from Northland ... its founder": the Front's Northland branch when the article names it."""
    sentence = token.sent
    best: tuple[int, EntityRef, int] | None = None
    for (start, end), ref in found.at.items():
        if ref.cls != "Organization" or not (sentence.start_char <= start and end <= token.idx):
            continue
        entity = found.by_ref(ref)
        if entity is None or entity.kind in (None, "NewsOrganization") or \
                (armed and not memberships.takes_members(entity)):
            continue  # an organization of unknown kind is too often a misread name to stand for "its"
        if best is None or start > best[0]:
            best = (start, ref, end)
    if not armed:  # "... the worst loss for the militant group since its founder died": the group, not the agency
        group = next((t for t in reversed(token.doc[sentence.start:token.i]) if _definite_group(t)), None)
        if group is not None and (best is None or group.idx > best[0]):
            return _antecedent(group, found, g, armed=True) or _salient_group(found, g)
    if best is None:
        return None
    after = token.doc.char_span(best[2], token.idx, alignment_mode="expand")
    words = list(after) if after is not None else []
    if len(words) > 1 and words[0].lower_ in ("in", "from") and words[1].ent_type_ == "GPE":
        place = found.find(words[1].idx, words[1].idx + len(words[1].text))
        branch = _branch_in(best[1], place, found, g) if place is not None else None
        return branch or best[1]
    return best[1]


def _salient_group(found: ArticleEntities, g: gaz.Gazetteer) -> EntityRef | None:
    """The armed group the article mentions most: what "the group" refers to."""
    counts: Counter[EntityRef] = Counter()
    for entity in found.entities:
        if entity.ref.cls == "Organization" and entity.kind == "ArmedGroup":
            counts[entity.ref] = len(entity.mentions)
    return counts.most_common(1)[0][0] if counts else None


def _add_role(phrase: RolePhrase, head: str, person: EntityRef, sentence: Span, found: ArticleEntities,
              g: gaz.Gazetteer, roles: dict[EntityRef, Entity],
              facts: dict[tuple[EntityRef, str, EntityRef | str], Fact]) -> None:
    role_ref, key, label = _hold(phrase, head, person, sentence, found, g, roles, facts, holds=True)
    if phrase.ordinal is not None or phrase.current is not None:
        _add_tenure(phrase, person, role_ref, key, label, sentence, roles, facts)


def add_role(phrase: RolePhrase, head: str, person: EntityRef, sentence: Span, found: ArticleEntities,
             g: gaz.Gazetteer, roles: dict[EntityRef, Entity],
             facts: dict[tuple[EntityRef, str, EntityRef | str], Fact], holds: bool = True) -> EntityRef:
    """The person's tenure of the role the phrase names (for statements about tenures, such as who
    succeeded whom), and, with ``holds``, that the person holds the role: the tenure's reference."""
    role_ref, key, label = _hold(phrase, head, person, sentence, found, g, roles, facts, holds)
    return _add_tenure(phrase, person, role_ref, key, label, sentence, roles, facts)


def _hold(phrase: RolePhrase, head: str, person: EntityRef, sentence: Span, found: ArticleEntities,
          g: gaz.Gazetteer, roles: dict[EntityRef, Entity], facts: dict[tuple[EntityRef, str, EntityRef | str], Fact],
          holds: bool) -> tuple[EntityRef, str, str]:
    """The role the phrase names (its reference, key and label); with ``holds``, the person holds it
    (and is a member of the armed group or force it is in)."""
    org = found.by_ref(phrase.org) if phrase.org else None
    country = found.by_ref(phrase.country) if phrase.country else None
    place = found.by_ref(phrase.place) if phrase.place else None
    mods = [m for m in phrase.modifiers if m not in head.split()]
    title = " ".join([*mods, head])
    state_office = head in STATE_OFFICES or head.split()[-1] in STATE_OFFICES
    if state_office and org is None:
        label = f"{title} of {country.name}" if country else title
        key = f"{country.name if country else ''} {title}"
    else:
        label = f"{title} of {org.name}" if org else title
        if place is not None and org is not None:
            label += f" in {place.name}"
        if phrase.qualifier:
            label += f" {phrase.qualifier}"
        key = f"{org.name if org else ''} {title}" + (f" in {place.name}" if place and org else "")
    role_ref = EntityRef("Role", fold(key))
    role = roles.get(role_ref)
    if role is None:
        role = roles[role_ref] = Entity(role_ref, label)
    else:
        role.aliases.discard(label)
    if holds:
        _add(facts, Fact(person, "holdsRole", role_ref, sentence))
    if org is not None:
        _add(facts, Fact(role_ref, "roleIn", org.ref, sentence))
        if holds:
            memberships.add_membership(person, org, sentence, found, g, facts)
    elif country is not None and state_office:
        _add(facts, Fact(role_ref, "jurisdiction", country.ref, sentence))
    return role_ref, key, label


def _add_tenure(phrase: RolePhrase, person: EntityRef, role_ref: EntityRef, key: str, label: str, sentence: Span,
                roles: dict[EntityRef, Entity], facts: dict[tuple[EntityRef, str, EntityRef | str], Fact]) -> EntityRef:
    """The person's tenure of the role, with what the phrase says of it (ordinal, current or former)."""
    tenure_ref = EntityRef("Tenure", fold(f"{person.key} {key}"))
    if tenure_ref not in roles:
        roles[tenure_ref] = Entity(tenure_ref, f"{person.key} as {label}")
    _add(facts, Fact(tenure_ref, "holder", person, sentence))
    _add(facts, Fact(tenure_ref, "ofRole", role_ref, sentence))
    if phrase.ordinal is not None:
        _add(facts, Fact(tenure_ref, "ordinal", str(phrase.ordinal), sentence, datatype="integer"))
    if phrase.current is not None:
        _add(facts, Fact(tenure_ref, "current", "true" if phrase.current else "false", sentence, datatype="boolean"))
    return tenure_ref


def _add(facts: dict[tuple[EntityRef, str, EntityRef | str], Fact], fact: Fact) -> None:
    facts.setdefault((fact.subject, fact.predicate, fact.object), fact)


def salient_group(found: ArticleEntities, g: gaz.Gazetteer) -> EntityRef | None:
    """The armed group the article mentions most: what "the group" refers to."""
    return _salient_group(found, g)
