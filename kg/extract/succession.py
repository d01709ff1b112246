"""Succession: the tenures that articles say followed one another.

The statements read by :mod:`kg.extract.succession_statements` become links between two tenures of one
position (made with :func:`kg.extract.roles.add_role`): the later tenure ``ops:follows`` the earlier one
when the text says nobody came between, and ``ops:comesAfter`` it otherwise ("his three predecessors,
A, B and C"). Each link is a fact with its sentence as evidence; :mod:`kg.corpus` merges them across
articles with the ordinals and dates.

The position is the one the sentence names; else one that either person holds in the article; else the
leadership of the armed group the sentence names, or of the one the article is about when either person
has a part in it. When an article names a new holder without saying whom he replaced, and exactly one
other holder of the same position is reported dead (or called late, previous or slain) in the article,
the new holder directly follows that one: the article is about who leads now and whom he replaced.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from spacy.tokens import Doc, Token

from kg import gazetteer as gaz
from kg.extract.entities import ArticleEntities
from kg.extract.roles import RolePhrase, add_role, salient_group
from kg.extract.succession_statements import (
    TITLES,
    Statement,
    StatementReader,
    called_ended,
    is_title,
    reported_dead,
    secretary_general,
)
from kg.model import Entity, EntityRef, Fact
from kg.names import fold, skeleton

log = logging.getLogger(__name__)


@dataclass
class _Context:
    doc: Doc
    found: ArticleEntities
    g: gaz.Gazetteer
    roles: dict[EntityRef, Entity]
    facts: dict[tuple[EntityRef, str, EntityRef | str], Fact]
    salient: EntityRef | None


def extract_successions(doc: Doc, found: ArticleEntities, g: gaz.Gazetteer, role_entities: list[Entity],
                        role_facts: list[Fact], killed: Iterable[EntityRef] = ()) -> tuple[list[Entity], list[Fact]]:
    """The role and tenure entities and facts, with the tenures the succession statements link and
    the ``follows`` / ``comesAfter`` facts between them (and ``startDate`` where stated)."""
    context = _Context(doc, found, g, {e.ref: e for e in role_entities},
                       {(f.subject, f.predicate, f.object): f for f in role_facts}, salient_group(found, g))
    officials = {f.subject for f in role_facts if f.predicate == "holdsRole" and isinstance(f.object, EntityRef)
                 and any(g2.subject == f.object and g2.predicate == "jurisdiction" for g2 in role_facts)}
    reader = StatementReader(doc, found, officials)
    statements = list(reader.statements())
    dead = set(killed) | {s.earlier for s in statements if s.earlier is not None and s.earlier_died}
    dead |= reported_dead(reader)
    linked: set[EntityRef] = set()
    for statement in statements:
        role = _role_of(statement, context)
        if role is None or statement.later is None:
            continue
        later = _tenure(statement.later, role, statement, context)
        if statement.start:
            _add(context, Fact(later, "startDate", statement.start, statement.sentence, datatype="gYear"))
        if statement.earlier is None:
            continue
        earlier = _tenure(statement.earlier, role, statement, context)
        _add(context, Fact(later, "follows" if statement.direct else "comesAfter", earlier, statement.sentence))
        linked.add(statement.later)
    for statement in statements:
        # A new holder the article reports dead is not the one it announces ("the slain leader was appointed
        # in 2022"): whom he replaced is not what the article is about.
        if statement.new and statement.earlier is None and statement.later not in linked | dead:
            _replaced(statement, context, dead, reader)
    return list(context.roles.values()), list(context.facts.values())


def _add(context: _Context, fact: Fact) -> None:
    context.facts.setdefault((fact.subject, fact.predicate, fact.object), fact)


@dataclass(frozen=True)
class _Role:
    head: str
    org: EntityRef | None
    country: EntityRef | None
    #: The sentence names the position (so both people held it, as far as it says); otherwise it is one
    #: that one of them holds, and only the tenures say the other held it too.
    stated: bool = True


def _role_of(statement: Statement, context: _Context) -> _Role | None:
    """The position a statement is about: the one its sentence names, else a single-holder one that either
    person holds in the article."""
    if statement.role is not None:
        role = _read_role(statement.role, context)
        if role is not None:
            return role
    for person in (statement.later, statement.earlier):
        if person is None:
            continue
        held = _held(person, context)
        if held:
            role = held[0]
            if role.org is None and role.country is None and role.head in ("leader", "commander"):
                role = _Role(role.head, context.salient, None, stated=False)  # "the new caliph, X": of the group
            return role
    # Else the leadership of the armed group the sentence names ("G has named X to succeed Y"), or of the one
    # the article is about when either person has a part in it ("Y's successor, X").
    for (start, end), ref in sorted(context.found.at.items()):
        entity = context.found.by_ref(ref) if ref.cls == "Organization" else None
        if entity is not None and entity.kind == "ArmedGroup" and \
                statement.sentence.start <= start and end <= statement.sentence.end:
            return _Role("leader", ref, None, stated=False)
    people = {p for p in (statement.later, statement.earlier) if p is not None}
    involved = any((s in people and p in ("holdsRole", "memberOf")) or (p == "holder" and o in people)
                   for (s, p, o) in context.facts)
    if context.salient is not None and involved:
        return _Role("leader", context.salient, None, stated=False)
    return None


def _read_role(token: Token, context: _Context) -> _Role | None:
    word = token.lemma_.lower()
    if word == "lead":  # "X leads G": the organization is the verb's object
        obj = next((c for c in token.children if c.dep_ == "dobj"), None)
        return _read_role(obj, context) if obj is not None and obj.lemma_.lower() in TITLES else \
            _leadership_of(obj, context)
    if word in ("leadership", "command", "helm", "reins", "control", "post"):
        head = "commander" if word == "command" else "leader"
    elif word == "minister" and any(c.lower_ in ("prime",) for c in token.children):
        head = "prime minister"
    elif secretary_general(token):
        head = "secretary general"
    elif word == "chief" and any(c.dep_ == "prep" and any(p.lower_ == "staff" for p in c.children)
                                 for c in token.children):
        head = "chief of staff"
    elif word in TITLES:
        head = TITLES[word]
    else:
        return None
    org: EntityRef | None = None
    country: EntityRef | None = None
    for t in token.subtree:
        ref = context.found.find(t.idx, t.idx + len(t.text)) if t.ent_type_ else None
        if ref is not None and ref.cls == "Organization" and org is None:
            org = ref
        elif ref is not None and ref.cls == "Location" and country is None:
            entity = context.found.by_ref(ref)
            if entity is not None and entity.kind == "Country":
                country = ref
    if org is None:
        org = _organization_of_verb(token, context)
    if org is None and country is None:
        org, country = _only_position(head, context)  # "was named interim president" of the one in the article
    if org is None and country is None and head not in ("president", "king", "prime minister"):
        org = context.salient  # "its new leader", "the new caliph" in an article about one group
    return _Role(head, org, country)


def _only_position(head: str, context: _Context) -> tuple[EntityRef | None, EntityRef | None]:
    """The organization or country of the article's one position with this title, if there is one."""
    found = set()
    for ref, entity in context.roles.items():
        if ref.cls != "Role" or not _equivalent(_title(entity), head):
            continue
        org = next((o for (s, p, o) in context.facts if s == ref and p == "roleIn" and isinstance(o, EntityRef)),
                   None)
        country = next((o for (s, p, o) in context.facts if s == ref and p == "jurisdiction"
                        and isinstance(o, EntityRef)), None)
        if org is not None or country is not None:
            found.add((org, country))
    return next(iter(found)) if len(found) == 1 else (None, None)


def _title(role: Entity) -> str:
    title = role.name.split(" of ")[0].strip().lower()
    return TITLES.get(title, title)


def _equivalent(a: str, b: str, armed: bool = True) -> bool:
    """The same position: the same title, or, in a force or state body (not an armed group, whose
    commanders are many), its head and its commander."""
    return a == b or (not armed and {a, b} == {"leader", "commander"})


def _leadership_of(group: Token | None, context: _Context) -> _Role | None:
    """The leadership of the organization a phrase names ("led the Northern Front")."""
    for t in group.subtree if group is not None else ():
        ref = context.found.find(t.idx, t.idx + len(t.text)) if t.ent_type_ else None
        if ref is not None and ref.cls == "Organization":
            return _Role("leader", ref, None)
    return None


def _organization_of_verb(token: Token, context: _Context) -> EntityRef | None:
    """The organization that names the holder: "G named X as its new leader"."""
    verb = token.head.head if token.dep_ == "pobj" else token.head
    subject = next((c for c in verb.children if c.dep_ == "nsubj"), None)
    if subject is None:
        return None
    for t in subject.subtree:
        ref = context.found.find(t.idx, t.idx + len(t.text)) if t.ent_type_ else None
        if ref is not None and ref.cls == "Organization":
            entity = context.found.by_ref(ref)
            if entity is not None and entity.kind in ("ArmedGroup", None):
                return ref
    return None


def _held(person: EntityRef, context: _Context) -> list[_Role]:
    """The single-holder positions the person holds in the article, most specific first."""
    out = []
    ordered = sorted(context.facts.items(), key=lambda kv: kv[1].sentence)
    tenures = {s for (s, p, o), _ in ordered if p == "holder" and o == person}
    held = [o for (s, p, o), _ in ordered if (s == person and p == "holdsRole") or (s in tenures and p == "ofRole")]
    for obj in dict.fromkeys(held):
        if not isinstance(obj, EntityRef):
            continue
        entity = context.roles.get(obj)
        if entity is None:
            continue
        title = entity.name.split(" of ")[0].strip().lower()
        head = TITLES.get(title, title)
        if head not in set(TITLES.values()) | {"chief of staff"}:
            continue
        org = next((o for (s, p, o) in context.facts if s == obj and p == "roleIn" and isinstance(o, EntityRef)),
                   None)
        country = next((o for (s, p, o) in context.facts if s == obj and p == "jurisdiction"
                        and isinstance(o, EntityRef)), None)
        out.append(_Role(head, org, country, stated=False))
    return sorted(out, key=lambda r: (r.org is None and r.country is None))


def _tenure(person: EntityRef, role: _Role, statement: Statement, context: _Context) -> EntityRef:
    later = person == statement.later
    phrase = RolePhrase(heads=[role.head], org=role.org, country=role.country,
                        current=True if statement.current and later else None,
                        ordinal=statement.ordinal if later else None)
    head = role.head
    if head == "chief of staff":
        phrase.modifiers = []
    return add_role(phrase, head, person, statement.sentence, context.found, context.g, context.roles,
                    context.facts, holds=role.stated)


def _replaced(statement: Statement, context: _Context, dead: set[EntityRef], reader: StatementReader) -> None:
    """A new holder whose predecessor the sentence does not name: the one other holder of the position
    that the article reports dead or calls late / previous / slain, if there is exactly one."""
    role = _role_of(statement, context)
    if role is None:  # "X has been appointed as successor": to the one holder of a position reported dead
        held = {r for person in dead | {p for _s, _e, p in reader.people if called_ended(p, reader)}
                for r in _held(person, context) if r.org is not None or r.country is not None}
        role = held.pop() if len(held) == 1 else None
    if role is None or statement.later is None:
        return
    later = _tenure(statement.later, role, statement, context)
    role_ref = next(o for (s, p, o) in context.facts if s == later and p == "ofRole")
    same = {r for r in context.roles if r.cls == "Role" and _same_position(r, role, context)} | {role_ref}
    tenures_in = {s for (s, p, o) in context.facts if p == "ofRole" and o in same}
    holders = {s for (s, p, o) in context.facts if p == "holdsRole" and o in same}
    holders |= {o for (s, p, o) in context.facts if p == "holder" and s in tenures_in and isinstance(o, EntityRef)}
    holders |= _named_holders(role, context, reader)
    holders.discard(statement.later)
    ended = {h for h in holders if h in dead or called_ended(h, reader)}
    # Of those, the latest: drop anyone the article says came before another one of them.
    tenures = {_tenure_of(h, r): h for h in ended for r in same}
    earlier_ones = {tenures[o] for (s, p, o) in context.facts
                    if p in ("follows", "comesAfter") and s in tenures and o in tenures and tenures[s] != tenures[o]}
    ended -= earlier_ones
    if len(ended) > 1:
        # Several: the one the article reports before (or in) the sentence that names the new holder.
        ended = {h for h in ended if any(r == h and s < statement.sentence.end for s, _e, r in reader.people)}
    if len(ended) != 1:
        if ended:
            log.debug("new holder %s: %d possible predecessors, none chosen", statement.later.key, len(ended))
        return
    [earlier_person] = ended
    earlier = _tenure(earlier_person, role, Statement(earlier_person, None, False, statement.sentence), context)
    _add(context, Fact(later, "follows", earlier, statement.sentence))


def _named_holders(role: _Role, context: _Context, reader: StatementReader) -> set[EntityRef]:
    """People named beside a word for the same position anywhere in the article: "the prime minister of
    the rebel government, Y, ..."."""
    out = set()
    for token in reader.doc:
        if not is_title(token) or reader.deputy(token) or token.ent_type_ == "PERSON":
            continue
        other = _read_role(token, context)
        if other is None or not _equivalent(other.head, role.head, armed=True):
            continue
        if other.org is not None and role.org is not None and other.org != role.org:
            continue
        holder = reader.holder_beside(token)
        if holder is not None:
            out.add(holder)
    return out


def _same_position(role_ref: EntityRef, role: _Role, context: _Context) -> bool:
    """The role is the position ``role``: the same title in an organization spelt alike ("al-Qaida",
    "Al-Qaeda")."""
    entity = context.roles.get(role_ref)
    if entity is None or role.org is None:
        return False
    org = next((o for (s, p, o) in context.facts if s == role_ref and p == "roleIn" and isinstance(o, EntityRef)),
               None)
    if org is None:
        return False
    a, b = context.found.by_ref(org), context.found.by_ref(role.org)
    if a is None or b is None or not (org == role.org or _skeleton(a.name) == _skeleton(b.name)):
        return False
    return _equivalent(_title(entity), role.head, armed=b.kind == "ArmedGroup")


def _skeleton(name: str) -> list[str]:
    return [skeleton(w) for w in fold(name).split()]


def _tenure_of(person: EntityRef, role: EntityRef | str) -> EntityRef:
    key = role.key if isinstance(role, EntityRef) else role
    return EntityRef("Tenure", fold(f"{person.key} {key}"))
