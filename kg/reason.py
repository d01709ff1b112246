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

from rdflib import BNode, Graph, Literal, URIRef
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


def compile_rules(ontology: Graph) -> Rules:
    """Rule tables from an ontology's axioms."""
    sub_c: dict[Node, set[Node]] = defaultdict(set)
    sub_p: dict[Node, set[Node]] = defaultdict(set)
    for c, d in ontology.subject_objects(RDFS.subClassOf):
        sub_c[c].add(d)
    for c, d in ontology.subject_objects(OWL.equivalentClass):
        sub_c[c].add(d)
        sub_c[d].add(c)
    for p, q in ontology.subject_objects(RDFS.subPropertyOf):
        sub_p[p].add(q)
    for p, q in ontology.subject_objects(OWL.equivalentProperty):
        sub_p[p].add(q)
        sub_p[q].add(p)
    rules = Rules()
    rules.superclasses = _closure(sub_c)
    rules.superproperties = _closure(sub_p)
    inverses: dict[Node, set[Node]] = defaultdict(set)
    for p, q in ontology.subject_objects(OWL.inverseOf):
        inverses[p].add(q)
        inverses[q].add(p)
    rules.inverses = dict(inverses)
    rules.symmetric = set(ontology.subjects(RDF.type, OWL.SymmetricProperty))
    rules.transitive = set(ontology.subjects(RDF.type, OWL.TransitiveProperty))
    rules.functional = set(ontology.subjects(RDF.type, OWL.FunctionalProperty))
    rules.inverse_functional = set(ontology.subjects(RDF.type, OWL.InverseFunctionalProperty))
    domains: dict[Node, set[Node]] = defaultdict(set)
    ranges: dict[Node, set[Node]] = defaultdict(set)
    for p, c in ontology.subject_objects(RDFS.domain):
        domains[p].add(c)
    for p, c in ontology.subject_objects(RDFS.range):
        ranges[p].add(c)
    rules.domains, rules.ranges = dict(domains), dict(ranges)
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
    """A resource with two disjoint types: which resource, which classes."""

    resource: Node
    first: Node
    second: Node


class _Codes:
    """Terms <-> integers."""

    def __init__(self) -> None:
        self.ids: dict[Node, int] = {}
        self.terms: list[Node] = []

    def __call__(self, term: Node) -> int:
        code = self.ids.get(term)
        if code is None:
            code = self.ids[term] = len(self.terms)
            self.terms.append(term)
        return code


class Reasoner:
    """OWL 2 RL closure of a set of triples under compiled :class:`Rules`."""

    def __init__(self, rules: Rules) -> None:
        self.rules = rules
        self.code = _Codes()
        c = self.code
        self.TYPE = c(RDF.type)
        self.SAME = c(OWL.sameAs)
        self.superclasses = {c(k): {c(v) for v in vs} for k, vs in rules.superclasses.items()}
        self.superproperties = {c(k): {c(v) for v in vs if v != k} for k, vs in rules.superproperties.items()}
        self.inverses = {c(k): {c(v) for v in vs} for k, vs in rules.inverses.items()}
        self.symmetric = {c(p) for p in rules.symmetric}
        self.transitive = {c(p) for p in rules.transitive}
        self.functional = {c(p) for p in rules.functional}
        self.inverse_functional = {c(p) for p in rules.inverse_functional}
        self.domains = {c(k): {c(v) for v in vs} for k, vs in rules.domains.items()}
        self.ranges = {c(k): {c(v) for v in vs} for k, vs in rules.ranges.items()}
        self.first: dict[int, list[tuple[int, int]]] = defaultdict(list)  # p1 -> [(p2, q)]
        self.second: dict[int, list[tuple[int, int]]] = defaultdict(list)  # p2 -> [(p1, q)]
        for (p1, p2), qs in rules.chains.items():
            for q in qs:
                self.first[c(p1)].append((c(p2), c(q)))
                self.second[c(p2)].append((c(p1), c(q)))
        self.joined = self.transitive | self.functional | self.inverse_functional | set(self.first) \
            | set(self.second) | {p2 for v in self.first.values() for p2, _q in v} \
            | {p1 for v in self.second.values() for p1, _q in v}
        self.literal: set[int] = set()

    def close(self, triples: Iterable[tuple[Node, Node, Node]]) -> tuple[set[tuple[int, int, int]], list[int]]:
        """The closure (on representatives) and the representative of every term."""
        code = self.code
        asserted = []
        same_pairs = []
        for s, p, o in triples:
            cs, cp, co = code(s), code(p), code(o)
            if isinstance(o, Literal):
                self.literal.add(co)
            if cp == self.SAME and not isinstance(o, Literal):
                same_pairs.append((cs, co))
            else:
                asserted.append((cs, cp, co))
        parent = list(range(len(code.terms)))
        for a, b in same_pairs:
            _union(parent, a, b)
        while True:
            known, merges = self._forward(asserted, parent)
            if not merges:
                return known, parent
            for a, b in merges:
                _union(parent, a, b)

    def _forward(self, asserted: list[tuple[int, int, int]],
                 parent: list[int]) -> tuple[set[tuple[int, int, int]], list[tuple[int, int]]]:
        def rep(x: int) -> int:
            return _find(parent, x) if x < len(parent) else x

        known: set[tuple[int, int, int]] = set()
        sp: dict[int, dict[int, set[int]]] = defaultdict(lambda: defaultdict(set))
        po: dict[int, dict[int, set[int]]] = defaultdict(lambda: defaultdict(set))
        merges: list[tuple[int, int]] = []
        queue = [(rep(s), p, rep(o)) for s, p, o in asserted]
        TYPE, literal, joined = self.TYPE, self.literal, self.joined
        while queue:
            t = queue.pop()
            if t in known:
                continue
            known.add(t)
            s, p, o = t
            if p == TYPE:
                for d in self.superclasses.get(o, ()):
                    if (s, TYPE, d) not in known:
                        queue.append((s, TYPE, d))
                continue
            if p in joined:
                sp[p][s].add(o)
                po[p][o].add(s)
            for q in self.superproperties.get(p, ()):
                queue.append((s, q, o))
            if o not in literal:
                for q in self.inverses.get(p, ()):
                    queue.append((o, q, s))
                if p in self.symmetric:
                    queue.append((o, p, s))
                for c in self.ranges.get(p, ()):
                    queue.append((o, TYPE, c))
            for c in self.domains.get(p, ()):
                queue.append((s, TYPE, c))
            if p in self.transitive:
                for z in tuple(sp[p].get(o, ())):
                    queue.append((s, p, z))
                for w in tuple(po[p].get(s, ())):
                    queue.append((w, p, o))
            for p2, q in self.first.get(p, ()):
                for z in tuple(sp[p2].get(o, ())):
                    queue.append((s, q, z))
            for p1, q in self.second.get(p, ()):
                for w in tuple(po[p1].get(s, ())):
                    queue.append((w, q, o))
            if p in self.functional:
                for other in sp[p][s]:
                    if other != o and other not in literal and o not in literal:
                        merges.append((o, other))
            if p in self.inverse_functional:
                for other in po[p][o]:
                    if other != s:
                        merges.append((s, other))
        return known, merges

    def expand(self, known: set[tuple[int, int, int]], parent: list[int]) -> Iterator[tuple[Node, Node, Node]]:
        """The closure over all terms: each representative's statements for every member of its class."""
        members: dict[int, list[int]] = defaultdict(list)
        for x in range(len(parent)):
            members[_find(parent, x)].append(x)
        terms = self.code.terms
        for s, p, o in known:
            for s2 in members.get(s, [s]):
                for o2 in members.get(o, [o]):
                    yield terms[s2], terms[p], terms[o2]
        for group in members.values():
            if len(group) > 1:
                for a in group:
                    for b in group:
                        if a != b:
                            yield terms[a], OWL.sameAs, terms[b]

    def violations(self, known: set[tuple[int, int, int]], parent: list[int]) -> list[Violation]:
        types: dict[int, set[int]] = defaultdict(set)
        for s, p, o in known:
            if p == self.TYPE:
                types[s].add(o)
        code = self.code
        pairs = [(code(a), code(b)) for a, b in (tuple(x) for x in self.rules.disjoint)]
        out = []
        for s, classes in types.items():
            for a, b in pairs:
                if a in classes and b in classes:
                    first, second = sorted((code.terms[a], code.terms[b]), key=str)
                    out.append(Violation(code.terms[s], first, second))
        return out


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
    """What reasoning adds, the disjointness violations it found, and the owl:sameAs classes."""

    triples: Graph
    violations: list[Violation]
    #: Every IRI that has aliases -> all the IRIs of its owl:sameAs class.
    same: dict[str, set[str]] = field(default_factory=dict)


def reason(asserted: Graph, ontology: Graph, instance_base: str) -> Inference:
    """The OWL 2 RL closure of ``asserted`` under ``ontology``, minus what was asserted.

    Only statements about instances (IRIs under ``instance_base``) are kept: the vocabulary's own
    closure and trivial types are of no use to a reader.
    """
    reasoner = Reasoner(compile_rules(ontology))
    known, parent = reasoner.close(asserted)
    out = Graph()
    for s, p, o in reasoner.expand(known, parent):
        if not isinstance(s, URIRef) or not str(s).startswith(instance_base):
            continue
        if (p == OWL.sameAs and s == o) or (p == RDF.type and o in _TRIVIAL_TYPES):
            continue
        if str(p).startswith("urn:opskg:chain:") or (s, p, o) in asserted:
            continue
        out.add((s, p, o))
    violations = [v for v in reasoner.violations(known, parent)
                  if isinstance(v.resource, URIRef | BNode) and str(v.resource).startswith(instance_base)]
    log.debug("reasoning: %d asserted, %d inferred, %d violations", len(asserted), len(out), len(violations))
    groups: dict[int, set[str]] = defaultdict(set)
    for x in range(len(parent)):
        groups[_find(parent, x)].add(str(reasoner.code.terms[x]))
    same = {iri: group for group in groups.values() if len(group) > 1 for iri in group}
    return Inference(out, violations, same)


def infer(asserted: Graph, ontology: Graph, instance_base: str) -> Graph:
    """The inferred triples only (see :func:`reason`)."""
    return reason(asserted, ontology, instance_base).triples


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
