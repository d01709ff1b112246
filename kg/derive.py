"""Derived graphs: identity, canonical resources, corpus facts, the gazetteer's, and inferred triples.

From the article graphs: identity clusters (:mod:`kg.resolve`, :mod:`kg.corpus` for operations), the
canonical graph of one resource per cluster (:mod:`kg.canonical`), what only the corpus says, the
gazetteer graph, and the OWL 2 RL closure of them (:mod:`kg.reason`). When articles were only added,
only the names near the new ones are clustered again and only the canonical resources they touch are
fused again (:mod:`kg.canonical_update`), and reasoning extends the closure; otherwise everything is
derived afresh.

They are written together with the ontology graph, and carry a digest of the article contents they
were computed from, so a stale state (a build killed after its articles were stored, or while the
derived graphs were being written: the identity graph, which holds the digest, is removed before
anything else changes, see :mod:`kg.store.oxigraph`) is detected and repaired by the next command
that writes.

Every query here is constant text: a graph or resource goes in as a bound term (``substitutions``),
a set of graphs as the query's named graphs.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, SKOS, XSD

from kg import canonical_update as update
from kg import consistency, corpus, reason, resolve
from kg import gazetteer as gaz
from kg.canonical import UNREASONED, UNREASONED_TYPES, canon_function, canonical_graph, for_reasoning
from kg.extract.dates import ResolvedDate
from kg.geonames import index as geonames_index
from kg.geonames.graph import CorpusPlace, gazetteer_graph
from kg.kinds import place_rank
from kg.model import CORE_CLASSES
from kg.ontology import ontology_graph, ontology_hash, ontology_ntriples
from kg.store import GraphStore
from kg.vocab import OPS, PREFIXES, IRIs

log = logging.getLogger(__name__)



@dataclass(frozen=True)
class DeriveReport:
    entities: int
    canonical_triples: int
    inferred_triples: int
    seconds: float
    conflicts: list[consistency.Conflict] = field(default_factory=list)


# Queries of one graph, bound to ?g: the inconsistencies it records; what it states about itself.
_CONFLICTS = "SELECT ?g ?text WHERE { GRAPH ?g { ?n a ops:Inconsistency ; rdfs:comment ?text } } ORDER BY ?text"
_CONTENT_HASH = "SELECT ?g ?h WHERE { GRAPH ?g { ?g ops:contentHash ?h } }"
_ARTICLE_STATE = "SELECT ?g ?s WHERE { GRAPH ?g { ?g ops:articleState ?s } }"


def recorded_conflicts(store: GraphStore, iris: IRIs) -> list[str]:
    """The inconsistencies the last derivation found, as recorded in the identity graph."""
    rows = _in_graph(store, _CONFLICTS, str(iris.identity_graph))
    return [r["text"].value for r in rows]


def _query(store: GraphStore, sparql: str) -> Any:
    return store.query(sparql, prefixes=PREFIXES)


def _in_graph(store: GraphStore, sparql: str, graph: str) -> Any:
    """A constant query with ``?g`` bound to the graph ``graph``."""
    return store.query(sparql, prefixes=PREFIXES, substitutions={"g": ox.NamedNode(graph)})


def _read(store: GraphStore, iris: IRIs, sparql: str, graphs: list[str] | None = None) -> Any:
    """A query whose ``GRAPH ?g`` ranges over the article graphs only (or the given ones): derivation
    reads what the articles say, never its own earlier output (which would make it depend on history;
    the one exception is the identity links, :func:`_stored_links`, which keep canonical IRIs stable)."""
    if graphs is None:
        graphs = [g for g in store.graph_names() if iris.is_article_graph(g)]
    return store.query(sparql, prefixes=PREFIXES, named_graphs=graphs)


def article_hashes(store: GraphStore, iris: IRIs) -> dict[str, str]:
    """Article IRI -> content hash, for every stored article."""
    rows = _query(store, "SELECT ?g ?h WHERE { GRAPH ?g { ?g a ops:Article ; ops:contentHash ?h } }")
    return {row["g"].value: row["h"].value for row in rows if iris.is_article_graph(row["g"].value)}


def _graph_hash(store: GraphStore, graph: str) -> str | None:
    """The ``ops:contentHash`` a graph states about itself."""
    rows = list(_in_graph(store, _CONTENT_HASH, graph))
    return rows[0]["h"].value if rows else None


def is_stale(store: GraphStore, iris: IRIs) -> bool:
    """True when the derived graphs were not computed from the articles and ontology now stored."""
    current = resolve.state_digest(article_hashes(store, iris).values())
    return (_graph_hash(store, str(iris.identity_graph)) != current
            or _graph_hash(store, str(iris.ontology_graph)) != ontology_hash())


def refresh(store: GraphStore, iris: IRIs) -> DeriveReport:
    """Recompute the identity, canonical, gazetteer and inferred graphs and rewrite them with the
    ontology, atomically."""
    started = time.perf_counter()
    hashes = article_hashes(store, iris)
    digest = resolve.state_digest(hashes.values())
    records = _entity_records(store, iris)
    gazetteer_iris = {r["e"].value for r in _read(store, iris, "SELECT DISTINCT ?e WHERE { GRAPH ?g { "
                                                          "?e ops:gazetteerEntry ?n } }")}
    stored = _stored_links(store, iris)
    known = _canonical_resources(store, iris, [r.iri for r in records])
    placed = {r["e"].value for r in _read(store, iris, "SELECT DISTINCT ?e WHERE { GRAPH ?g { ?e ops:near ?y } }")}
    added = _added_only(store, iris, hashes)
    if added is None:
        canonical, decisions = resolve.cluster(records, gazetteer_iris, placed)
    else:  # only the new articles' names are compared; the clusters of the last build stand
        previous = known | set(stored) | set(stored.values())
        settled = {r.iri: _root(stored, r.iri) for r in records if r.iri in previous}
        fresh = {r.iri for r in records if r.iri not in previous or not r.articles.isdisjoint(added)}
        canonical, decisions = resolve.cluster(records, gazetteer_iris, placed, settled, fresh)
        again = resolve.reclustered(records, fresh)
        decisions = [d for d in _stored_decisions(store, iris) if d.a not in again and d.b not in again] + decisions
    canonical, links = resolve.stable_links(canonical, stored, known)
    labels = resolve.cluster_labels(records, canonical)

    # One tenure per holder and role, however many articles (and spellings of the holder) state it.
    tenures = _tenures(store, iris, canonical)
    tenure_canonical, tenure_links = resolve.stable_links(tenures, stored, _canonical_resources(store, iris, tenures))
    links.update(tenure_links)
    canonical.update(tenure_canonical)

    operations = _operation_records(store, iris, canonical)
    places = _places(store, iris, canonical)
    op_canonical, op_merges = corpus.cluster_operations(operations, places)
    op_canonical, op_links = resolve.stable_links(op_canonical, stored,
                                                  _canonical_resources(store, iris, [r.iri for r in operations]))
    links.update(op_links)
    canonical.update(op_canonical)
    decisions += [resolve.Decision(a, b, 1.0, reason) for a, b, reason in op_merges]
    dates = corpus.corpus_dates(operations, op_canonical, _published(store, iris))
    labels.update(_operation_labels(operations, op_canonical, dates, labels, places))
    labels = {iri: label for iri, label in labels.items() if canonical.get(iri, iri) == iri}  # canonical IRIs only

    identity = resolve.identity_graph(records, str(iris.identity_graph), digest, canonical, decisions, links)
    for article, content in sorted(hashes.items()):
        identity.add((iris.identity_graph, OPS.articleState, Literal(f"{article} {content}")))
    canon = canon_function(canonical)
    derived = _Derived(identity, canonical, labels, stored,
                       {(canon(s), p, canon(o)) for s, p, o in _terms(_corpus_facts(store, iris, canonical, dates,
                                                                                    operations))},
                       _terms(_gazetteer_graph(store, iris, canonical)),
                       {iri for iri, kind in places.kinds.items() if kind == "Region"})
    extended = _extend(store, iris, derived, added) if added is not None else None
    conflicts: list[consistency.Conflict] = []
    if extended is not None:
        size, inferred = extended
    else:
        resources = canonical_graph(iris.base, _article_triples(store, iris), canonical, labels, derived.corpus,
                                    located=derived.located, regions=derived.regions)
        inferred, conflicts = _recompute(store, iris, derived, resources)
        size = len(resources)
    report = DeriveReport(len(records), size, inferred, time.perf_counter() - started, conflicts)
    log.info("derived graphs: %d entity IRIs, %d canonical triples, %d inferred triples in %.1f s",
             report.entities, report.canonical_triples, report.inferred_triples, report.seconds)
    return report


@dataclass
class _Derived:
    """What a derivation computes over the whole corpus before the canonical graph is written."""

    identity: Graph
    #: IRI -> canonical IRI, for every IRI in an identity cluster (entities and operations)
    canonical: dict[str, str]
    #: canonical IRI -> name
    labels: dict[str, str]
    #: the identity links of the last build
    stored: dict[str, str]
    #: the corpus graph (N-Triples terms, canonical IRIs)
    corpus: set[tuple[str, str, str]]
    #: the gazetteer graph (N-Triples terms, canonical IRIs), before the triples the canonical graph holds
    places: set[tuple[str, str, str]]
    #: the places that are regions (canonical IRIs)
    regions: set[str]

    @property
    def located(self) -> list[tuple[str, str]]:
        return [(s, o) for s, p, o in self.places if p == _LOCATED_IN]


_LOCATED_IN, _TOOK_PLACE_IN, _DATE = f"<{OPS.locatedIn}>", f"<{OPS.tookPlaceIn}>", f"<{OPS.date}>"

_CORPUS_PLACES = ("SELECT DISTINCT ?e ?n ?m WHERE { GRAPH ?g { ?e a ops:Location ; ops:gazetteerEntry ?n "
                  "OPTIONAL { ?e skos:exactMatch ?m } } }")


_NEAR_PLACES = ("SELECT DISTINCT ?e ?n WHERE { GRAPH ?g { ?e a ops:Location ; ops:near ?y . ?y ops:gazetteerEntry ?n "
                "FILTER NOT EXISTS { ?e ops:gazetteerEntry ?x } } }")


def _gazetteer_graph(store: GraphStore, iris: IRIs, canonical: dict[str, str]) -> Graph:
    """The gazetteer graph of the places the article graphs name (:mod:`kg.geonames.graph`), on their
    canonical IRIs."""
    def canon(iri: str) -> str:
        return canonical.get(iri, iri)

    places = {CorpusPlace(canon(r["e"].value), r["n"].value, r["m"].value if r["m"] is not None else None)
              for r in _read(store, iris, _CORPUS_PLACES)}
    places |= {CorpusPlace(canon(r["e"].value), None, near=r["n"].value) for r in _read(store, iris, _NEAR_PLACES)}
    if not places:
        return Graph()
    return gazetteer_graph(sorted(places, key=lambda p: (p.iri, p.entry or "", p.exact_match or "", p.near or "")),
                           gaz.default(), geonames_index.default())


def _terms(graph: Graph) -> set[tuple[str, str, str]]:
    """A graph's statements as N-Triples terms written the way the store writes them (which puts
    numbers in canonical form: "33.0"^^xsd:double is stored as "33")."""
    if not len(graph):
        return set()
    memory = ox.Store()
    memory.load(graph.serialize(format="nt"), ox.RdfFormat.N_TRIPLES)
    return {(str(q.subject), str(q.predicate), str(q.object)) for q in memory}


def _ntriples(triples: Iterable[tuple[str, str, str]]) -> str:
    return "".join(f"{s} {p} {o} .\n" for s, p, o in sorted(triples))


def _article_triples(store: GraphStore, iris: IRIs) -> Iterator[tuple[str, list[tuple[str, str, str]]]]:
    """Each article graph's IRI with its triples (N-Triples terms)."""
    for graph in store.graph_names():
        if iris.is_article_graph(graph):
            yield graph, [(str(q.subject), str(q.predicate), str(q.object)) for q in store.quads(graph)]


def _served(iris: IRIs) -> list[str]:
    """The closure reasoning extends: the asserted graphs it reads, and its own output."""
    return [str(iris.canonical_graph), str(iris.corpus_graph), str(iris.gazetteer_graph), str(iris.inferred_graph)]


def _added_only(store: GraphStore, iris: IRIs, hashes: dict[str, str]) -> set[str] | None:
    """The articles added since the last derivation, when nothing else changed: none of its articles
    changed or went away, the ontology is the same, it recorded no inconsistency, and it wrote a
    canonical graph. ``None`` otherwise: everything is derived afresh."""
    previous = _article_state(store, iris)
    if not previous or any(hashes.get(a) != h for a, h in previous.items()) \
            or _graph_hash(store, str(iris.ontology_graph)) != ontology_hash() or recorded_conflicts(store, iris) \
            or next(store.quads(str(iris.canonical_graph)), None) is None:
        return None
    return {a for a in hashes if a not in previous}


#: The identity decisions of the last build (bound to ?g: the identity graph), one row per decision.
_DECISIONS = ("SELECT ?g ?a ?b ?score ?reason WHERE { GRAPH ?g { ?d a ops:IdentityDecision ; ops:mergedEntity ?a, ?b ; "
              "ops:score ?score ; ops:reason ?reason FILTER(STR(?a) < STR(?b)) } }")


def _stored_decisions(store: GraphStore, iris: IRIs) -> list[resolve.Decision]:
    """The entity decisions of the last build, kept when clusters are only extended (the operations'
    are all taken again: operation clustering compares every operation each time)."""
    out = []
    for row in _in_graph(store, _DECISIONS, str(iris.identity_graph)):
        a, b = row["a"].value, row["b"].value
        if iris.kind_of(a) != "operation":
            out.append(resolve.Decision(a, b, float(row["score"].value), row["reason"].value))
    return out


def _extend(store: GraphStore, iris: IRIs, derived: _Derived, new_articles: set[str]) -> tuple[int, int] | None:
    """Bring the derived graphs up to date for added articles, touching only the canonical resources they
    change (:mod:`kg.canonical_update`), and extend the inferred graph from what changed.

    Only when the change is monotonic: articles were only added since the last derivation (none changed
    or went away), the ontology is the same, and no statement about the world left the canonical,
    corpus or gazetteer graphs (two canonical resources merging, or a value another value now refines,
    takes one away). Then OWL 2 RL reasoning from the new statements alone, joined with the stored
    closure, gives the same closure as a full recomputation. Returns the number of canonical triples
    fused again and of inferred triples added, or ``None`` when a full recomputation is needed.
    """
    added = sorted(new_articles)
    canonical, base = derived.canonical, f"<{iris.base}"
    touched = update.heads(canonical, update.in_article_graphs(store, iris, added))
    retired = set()
    for iri, head in canonical.items():
        was = _root(derived.stored, iri)
        if was != head:
            touched |= {f"<{was}>", f"<{head}>"}
            if canonical.get(was, was) != was:
                retired.add(f"<{was}>")
    touched |= update.heads(canonical, update.pointing_at(store, iris, retired))
    old_corpus = _graph_triples(store, str(iris.corpus_graph))
    touched |= {s for s, p, _o in old_corpus ^ derived.corpus if p == _DATE}
    # a name that changed (an operation's follows its place's), and operations a new containment lets
    # refine ("X is in Y": Y beside X is dropped)
    touched |= update.renamed(store, iris, derived.labels)
    old_places = _graph_triples(store, str(iris.gazetteer_graph))
    canon = canon_function(canonical)
    contained = {(canon(s), canon(o)) for g in added for s, _p, o, _g in store.match_quads(None, _LOCATED_IN, None, g)}
    contained |= {(s, o) for s, p, o in derived.places - old_places if p == _LOCATED_IN}
    touched |= update.placed_within(store, iris, contained, derived.located)
    touched = {t for t in touched if t.startswith(base) and not iris.is_article_graph(t[1:-1])}
    members: dict[str, set[str]] = defaultdict(set)
    for iri, head in canonical.items():
        if f"<{head}>" in touched:
            members[f"<{head}>"].add(f"<{iri}>")
    for head in touched:
        if head not in retired:
            members[head].add(head)
    graphs = update.member_graphs(store, iris, {m for ms in members.values() for m in ms}, added)
    op_places = {canon(o) for _g, triples in graphs for _s, p, o in triples if p == _TOOK_PLACE_IN}
    located = update.containing(store, iris, op_places, derived.located)
    labels = {h: derived.labels[h] for h in (t[1:-1] for t in touched) if h in derived.labels}
    new = canonical_graph(iris.base, graphs, canonical, labels, {t for t in derived.corpus if t[0] in touched},
                          located=located, regions=derived.regions)
    old = update.owned(store, iris, touched)
    new_facts, old_facts = set(for_reasoning(new)), set(for_reasoning(old))
    corpus_facts, old_corpus_facts = set(for_reasoning(derived.corpus)), set(for_reasoning(old_corpus))
    if not old_facts <= new_facts | derived.places | corpus_facts or not old_places <= derived.places \
            or not old_corpus_facts <= corpus_facts:
        return None
    # each served triple in one graph: one the canonical graph holds (with its sources) leaves this one
    served = [str(iris.canonical_graph)]
    places = {t for t in derived.places if t not in new and not (
        t[2].startswith("<") and t not in old and any(True for _ in store.match(*t, graphs=served)))}
    delta = sorted((new_facts - old_facts) | (places - old_places) | (corpus_facts - old_corpus_facts))
    increment = reason.reason_increment(delta, ontology_graph(), iris.base, _View(store, _served(iris)))
    if increment.violations:
        return None  # the full path explains and resolves them
    # What was inferred before and is now asserted leaves the inferred graph: the two never mix.
    store.replace_graphs({str(iris.identity_graph): derived.identity.serialize(format="nt"),
                          str(iris.corpus_graph): _ntriples(derived.corpus),
                          str(iris.gazetteer_graph): _ntriples(places)},
                         add={str(iris.inferred_graph): "\n".join(increment.lines),
                              str(iris.canonical_graph): _ntriples(new - old)},
                         remove={str(iris.inferred_graph): _ntriples(delta),
                                 str(iris.canonical_graph): _ntriples(old - new)})
    log.info("derived graphs incrementally: %d new article(s), %d canonical resources touched, "
             "%d new inferred triples", len(added), len(touched), len(increment.lines))
    return len(new), len(increment.lines)


def _root(links: dict[str, str], iri: str) -> str:
    """Where an IRI's identity links lead (itself when it has none)."""
    seen = {iri}
    while iri in links and links[iri] not in seen:
        iri = links[iri]
        seen.add(iri)
    return iri


def _recompute(store: GraphStore, iris: IRIs, derived: _Derived,
               resources: set[tuple[str, str, str]]) -> tuple[int, list[consistency.Conflict]]:
    """The inferred graph from scratch, with inconsistencies explained and resolved."""
    ontology = ontology_graph()
    rules = reason.compile_rules(ontology)
    places = derived.places - resources  # each served triple in one graph: an article's statement keeps its sources
    asserted = sorted(for_reasoning(resources)) + sorted(places) + sorted(for_reasoning(derived.corpus))
    inference = reason.reason_terms(asserted, ontology, iris.base, rules)
    # A resource's IRIs: its cluster's, and those of every resource an owl:sameAs makes it (a stated
    # identity, or a functional property's).
    clusters: dict[str, set[str]] = {}
    for iri, head in derived.canonical.items():
        clusters.setdefault(head, {head}).add(iri)
    members: dict[str, set[str]] = {}
    for v in inference.violations:
        resource = v.resource.strip("<>")
        same = {x.strip("<>") for x in inference.same.get(v.resource, {v.resource})} | {resource}
        members[resource] = set().union(*(clusters.get(x, {x}) for x in same))
    conflicts = consistency.explain(store, rules, inference.violations, members, f"{iris.base}article/")
    for conflict in conflicts:
        log.warning("inconsistency: %s", conflict.describe())
    lines = consistency.without_dropped(inference.lines, conflicts, rules, members)
    resources = resources - consistency.dropped_types(conflicts, rules, members)
    identity = derived.identity + consistency.record(conflicts, str(iris.identity_graph))
    graphs = {str(iris.identity_graph): identity.serialize(format="nt"), str(iris.inferred_graph): "\n".join(lines),
              str(iris.canonical_graph): _ntriples(resources), str(iris.gazetteer_graph): _ntriples(places),
              str(iris.corpus_graph): _ntriples(derived.corpus)}
    if _graph_hash(store, str(iris.ontology_graph)) != ontology_hash():
        # Rewritten only when it changed: its blank nodes would get new labels each time.
        graphs[str(iris.ontology_graph)] = ontology_ntriples() + (
            f"<{iris.ontology_graph}> <{OPS.contentHash}> \"{ontology_hash()}\" .\n")
    store.replace_graphs(graphs)
    return len(lines), conflicts


def _article_state(store: GraphStore, iris: IRIs) -> dict[str, str]:
    """Article -> content hash, as of the last derivation."""
    rows = _in_graph(store, _ARTICLE_STATE, str(iris.identity_graph))
    return dict(row["s"].value.split(" ", 1) for row in rows)


def _tenures(store: GraphStore, iris: IRIs, canonical: dict[str, str]) -> dict[str, str]:
    """Tenure IRI -> the least tenure IRI of the same (canonical) holder and role."""
    rows = _read(store, iris, "SELECT DISTINCT ?t ?p ?r WHERE { GRAPH ?g { ?t ops:holder ?p ; ops:ofRole ?r } }")
    groups: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in rows:
        key = (canonical.get(row["p"].value, row["p"].value), canonical.get(row["r"].value, row["r"].value))
        groups[key].add(row["t"].value)
    return {t: min(group) for group in groups.values() for t in group}


def _canonical_resources(store: GraphStore, iris: IRIs, candidates: Iterable[str]) -> set[str]:
    """Those of ``candidates`` (IRIs) that were canonical resources in the last build: described in the
    canonical graph."""
    graph, kind = str(iris.canonical_graph), f"<{RDF.type}>"
    return {iri for iri in candidates if any(True for _ in store.match(f"<{iri}>", kind, None, graphs=[graph]))}


_STORED_LINKS = "SELECT ?a ?b ?g WHERE { GRAPH ?g { ?a owl:sameAs ?b } }"


def _stored_links(store: GraphStore, iris: IRIs) -> dict[str, str]:
    """The identity links of the last build (IRI -> IRI), which keep canonical IRIs stable
    (:func:`kg.resolve.stable_links`): the one piece of derived state a build reads back. A graph of
    an earlier layout (all pairs of a cluster, more than one link per IRI) gives none: canonical
    IRIs are then chosen afresh, once."""
    links: dict[str, str] = {}
    for row in _in_graph(store, _STORED_LINKS, str(iris.identity_graph)):
        a, b = row["a"].value, row["b"].value
        if a == b:
            continue
        if a in links and links[a] != b:
            log.info("identity: the stored links are not one per IRI (an earlier layout): canonical IRIs "
                     "are chosen afresh")
            return {}
        links[a] = b
    for start in links:  # a cycle (an edited graph) would keep no IRI canonical
        seen, iri = {start}, links[start]
        while iri in links:
            if iri in seen:
                log.warning("identity: the stored links hold a cycle through %s: canonical IRIs are chosen afresh",
                            iri)
                return {}
            seen.add(iri)
            iri = links[iri]
    return links


def _graph_triples(store: GraphStore, graph: str) -> set[tuple[str, str, str]]:
    return {(str(q.subject), str(q.predicate), str(q.object)) for q in store.quads(graph)}


def _entity_records(store: GraphStore, iris: IRIs) -> list[resolve.EntityRecord]:
    # The core classes, and the kinds of place that tell a village from a province of its name.
    # Read by index lookups (every quad of a class, every name), not by a query joining them per graph.
    classes = {str(OPS[c]) for c in (*CORE_CLASSES, "Village", "Town", "Province", "Country", "Region")}
    typed: dict[tuple[str, str], list[str]] = defaultdict(list)
    for cls in sorted(classes):
        for q in store.quads(predicate=f"<{RDF.type}>", obj=f"<{cls}>"):
            graph = q.graph_name.value if isinstance(q.graph_name, ox.NamedNode) else ""
            if iris.is_article_graph(graph) and isinstance(q.subject, ox.NamedNode):
                typed[(q.subject.value, graph)].append(cls)
    rows = []
    for q in store.quads(predicate=f"<{SKOS.altLabel}>"):
        graph = q.graph_name.value if isinstance(q.graph_name, ox.NamedNode) else ""
        if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.Literal):
            for cls in typed.get((q.subject.value, graph), ()):
                rows.append((q.subject.value, cls, q.object.value, graph))
    records = resolve.group_records(sorted(rows))
    by_iri = {r.iri: r for r in records}
    context = _read(store, iris, "SELECT DISTINCT ?e ?org WHERE { GRAPH ?g { { ?e ops:memberOf ?org } UNION "
                            "{ ?e ops:holdsRole ?r . ?r ops:roleIn ?org } } }")
    for row in context:
        if row["e"].value in by_iri:
            by_iri[row["e"].value].orgs.add(row["org"].value)
    return records




def _in_articles(store: GraphStore, iris: IRIs, predicate: str,
                 obj: str | None = None) -> Iterator[tuple[ox.Quad, str]]:
    """The article graphs' quads of one predicate (and object), by index lookup, with their graph's IRI."""
    for q in store.quads(predicate=f"<{predicate}>", obj=obj):
        graph = q.graph_name.value if isinstance(q.graph_name, ox.NamedNode) else ""
        if iris.is_article_graph(graph):
            yield q, graph


def _value(term: object) -> str:
    return term.value if isinstance(term, (ox.NamedNode, ox.Literal)) else str(term)


def _operation_records(store: GraphStore, iris: IRIs, canonical: dict[str, str]) -> list[corpus.OperationRecord]:
    """Every operation of the article graphs with what clustering compares: kinds, the named people
    killed or targeted, places (and those it was only near), dates and date expressions. Read by index
    lookups, one predicate at a time."""
    ops: dict[str, corpus.OperationRecord] = {}
    for kind in ("Operation", "Raid", "HelicopterRaid", "AirStrike", "DroneStrike"):
        for q, graph in _in_articles(store, iris, str(RDF.type), f"<{OPS[kind]}>"):
            op = _value(q.subject)
            ops.setdefault(op, corpus.OperationRecord(op, graph)).kinds.add(kind)
    named = {(_value(q.subject), graph) for q, graph in _in_articles(store, iris, str(SKOS.altLabel))}
    for relation, killed in ((OPS.killedIn, True), (OPS.targetedIn, False)):
        for q, graph in _in_articles(store, iris, str(relation)):
            target, person = ops.get(_value(q.object)), _value(q.subject)
            if target is None or (person, graph) not in named:
                continue
            person = canonical.get(person, person)
            target.people.add(person)
            if killed:
                target.killed.add(person)
    near = set()
    for q, graph in _in_articles(store, iris, str(OPS.qualifier), str(ox.Literal("near"))):
        node = str(q.subject)
        fact = {p: o for _s, p, o, _g in store.match_quads(node, None, None, graph)}
        if fact.get(f"<{RDF.predicate}>") == f"<{OPS.tookPlaceIn}>":
            near.add((fact.get(f"<{RDF.subject}>", "")[1:-1], fact.get(f"<{RDF.object}>", "")[1:-1]))
    for q, _graph in _in_articles(store, iris, str(OPS.tookPlaceIn)):
        op, where = _value(q.subject), _value(q.object)
        if op in ops:
            place = canonical.get(where, where)
            ops[op].places.add(place)
            if (op, where) in near:
                ops[op].near.add(place)
    for q, _graph in _in_articles(store, iris, str(OPS.date)):
        if _value(q.subject) in ops:
            ops[_value(q.subject)].dates.add(_value(q.object))
    for q, _graph in _in_articles(store, iris, str(OPS.dateExpression)):
        if _value(q.subject) in ops:
            ops[_value(q.subject)].expressions.add(_value(q.object))
    return [ops[k] for k in sorted(ops)]


def _places(store: GraphStore, iris: IRIs, canonical: dict[str, str]) -> corpus.Places:
    located = {(canonical.get(r["a"].value, r["a"].value), canonical.get(r["b"].value, r["b"].value))
               for r in _read(store, iris, "SELECT DISTINCT ?a ?b WHERE { GRAPH ?g { ?a ops:locatedIn ?b } }")}
    kinds = {}
    for row in _read(store, iris, "SELECT DISTINCT ?l ?k WHERE { GRAPH ?g { ?l a ?k } FILTER(?k IN (ops:Country, "
                             "ops:Region, ops:Province, ops:District, ops:City, ops:Town, ops:Village, ops:Camp)) }"):
        kinds[canonical.get(row["l"].value, row["l"].value)] = row["k"].value.rsplit("#", 1)[-1]
    return corpus.Places(located, kinds)


def _published(store: GraphStore, iris: IRIs) -> dict[str, str]:
    rows = _read(store, iris, "SELECT ?g ?d WHERE { GRAPH ?g { ?g a ops:Article ; dct:date ?d } }")
    return {r["g"].value: r["d"].value for r in rows if iris.is_article_graph(r["g"].value)}


def _operation_labels(operations: list[corpus.OperationRecord], canonical: dict[str, str],
                      dates: dict[str, tuple[ResolvedDate, str]], labels: dict[str, str],
                      places: corpus.Places) -> dict[str, str]:
    """A readable name per operation cluster, by its canonical IRI: "Raid in Atmeh, 2022-02"."""
    members: dict[str, list[corpus.OperationRecord]] = {}
    for record in operations:
        members.setdefault(canonical[record.iri], []).append(record)
    out = {}
    for head, group in members.items():
        kind = max((r.kind for r in group), key=lambda k: corpus.KIND_RANK.get(k, 0))
        words = re.sub(r"(?<!^)(?=[A-Z])", " ", kind).lower().capitalize()
        candidates = {p for r in group for p in r.places}
        place = min(candidates, key=lambda p: (place_rank(places.kinds.get(p)), p), default=None)
        label = words + (f" in {labels.get(place, place.rsplit('/', 1)[-1])}" if place else "")
        if head in dates:
            label += f", {dates[head][0].value}"
        out[head] = label
    return out


def _corpus_facts(store: GraphStore, iris: IRIs, canonical: dict[str, str],
                  dates: dict[str, tuple[ResolvedDate, str]], operations: list[corpus.OperationRecord]) -> Graph:
    """Dates found by the corpus, tenure ends and successions, on canonical IRIs, each with a note of how
    it was derived (the canonical graph's)."""
    g = Graph()
    stated: dict[str, set[str]] = {}
    for record in operations:
        stated.setdefault(canonical.get(record.iri, record.iri), set()).update(record.dates)
    for head, own in sorted(stated.items()):
        found = dates.get(head)
        if found is None or any(d.startswith(found[0].value) and len(d) >= len(found[0].value) for d in own):
            continue  # an article dates it as precisely
        value, how = found
        g.add((URIRef(head), OPS.date, Literal(value.value, datatype=XSD[value.datatype])))
        note = URIRef(f"{head}#date-derivation")
        g.add((note, RDF.type, OPS.Derivation))
        g.add((note, OPS.about, URIRef(head)))
        g.add((note, OPS.reason, Literal(how)))
    # Tenures: holder, role, ordinal, current, start; the end of each from the holder's death.
    rows = _read(store, iris, "SELECT ?t ?p ?r ?n ?c ?s WHERE { GRAPH ?g { ?t ops:holder ?p ; ops:ofRole ?r . "
                         "OPTIONAL { ?t ops:ordinal ?n } OPTIONAL { ?t ops:current ?c } "
                         "OPTIONAL { ?t ops:startDate ?s } } }")
    deaths: dict[str, tuple[set[str], str]] = {}
    for row in _read(store, iris, "SELECT ?p ?op WHERE { GRAPH ?g { ?p ops:killedIn ?op } }"):
        person = canonical.get(row["p"].value, row["p"].value)
        when = dates.get(canonical.get(row["op"].value, row["op"].value))
        reports, end = deaths.get(person, (set(), ""))
        reports.add(canonical.get(row["op"].value, row["op"].value))
        deaths[person] = (reports, end or (when[0].value if when else ""))
    tenures = []
    for row in rows:
        holder = canonical.get(row["p"].value, row["p"].value)
        ordinal = int(row["n"].value) if row["n"] is not None else None
        current = row["c"].value == "true" if row["c"] is not None else None
        started = row["s"].value if row["s"] is not None else None
        death = deaths.get(holder)
        tenures.append(corpus.Tenure(row["t"].value, holder, row["r"].value, ordinal, current,
                                     death[1] or None if death else None, started))
        if death is not None:
            for report in sorted(death[0]):
                g.add((URIRef(row["t"].value), OPS.endedBy, URIRef(report)))
            if death[1]:
                ended = ResolvedDate.of(death[1])
                g.add((URIRef(row["t"].value), OPS.endDate, Literal(ended.value, datatype=XSD[ended.datatype])))
    g += _successions(store, iris, canonical, tenures)
    return g


def _successions(store: GraphStore, iris: IRIs, canonical: dict[str, str], tenures: list[corpus.Tenure]) -> Graph:
    """``ops:succeededBy`` and its ``ops:Succession`` nodes, from what the articles state (``ops:follows``,
    ``ops:comesAfter``) merged with ordinals and dates; contradictions between articles are noted."""
    g = Graph()
    titles = {}
    for row in _read(store, iris, "SELECT DISTINCT ?r ?l WHERE { GRAPH ?g { ?r a ops:Role ; skos:altLabel ?l } }"):
        titles[row["r"].value] = row["l"].value.split(" of ")[0].strip().lower()
    # One position however its organization is spelt: the same title in the same (canonical) organization;
    # in a force or a state body (not an armed group, whose commanders are many) its head is its commander.
    armed = {canonical.get(r["o"].value, r["o"].value)
             for r in _read(store, iris, "SELECT DISTINCT ?o WHERE { GRAPH ?g { ?o a ops:ArmedGroup } }")}
    groups = {}
    for row in _read(store, iris, "SELECT DISTINCT ?r ?o WHERE { GRAPH ?g { ?r a ops:Role ; ops:roleIn ?o } }"):
        role, org = row["r"].value, canonical.get(row["o"].value, row["o"].value)
        title = titles.get(role, "")
        if org not in armed and title in corpus.HEAD_TITLES:
            title = "head"
        groups[role] = f"{org} {title}"
    for row in _read(store, iris, "SELECT DISTINCT ?r ?c WHERE { GRAPH ?g { ?r a ops:Role ; ops:jurisdiction ?c } }"):
        role = row["r"].value
        groups.setdefault(role, f"{canonical.get(row['c'].value, row['c'].value)} {titles.get(role, '')}")
    statements = [corpus.Statement(row["e"].value, row["l"].value, row["p"].value.endswith("#follows"),
                                   row["g"].value)
                  for row in _read(store, iris, "SELECT ?l ?e ?p ?g WHERE { GRAPH ?g { ?l ?p ?e "
                                                "FILTER(?p IN (ops:follows, ops:comesAfter)) } }")]
    result = corpus.order_successions(tenures, titles, statements, groups)
    for s in result.successions:
        a, b = URIRef(s.predecessor), URIRef(s.successor)
        g.add((a, OPS.succeededBy, b))
        node = URIRef(f"{iris.base}succession/" + hashlib.sha1(f"{s.predecessor} {s.successor} {s.role}".encode())
                      .hexdigest()[:16])
        g.add((node, RDF.type, OPS.Succession))
        g.add((node, OPS.predecessor, a))
        g.add((node, OPS.successor, b))
        g.add((node, OPS.inRole, URIRef(s.role)))
        g.add((node, OPS.direct, Literal(s.direct)))
        for tenure in s.tenures:
            g.add((node, PROV.wasDerivedFrom, URIRef(tenure)))
    for conflict in result.conflicts:
        note = URIRef(f"{iris.base}succession/conflict-" + hashlib.sha1(
            f"{conflict.dropped} {conflict.role}".encode()).hexdigest()[:16])
        g.add((note, RDF.type, OPS.Derivation))
        g.add((note, OPS.about, URIRef(conflict.role)))
        g.add((note, OPS.reason, Literal(conflict.describe())))
    return g


class _View:
    """The closure reasoning extends: the canonical, gazetteer and inferred graphs, without names and sources."""

    def __init__(self, store: GraphStore, graphs: list[str]) -> None:
        self.store = store
        self.graphs = graphs

    def match(self, s: str | None, p: str | None, o: str | None) -> Iterator[tuple[str, str, str]]:
        if p in UNREASONED:
            return
        for t in self.store.match(s, p, o, graphs=self.graphs):
            if t[1] in UNREASONED or (t[1] == _TYPE and t[2] in UNREASONED_TYPES):
                continue
            yield t


_TYPE = f"<{RDF.type}>"
