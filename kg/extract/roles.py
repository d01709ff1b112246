"""Roles: the positions people hold, read from the phrases around their names.

- before the name: "ISIS leader X", "US President X", "CENTCOM Commander General X",
  "ISIS’ founder and first so-called caliph, X", "Syria's top ISIS jihadist, X";
- after the name: "X, an ISIS official responsible for prisoner affairs", "X, one of the top five
  ISIS leaders and the deputy leader of ISIS in Syria";
- copula: "X is the leader of Y", "X, who was the group's spokesman".

A role is a position shared by its holders ("leader of Islamic State"); what is particular to one
holder (the ordinal, "current", "former", the words used) goes on an ``ops:Tenure``. Holding a role
in an armed group makes the person a member of it. State offices ("US President") are tied to
their country with ``ops:jurisdiction``, not ``ops:roleIn``: a country is a place, not an
organization.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from spacy.tokens import Doc, Token
from spacy.tokens import Span as SpacySpan

from kg import gazetteer as gaz
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
    "envoy": "envoy", "treasurer": "treasurer", "lieutenant": "lieutenant", "aide": "aide",
}
#: Heads that are offices of a state: tied to a country by jurisdiction.
STATE_OFFICES = {"president", "minister", "dictator", "king", "prince", "ambassador", "envoy", "secretary"}
#: Heads that make their holder a member of the (armed) group the role is in.
MEMBERSHIP_HEADS = {"leader", "founder", "deputy leader", "official", "operative", "commander", "militant",
                    "jihadist", "fighter", "member", "financier", "facilitator", "smuggler", "recruiter",
                    "bombmaker", "spokesman", "strategist", "ideologue", "propagandist", "governor", "mufti",
                    "judge", "treasurer", "senior leader", "regional leader", "aide"}
#: Modifiers kept in a role's name.
KEPT_MODIFIERS = {"deputy", "senior", "regional", "military", "religious", "media", "security", "finance",
                  "financial", "provincial", "local", "foreign", "prime", "vice", "chief", "assistant"}
ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
            "eighth": 8, "ninth": 9, "tenth": 10, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4, "5th": 5}
CURRENT = {"current": True, "new": True, "incumbent": True, "former": False, "late": False, "ex": False,
           "previous": False, "slain": False}
_STOP_RIGHT = {",", ".", ";", ":", "(", ")", "\"", "“", "”", "—", "–"}
_GROUP_WORDS = {"group", "organization", "organisation", "movement", "network"}


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
    people = [(s, e, ref) for (s, e), ref in found.at.items() if ref.cls == "Person"]
    for start, end, person in sorted(people):
        span = doc.char_span(start, end, alignment_mode="expand")
        if span is None:
            continue
        sentence = Span(span.sent.start_char, span.sent.end_char)
        for phrase in _phrases_around(span, found, g, salient):
            for head in phrase.heads:
                _add_role(phrase, head, person, sentence, found, g, roles, facts)
    return list(roles.values()), list(facts.values())


def _phrases_around(span: SpacySpan, found: ArticleEntities, g: gaz.Gazetteer,
                    salient: EntityRef | None, plural_ok: bool = False) -> list[RolePhrase]:
    doc = span.doc
    out: list[RolePhrase] = []
    # Before the name: tokens back to a determiner, verb or punctuation (a comma may separate them).
    i = span.start - 1
    if i >= 0 and doc[i].text == ",":
        i -= 1
    left: list[Token] = []
    while i >= span.sent.start:
        token = doc[i]
        hyphenated = token.text == "-" or (i > 0 and doc[i - 1].text == "-")  # "self-described", "so-called"
        named = token.ent_type_ in ("ORG", "GPE", "NORP") or token.lower_ in ("its", "their")
        # "IS leader": an acronym the tagger took for a verb; "Its second leader": the group's
        if not hyphenated and not named and ((token.pos_ in ("VERB", "AUX", "ADP", "DET", "PRON", "SCONJ")
                                and token.lower_ not in ("of",))
                               or token.text in _STOP_RIGHT or token.ent_type_ in ("DATE", "TIME", "PERSON")):
            break
        left.insert(0, token)
        i -= 1
    coordinated = span.end + 1 < len(doc) and doc[span.end].lower_ == "and" \
        and doc[span.end + 1].ent_type_ == "PERSON"
    indefinite = i >= span.sent.start and doc[i].lower_ in ("a", "an", "another")
    if left and not _coordinated_before(span):
        phrase = _read(left, found, g, salient, plural_ok=plural_ok or coordinated)
        if phrase is not None and indefinite:
            phrase.ordinal = None  # "a second commander, X": another commander, not the second holder
        if phrase is not None:
            out.append(phrase)
    elif _coordinated_before(span):
        # "ISIS leaders X and Y": Y shares the plural role before X.
        first = _coordinated_before(span)
        if first is not None:
            out += _phrases_around(first, found, g, salient, plural_ok=True)
    # After the name: ", <phrase>" up to the next comma, stop word or verb.
    j = span.end
    if j < len(doc) and doc[j].text == ",":
        right = _right_phrase(doc, j + 1, span.sent.end)
        for part in _split_coordination(right):
            phrase = _read(part, found, g, salient)
            if phrase is not None:
                out.append(phrase)
    # Copula: "X is / was the leader of Y".
    if j < len(doc) and doc[j].lemma_ == "be" and j + 1 < span.sent.end:
        right = _right_phrase(doc, j + 1, span.sent.end)
        phrase = _read(right, found, g, salient)
        if phrase is not None:
            out.append(phrase)
    return out


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


def _right_phrase(doc: Doc, start: int, end: int) -> list[Token]:
    tokens: list[Token] = []
    for token in doc[start:end]:
        if token.text in _STOP_RIGHT or token.ent_type_ == "PERSON" or token.dep_ == "mark":
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


def _read(tokens: list[Token], found: ArticleEntities, g: gaz.Gazetteer,
          salient: EntityRef | None, plural_ok: bool = False) -> RolePhrase | None:
    """A role phrase's heads, organization, country, modifiers, ordinal and current/former."""
    words = [t.lower_ for t in tokens]
    heads: list[str] = []
    phrase = RolePhrase(heads=heads, words=" ".join(t.text for t in tokens))
    one_of = len(words) > 2 and words[0] == "one" and words[1] == "of"
    after_of = False
    for k, token in enumerate(tokens):
        low = token.lower_
        lemma = token.lemma_.lower()
        ref = found.find(token.idx, token.idx + len(token.text)) if token.ent_type_ else None
        if ref is not None and ref.cls == "Organization":
            if phrase.org is None:
                phrase.org = ref
        elif ref is not None and ref.cls == "Location":
            entity = found.by_ref(ref)
            if entity is not None and entity.kind == "Country" and phrase.country is None and not after_of:
                phrase.country = ref
            else:
                phrase.place = phrase.place or ref
        elif low in _GROUP_WORDS and ((k + 1 < len(tokens) and tokens[k + 1].text in ("'s", "’s")) or
                                      (k > 0 and words[k - 1] == "the")) and phrase.org is None:
            phrase.org = salient
        elif low in ("its", "their") and phrase.org is None:
            phrase.org = salient  # "Its second leader, X": the group the article is about
        elif low in ORDINALS:
            if k > 0 and words[k - 1] in ("a", "an", "another"):
                continue  # "a second commander": another one, not the second holder
            phrase.ordinal = ORDINALS[low]
        elif low in CURRENT:
            phrase.current = CURRENT[low]
        elif low in KEPT_MODIFIERS and k + 1 < len(tokens):
            phrase.modifiers.append(low)
        elif (lemma in HEADS or low in HEADS) and token.pos_ in ("NOUN", "PROPN", "ADJ"):
            if token.tag_ in ("NNS", "NNPS") and not (one_of or plural_ok):
                continue  # "X, officials said": plural nouns do not describe one person
            head = HEADS.get(lemma, HEADS.get(low, ""))
            if head == "deputy leader" and k + 1 < len(tokens) and HEADS.get(tokens[k + 1].lemma_.lower()):
                phrase.modifiers.append("deputy")
                continue
            heads.append(head)
        elif low == "of":
            after_of = True
        elif low == "responsible":
            phrase.qualifier = " ".join(t.text for t in tokens[k:])
            break
    if not heads:
        return None
    if one_of:
        heads[:] = ["senior leader" if h == "leader" else h for h in heads]
    return phrase


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
    role_ref, key, label = _hold(phrase, head, person, sentence, found, roles, facts, holds=True)
    if phrase.ordinal is not None or phrase.current is not None:
        _add_tenure(phrase, person, role_ref, key, label, sentence, roles, facts)


def add_role(phrase: RolePhrase, head: str, person: EntityRef, sentence: Span, found: ArticleEntities,
             g: gaz.Gazetteer, roles: dict[EntityRef, Entity],
             facts: dict[tuple[EntityRef, str, EntityRef | str], Fact], holds: bool = True) -> EntityRef:
    """The person's tenure of the role the phrase names (for statements about tenures, such as who
    succeeded whom), and, with ``holds``, that the person holds the role: the tenure's reference."""
    role_ref, key, label = _hold(phrase, head, person, sentence, found, roles, facts, holds)
    return _add_tenure(phrase, person, role_ref, key, label, sentence, roles, facts)


def _hold(phrase: RolePhrase, head: str, person: EntityRef, sentence: Span, found: ArticleEntities,
          roles: dict[EntityRef, Entity], facts: dict[tuple[EntityRef, str, EntityRef | str], Fact],
          holds: bool) -> tuple[EntityRef, str, str]:
    """The role the phrase names (its reference, key and label); with ``holds``, the person holds it
    (and is a member of the armed group it is in)."""
    org = found.by_ref(phrase.org) if phrase.org else None
    country = found.by_ref(phrase.country) if phrase.country else None
    place = found.by_ref(phrase.place) if phrase.place else None
    mods = [m for m in phrase.modifiers if m not in head.split()]
    title = " ".join([*mods, head])
    if head in STATE_OFFICES and org is None:
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
        if holds and head in MEMBERSHIP_HEADS and org.kind == "ArmedGroup":
            _add(facts, Fact(person, "memberOf", org.ref, sentence))
    elif country is not None and head in STATE_OFFICES:
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
