"""Derived graphs: identity, canonical resources, corpus facts, the gazetteer's, and inferred triples.

From the article graphs: identity clusters (:mod:`kg.resolve`, :mod:`kg.corpus` for operations), the
canonical graph of one resource per cluster (:mod:`kg.canonical`), what only the corpus says, the
gazetteer graph, and the OWL 2 RL closure of them (:mod:`kg.reason`). When articles were only added,
what the last derivation left in the state graph is read back instead of every article (each name's
record and blocking keys, :mod:`kg.identity_state`; each article's other inputs, :mod:`kg.inputs`),
only the names near the new ones are clustered again, only the canonical resources they touch are
fused again (:mod:`kg.canonical_update`), and the closure is kept up to date from what changed
(:mod:`kg.reason_delta`: what new statements derive is added, what statements that leave derived is
taken away); otherwise everything is derived afresh and the state graph written whole.

They are written together with the ontology graph, and carry a digest of the article contents they
were computed from, so a stale state (a build killed after its articles were stored, or while the
derived graphs were being written: the digest, in the identity graph, is removed before anything else
changes, with the whole graph when it is replaced, or as the first triple removed when only what
changed is written; see :mod:`kg.store.oxigraph`) is detected and repaired by the next command
that writes.

Every query here is constant text: a graph or resource goes in as a bound term (``substitutions``),
a set of graphs as the query's named graphs.
"""

from __future__ import annotations

import gc
import logging
import time
from collections import defaultdict
from collections.abc import Container, Iterable, Iterator, Mapping
from dataclasses import dataclass, field

import pyoxigraph as ox
from rdflib import Graph
from rdflib.namespace import RDF

from kg import canonical_update as update
from kg import consistency, corpus, corpus_facts, identity_state, inputs, readers, reason, reason_delta, resolve
from kg.canonical import UNREASONED, UNREASONED_TYPES, Triple, canon_function, canonical_graph, for_reasoning
from kg.errors import StateError
from kg.identity_graph import Identity
from kg.identity_state import state_format
from kg.inputs import Inputs
from kg.lookups import Lookups, by_subject
from kg.ontology import ontology_graph, ontology_hash, ontology_ntriples
from kg.store import GraphStore
from kg.vocab import OPS, IRIs

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DeriveReport:
    entities: int
    canonical_triples: int
    inferred_triples: int
    seconds: float
    conflicts: list[consistency.Conflict] = field(default_factory=list)
    #: what it wrote that the next derivation of the same build reads (:class:`Written`)
    written: Written | None = None


@dataclass(frozen=True)
class Written:
    """What a derivation wrote of the identity and state graphs that the next one reads: the identity
    links and decisions (by node), the articles it was derived from and their inputs. A build hands it
    to its next derivation, which takes it instead of reading the graphs back (reading them grows with the
    corpus: 0.8 s at 8,500 articles). Between the two, a build (which holds the store's lock) only adds or
    replaces articles; as a safeguard, it is taken only when the identity graph still holds its
    ``digest``, that of the article contents it was derived from."""

    digest: str
    links: Mapping[str, str]
    decisions: Mapping[str, resolve.Decision | None]
    articles: Mapping[str, str]
    inputs: list[Inputs]


# Queries of one graph, bound to ?g: the inconsistencies it records; what it states about itself.
_CONFLICTS = "SELECT ?g ?text WHERE { GRAPH ?g { ?n a ops:Inconsistency ; rdfs:comment ?text } } ORDER BY ?text"
_CONTENT_HASH = "SELECT ?g ?h WHERE { GRAPH ?g { ?g ops:contentHash ?h } }"


def recorded_conflicts(store: GraphStore, iris: IRIs) -> list[str]:
    """The inconsistencies the last derivation found, as recorded in the identity graph."""
    rows = readers.in_graph(store, _CONFLICTS, str(iris.identity_graph))
    return [r["text"].value for r in rows]


def article_hashes(store: GraphStore, iris: IRIs) -> dict[str, str]:
    """Article IRI -> content hash, for every stored article."""
    lookups = Lookups(store, iris)
    return {graph: hashes[0] for (node, graph), hashes in by_subject(lookups, str(OPS.contentHash)).items()
            if node == graph}


def _graph_hash(store: GraphStore, graph: str) -> str | None:
    """The ``ops:contentHash`` a graph states about itself."""
    rows = list(readers.in_graph(store, _CONTENT_HASH, graph))
    return rows[0]["h"].value if rows else None


def is_stale(store: GraphStore, iris: IRIs) -> bool:
    """True when the derived graphs were not computed from the articles and ontology now stored."""
    current = resolve.state_digest(article_hashes(store, iris).values())
    return (_graph_hash(store, str(iris.identity_graph)) != current
            or _graph_hash(store, str(iris.ontology_graph)) != ontology_hash())


def refresh(store: GraphStore, iris: IRIs, *, afresh: bool = False, last: Written | None = None,
            articles: Mapping[str, list[Triple]] | None = None) -> DeriveReport:
    """Recompute the identity, canonical, gazetteer and inferred graphs and rewrite them with the
    ontology, atomically. ``afresh``: derive everything from the article graphs even if articles were
    only added (an article was built again with the same text: its graph may have changed). ``last``:
    what the last derivation wrote (its report's), if only article graphs were written since.
    ``articles``: article graphs as the store holds them (graph IRI -> N-Triples terms, as
    :meth:`GraphStore.as_read` gives them), taken instead of reading them back."""
    with _Collector() as collector:
        return _refresh(store, iris, afresh, collector, last, articles or {})


class _Collector:
    """Python's cycle collector, paused while an incremental derivation runs. It makes millions of
    containers and no cycles worth collecting, and each full collection walks every container the
    process holds (the corpus's decoded inputs and identity state among them): a cost that grew with
    the corpus (at 8,000 + 500 articles, 2-3 s of a 17 s derivation; the same peak memory without it).
    Reference counting still frees what it drops. A full derivation, also one an incremental derivation
    falls back to (the new articles make the graph inconsistent), makes cyclic garbage (rdflib graphs):
    it :meth:`resume` s collection (at 200 articles its peak memory was 62 MB higher without)."""

    def __enter__(self) -> _Collector:
        self.enabled = gc.isenabled()
        gc.disable()
        return self

    def resume(self) -> None:
        if self.enabled:
            gc.enable()

    def __exit__(self, *exc: object) -> None:
        self.resume()


def _refresh(store: GraphStore, iris: IRIs, afresh: bool, collector: _Collector,
             last: Written | None, articles: Mapping[str, list[Triple]]) -> DeriveReport:
    started = time.perf_counter()
    hashes = article_hashes(store, iris)
    digest = resolve.state_digest(hashes.values())
    stored_digest = _graph_hash(store, str(iris.identity_graph))  # what the last derivation was derived from
    if last is not None and last.digest != stored_digest:
        last = None  # something else wrote the identity graph since
    readable = last.links if last is not None else readers.stored_links(store, iris)
    stored = readable if readable is not None else {}
    # links that do not read back as written: the full path writes the identity graph whole
    added = None if afresh or readable is None else _added_only(store, iris, hashes, stored_digest, last)
    # The records clustered, the neighbourhood they were compared in, the index of the article graphs handed
    # on, and the corpus-wide records made from them live only in these two calls (no local holds them): they
    # are gone before the derived graphs are written (the write is a derivation's peak of memory).
    derived = _corpus(store, iris, _cluster(store, iris, Lookups(store, iris, articles), added, stored, last,
                                            collector, digest, stored_digest), hashes, digest, stored)
    added = derived.added  # None also when the state graph did not read back: then derived afresh
    extended = _extend(store, iris, derived, added, articles) if added is not None else None
    conflicts: list[consistency.Conflict] = []
    if extended is not None:
        size, inferred, nodes = extended
    else:
        collector.resume()  # also when the new articles made the graph inconsistent: a full derivation
        resources = canonical_graph(iris.base, _article_triples(store, iris, articles), derived.canonical,
                                    derived.labels, derived.corpus, located=derived.located, regions=derived.regions)
        inferred, conflicts = _recompute(store, iris, derived, resources)
        size, nodes = len(resources), derived.identity.nodes()
    report = DeriveReport(derived.entities, size, inferred, time.perf_counter() - started, conflicts,
                          Written(digest, derived.identity.links, nodes, hashes, derived.inputs))
    log.info("derived graphs: %d entity IRIs compared, %d canonical triples, %d inferred triples in %.1f s",
             report.entities, report.canonical_triples, report.inferred_triples, report.seconds)
    return report


@dataclass(frozen=True)
class _Clustered:
    """The entity clusters a derivation starts from (:func:`_cluster`)."""

    #: the articles added since the last derivation; ``None``: everything is derived afresh
    added: set[str] | None
    #: the inputs of every article
    inputs: list[Inputs]
    #: the entity records clustered: all of them, or when articles were only added, the neighbourhood's
    records: list[resolve.EntityRecord]
    #: IRI -> canonical IRI, for every entity IRI in a cluster
    canonical: dict[str, str]
    #: the decisions that made the clusters
    decisions: list[resolve.Decision]
    #: the last derivation's decisions, by node (empty when everything is derived afresh)
    decided: Mapping[str, resolve.Decision | None]
    #: the IRIs clustered again, when articles were only added
    unsettled: set[str] | None
    #: what the state graph becomes
    state: _State


def _cluster(store: GraphStore, iris: IRIs, lookups: Lookups, added: set[str] | None, stored: Mapping[str, str],
             last: Written | None, collector: _Collector, digest: str, stored_digest: str | None) -> _Clustered:
    """The entities' clusters: when articles were only added (``added``), only the names near the new
    articles' are compared and the last clusters stand; otherwise (or when the state graph does not read
    back) every record is clustered afresh."""
    if added is not None:
        try:
            # what derivation reads of each article beyond its names: the last build's, and the new articles'
            read = inputs.read(lookups, sorted(added))
            everything = (last.inputs if last is not None else inputs.stored(store, iris)) + read
            near = identity_state.neighbourhood(lookups, sorted(added), stored)
            decided = last.decisions if last is not None else readers.stored_decisions(store, iris)
            records, canonical, decisions = identity_state.recluster(iris, near, stored, *_entities(everything),
                                                                     decided)
        except StateError as exc:
            log.warning("%s: derived afresh", exc)
        else:
            state = _State(None, _state_mark(iris, digest) + identity_state.ntriples(near.changed)
                           + inputs.ntriples(read), _state_mark(iris, stored_digest or "") + near.replaced)
            return _Clustered(added, everything, records, canonical, decisions, decided, near.unsettled, state)
    collector.resume()  # a full derivation makes cyclic garbage
    everything = inputs.read(lookups)
    records = readers.entity_records(lookups)
    canonical, decisions = resolve.cluster(records, *_entities(everything))
    state = _State(_state_mark(iris, digest) + identity_state.ntriples(records) + inputs.ntriples(everything))
    return _Clustered(None, everything, records, canonical, decisions, {}, None, state)


def _entities(everything: list[Inputs]) -> tuple[set[str], set[str]]:
    """The entities with a gazetteer entry, and the places located by another (``ops:near``)."""
    return ({e for i in everything for e in i.gazetteer_entities}, {e for i in everything for e in i.placed})


def _corpus(store: GraphStore, iris: IRIs, clustered: _Clustered, hashes: dict[str, str], digest: str,
            stored: Mapping[str, str]) -> _Derived:
    """Everything a derivation computes over the whole corpus from the entity clusters: the tenures' and
    operations' clusters, stable canonical IRIs, the names, the corpus and gazetteer graphs."""
    added, everything, records, unsettled = clustered.added, clustered.inputs, clustered.records, clustered.unsettled
    known = readers.CanonicalResources(store, iris)
    canonical, links = resolve.stable_links(clustered.canonical, stored, known)
    # when articles were only added: the canonical IRIs of the clusters that hold an IRI clustered again,
    # the only ones named again (with the operations that took place in them, and the others
    # :func:`_in_play` finds)
    again = None if unsettled is None else {canonical.get(iri, iri) for iri in unsettled}
    labels = resolve.cluster_labels(_named_again(records, canonical, again), canonical)

    # One tenure per holder and role, however many articles (and spellings of the holder) state it.
    tenures = inputs.tenures(everything, canonical)
    tenure_canonical, tenure_links = resolve.stable_links(tenures, stored, known)
    links.update(tenure_links)
    canonical.update(tenure_canonical)

    operations = inputs.operation_records(everything, canonical)
    places = inputs.places(everything, canonical)
    op_canonical, op_merges = corpus.cluster_operations(operations, places)
    op_canonical, op_links = resolve.stable_links(op_canonical, stored, known)
    links.update(op_links)
    canonical.update(op_canonical)
    decisions = clustered.decisions + [resolve.Decision(a, b, 1.0, reason) for a, b, reason in op_merges]
    published = inputs.published(everything)
    dates = corpus.corpus_dates(operations, op_canonical, published)
    # the names computed here; when articles were added, those of the clusters not in play stand
    names: Mapping[str, str] = labels if added is None else readers.Labels(store, iris, canonical, labels)
    # (``again`` is None exactly when ``added`` is: the second test is the type checker's)
    named = operations if added is None or again is None else _in_play(operations, op_canonical, stored, added,
                                                                       again, published)
    labels.update(corpus_facts.operation_labels(named, op_canonical, dates, names, places))
    for iri in [i for i in labels if canonical.get(i, i) != i]:
        del labels[iri]  # canonical IRIs only

    identity = Identity(str(iris.identity_graph), digest, hashes, links, decisions)
    canon = canon_function(canonical)
    facts = _terms(corpus_facts.corpus_facts(everything, iris, canonical, dates, operations))
    return _Derived(identity, clustered.decided, canonical, names, stored, known,
                    {(canon(s), p, canon(o)) for s, p, o in facts},
                    _terms(readers.corpus_gazetteer_graph(inputs.gazetteer_places(everything, canonical))),
                    {iri for iri, kind in places.kinds.items() if kind == "Region"}, clustered.state,
                    added, len(records), everything)


def _named_again(records: list[resolve.EntityRecord], canonical: Mapping[str, str],
                 again: set[str] | None) -> list[resolve.EntityRecord]:
    """The records whose clusters are named again: all, or when articles were only added, those of the
    clusters ``again`` (those that hold an IRI clustered again: every other cluster has the members it
    had, so the name it had)."""
    if again is None:
        return records
    return [r for r in records if canonical.get(r.iri, r.iri) in again]


def _in_play(operations: list[corpus.OperationRecord], canonical: dict[str, str], links: Mapping[str, str],
             added: set[str], again: set[str], published: Mapping[str, str]) -> list[corpus.OperationRecord]:
    """The operations whose cluster's name may have changed since the last build: a cluster with a new
    article's report, one that gained or lost a report, one whose place's cluster is in ``again`` (the
    canonical IRIs of the clusters that hold an IRI clustered again: any other place keeps its members,
    so its canonical IRI, name and kind, for an article graph writes a place's kind with its name,
    :mod:`kg.rdf`), and, for an article with no publication date, every operation it reports (their
    dates resolve against one another)."""
    moved = {identity_state.root(links, r.iri) for r in operations
             if canonical[r.iri] != identity_state.root(links, r.iri)}
    heads = {canonical[r.iri] for r in operations
             if r.article in added or identity_state.root(links, r.iri) in moved or r.places & again}
    undated = {r.article for r in operations if canonical[r.iri] in heads and r.article not in published}
    heads |= {canonical[r.iri] for r in operations if r.article in undated}
    return [r for r in operations if canonical[r.iri] in heads]


@dataclass(frozen=True)
class _State:
    """The state graph (:mod:`kg.identity_state`): whole (N-Triples), or the triples to add and remove."""

    whole: str | None
    add: str = ""
    remove: str = ""

    def write(self, iris: IRIs, graphs: dict[str, str], add: dict[str, str], remove: dict[str, str]) -> None:
        """Put this state into the arguments of :meth:`GraphStore.replace_graphs`."""
        name = str(iris.state_graph)
        if self.whole is not None:
            graphs[name] = self.whole
        else:
            add[name], remove[name] = self.add, self.remove


@dataclass
class _Derived:
    """What a derivation computes over the whole corpus before the canonical graph is written, and what the
    write and the report take from the clustering."""

    #: what the identity graph becomes
    identity: Identity
    #: the decisions of the last derivation, by node (:func:`kg.readers.stored_decisions`), when articles
    #: were only added
    decided: Mapping[str, resolve.Decision | None]
    #: IRI -> canonical IRI, for every IRI in an identity cluster (entities and operations)
    canonical: dict[str, str]
    #: canonical IRI -> name
    labels: Mapping[str, str]
    #: the identity links of the last build
    stored: Mapping[str, str]
    #: the canonical resources of the last build
    known: Container[str]
    #: the corpus graph (N-Triples terms, canonical IRIs)
    corpus: set[tuple[str, str, str]]
    #: the gazetteer graph (N-Triples terms, canonical IRIs), before the triples the canonical graph holds
    places: set[tuple[str, str, str]]
    #: the places that are regions (canonical IRIs)
    regions: set[str]
    #: what the state graph becomes
    state: _State
    #: the articles added since the last derivation; ``None``: everything is derived afresh
    added: set[str] | None
    #: the number of entity IRIs clustered
    entities: int
    #: the inputs of every article
    inputs: list[Inputs]

    @property
    def located(self) -> list[tuple[str, str]]:
        return [(s, o) for s, p, o in self.places if p == _LOCATED_IN]


_LOCATED_IN, _TOOK_PLACE_IN, _DATE = f"<{OPS.locatedIn}>", f"<{OPS.tookPlaceIn}>", f"<{OPS.date}>"


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


def _article_triples(store: GraphStore, iris: IRIs,
                     handed: Mapping[str, list[Triple]]) -> Iterator[tuple[str, list[Triple]]]:
    """Each article graph's IRI with its triples (N-Triples terms): those ``handed`` on, the others read."""
    for graph in store.graph_names():
        if iris.is_article_graph(graph):
            yield graph, handed[graph] if graph in handed else _read_graph(store, graph)


def _read_graph(store: GraphStore, graph: str) -> list[Triple]:
    return list(readers.graph_triples(store, graph))


def _served(iris: IRIs) -> list[str]:
    """The closure reasoning extends: the served graphs but the ontology (the graphs it reads, and its own
    output)."""
    return [g for g in iris.served_graphs if g != str(iris.ontology_graph)]


def _state_mark(iris: IRIs, digest: str) -> str:
    """What the state graph says of itself: the format it is written in, and the digest of the article
    contents it was derived from (the identity graph's); a state whose mark is not the one expected is
    not read back, and everything is derived afresh."""
    return f"<{iris.state_graph}> <{OPS.contentHash}> {ox.Literal(f'{state_format()} {digest}')} .\n"


def _added_only(store: GraphStore, iris: IRIs, hashes: dict[str, str], stored_digest: str | None,
                last: Written | None) -> set[str] | None:
    """The articles added since the last derivation, when nothing else changed: none of its articles
    changed or went away, the ontology is the same, it recorded no inconsistency, and it wrote a
    canonical graph and a state graph of this code's format for the articles it was derived from (a
    store derived before there was a state graph has none). ``None`` otherwise: everything is derived
    afresh."""
    previous = last.articles if last is not None else readers.article_state(store, iris)
    mark = f"{state_format()} {stored_digest}"
    if not previous or any(hashes.get(a) != h for a, h in previous.items()) \
            or _graph_hash(store, str(iris.ontology_graph)) != ontology_hash() or recorded_conflicts(store, iris) \
            or next(store.quads(str(iris.canonical_graph)), None) is None \
            or _graph_hash(store, str(iris.state_graph)) != mark:
        return None
    return {a for a in hashes if a not in previous}


def _extend(store: GraphStore, iris: IRIs, derived: _Derived, new_articles: set[str],
            handed: Mapping[str, list[Triple]]) -> tuple[int, int, dict[str, resolve.Decision | None]] | None:
    """Bring the derived graphs up to date for added articles, touching only the canonical resources they
    change (:mod:`kg.canonical_update`), and bring the inferred graph up to date from what changed
    (:mod:`kg.reason_delta`): what new statements derive is added; what statements that leave the
    knowledge graph derived (two canonical resources merging, a value another value now refines) is
    taken away, but for what still follows from the rest.

    Only when articles were only added since the last derivation (none changed or went away) and the
    ontology is the same. Returns the number of canonical triples fused again and of inferred triples
    added, and the identity decisions by node as written (:class:`Written`), or ``None`` when a full
    recomputation is needed (the new articles make the knowledge graph
    inconsistent: the full path explains and resolves that). ``handed``: article graphs taken instead of
    reading them back.
    """
    added = sorted(new_articles)
    canonical, base = derived.canonical, f"<{iris.base}"
    new_graphs = {g: handed[g] if g in handed else _read_graph(store, g) for g in added}
    named = update.heads(canonical, update.in_article_graphs(new_graphs))
    touched: set[str] = set()  # fused again whole; those only ``named`` have the new articles' facts added
    retired, left = set(), set()
    for iri, head in canonical.items():
        was = identity_state.root(derived.stored, iri)
        if was == head or (was == iri and iri not in derived.known):
            continue  # an IRI only new articles name, in a cluster: that is added to (``named``), not fused again
        touched |= {f"<{was}>", f"<{head}>"}
        if canonical.get(was, was) != was:
            retired.add(f"<{was}>")
        elif was != iri:  # the IRI left a cluster that goes on: what it said of others moves with it
            left.add(f"<{was}>")
    touched |= update.heads(canonical, update.pointing_at(store, iris, retired | left))
    old_corpus = readers.graph_triples(store, str(iris.corpus_graph))
    touched |= {s for s, p, _o in old_corpus ^ derived.corpus if p == _DATE}
    # a name that changed (an operation's follows its place's), and operations a new containment lets
    # refine ("X is in Y": Y beside X is dropped)
    touched |= derived.labels.changed() if isinstance(derived.labels, readers.Labels) else set()
    old_places = readers.graph_triples(store, str(iris.gazetteer_graph))
    canon = canon_function(canonical)
    contained = {(canon(s), canon(o)) for triples in new_graphs.values() for s, p, o in triples if p == _LOCATED_IN}
    contained |= {(s, o) for s, p, o in derived.places - old_places if p == _LOCATED_IN}
    touched |= update.placed_within(store, iris, contained, derived.located)
    touched = {t for t in touched if t.startswith(base) and not iris.is_article_graph(t[1:-1])}
    named = {t for t in named if t.startswith(base) and not iris.is_article_graph(t[1:-1])}
    members: dict[str, set[str]] = defaultdict(set)
    for iri, head in canonical.items():
        if f"<{head}>" in touched or f"<{head}>" in named:
            members[f"<{head}>"].add(f"<{iri}>")
    for head in touched | named:
        if head not in retired:
            members[head].add(head)
    grown_add, grown_remove, refused = update.grown(store, iris, {r: members[r] for r in named - touched},
                                                    new_graphs, canonical)
    touched |= refused
    graphs = update.member_graphs(store, iris, {m for r in touched for m in members[r]}, added)
    op_places = {canon(o) for _g, triples in graphs for _s, p, o in triples if p == _TOOK_PLACE_IN}
    located = update.containing(store, iris, op_places, [*derived.located, *contained])
    labels = {h: derived.labels[h] for h in (t[1:-1] for t in touched) if h in derived.labels}
    new = canonical_graph(iris.base, graphs, canonical, labels, {t for t in derived.corpus if t[0] in touched},
                          located=located, regions=derived.regions)
    old = update.owned(store, iris, touched)
    new_facts, old_facts = set(for_reasoning(new)), set(for_reasoning(old))
    new_facts |= set(for_reasoning(grown_add))
    corpus_facts, old_corpus_facts = set(for_reasoning(derived.corpus)), set(for_reasoning(old_corpus))
    lost = (old_facts - new_facts - derived.places - corpus_facts) | (old_places - derived.places) \
        | (old_corpus_facts - corpus_facts)
    # each served triple in one graph: one the canonical graph holds (with its sources) leaves this one
    resources = [str(iris.canonical_graph)]
    places = {t for t in derived.places if t not in new and t not in grown_add and not (
        t[2].startswith("<") and t not in old and any(True for _ in store.match(*t, graphs=resources)))}
    delta = sorted((new_facts - old_facts) | (places - old_places) | (corpus_facts - old_corpus_facts))
    # a merge, or a value another now refines, takes statements away: what they alone derived goes too
    increment = reason_delta.reason_change(delta, sorted(lost), ontology_graph(), iris.base,
                                           _View(store, _served(iris)), _View(store, [str(iris.inferred_graph)]))
    if increment.violations:
        log.info("derived graphs in full: the new articles make the knowledge graph inconsistent")
        return None  # the full path explains and resolves them
    # What was inferred before and is now asserted leaves the inferred graph: the two never mix.
    add = {str(iris.inferred_graph): "\n".join(increment.lines),
           str(iris.canonical_graph): _ntriples((new - old) | grown_add)}
    remove = {str(iris.inferred_graph): _ntriples(delta) + "".join(f"{line}\n" for line in increment.retracted),
              str(iris.canonical_graph): _ntriples((old - new) | grown_remove)}
    # Only what changed in the identity, corpus and gazetteer graphs is written (the identity graph grows
    # with the corpus); the identity graph's first: the digest it holds goes before anything else changes.
    corpus, gazetteer = str(iris.corpus_graph), str(iris.gazetteer_graph)
    if _blank(derived.corpus | old_corpus | places | old_places):
        written = {str(iris.identity_graph): derived.identity.ntriples(), corpus: _ntriples(derived.corpus),
                   gazetteer: _ntriples(places)}  # the store's blank-node labels are its own: whole graphs
        nodes = derived.identity.nodes()
    else:
        written = {}
        identity = derived.identity.change(store, derived.stored, derived.decided, added)
        nodes = derived.identity.nodes(derived.decided)
        add |= {str(iris.identity_graph): identity[0], corpus: _ntriples(derived.corpus - old_corpus),
                gazetteer: _ntriples(places - old_places)}
        remove = {str(iris.identity_graph): identity[1], corpus: _ntriples(old_corpus - derived.corpus),
                  gazetteer: _ntriples(old_places - places), **remove}
    derived.state.write(iris, written, add, remove)
    store.replace_graphs(written, add=add, remove=remove)
    gained = set(increment.lines) - set(increment.retracted)  # not those retracted and derived again
    log.info("derived graphs incrementally: %d new article(s), %d canonical resources fused again, %d added "
             "to, %d statement(s) gone, %d inferred triples added, %d retracted", len(added), len(touched),
             len(named - touched), len(lost), len(gained), len(set(increment.retracted) - set(increment.lines)))
    return len(new) + len(grown_add), len(gained), nodes


def _blank(triples: Iterable[tuple[str, ...]]) -> bool:
    """Whether a blank node is among the terms (a literal may quote " _:" too: then as if it were)."""
    return any(t[0].startswith("_:") or any(" _:" in x or x.startswith("_:") for x in t[1:]) for t in triples)


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
    identity = derived.identity.ntriples() + consistency.record(conflicts, str(iris.identity_graph)).serialize(
        format="nt")
    graphs = {str(iris.identity_graph): identity, str(iris.inferred_graph): "\n".join(lines),
              str(iris.canonical_graph): _ntriples(resources), str(iris.gazetteer_graph): _ntriples(places),
              str(iris.corpus_graph): _ntriples(derived.corpus)}
    if _graph_hash(store, str(iris.ontology_graph)) != ontology_hash():
        # Rewritten only when it changed: its blank nodes would get new labels each time.
        graphs[str(iris.ontology_graph)] = ontology_ntriples() + (
            f"<{iris.ontology_graph}> <{OPS.contentHash}> \"{ontology_hash()}\" .\n")
    add: dict[str, str] = {}
    remove: dict[str, str] = {}
    derived.state.write(iris, graphs, add, remove)
    store.replace_graphs(graphs, add=add, remove=remove)
    return len(lines), conflicts


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
