"""Inconsistencies: resources that reasoning finds in two disjoint classes, with their sources.

A bad extraction can make one node a Person in one article and a Location in another, or imply a
class through a property's domain or range. Such a conflict is reported (which resource, which
classes, which triples, articles and sentences) and resolved by one documented rule:

    Keep the class that more articles support; on a tie, the class an article states directly
    (``rdf:type``) over one implied by a property's domain or range; on a further tie, the first in
    the order Person, Organization, Location, Operation, Role, Article. The losing class and its
    superclasses are left out of the inferred graph for that resource; the article graphs keep what
    each article said, and the decision is recorded in the identity graph as an
    ``ops:Inconsistency``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS

from kg.reason import Rules, Violation
from kg.store import GraphStore
from kg.vocab import OPS, PREFIXES

PRIORITY = ["Person", "Organization", "Location", "Operation", "Role", "Article"]


@dataclass(frozen=True)
class Source:
    """One asserted triple that puts the resource in a class, where it was read."""

    article: str
    triple: tuple[str, str, str]
    sentence: str | None
    direct: bool


@dataclass
class Conflict:
    resource: str
    classes: tuple[str, str]
    sources: dict[str, list[Source]] = field(default_factory=dict)
    kept: str = ""
    dropped: str = ""

    def describe(self) -> str:
        lines = [f"{self.resource} is both {_local(self.classes[0])} and {_local(self.classes[1])}; "
                 f"kept {_local(self.kept)}, dropped {_local(self.dropped)}"]
        for cls in self.classes:
            for src in self.sources.get(cls, []):
                where = f": \"{src.sentence}\"" if src.sentence else ""
                lines.append(f"  {_local(cls)} from {src.article.rsplit('/', 1)[-1]} "
                             f"({_local(src.triple[1])} {_local(src.triple[2])}){where}")
        return "\n".join(lines)


def _local(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def explain(store: GraphStore, rules: Rules, violations: list[Violation],
            members: dict[str, set[str]], article_prefix: str) -> list[Conflict]:
    """The sources of each violation and the decision the rule takes."""
    conflicts = []
    for v in violations:
        conflict = Conflict(v.resource.strip("<>"), (v.first.strip("<>"), v.second.strip("<>")))
        iris = members.get(conflict.resource, {conflict.resource})
        for cls in conflict.classes:
            conflict.sources[cls] = _sources(store, rules, iris, URIRef(cls), article_prefix)
        conflict.kept, conflict.dropped = _decide(conflict)
        conflicts.append(conflict)
    return conflicts


#: The triples of one resource ?x (bound by substitution) in every graph, each with the sentence that
#: states it, or one that mentions ?x: ?x as the subject, then as the object.
_OUTGOING = (
    "SELECT ?x ?g ?p ?other ?quote WHERE { GRAPH ?g { ?x ?p ?other . "
    "OPTIONAL { ?e rdf:subject ?x ; rdf:predicate ?p ; rdf:object ?other ; ops:evidence/nif:anchorOf ?quote } "
    "OPTIONAL { ?m itsrdf:taIdentRef ?x ; nif:sentence/nif:anchorOf ?quote } } }")
_INCOMING = (
    "SELECT ?x ?g ?p ?other ?quote WHERE { GRAPH ?g { ?other ?p ?x . "
    "OPTIONAL { ?e rdf:subject ?other ; rdf:predicate ?p ; rdf:object ?x ; ops:evidence/nif:anchorOf ?quote } "
    "OPTIONAL { ?m itsrdf:taIdentRef ?x ; nif:sentence/nif:anchorOf ?quote } } }")


def _sources(store: GraphStore, rules: Rules, iris: set[str], cls: URIRef, article_prefix: str) -> list[Source]:
    subclasses = {str(c) for c, sup in rules.superclasses.items() if cls in sup} | {str(cls)}
    by_domain = {str(p) for p, cs in rules.domains.items() if any(str(c) in subclasses for c in cs)}
    by_range = {str(p) for p, cs in rules.ranges.items() if any(str(c) in subclasses for c in cs)}
    rows = [(row, x, outgoing) for x in sorted(iris) for outgoing in (True, False)
            for row in store.query(_OUTGOING if outgoing else _INCOMING, prefixes=PREFIXES,
                                   substitutions={"x": ox.NamedNode(x)})]
    out: dict[tuple[str, tuple[str, str, str]], Source] = {}
    for row, x, outgoing in rows:
        if not row["g"].value.startswith(article_prefix):
            continue
        p = row["p"].value
        s, o = (x, row["other"].value) if outgoing else (row["other"].value, x)
        direct = p == str(RDF.type) and o in subclasses
        implied = (p in by_domain and s in iris) or (p in by_range and o in iris)
        if not (direct or implied):
            continue
        key = (row["g"].value, (s, p, o))
        if key not in out:
            quote = row["quote"].value if row["quote"] is not None else None
            out[key] = Source(row["g"].value, (s, p, o), quote, direct)
    return sorted(out.values(), key=lambda x: (x.article, x.triple))


def _decide(conflict: Conflict) -> tuple[str, str]:
    a, b = conflict.classes

    def weight(cls: str) -> tuple[int, int, int]:
        sources = conflict.sources.get(cls, [])
        articles = len({s.article for s in sources})
        direct = int(any(s.direct for s in sources))
        local = _local(cls)
        order = -PRIORITY.index(local) if local in PRIORITY else -len(PRIORITY)
        return articles, direct, order

    kept, dropped = (a, b) if weight(a) >= weight(b) else (b, a)
    return kept, dropped


def record(conflicts: list[Conflict], graph_iri: str) -> Graph:
    """The decisions as ``ops:Inconsistency`` nodes for the identity graph."""
    g = Graph()
    for c in conflicts:
        node = URIRef(f"{graph_iri}#inconsistency-" + hashlib.sha1(f"{c.resource} {c.classes}".encode())
                      .hexdigest()[:16])
        g.add((node, RDF.type, OPS.Inconsistency))
        g.add((node, OPS.about, URIRef(c.resource)))
        g.add((node, OPS.keptClass, URIRef(c.kept)))
        g.add((node, OPS.droppedClass, URIRef(c.dropped)))
        g.add((node, RDFS.comment, Literal(c.describe())))
        for sources in c.sources.values():
            for src in sources:
                g.add((node, OPS.article, URIRef(src.article)))
    return g


def without_dropped(lines: list[str], conflicts: list[Conflict], rules: Rules,
                    members: dict[str, set[str]]) -> list[str]:
    """Inferred N-Triples lines without the dropped classes (and superclasses) of conflicting resources."""
    drop: set[str] = set()
    for c in conflicts:
        kept_supers = {str(x) for x in rules.superclasses.get(URIRef(c.kept), {URIRef(c.kept)})}
        dropped = {str(x) for x in rules.superclasses.get(URIRef(c.dropped), {URIRef(c.dropped)})} - kept_supers
        for iri in members.get(c.resource, {c.resource}):
            drop |= {f"<{iri}> <{RDF.type}> <{cls}> ." for cls in dropped}
    return [line for line in lines if line not in drop] if drop else lines


def dropped_types(conflicts: list[Conflict], rules: Rules,
                  members: dict[str, set[str]]) -> set[tuple[str, str, str]]:
    """The ``rdf:type`` statements (N-Triples terms) the decisions take off the conflicting resources
    (and the IRIs ``members`` gives them): the dropped class and its superclasses that the kept class
    does not share."""
    out: set[tuple[str, str, str]] = set()
    for c in conflicts:
        kept_supers = {str(x) for x in rules.superclasses.get(URIRef(c.kept), {URIRef(c.kept)})}
        dropped = {str(x) for x in rules.superclasses.get(URIRef(c.dropped), {URIRef(c.dropped)})} - kept_supers
        for iri in members.get(c.resource, {c.resource}):
            out |= {(f"<{iri}>", f"<{RDF.type}>", f"<{cls}>") for cls in dropped | {c.dropped}}
    return out
