"""Keeping a stored OWL 2 RL closure up to date as asserted triples come and go.

The closure (asserted and inferred triples) is read through a :class:`Lookup`; nothing here reads it
whole. The rules are :mod:`kg.reason`'s.

- Triples added (:func:`reason_increment`): OWL 2 RL without negation is monotonic, so the closure of
  old + new is the old closure plus what forward chaining from the new triples derives, joining with
  the old closure where a rule needs a second premise.
- Triples removed (:func:`reason_change`): DRed, "delete and re-derive" (Gupta, Mumick and
  Subrahmanian, SIGMOD 1993; Motik et al., AAAI 2015). Everything the leaving triples derive in the
  old closure is over-deleted; what is still derivable in one step from what remains is put back, and
  forward chaining from it and from the new triples restores the rest.

Identity is handled rule by rule (``eq-rep`` on each triple met), which suits a small change;
:func:`kg.reason.reason_terms` works on one representative per ``owl:sameAs`` class instead, which
suits a whole graph.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Protocol

from rdflib import Graph

from kg.reason import Reasoner, Rules, Violation, compile_rules

log = logging.getLogger(__name__)

Triple = tuple[str, str, str]
_Coded = tuple[int, int, int]


class Lookup(Protocol):
    """A closure (asserted and inferred triples), looked up by pattern (N-Triples terms; ``None``: any)."""

    def match(self, subject: str | None, predicate: str | None, obj: str | None) -> Iterator[Triple]:
        ...


@dataclass
class Change:
    """What a change of the asserted triples does to the inferred ones (N-Triples lines)."""

    #: inferred triples to add (some may be ones ``retracted`` names: they were derived again)
    lines: list[str]
    #: inferred triples that no longer follow, or may not (re-added through ``lines`` if they do)
    retracted: list[str] = field(default_factory=list)
    violations: list[Violation] = field(default_factory=list)


class _Without:
    """A closure without some triples: what remains of it after an over-deletion."""

    def __init__(self, closure: Lookup, gone: set[Triple]) -> None:
        self.closure = closure
        self.gone = gone

    def match(self, subject: str | None, predicate: str | None, obj: str | None) -> Iterator[Triple]:
        for t in self.closure.match(subject, predicate, obj):
            if t not in self.gone:
                yield t


class _Chain:
    """One rule application at a time: the consequences of a triple, joining with a closure and with the
    triples met so far (which :meth:`note` records)."""

    def __init__(self, reasoner: Reasoner, closure: Lookup) -> None:
        self.r = reasoner
        self.closure = closure
        self.code = reasoner.code
        self.term = reasoner.code.terms.__getitem__
        self.sp: dict[int, dict[int, set[int]]] = defaultdict(lambda: defaultdict(set))
        self.po: dict[int, dict[int, set[int]]] = defaultdict(lambda: defaultdict(set))
        self.by_s: dict[int, set[tuple[int, int]]] = defaultdict(set)  # met triples by subject: (p, o)
        self.by_o: dict[int, set[tuple[int, int]]] = defaultdict(set)  # met triples by object: (s, p)
        # what the closure holds does not change while it is read: each pattern is looked up once
        self._objects: dict[tuple[int, int], set[int]] = {}
        self._subjects: dict[tuple[int, int], set[int]] = {}
        self._identities: bool | None = None

    def coded(self, t: Triple) -> _Coded:
        return self.code(t[0]), self.code(t[1]), self.code(t[2])

    def text(self, t: _Coded) -> Triple:
        return self.term(t[0]), self.term(t[1]), self.term(t[2])

    def literal(self, x: int) -> bool:
        return self.term(x).startswith('"')

    def in_closure(self, t: _Coded) -> bool:
        s, p, o = self.text(t)
        if not s.startswith("<") or not p.startswith("<"):
            return False
        if o.startswith("<"):
            return any(True for _ in self.closure.match(s, p, o))
        return any(x[2] == o for x in self.closure.match(s, p, None))

    def note(self, t: _Coded) -> None:
        s, p, o = t
        self.sp[p][s].add(o)
        self.po[p][o].add(s)
        self.by_s[s].add((p, o))
        self.by_o[o].add((s, p))

    def objects(self, p: int, s: int) -> set[int]:
        stored = self._objects.get((p, s))
        if stored is None:
            found = self.closure.match(self.term(s), self.term(p), None) if self.term(s).startswith("<") else ()
            stored = self._objects[p, s] = {self.code(x[2]) for x in found}
        return stored | self.sp[p].get(s, set())

    def subjects(self, p: int, o: int) -> set[int]:
        stored = self._subjects.get((p, o))
        if stored is None:
            found = self.closure.match(None, self.term(p), self.term(o)) if self.term(o).startswith("<") else ()
            stored = self._subjects[p, o] = {self.code(x[0]) for x in found}
        return stored | self.po[p].get(o, set())

    def aliases(self, x: int) -> set[int]:
        if self._identities is None:  # most closures state no identity at all
            self._identities = any(True for _ in self.closure.match(None, self.term(self.r.SAME), None))
        if not self._identities and not self.sp[self.r.SAME]:
            return set()
        return self.objects(self.r.SAME, x) - {x}

    def consequences(self, t: _Coded) -> list[_Coded]:
        """What one rule derives from ``t`` and one other premise (call :meth:`note` on ``t`` first)."""
        r, s, p, o = self.r, *t
        out: list[_Coded] = []
        if p == r.SAME:
            if s != o:
                out.append((o, r.SAME, s))
                # eq-trans and eq-rep-s/o both ways: (o sameAs s) may be in the closure already, and then
                # is never processed (after an over-deletion the closure is not symmetric any more)
                for x, y in ((s, o), (o, s)):
                    out += [(x, r.SAME, z) for z in self.aliases(y) if z != x]
                    for _s, pred, z in self.closure.match(self.term(y), None, None):
                        out.append((x, self.code(pred), self.code(z)))
                    for w, pred, _o in self.closure.match(None, None, self.term(y)):
                        out.append((self.code(w), self.code(pred), x))
                    out += [(x, pred_, z) for pred_, z in tuple(self.by_s.get(y, ()))]
                    out += [(w, pred_, x) for w, pred_ in tuple(self.by_o.get(y, ()))]
            return out
        literal = self.literal(o)
        out += [(a, p, o) for a in self.aliases(s)]
        if not literal:
            out += [(s, p, a) for a in self.aliases(o)]
        if p == r.TYPE:
            return out + [(s, r.TYPE, d) for d in r.superclasses.get(o, ()) if d != o]
        out += [(s, q, o) for q in r.superproperties.get(p, ())]
        if not literal:
            out += [(o, q, s) for q in r.inverses.get(p, ())]
            if p in r.symmetric:
                out.append((o, p, s))
            out += [(o, r.TYPE, k) for k in r.ranges.get(p, ())]
        out += [(s, r.TYPE, k) for k in r.domains.get(p, ())]
        if p in r.transitive:
            out += [(s, p, z) for z in self.objects(p, o)]
            out += [(w, p, o) for w in self.subjects(p, s)]
        for p2, q in r.first.get(p, ()):
            out += [(s, q, z) for z in self.objects(p2, o)]
        for p1, q in r.second.get(p, ()):
            out += [(w, q, o) for w in self.subjects(p1, s)]
        if p in r.functional and not literal:
            out += [(o, r.SAME, z) for z in self.objects(p, s) if z != o and not self.literal(z)]
        if p in r.inverse_functional:
            out += [(s, r.SAME, w) for w in self.subjects(p, o) if w != s]
        return out


class _Premises:
    """The rules read backwards: what one rule application needs to conclude a triple."""

    def __init__(self, r: Reasoner) -> None:
        self.subclasses: dict[int, set[int]] = defaultdict(set)
        for d, supers in r.superclasses.items():
            for c in supers - {d}:
                self.subclasses[c].add(d)
        self.subproperties: dict[int, set[int]] = defaultdict(set)
        for q, supers in r.superproperties.items():
            for p in supers:
                self.subproperties[p].add(q)
        self.domain_of: dict[int, set[int]] = defaultdict(set)
        for p, classes in r.domains.items():
            for c in classes:
                self.domain_of[c].add(p)
        self.range_of: dict[int, set[int]] = defaultdict(set)
        for p, classes in r.ranges.items():
            for c in classes:
                self.range_of[c].add(p)
        self.chains_to: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for p1, steps in r.first.items():
            for p2, q in steps:
                self.chains_to[q].append((p1, p2))

    def derivable(self, chain: _Chain, t: _Coded) -> bool:
        """Whether one rule concludes ``t`` from premises in ``chain``'s closure."""
        r, (s, p, o) = chain.r, t
        has = chain.in_closure
        if p == r.SAME:
            return (has((o, r.SAME, s)) or bool(chain.objects(r.SAME, s) & chain.subjects(r.SAME, o))
                    or any(chain.subjects(q, s) & chain.subjects(q, o) for q in r.functional)
                    or any(chain.objects(q, s) & chain.objects(q, o) for q in r.inverse_functional))
        literal = chain.literal(o)
        if any(has((a, p, o)) for a in chain.aliases(s)) \
                or (not literal and any(has((s, p, a)) for a in chain.aliases(o))):
            return True
        if p == r.TYPE:
            return (any(has((s, r.TYPE, d)) for d in self.subclasses.get(o, ()))
                    or any(chain.objects(q, s) for q in self.domain_of.get(o, ()))
                    or any(chain.subjects(q, s) for q in self.range_of.get(o, ())))
        if any(has((s, q, o)) for q in self.subproperties.get(p, ())):
            return True
        if not literal and (any(has((o, q, s)) for q in r.inverses.get(p, ()))
                            or (p in r.symmetric and has((o, p, s)))):
            return True
        if p in r.transitive and chain.objects(p, s) & chain.subjects(p, o):
            return True
        return any(chain.objects(p1, s) & chain.subjects(p2, o) for p1, p2 in self.chains_to.get(p, ()))


def _insert(chain: _Chain, seeds: list[_Coded]) -> list[_Coded]:
    """Forward chaining from ``seeds`` against ``chain``'s closure: every triple it adds, seeds included
    (a seed is processed even if the closure holds it: the store may hold an article's triple already)."""
    queue = list(seeds)
    fresh = set(queue)
    local: set[_Coded] = set()
    added: list[_Coded] = []
    while queue:
        t = queue.pop()
        if t in fresh:
            fresh.discard(t)
            if t in local:
                continue
        elif t in local or chain.in_closure(t):
            continue
        local.add(t)
        added.append(t)
        chain.note(t)
        queue += chain.consequences(t)
    return added


def _violations(chain: _Chain, added: Iterable[_Coded], instance_base: str) -> list[Violation]:
    """Disjointness among the types the added triples gave, together with each resource's known types."""
    r, T, out = chain.r, chain.term, []
    for s in {s for s, p, _o in added if p == r.TYPE}:
        classes = chain.objects(r.TYPE, s)
        for a, b in r.disjoint:
            if a in classes and b in classes and T(s).startswith(f"<{instance_base}"):
                first, second = sorted((T(a), T(b)))
                out.append(Violation(T(s), first, second))
    return out


def reason_increment(new: Iterable[Triple], ontology: Graph, instance_base: str, closure: Lookup,
                     rules: Rules | None = None) -> Change:
    """The triples that ``new`` adds to an existing closure, which ``closure`` looks up."""
    return reason_change(new, (), ontology, instance_base, closure, closure, rules)


def reason_change(added: Iterable[Triple], removed: Iterable[Triple], ontology: Graph, instance_base: str,
                  closure: Lookup, inferred: Lookup, rules: Rules | None = None) -> Change:
    """What adding ``added`` and removing ``removed`` (asserted triples) does to a stored closure.

    ``closure`` looks up the closure as it stands (the asserted triples before the change and the
    inferred ones), ``inferred`` the inferred triples alone. Returns the inferred triples to remove
    (everything the removed triples derived, over-deleted) and those to add (what still follows of the
    over-deleted ones, and what the added triples derive), and the disjointness violations the added
    triples bring.
    """
    reasoner = Reasoner(rules or compile_rules(ontology))
    old = _Chain(reasoner, closure)
    gone = [old.coded(t) for t in removed]
    over: set[_Coded] = set()
    stored = _Chain(reasoner, inferred)
    queue, seen = list(gone), set(gone)
    prefix = f"<{instance_base}"
    while queue:  # over-delete: what the leaving triples derive in the old closure
        t = queue.pop()
        old.note(t)
        for x in old.consequences(t):
            if x in seen:
                continue
            seen.add(x)
            # stored as inferred; or not stored (only instances' are) but derived all the same
            if stored.in_closure(x) or (not old.term(x[0]).startswith(prefix) and not old.in_closure(x)):
                over.add(x)
                queue.append(x)
    remaining = _Chain(reasoner, _Without(closure, {old.text(t) for t in (*gone, *over)}))
    premises = _Premises(reasoner)
    # what still follows from what remains, the leaving triples included (asserted no more, but inferred)
    again = [t for t in (*gone, *over) if premises.derivable(remaining, t)]
    asserted = [old.coded(t) for t in added]
    inserted = _insert(remaining, [*asserted, *again])
    retracted = [f"{s} {p} {o} ." for s, p, o in (old.text(t) for t in over) if s.startswith(prefix)]
    log.debug("reasoning: %d asserted triples removed, %d inferred over-deleted, %d derived again, %d added",
              len(gone), len(over), len(again), len(inserted))
    return Change(reasoner.lines(inserted, set(asserted), instance_base), retracted,
                  _violations(remaining, inserted, instance_base))
