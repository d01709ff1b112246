"""Memberships: who serves in an armed group or a paramilitary force (``ops:memberOf``).

A person is a member of such an organization when the text gives them

- any role in it (:func:`add_membership`, called for each role held): "the Northern Front's treasurer X",
  "the Front's prime minister X" (an office of a group's own government is a role in the group);
- a verb of membership (:func:`memberships_by_verb`): "X joined the Northern Front in 2003", "X, who
  fought for HAS", "X served in the Coastal Guard Corps", "X worked for the Front".

Whoever serves in a unit or wing serves in the organization it is a unit of (the gazetteer's ``link``
column): a commander of a corps' expeditionary force is a member of the corps too. A branch, province or
affiliate is a group of its own: its leader is not thereby a member of the group it pledged to.

Regular armies, commands and government bodies have officials, not members: their people get roles only.
"""

from __future__ import annotations

import logging

from spacy.tokens import Span as SpacySpan
from spacy.tokens import Token

from kg import gazetteer as gaz
from kg.extract.entities import ArticleEntities
from kg.model import Entity, EntityRef, Fact, Span

log = logging.getLogger(__name__)

Facts = dict[tuple[EntityRef, str, EntityRef | str], Fact]

#: Verbs of membership -> the prepositions that introduce the organization (None: the direct object).
MEMBER_VERBS: dict[str, tuple[str | None, ...]] = {
    "join": (None,), "rejoin": (None,), "serve": ("in", "with"), "fight": ("for", "alongside"),
    "work": ("for",), "belong": ("to",), "enlist": ("in",),
}
#: Relative pronouns: "X, who joined the Front": the clause's subject is X.
RELATIVES = {"who", "that", "whom"}


def takes_members(entity: Entity | None) -> bool:
    """Whether people serve in the organization as members: an armed group or a paramilitary force."""
    return entity is not None and entity.ref.cls == "Organization" and entity.kind in gaz.MEMBERSHIP_CLASSES


def add_membership(person: EntityRef, org: Entity, sentence: Span, found: ArticleEntities, g: gaz.Gazetteer,
                   facts: Facts) -> None:
    """``person`` is a member of ``org`` (when it takes members) and of each organization, named in the
    article, that ``org`` is a unit or wing of."""
    if not takes_members(org):
        return
    _add(facts, Fact(person, "memberOf", org.ref, sentence))
    entry = g.organizations.get(org.gazetteer or "")
    if entry is None:
        return
    for wider in g.enclosing_forces(entry):
        named = next((e for e in found.entities if e.gazetteer == wider.name and e.ref.cls == "Organization"), None)
        if takes_members(named) and named is not None:
            _add(facts, Fact(person, "memberOf", named.ref, sentence, origin="gazetteer"))


def memberships_by_verb(span: SpacySpan, person: EntityRef, found: ArticleEntities, g: gaz.Gazetteer,
                        facts: Facts) -> None:
    """Memberships the verbs whose subject is the person state: "X joined HAS", "X, who fought for the
    Northern Front", "He served in the Coastal Guard Corps" (``span`` is then the pronoun)."""
    sentence = Span(span.sent.start_char, span.sent.end_char)
    for verb in _verbs_of(span):
        preps = MEMBER_VERBS.get(verb.lemma_.lower())
        if preps is None or any(c.dep_ == "neg" or c.lower_ in ("never", "not", "n't") for c in verb.children):
            continue  # "X never joined the Front"
        for obj in _objects(verb, preps):
            org = _organization_in(obj, found)
            if org is not None:
                log.debug("%s is a member of %s (%s)", person.key, org.name, verb.text)
                add_membership(person, org, sentence, found, g, facts)


def _verbs_of(span: SpacySpan) -> list[Token]:
    """The verbs the person is the subject of: as the subject itself, or through a relative clause."""
    root = span.root
    verbs: list[Token] = []
    if root.dep_ in ("nsubj", "nsubjpass"):
        verbs.append(root.head)
    for child in root.children:
        if child.dep_ == "relcl" and any(c.dep_ in ("nsubj", "nsubjpass") and c.lower_ in RELATIVES
                                         for c in child.children):
            verbs.append(child)
    # "X joined the Front and fought for it": the coordinated verbs share the subject.
    return verbs + [c for v in verbs for c in v.children if c.dep_ == "conj" and c.pos_ == "VERB"]


def _objects(verb: Token, preps: tuple[str | None, ...]) -> list[Token]:
    """The verb's direct objects (None in ``preps``) and the objects of its listed prepositions."""
    out: list[Token] = []
    for child in verb.children:
        if child.dep_ == "dobj" and None in preps:
            out.append(child)
        elif child.dep_ == "prep" and child.lower_ in preps:
            out += [c for c in child.children if c.dep_ == "pobj"]
    return out


def _organization_in(obj: Token, found: ArticleEntities) -> Entity | None:
    """The organization the object phrase names, up to its head noun: "the Front", "the Front's government"
    (not "a cell fighting against HAS"); "the ranks of HAS" names HAS."""
    if obj.lemma_.lower() == "rank":
        obj = next((c for p in obj.children if p.lower_ == "of" for c in p.children if c.dep_ == "pobj"), obj)
    for token in obj.subtree:
        if token.i > obj.i or not token.ent_type_:
            continue
        ref = found.find(token.idx, token.idx + len(token.text))
        if ref is not None and ref.cls == "Organization":
            return found.by_ref(ref)
    return None


def _add(facts: Facts, fact: Fact) -> None:
    facts.setdefault((fact.subject, fact.predicate, fact.object), fact)
