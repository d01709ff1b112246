"""Canonical resources: one IRI per real-world thing, carrying the fused facts of every article.

The article graphs are the record of what each article says, about its own mention-level IRIs.
The canonical graph restates those facts about each identity cluster's canonical IRI (see
:func:`kg.resolve.stable_links`), once however many articles state them, and keeps their sources:

- every fact ``S P O`` that some article states with evidence has a fused statement node
  ``<base/fact/HASH>`` (``rdf:Statement`` with ``rdf:subject``/``rdf:predicate``/``rdf:object`` on
  canonical IRIs), ``ops:sources`` (how many articles state it) and ``prov:wasDerivedFrom`` each
  article's ``ops:Evidence`` node, which is restated here with its ``ops:evidence`` sentence (and
  the sentence's ``nif:anchorOf`` quote) and ``ops:article``;
- the articles themselves (``ops:Article``: title, identifier, source, date);
- a name per resource (``rdfs:label``) and every spelling the articles use (``skos:altLabel``).

A value that another value of the same resource refines is left out: a date when a more precise one
is stated ("2022" beside "2022-02-03"), a place of an operation that contains another of its places
(``ops:tookPlaceIn`` is the most specific place). Values that contradict each other are both kept,
each with its sources (:mod:`kg.conflicts` lists them).

Terms are N-Triples strings throughout: the graph is written as text in one transaction.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

import pyoxigraph as ox
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS, XSD

from kg.vocab import ITSRDF, NIF, OPS

TYPE, LABEL, ALT = f"<{RDF.type}>", f"<{RDFS.label}>", f"<{SKOS.altLabel}>"
SUBJECT, PREDICATE, OBJECT = f"<{RDF.subject}>", f"<{RDF.predicate}>", f"<{RDF.object}>"
STATEMENT, DERIVED = f"<{RDF.Statement}>", f"<{PROV.wasDerivedFrom}>"
EVIDENCE_CLASS, EVIDENCE, ARTICLE = f"<{OPS.Evidence}>", f"<{OPS.evidence}>", f"<{OPS.article}>"
SOURCES, DATE, TOOK_PLACE_IN, LOCATED_IN = f"<{OPS.sources}>", f"<{OPS.date}>", f"<{OPS.tookPlaceIn}>", \
    f"<{OPS.locatedIn}>"
ANCHOR = f"<{NIF.anchorOf}>"
NIF_PREFIX = f"<{NIF}"
#: What an evidence node says about its fact, restated on the node in the canonical graph.
EVIDENCE_DETAILS = frozenset({EVIDENCE, ARTICLE, f"<{OPS.certainty}>", f"<{OPS.qualifier}>", f"<{OPS.origin}>"})
#: What an article node says about the article that the canonical graph repeats (its bookkeeping,
#: content hash and build, stays in its own graph).
ARTICLE_DETAILS = frozenset({TYPE, f"<{DCTERMS.title}>", f"<{DCTERMS.identifier}>", f"<{DCTERMS.source}>",
                             f"<{DCTERMS.date}>"})
#: Never restated: the text's structure and the links from mentions to their entities.
SKIPPED = frozenset({f"<{ITSRDF.taIdentRef}>", f"<{OPS.contentHash}>", f"<{OPS.builtWith}>",
                     f"<{OPS.sourceName}>", f"<{OPS.publishedFrom}>"})
INTEGER = f"<{XSD.integer}>"

Triple = tuple[str, str, str]


@dataclass
class _Fused:
    """What the article graphs say, restated on canonical IRIs, before refined values are dropped."""

    triples: set[Triple] = field(default_factory=set)
    #: fused fact -> evidence nodes that support it
    support: dict[Triple, set[str]] = field(default_factory=lambda: defaultdict(set))
    #: evidence node -> its restated details (predicate, object)
    evidence: dict[str, set[tuple[str, str]]] = field(default_factory=lambda: defaultdict(set))
    #: evidence node -> its article
    article_of: dict[str, str] = field(default_factory=dict)
    sentences: dict[str, str] = field(default_factory=dict)


def literal(text: str) -> str:
    """A plain literal in N-Triples, written as the store writes it."""
    return str(ox.Literal(text))


def fact_iri(base: str, triple: Triple) -> str:
    """The fused statement node of a fact (on canonical terms): the same fact, the same IRI."""
    digest = hashlib.sha1(" ".join(triple).encode()).hexdigest()[:16]
    return f"<{base}fact/{digest}>"


def canon_function(canonical: Mapping[str, str]) -> Callable[[str], str]:
    """N-Triples term -> the term of its canonical IRI (``canonical``: IRI -> canonical IRI)."""
    def canon(term: str) -> str:
        if term.startswith("<"):
            head = canonical.get(term[1:-1])
            if head is not None:
                return f"<{head}>"
        return term
    return canon


def _fuse(article_graphs: Iterable[tuple[str, Iterable[Triple]]], canonical: Mapping[str, str]) -> _Fused:
    canon = canon_function(canonical)
    out = _Fused()
    for graph, triples in article_graphs:
        article, own = f"<{graph}>", f"<{graph}#"
        evidence_nodes: set[str] = set()
        statements: dict[str, dict[str, str]] = defaultdict(dict)
        anchors: dict[str, str] = {}
        facts: list[Triple] = []
        for s, p, o in triples:
            if p in SKIPPED:
                continue
            if p.startswith(NIF_PREFIX):
                if p == ANCHOR:
                    anchors[s] = o
                continue
            if o == EVIDENCE_CLASS and p == TYPE:
                evidence_nodes.add(s)
            elif p in (SUBJECT, PREDICATE, OBJECT) or p in EVIDENCE_DETAILS:
                statements[s][p] = o
                if p in EVIDENCE_DETAILS:
                    out.evidence[s].add((p, o))
            elif s == article:
                if p in ARTICLE_DETAILS:
                    out.triples.add((s, p, o))
            elif not s.startswith(own):  # the text's own nodes (sentences, phrases) are not restated
                facts.append((s, p, o))
        for s, p, o in facts:
            out.triples.add((canon(s), p, canon(o)))
        for node in evidence_nodes:
            parts = statements.get(node, {})
            if not {SUBJECT, PREDICATE, OBJECT} <= parts.keys():
                continue
            fact = (canon(parts[SUBJECT]), parts[PREDICATE], canon(parts[OBJECT]))
            out.support[fact].add(node)
            out.article_of[node] = parts.get(ARTICLE, article)
            sentence = parts.get(EVIDENCE)
            if sentence is not None and sentence in anchors:
                out.sentences[sentence] = anchors[sentence]
    for node in list(out.evidence):
        if node not in out.article_of:
            del out.evidence[node]  # details of a node that is no evidence of a fact
    return out


def _refined(triples: set[Triple], pairs: list[tuple[str, str]], regions: set[str]) -> set[Triple]:
    """Values another value of the same resource refines: a date a more precise date extends, an
    operation's place that contains another of its places, or a region ("northern Korvath") beside a
    place in the place the region is part of (the place is the more specific of the two). ``pairs``:
    the ``ops:locatedIn`` pairs known."""
    ancestors = containment(pairs)
    parents: dict[str, set[str]] = defaultdict(set)
    for a, b in pairs:
        parents[a].add(b)
    dates: dict[str, list[str]] = defaultdict(list)
    places: dict[str, list[str]] = defaultdict(list)
    for s, p, o in triples:
        if p == DATE:
            dates[s].append(o)
        elif p == TOOK_PLACE_IN:
            places[s].append(o)
    out = set()
    for s, values in dates.items():
        if len(values) > 1:
            lexical = {v: v.split('"')[1] for v in values}
            out |= {(s, DATE, v) for v in values
                    if any(w != v and len(lexical[w]) > len(lexical[v]) and lexical[w].startswith(lexical[v])
                           for w in values)}
    for s, values in places.items():
        if len(values) > 1:
            out |= {(s, TOOK_PLACE_IN, v) for v in values
                    if any(v in ancestors.get(w, ()) or _within_region(w, v, ancestors, parents, regions)
                           for w in values if w != v)}
    return out


def _within_region(place: str, region: str, ancestors: Mapping[str, set[str]], parents: Mapping[str, set[str]],
                   regions: set[str]) -> bool:
    """Whether ``place`` (not a region itself) lies in what the region ``region`` is directly part of:
    "northern Korvath" (in Korvath) beside a town in Korvath, not an area of one province beside a town
    of another province of the same country."""
    if region not in regions or place in regions or not parents.get(region):
        return False
    return parents[region] <= ancestors.get(place, set())


def containment(pairs: Iterable[tuple[str, str]]) -> dict[str, set[str]]:
    """Place -> every place containing it, from ``ops:locatedIn`` pairs (N-Triples terms)."""
    parents: dict[str, set[str]] = defaultdict(set)
    for a, b in pairs:
        if a != b:
            parents[a].add(b)
    out: dict[str, set[str]] = {}
    for start in parents:
        seen: set[str] = set()
        todo = list(parents[start])
        while todo:
            x = todo.pop()
            if x not in seen and x != start:
                seen.add(x)
                todo.extend(parents.get(x, ()))
        out[start] = seen
    return out


def canonical_graph(base: str, article_graphs: Iterable[tuple[str, Iterable[Triple]]], canonical: Mapping[str, str],
                    labels: Mapping[str, str], refining: Iterable[Triple] = (),
                    located: Iterable[tuple[str, str]] = (), regions: Iterable[str] = ()) -> set[Triple]:
    """The canonical graph (see the module's docstring), as N-Triples terms.

    ``article_graphs``: each article graph's IRI with its triples; ``canonical``: IRI -> canonical IRI
    for every IRI in an identity cluster; ``labels``: canonical IRI -> name; ``refining``: statements of
    other graphs that may refine the articles' values (the corpus graph's dates), not written here;
    ``located``: further ``ops:locatedIn`` pairs (the
    gazetteer's) that decide which of an operation's places is the most specific; ``regions``: the places
    that are regions (directions of a country, or areas), canonical IRIs.
    """
    fused = _fuse(article_graphs, canonical)
    triples = fused.triples
    for iri, label in labels.items():
        triples.add((f"<{iri}>", LABEL, literal(label)))
    located_pairs = [(s, o) for s, p, o in triples if p == LOCATED_IN]
    dropped = _refined(triples | set(refining), [*located_pairs, *located], {f"<{r}>" for r in regions})
    triples -= dropped
    for fact, nodes in fused.support.items():
        if fact not in triples:
            continue
        node = fact_iri(base, fact)
        triples.update({(node, TYPE, STATEMENT), (node, SUBJECT, fact[0]), (node, PREDICATE, fact[1]),
                        (node, OBJECT, fact[2])})
        articles = set()
        for evidence in nodes:
            triples.add((node, DERIVED, evidence))
            triples.add((evidence, TYPE, EVIDENCE_CLASS))
            for p, o in fused.evidence.get(evidence, ()):
                triples.add((evidence, p, o))
                if p == EVIDENCE and o in fused.sentences:
                    triples.add((o, ANCHOR, fused.sentences[o]))
            articles.add(fused.article_of[evidence])
        triples.add((node, SOURCES, f'"{len(articles)}"^^{INTEGER}'))
    return triples


#: Predicates of the canonical graph that are about names and sources, not the world: not reasoned over.
UNREASONED = frozenset({LABEL, ALT, SUBJECT, PREDICATE, OBJECT, DERIVED, SOURCES, ANCHOR, f"<{DCTERMS.title}>",
                        f"<{DCTERMS.identifier}>", f"<{DCTERMS.source}>", f"<{DCTERMS.date}>", f"<{OPS.reason}>",
                        f"<{OPS.about}>"}) | EVIDENCE_DETAILS
UNREASONED_TYPES = frozenset({STATEMENT, EVIDENCE_CLASS, f"<{OPS.Derivation}>"})


def for_reasoning(triples: Iterable[Triple]) -> list[Triple]:
    """The canonical graph's statements about the world: no names, sources or notes."""
    return [t for t in triples if t[1] not in UNREASONED and not (t[1] == TYPE and t[2] in UNREASONED_TYPES)]
