"""Derived graphs: identity links and inferred triples, recomputed from the whole store.

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
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS, XSD

from kg import consistency, corpus, reason, resolve
from kg import gazetteer as gaz
from kg.extract.dates import ResolvedDate
from kg.geonames import index as geonames_index
from kg.geonames.graph import CorpusPlace, gazetteer_graph
from kg.kinds import place_rank
from kg.model import CORE_CLASSES
from kg.ontology import ontology_graph, ontology_hash, ontology_ntriples
from kg.store import GraphStore
from kg.vocab import ITSRDF, NIF, OPS, PREFIXES, IRIs

log = logging.getLogger(__name__)



@dataclass(frozen=True)
class DeriveReport:
    entities: int
    identity_triples: int
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
    """Recompute the identity and inferred graphs and rewrite them with the ontology, atomically."""
    started = time.perf_counter()
    hashes = article_hashes(store, iris)
    digest = resolve.state_digest(hashes.values())
    records = _entity_records(store, iris)
    gazetteer_iris = {r["e"].value for r in _read(store, iris, "SELECT DISTINCT ?e WHERE { GRAPH ?g { "
                                                          "?e ops:gazetteerEntry ?n } }")}
    stored = _stored_links(store, iris)
    canonical, decisions = resolve.cluster(records, gazetteer_iris)
    canonical, links = resolve.stable_links(canonical, stored)
    labels = {canonical[r.iri]: resolve.display_name(r) for r in records if r.forms}

    operations = _operation_records(store, iris, canonical)
    places = _places(store, iris, canonical)
    op_canonical, op_merges = corpus.cluster_operations(operations, places)
    op_canonical, op_links = resolve.stable_links(op_canonical, stored)
    links.update(op_links)
    canonical.update(op_canonical)
    decisions += [resolve.Decision(a, b, 1.0, reason) for a, b, reason in op_merges]
    dates = corpus.corpus_dates(operations, op_canonical, _published(store, iris))
    op_labels = _operation_labels(operations, op_canonical, dates, labels, places)

    identity = resolve.identity_graph(records, str(iris.identity_graph), digest, canonical, decisions, op_labels,
                                      links)
    identity += _corpus_facts(store, iris, canonical, dates, operations)  # what only the corpus as a whole says
    for article, content in sorted(hashes.items()):
        identity.add((iris.identity_graph, OPS.articleState, Literal(f"{article} {content}")))

    places_graph = _gazetteer_graph(store, iris)
    inferred = _extend(store, iris, identity, places_graph, hashes)
    conflicts: list[consistency.Conflict] = []
    if inferred is None:
        inferred, conflicts = _recompute(store, iris, identity, places_graph)
    report = DeriveReport(len(records), len(identity), inferred, time.perf_counter() - started, conflicts)
    log.info("derived graphs: %d entities, %d identity triples, %d inferred triples in %.1f s",
             report.entities, report.identity_triples, report.inferred_triples, report.seconds)
    return report


#: Names and the records of how the identity graph was made: not reasoned over (the records depend on
#: the order merges happen in, not on the world).
_UNREASONED = (f"<{RDFS.label}>", f"<{OPS.reason}>", f"<{RDFS.comment}>", f"<{OPS.score}>",
               f"<{OPS.mergedEntity}>", f"<{OPS.about}>", f"<{OPS.keptClass}>", f"<{OPS.droppedClass}>")
_RECORD_TYPES = (f"<{OPS.IdentityDecision}>", f"<{OPS.Derivation}>", f"<{OPS.Inconsistency}>")


def _identity_terms(identity: Graph, iris: IRIs) -> set[tuple[str, str, str]]:
    """The identity graph's statements about the world (not about the graph itself, not names), as
    N-Triples terms written the way the store writes them."""
    parsed = ox.parse(identity.serialize(format="nt"), ox.RdfFormat.N_TRIPLES)
    return {(str(t.subject), str(t.predicate), str(t.object)) for t in parsed
            if str(t.subject) != f"<{iris.identity_graph}>" and str(t.predicate) not in _UNREASONED
            and str(t.object) not in _RECORD_TYPES}


_CORPUS_PLACES = ("SELECT DISTINCT ?e ?n ?m WHERE { GRAPH ?g { ?e a ops:Location ; ops:gazetteerEntry ?n "
                  "OPTIONAL { ?e skos:exactMatch ?m } } }")


_NEAR_PLACES = ("SELECT DISTINCT ?e ?n WHERE { GRAPH ?g { ?e a ops:Location ; ops:near ?y . ?y ops:gazetteerEntry ?n "
                "FILTER NOT EXISTS { ?e ops:gazetteerEntry ?x } } }")


def _gazetteer_graph(store: GraphStore, iris: IRIs) -> Graph:
    """The gazetteer graph of the places the article graphs name (:mod:`kg.geonames.graph`)."""
    places = [CorpusPlace(r["e"].value, r["n"].value, r["m"].value if r["m"] is not None else None)
              for r in _read(store, iris, _CORPUS_PLACES)]
    places += [CorpusPlace(r["e"].value, None, near=r["n"].value) for r in _read(store, iris, _NEAR_PLACES)]
    if not places:
        return Graph()
    return gazetteer_graph(places, gaz.default(), geonames_index.default())


def _terms(graph: Graph) -> set[tuple[str, str, str]]:
    """A graph's statements as N-Triples terms written the way the store writes them (which puts
    numbers in canonical form: "33.0"^^xsd:double is stored as "33")."""
    memory = ox.Store()
    memory.load(graph.serialize(format="nt"), ox.RdfFormat.N_TRIPLES)
    return {(str(q.subject), str(q.predicate), str(q.object)) for q in memory}


def _extend(store: GraphStore, iris: IRIs, identity: Graph, places: Graph, hashes: dict[str, str]) -> int | None:
    """Add to the inferred graph what new articles entail, when the change is monotonic.

    Monotonic: no stored article changed or went away since the last derivation, the ontology is
    the same, and the identity graph only gained statements. Then OWL 2 RL reasoning from the new
    triples alone, joined with the stored closure, gives the same closure as a full recomputation.
    Returns the number of triples added, or ``None`` when a full recomputation is needed.
    """
    previous = _article_state(store, iris)
    if not previous or any(hashes.get(a) != h for a, h in previous.items()) \
            or _graph_hash(store, str(iris.ontology_graph)) != ontology_hash() or recorded_conflicts(store, iris):
        return None
    new_identity = _identity_terms(identity, iris)
    old_identity = {t for t in _graph_triples(store, str(iris.identity_graph))
                    if t[0] != f"<{iris.identity_graph}>" and t[1] not in _UNREASONED and t[2] not in _RECORD_TYPES}
    if not old_identity <= new_identity:
        return None
    new_places, old_places = _terms(places), _graph_triples(store, str(iris.gazetteer_graph))
    if not old_places <= new_places:
        return None
    added = [a for a in hashes if a not in previous]
    delta = (_asserted_for_reasoning(store, iris, graphs=added) + sorted(new_identity - old_identity)
             + sorted(new_places - old_places))
    increment = reason.reason_increment(delta, ontology_graph(), iris.base, _ReasonedView(store))
    if increment.violations:
        return None  # the full path explains and resolves them
    # What was inferred before and is now asserted leaves the inferred graph: the two never mix.
    now_asserted = "\n".join(f"{s} {p} {o} ." for s, p, o in delta)
    store.replace_graphs({str(iris.identity_graph): identity.serialize(format="nt"),
                          str(iris.gazetteer_graph): places.serialize(format="nt")},
                         add={str(iris.inferred_graph): "\n".join(increment.lines)},
                         remove={str(iris.inferred_graph): now_asserted})
    log.info("derived graphs incrementally: %d new article(s), %d new inferred triples",
             len(added), len(increment.lines))
    return len(increment.lines)


def _recompute(store: GraphStore, iris: IRIs, identity: Graph,
               places: Graph) -> tuple[int, list[consistency.Conflict]]:
    """The inferred graph from scratch, with inconsistencies explained and resolved."""
    ontology = ontology_graph()
    rules = reason.compile_rules(ontology)
    asserted = (_asserted_for_reasoning(store, iris) + sorted(_identity_terms(identity, iris))
                + sorted(_terms(places)))
    inference = reason.reason_terms(asserted, ontology, iris.base, rules)
    members = {k.strip("<>"): {v.strip("<>") for v in vs} for k, vs in inference.same.items()}
    conflicts = consistency.explain(store, rules, inference.violations, members, f"{iris.base}article/")
    for conflict in conflicts:
        log.warning("inconsistency: %s", conflict.describe())
    lines = consistency.without_dropped(inference.lines, conflicts, rules, members)
    identity += consistency.record(conflicts, str(iris.identity_graph))
    graphs = {str(iris.identity_graph): identity.serialize(format="nt"), str(iris.inferred_graph): "\n".join(lines),
              str(iris.gazetteer_graph): places.serialize(format="nt")}
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
    classes = {str(OPS[c]) for c in CORE_CLASSES}
    rows = _read(store, iris, "SELECT ?e ?c ?form ?g WHERE { GRAPH ?g { ?e a ?c ; skos:altLabel ?form } }")
    records = resolve.group_records((r["e"].value, r["c"].value, r["form"].value, r["g"].value) for r in rows
                                    if r["c"].value in classes)
    by_iri = {r.iri: r for r in records}
    context = _read(store, iris, "SELECT DISTINCT ?e ?org WHERE { GRAPH ?g { { ?e ops:memberOf ?org } UNION "
                            "{ ?e ops:holdsRole ?r . ?r ops:roleIn ?org } } }")
    for row in context:
        if row["e"].value in by_iri:
            by_iri[row["e"].value].orgs.add(row["org"].value)
    return records


#: Every operation with its kinds and article graph.
_OPERATIONS = ("SELECT ?op ?k ?g WHERE { GRAPH ?g { ?op a ?k "
               "FILTER(?k IN (ops:Operation, ops:Raid, ops:HelicopterRaid, ops:AirStrike, ops:DroneStrike)) } }")


def _operation_records(store: GraphStore, iris: IRIs, canonical: dict[str, str]) -> list[corpus.OperationRecord]:
    ops: dict[str, corpus.OperationRecord] = {}
    for row in _read(store, iris, _OPERATIONS):
        record = ops.setdefault(row["op"].value, corpus.OperationRecord(row["op"].value, row["g"].value))
        record.kinds.add(row["k"].value.rsplit("#", 1)[-1])
    people = _read(store, iris, "SELECT ?op ?p ?rel WHERE { GRAPH ?g { ?p ?rel ?op FILTER(?rel IN (ops:killedIn, "
                           "ops:targetedIn)) ?p skos:altLabel ?name } }")
    for row in people:
        target = ops.get(row["op"].value)
        if target is None:
            continue
        person = canonical.get(row["p"].value, row["p"].value)
        target.people.add(person)
        if row["rel"].value.endswith("killedIn"):
            target.killed.add(person)
    for row in _read(store, iris, "SELECT ?op ?l ?q WHERE { GRAPH ?g { ?op ops:tookPlaceIn ?l . OPTIONAL { "
                                  "?e rdf:subject ?op ; rdf:predicate ops:tookPlaceIn ; rdf:object ?l ; "
                                  "ops:qualifier ?q } } }"):
        if row["op"].value in ops:
            place = canonical.get(row["l"].value, row["l"].value)
            ops[row["op"].value].places.add(place)
            if row["q"] is not None and row["q"].value == "near":
                ops[row["op"].value].near.add(place)
    for row in _read(store, iris, "SELECT ?op ?d WHERE { GRAPH ?g { ?op ops:date ?d } }"):
        if row["op"].value in ops:
            ops[row["op"].value].dates.add(row["d"].value)
    for row in _read(store, iris, "SELECT ?op ?e WHERE { GRAPH ?g { ?op ops:dateExpression ?e } }"):
        if row["op"].value in ops:
            ops[row["op"].value].expressions.add(row["e"].value)
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
    """A readable name per operation cluster: "Raid in Atmeh, 2022-02"."""
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
        for record in group:
            out[record.iri] = label
    return out


def _corpus_facts(store: GraphStore, iris: IRIs, canonical: dict[str, str],
                  dates: dict[str, tuple[ResolvedDate, str]], operations: list[corpus.OperationRecord]) -> Graph:
    """Dates found by the corpus, tenure ends and successions, each with a note of how it was derived.

    Facts are attached to each article's own operation IRI (never only to a cluster's canonical IRI,
    which can change as reports arrive), so adding articles only ever adds to them.
    """
    g = Graph()
    for record in operations:
        found = dates.get(canonical.get(record.iri, record.iri))
        if found is None or any(found[0].value.startswith(d) and len(d) >= len(found[0].value) for d in record.dates):
            continue  # its own article dates it as precisely
        value, how = found
        g.add((URIRef(record.iri), OPS.date, Literal(value.value, datatype=XSD[value.datatype])))
        note = URIRef(f"{record.iri}#date-derivation")
        g.add((note, RDF.type, OPS.Derivation))
        g.add((note, OPS.about, URIRef(record.iri)))
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
        reports.add(row["op"].value)  # every report of the operation: all one via owl:sameAs
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


#: Provenance and bookkeeping: what the article graphs hold besides facts about the world.
UNREASONED_PREDICATES = {
    str(SKOS.altLabel), str(RDF.subject), str(RDF.predicate), str(RDF.object), str(OPS.evidence), str(OPS.article),
    str(OPS.certainty), str(OPS.contentHash), str(OPS.sourceName), str(OPS.builtWith), str(OPS.publishedFrom),
    str(DCTERMS.identifier), str(DCTERMS.title), str(DCTERMS.source), str(DCTERMS.date), str(ITSRDF.taIdentRef),
    str(OPS.origin), str(OPS.qualifier),
}


class _ReasonedView:
    """The store as the reasoner sees it: no text, evidence or NIF structure (as :func:`_asserted_for_reasoning`)."""

    def __init__(self, store: GraphStore) -> None:
        self.store = store
        self.evidence = f"<{OPS.Evidence}>"
        self.excluded = {f"<{p}>" for p in UNREASONED_PREDICATES} | set(_UNREASONED)
        self.nif = f"<{NIF}"

    def match(self, s: str | None, p: str | None, o: str | None) -> Iterator[tuple[str, str, str]]:
        for t in self.store.match(s, p, o):
            if t[1] in self.excluded or t[1].startswith(self.nif) or t[2] == self.evidence or t[2] in _RECORD_TYPES:
                continue
            yield t


#: The triples of the graphs in the query's dataset but NIF structure and evidence (the other unreasoned
#: predicates are left out by :func:`_asserted_for_reasoning`).
_ASSERTED = ("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } FILTER(!STRSTARTS(STR(?p), STR(nif:))) "
             "FILTER(?o != ops:Evidence) }")


def _asserted_for_reasoning(store: GraphStore, iris: IRIs,
                            graphs: list[str] | None = None) -> list[tuple[str, str, str]]:
    """The article graphs' facts about the world (no text, evidence or NIF structure), as N-Triples terms;
    of the given article graphs only, when ``graphs`` is given."""
    if graphs is not None and not graphs:
        return []
    excluded = {f"<{p}>" for p in UNREASONED_PREDICATES}
    triples = ((str(t.subject), str(t.predicate), str(t.object)) for t in _read(store, iris, _ASSERTED, graphs))
    return [t for t in triples if t[1] not in excluded]
