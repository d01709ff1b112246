"""OWL 2 RL reasoning, fast enough to run on every build.

The ontology is compiled once into rule tables; the data is closed under them by forward chaining
over integer-encoded triples, each triple processed once (semi-naive by construction). The rules
are the OWL 2 RL rules the ontology uses:

- ``cax-sco``, ``cax-eqc1/2``: types up the class hierarchy (closed in advance, equivalences included);
- ``prp-spo1``, ``prp-eqp1/2``: statements up the property hierarchy;
- ``prp-inv1/2``, ``prp-symp``, ``prp-trp``: inverses, symmetry, transitivity;
- ``prp-dom``, ``prp-rng``: types from domains and ranges;
- ``prp-spo2``: property chains (longer chains are split into binary ones);
- ``prp-fp``, ``prp-ifp``, ``eq-sym``, ``eq-trans``, ``eq-rep-s/o``: identity, computed over one
  representative per ``owl:sameAs`` class and expanded at the end, which yields the same closure;
- ``cax-dw``, ``cax-adc``: disjointness, reported as :class:`Violation` instead of entailed.

owlrl (the reference semantics) gives the same inferences on every axiom the ontology uses; a test
keeps the two in step.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS
from rdflib.term import Node

log = logging.getLogger(__name__)

_TRIVIAL_TYPES = {OWL.Thing, RDFS.Resource, OWL.NamedIndividual}


@dataclass
class Rules:
    """The ontology's axioms as lookup tables (on rdflib terms)."""

    superclasses: dict[Node, set[Node]] = field(default_factory=dict)
    superproperties: dict[Node, set[Node]] = field(default_factory=dict)
    inverses: dict[Node, set[Node]] = field(default_factory=dict)
    symmetric: set[Node] = field(default_factory=set)
    transitive: set[Node] = field(default_factory=set)
    domains: dict[Node, set[Node]] = field(default_factory=dict)
    ranges: dict[Node, set[Node]] = field(default_factory=dict)
    #: (first, second) -> properties the chain implies
    chains: dict[tuple[Node, Node], set[Node]] = field(default_factory=dict)
    functional: set[Node] = field(default_factory=set)
    inverse_functional: set[Node] = field(default_factory=set)
    disjoint: set[frozenset[Node]] = field(default_factory=set)


def _closure(edges: dict[Node, set[Node]]) -> dict[Node, set[Node]]:
    """Reflexive-transitive closure of a relation given as adjacency sets."""
    out: dict[Node, set[Node]] = {}
    for start in edges:
        seen = {start}
        stack = [start]
        while stack:
            for nxt in edges.get(stack.pop(), ()):
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
        out[start] = seen
    return out


def _links(ontology: Graph, one_way: Node | None = None, both_ways: Node | None = None) -> dict[Node, set[Node]]:
    """Subject -> objects of an axiom predicate; ``both_ways`` predicates link in both directions."""
    out: dict[Node, set[Node]] = defaultdict(set)
    if one_way is not None:
        for a, b in ontology.subject_objects(one_way):
            out[a].add(b)
    if both_ways is not None:
        for a, b in ontology.subject_objects(both_ways):
            out[a].add(b)
            out[b].add(a)
    return dict(out)


def compile_rules(ontology: Graph) -> Rules:
    """Rule tables from an ontology's axioms."""
    rules = Rules()
    rules.superclasses = _closure(_links(ontology, RDFS.subClassOf, both_ways=OWL.equivalentClass))
    rules.superproperties = _closure(_links(ontology, RDFS.subPropertyOf, both_ways=OWL.equivalentProperty))
    rules.inverses = _links(ontology, both_ways=OWL.inverseOf)
    rules.symmetric = set(ontology.subjects(RDF.type, OWL.SymmetricProperty))
    rules.transitive = set(ontology.subjects(RDF.type, OWL.TransitiveProperty))
    rules.functional = set(ontology.subjects(RDF.type, OWL.FunctionalProperty))
    rules.inverse_functional = set(ontology.subjects(RDF.type, OWL.InverseFunctionalProperty))
    rules.domains, rules.ranges = _links(ontology, RDFS.domain), _links(ontology, RDFS.range)
    chains: dict[tuple[Node, Node], set[Node]] = defaultdict(set)
    counter = 0
    for prop, head in ontology.subject_objects(OWL.propertyChainAxiom):
        steps = list(Collection(ontology, head))
        while len(steps) > 2:  # p1 o p2 o p3 -> (p1 o p2) o p3 with an internal property
            counter += 1
            helper = URIRef(f"urn:opskg:chain:{counter}")
            chains[(steps[0], steps[1])].add(helper)
            steps = [helper, *steps[2:]]
        if len(steps) == 2:
            chains[(steps[0], steps[1])].add(prop)
    rules.chains = dict(chains)
    for a, b in ontology.subject_objects(OWL.disjointWith):
        rules.disjoint.add(frozenset((a, b)))
    for node in ontology.subjects(RDF.type, OWL.AllDisjointClasses):
        first = ontology.value(node, OWL.members)
        members = list(Collection(ontology, first)) if first is not None else []
        for i, a in enumerate(members):
            for b in members[i + 1:]:
                rules.disjoint.add(frozenset((a, b)))
    return rules


@dataclass(frozen=True)
class Violation:
    """A resource with two disjoint types: which resource, which classes (N-Triples terms)."""

    resource: str
    first: str
    second: str


class _Codes:
    """Terms (N-Triples strings) <-> integers."""

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}
        self.terms: list[str] = []

    def __call__(self, term: str) -> int:
        code = self.ids.get(term)
        if code is None:
            code = self.ids[term] = len(self.terms)
            self.terms.append(term)
        return code


def _nt(term: Node) -> str:
    return term.n3()


class Reasoner:
    """OWL 2 RL closure of triples of N-Triples terms under compiled :class:`Rules`."""

    def __init__(self, rules: Rules) -> None:
        self.rules = rules
        self.code = _Codes()
        c = self.code

        def n(term: Node) -> int:
            return c(_nt(term))

        self.TYPE = n(RDF.type)
        self.SAME = n(OWL.sameAs)
        self.superclasses = {n(k): {n(v) for v in vs} for k, vs in rules.superclasses.items()}
        self.superproperties = {n(k): {n(v) for v in vs if v != k} for k, vs in rules.superproperties.items()}
        self.inverses = {n(k): {n(v) for v in vs} for k, vs in rules.inverses.items()}
        self.symmetric = {n(p) for p in rules.symmetric}
        self.transitive = {n(p) for p in rules.transitive}
        self.functional = {n(p) for p in rules.functional}
        self.inverse_functional = {n(p) for p in rules.inverse_functional}
        self.domains = {n(k): {n(v) for v in vs} for k, vs in rules.domains.items()}
        self.ranges = {n(k): {n(v) for v in vs} for k, vs in rules.ranges.items()}
        self.first: dict[int, list[tuple[int, int]]] = defaultdict(list)  # p1 -> [(p2, q)]
        self.second: dict[int, list[tuple[int, int]]] = defaultdict(list)  # p2 -> [(p1, q)]
        for (p1, p2), qs in rules.chains.items():
            for q in qs:
                self.first[n(p1)].append((n(p2), n(q)))
                self.second[n(p2)].append((n(p1), n(q)))
        self.disjoint = [(n(a), n(b)) for a, b in (tuple(x) for x in rules.disjoint)]
        self.joined = self.transitive | self.functional | self.inverse_functional | set(self.first) \
            | set(self.second) | {p2 for v in self.first.values() for p2, _q in v} \
            | {p1 for v in self.second.values() for p1, _q in v}
        self.asserted: set[tuple[int, int, int]] = set()
        self.parent: list[int] = []

    def close(self, triples: Iterable[tuple[str, str, str]]) -> set[tuple[int, int, int]]:
        """The closure on one representative per owl:sameAs class (see :meth:`expand`)."""
        code = self.code
        same_pairs = []
        for s, p, o in triples:
            t = (code(s), code(p), code(o))
            self.asserted.add(t)
            if t[1] == self.SAME and not o.startswith('"'):
                same_pairs.append((t[0], t[2]))
        self.parent = list(range(len(code.terms)))
        for a, b in same_pairs:
            _union(self.parent, a, b)
        while True:
            known, merges = self._forward()
            merged = False
            for a, b in merges:
                if _find(self.parent, a) != _find(self.parent, b):
                    _union(self.parent, a, b)
                    merged = True
            if not merged:
                return known

    def _forward(self) -> tuple[set[tuple[int, int, int]], list[tuple[int, int]]]:
        parent = self.parent
        terms = self.code.terms
        literal = {i for i, t in enumerate(terms) if t.startswith('"')}
        known: set[tuple[int, int, int]] = set()
        sp: dict[int, dict[int, set[int]]] = defaultdict(lambda: defaultdict(set))
        po: dict[int, dict[int, set[int]]] = defaultdict(lambda: defaultdict(set))
        merges: list[tuple[int, int]] = []
        queue = [(_find(parent, s), p, _find(parent, o)) for s, p, o in self.asserted if p != self.SAME]
        TYPE, joined = self.TYPE, self.joined
        superclasses, superproperties = self.superclasses, self.superproperties
        inverses, domains, ranges = self.inverses, self.domains, self.ranges
        transitive, symmetric, first, second = self.transitive, self.symmetric, self.first, self.second
        while queue:
            t = queue.pop()
            if t in known:
                continue
            known.add(t)
            s, p, o = t
            if p == TYPE:
                for d in superclasses.get(o, ()):
                    if (s, TYPE, d) not in known:
                        queue.append((s, TYPE, d))
                continue
            if p in joined:
                sp[p][s].add(o)
                po[p][o].add(s)
            for q in superproperties.get(p, ()):
                queue.append((s, q, o))
            if o not in literal:
                for q in inverses.get(p, ()):
                    queue.append((o, q, s))
                if p in symmetric:
                    queue.append((o, p, s))
                for c in ranges.get(p, ()):
                    queue.append((o, TYPE, c))
            for c in domains.get(p, ()):
                queue.append((s, TYPE, c))
            if p in transitive:
                for z in tuple(sp[p].get(o, ())):
                    queue.append((s, p, z))
                for w in tuple(po[p].get(s, ())):
                    queue.append((w, p, o))
            for p2, q in first.get(p, ()):
                for z in tuple(sp[p2].get(o, ())):
                    queue.append((s, q, z))
            for p1, q in second.get(p, ()):
                for w in tuple(po[p1].get(s, ())):
                    queue.append((w, q, o))
            if p in self.functional and o not in literal:
                merges.extend((o, other) for other in sp[p][s] if other != o and other not in literal)
            if p in self.inverse_functional:
                merges.extend((s, other) for other in po[p][o] if other != s)
        return known, merges

    def expand(self, known: set[tuple[int, int, int]]) -> Iterator[tuple[int, int, int]]:
        """The closure over all terms: each representative's statements for every member of its class."""
        members: dict[int, list[int]] = defaultdict(list)
        for x in range(len(self.parent)):
            members[_find(self.parent, x)].append(x)
        for s, p, o in known:
            for s2 in members.get(s, (s,)):
                for o2 in members.get(o, (o,)):
                    yield s2, p, o2
        for group in members.values():
            if len(group) > 1:
                for a in group:
                    for b in group:
                        if a != b:
                            yield a, self.SAME, b

    def violations(self, known: set[tuple[int, int, int]]) -> list[Violation]:
        types: dict[int, set[int]] = defaultdict(set)
        for s, p, o in known:
            if p == self.TYPE:
                types[s].add(o)
        terms = self.code.terms
        out = []
        for s, classes in types.items():
            for a, b in self.disjoint:
                if a in classes and b in classes:
                    first, second = sorted((terms[a], terms[b]))
                    out.append(Violation(terms[s], first, second))
        return out

    def lines(self, inferred: Iterable[tuple[int, int, int]], asserted: set[tuple[int, int, int]],
              instance_base: str) -> list[str]:
        """The inferred triples worth keeping, as N-Triples lines: about instances (IRIs under
        ``instance_base``), not asserted, not internal (a split property chain's), not trivial (``x sameAs
        x``, a type every resource has)."""
        terms = self.code.terms
        prefix = f"<{instance_base}"
        trivial = {self.code(_nt(t)) for t in _TRIVIAL_TYPES}
        internal = {i for i, t in enumerate(terms) if t.startswith("<urn:opskg:chain:")}
        return [f"{terms[s]} {terms[p]} {terms[o]} ." for s, p, o in inferred
                if (s, p, o) not in asserted and p not in internal and terms[s].startswith(prefix)
                and not (p == self.SAME and s == o) and not (p == self.TYPE and o in trivial)]

    def same_classes(self) -> dict[str, set[str]]:
        groups: dict[int, set[str]] = defaultdict(set)
        for x in range(len(self.parent)):
            groups[_find(self.parent, x)].add(self.code.terms[x])
        return {term: group for group in groups.values() if len(group) > 1 for term in group}


def _find(parent: list[int], x: int) -> int:
    while parent[x] != x:
        parent[x] = parent[parent[x]]
        x = parent[x]
    return x


def _union(parent: list[int], a: int, b: int) -> None:
    while len(parent) <= max(a, b):
        parent.append(len(parent))
    ra, rb = _find(parent, a), _find(parent, b)
    if ra != rb:
        parent[max(ra, rb)] = min(ra, rb)


@dataclass
class Inference:
    """What reasoning adds (N-Triples lines), the violations it found, and the owl:sameAs classes."""

    lines: list[str]
    violations: list[Violation]
    #: Every term that has aliases -> all the terms of its owl:sameAs class (N-Triples syntax).
    same: dict[str, set[str]] = field(default_factory=dict)


def reason_terms(triples: Iterable[tuple[str, str, str]], ontology: Graph, instance_base: str,
                 rules: Rules | None = None) -> Inference:
    """The OWL 2 RL closure of triples (N-Triples terms) under ``ontology``, minus what was asserted.

    Only statements about instances (IRIs under ``instance_base``) are kept: the vocabulary's own
    closure and trivial types are of no use to a reader. ``rules``, when the caller has compiled
    them from ``ontology`` already, are used as they are.
    """
    rules = rules or compile_rules(ontology)
    reasoner = Reasoner(rules)
    known = reasoner.close(triples)
    prefix = f"<{instance_base}"
    lines = reasoner.lines(reasoner.expand(known), reasoner.asserted, instance_base)
    violations = [v for v in reasoner.violations(known) if v.resource.startswith(prefix)]
    log.debug("reasoning: %d asserted, %d inferred, %d violations", len(reasoner.asserted), len(lines),
              len(violations))
    return Inference(lines, violations, reasoner.same_classes())


def reason(asserted: Graph, ontology: Graph, instance_base: str) -> Inference:
    """:func:`reason_terms` on an rdflib graph."""
    return reason_terms(((s.n3(), p.n3(), o.n3()) for s, p, o in asserted), ontology, instance_base)


def infer(asserted: Graph, ontology: Graph, instance_base: str) -> Graph:
    """The inferred triples only, as an rdflib graph (see :func:`reason_terms`)."""
    return Graph().parse(data="\n".join(reason(asserted, ontology, instance_base).lines), format="nt")


def reference_infer(asserted: Graph, ontology: Graph, instance_base: str) -> Graph:
    """The same view of the closure computed by owlrl, the reference semantics (slow; for tests and benchmarks)."""
    import owlrl

    closure = Graph()
    for triple in ontology:
        closure.add(triple)
    for triple in asserted:
        closure.add(triple)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False).expand(closure)
    out = Graph()
    for s, p, o in closure:
        if not isinstance(s, URIRef) or not str(s).startswith(instance_base) or (s, p, o) in asserted:
            continue
        if (p == OWL.sameAs and s == o) or (p == RDF.type and o in _TRIVIAL_TYPES):
            continue
        if p == RDF.type and isinstance(o, Literal):
            continue
        out.add((s, p, o))
    return out
