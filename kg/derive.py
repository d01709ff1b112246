"""Derived graphs: identity links and inferred triples, recomputed from the whole store.

They are written in one transaction with the ontology graph, and carry a digest of the article
contents they were computed from, so a stale state (a build killed after its articles were
stored) is detected and repaired by the next command that writes.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from dataclasses import dataclass, field
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, PROV, RDF, XSD

from kg import consistency, corpus, reason, resolve
from kg.extract.dates import ResolvedDate
from kg.ontology import ontology_graph, ontology_hash, ontology_ntriples
from kg.store import GraphStore
from kg.terms import to_rdflib
from kg.vocab import NIF, OPS, PREFIXES, IRIs

log = logging.getLogger(__name__)

CORE = ("Person", "Organization", "Location", "Operation", "Role")


@dataclass(frozen=True)
class DeriveReport:
    entities: int
    identity_triples: int
    inferred_triples: int
    seconds: float
    conflicts: list[consistency.Conflict] = field(default_factory=list)


def recorded_conflicts(store: GraphStore, iris: IRIs) -> list[str]:
    """The inconsistencies the last derivation found, as recorded in the identity graph."""
    rows = _query(store, f"SELECT ?text WHERE {{ GRAPH <{iris.identity_graph}> {{ ?n a ops:Inconsistency ; "
                         "rdfs:comment ?text } } ORDER BY ?text")
    return [r["text"].value for r in rows]


def _query(store: GraphStore, sparql: str) -> Any:
    return store.query(sparql, prefixes=PREFIXES)


def article_hashes(store: GraphStore, iris: IRIs) -> dict[str, str]:
    """Article IRI -> content hash, for every stored article."""
    rows = _query(store, "SELECT ?g ?h WHERE { GRAPH ?g { ?g a ops:Article ; ops:contentHash ?h } }")
    return {row["g"].value: row["h"].value for row in rows if iris.is_article_graph(row["g"].value)}


def _graph_hash(store: GraphStore, graph: str) -> str | None:
    """The ``ops:contentHash`` a graph states about itself."""
    rows = list(_query(store, f"SELECT ?h WHERE {{ GRAPH <{graph}> {{ <{graph}> ops:contentHash ?h }} }}"))
    return rows[0]["h"].value if rows else None


def is_stale(store: GraphStore, iris: IRIs) -> bool:
    """True when the derived graphs were not computed from the articles and ontology now stored."""
    current = resolve.state_digest(article_hashes(store, iris).values())
    return (_graph_hash(store, str(iris.identity_graph)) != current
            or _graph_hash(store, str(iris.ontology_graph)) != ontology_hash())


def refresh(store: GraphStore, iris: IRIs) -> DeriveReport:
    """Recompute the identity and inferred graphs and rewrite them with the ontology, atomically."""
    started = time.perf_counter()
    digest = resolve.state_digest(article_hashes(store, iris).values())
    records = _entity_records(store, iris)
    gazetteer_iris = {r["e"].value for r in _query(store, "SELECT DISTINCT ?e WHERE { GRAPH ?g { "
                                                          "?e ops:gazetteerEntry ?n } }")}
    canonical, decisions = resolve.cluster(records, gazetteer_iris)
    labels = {canonical[r.iri]: resolve.display_name(r) for r in records if r.forms}

    operations = _operation_records(store, iris, canonical)
    places = _places(store, canonical)
    op_canonical, op_merges = corpus.cluster_operations(operations, places)
    canonical.update(op_canonical)
    decisions += [resolve.Decision(a, b, 1.0, reason) for a, b, reason in op_merges]
    dates = corpus.corpus_dates(operations, op_canonical, _published(store, iris))
    op_labels = _operation_labels(operations, op_canonical, dates, labels, places)

    identity = resolve.identity_graph(records, str(iris.identity_graph), digest, canonical, decisions, op_labels)
    derived = _corpus_facts(store, iris, canonical, dates)

    asserted = _asserted_for_reasoning(store, iris)
    for triple in identity.triples((None, OWL.sameAs, None)):
        asserted.add(triple)
    asserted += derived
    ontology = ontology_graph()
    inference = reason.reason(asserted, ontology, iris.base)
    rules = reason.compile_rules(ontology)
    members = inference.same  # every identity link the closure used, asserted or resolved
    conflicts = consistency.explain(store, rules, inference.violations, members, f"{iris.base}article/")
    for conflict in conflicts:
        log.warning("inconsistency: %s", conflict.describe())
    inferred = consistency.without_dropped(inference.triples, conflicts, rules, members)
    inferred += derived
    identity += consistency.record(conflicts, str(iris.identity_graph))

    graphs = {
        str(iris.identity_graph): identity.serialize(format="nt"),
        str(iris.inferred_graph): inferred.serialize(format="nt"),
    }
    if _graph_hash(store, str(iris.ontology_graph)) != ontology_hash():
        # Rewritten only when it changed: its blank nodes would get new labels each time.
        graphs[str(iris.ontology_graph)] = ontology_ntriples() + (
            f"<{iris.ontology_graph}> <{OPS.contentHash}> \"{ontology_hash()}\" .\n")
    store.replace_graphs(graphs)
    report = DeriveReport(len(records), len(identity), len(inferred), time.perf_counter() - started, conflicts)
    log.info("derived graphs: %d entities, %d identity triples, %d inferred triples in %.1f s",
             report.entities, report.identity_triples, report.inferred_triples, report.seconds)
    return report


def _entity_records(store: GraphStore, iris: IRIs) -> list[resolve.EntityRecord]:
    classes = ", ".join(f"ops:{c}" for c in CORE)
    rows = _query(store, "SELECT ?e ?c ?form ?g WHERE { GRAPH ?g { ?e a ?c ; skos:altLabel ?form . "
                  f"FILTER(?c IN ({classes})) }} FILTER(STRSTARTS(STR(?g), \"{iris.base}article/\")) }}")
    records = resolve.group_records((r["e"].value, r["c"].value, r["form"].value, r["g"].value) for r in rows)
    by_iri = {r.iri: r for r in records}
    context = _query(store, "SELECT DISTINCT ?e ?org WHERE { GRAPH ?g { { ?e ops:memberOf ?org } UNION "
                            "{ ?e ops:holdsRole ?r . ?r ops:roleIn ?org } } }")
    for row in context:
        if row["e"].value in by_iri:
            by_iri[row["e"].value].orgs.add(row["org"].value)
    return records


OPERATION_KINDS = ("Operation", "Raid", "HelicopterRaid", "AirStrike", "DroneStrike")


def _operation_records(store: GraphStore, iris: IRIs, canonical: dict[str, str]) -> list[corpus.OperationRecord]:
    kinds = ", ".join(f"ops:{k}" for k in OPERATION_KINDS)
    ops: dict[str, corpus.OperationRecord] = {}
    for row in _query(store, f"SELECT ?op ?k ?g WHERE {{ GRAPH ?g {{ ?op a ?k FILTER(?k IN ({kinds})) }} }}"):
        record = ops.setdefault(row["op"].value, corpus.OperationRecord(row["op"].value, row["g"].value))
        record.kinds.add(row["k"].value.rsplit("#", 1)[-1])
    people = _query(store, "SELECT ?op ?p ?rel WHERE { GRAPH ?g { ?p ?rel ?op FILTER(?rel IN (ops:killedIn, "
                           "ops:targetedIn)) ?p skos:altLabel ?name } }")
    for row in people:
        target = ops.get(row["op"].value)
        if target is None:
            continue
        person = canonical.get(row["p"].value, row["p"].value)
        target.people.add(person)
        if row["rel"].value.endswith("killedIn"):
            target.killed.add(person)
    for row in _query(store, "SELECT ?op ?l WHERE { GRAPH ?g { ?op ops:tookPlaceIn ?l } }"):
        if row["op"].value in ops:
            ops[row["op"].value].places.add(canonical.get(row["l"].value, row["l"].value))
    for row in _query(store, "SELECT ?op ?d WHERE { GRAPH ?g { ?op ops:date ?d } }"):
        if row["op"].value in ops:
            ops[row["op"].value].dates.add(row["d"].value)
    for row in _query(store, "SELECT ?op ?e WHERE { GRAPH ?g { ?op ops:dateExpression ?e } }"):
        if row["op"].value in ops:
            ops[row["op"].value].expressions.add(row["e"].value)
    return [ops[k] for k in sorted(ops)]


def _places(store: GraphStore, canonical: dict[str, str]) -> corpus.Places:
    located = {(canonical.get(r["a"].value, r["a"].value), canonical.get(r["b"].value, r["b"].value))
               for r in _query(store, "SELECT DISTINCT ?a ?b WHERE { GRAPH ?g { ?a ops:locatedIn ?b } }")}
    kinds = {}
    for row in _query(store, "SELECT DISTINCT ?l ?k WHERE { GRAPH ?g { ?l a ?k } FILTER(?k IN (ops:Country, "
                             "ops:Region, ops:Province, ops:District, ops:City, ops:Town, ops:Village, ops:Camp)) }"):
        kinds[canonical.get(row["l"].value, row["l"].value)] = row["k"].value.rsplit("#", 1)[-1]
    return corpus.Places(located, kinds)


def _published(store: GraphStore, iris: IRIs) -> dict[str, str]:
    rows = _query(store, "SELECT ?g ?d WHERE { GRAPH ?g { ?g a ops:Article ; dct:date ?d } }")
    return {r["g"].value: r["d"].value for r in rows if iris.is_article_graph(r["g"].value)}


def _operation_labels(operations: list[corpus.OperationRecord], canonical: dict[str, str],
                      dates: dict[str, tuple[ResolvedDate, str]], labels: dict[str, str],
                      places: corpus.Places) -> dict[str, str]:
    """A readable name per operation cluster: "Raid in Atmeh, 2022-02"."""
    members: dict[str, list[corpus.OperationRecord]] = {}
    for record in operations:
        members.setdefault(canonical[record.iri], []).append(record)
    out = {}
    rank = {"Camp": 1, "Village": 1, "Town": 2, "City": 2, "District": 3, "Province": 4, "Region": 5, "Country": 6}
    for head, group in members.items():
        kind = max((r.kind for r in group), key=lambda k: corpus.KIND_RANK.get(k, 0))
        words = re.sub(r"(?<!^)(?=[A-Z])", " ", kind).lower().capitalize()
        candidates = {p for r in group for p in r.places}
        place = min(candidates, key=lambda p: (rank.get(places.kinds.get(p, ""), 1.5), p), default=None)
        label = words + (f" in {labels.get(place, place.rsplit('/', 1)[-1])}" if place else "")
        if head in dates:
            label += f", {dates[head][0].value}"
        for record in group:
            out[record.iri] = label
    return out


def _corpus_facts(store: GraphStore, iris: IRIs, canonical: dict[str, str],
                  dates: dict[str, tuple[ResolvedDate, str]]) -> Graph:
    """Dates found by the corpus, tenure ends and successions, each with a note of how it was derived."""
    g = Graph()
    rows = _query(store, "SELECT ?op ?d WHERE { GRAPH ?g { ?op ops:date ?d } }")
    stated = {(r["op"].value, r["d"].value) for r in rows}
    for op, (value, how) in sorted(dates.items()):
        if (op, value.value) not in stated:
            g.add((URIRef(op), OPS.date, Literal(value.value, datatype=XSD[value.datatype])))
            note = URIRef(f"{op}#date-derivation")
            g.add((note, RDF.type, OPS.Derivation))
            g.add((note, OPS.about, URIRef(op)))
            g.add((note, OPS.reason, Literal(how)))
    # Tenures: holder, role, ordinal, current; the end of each from the holder's death.
    rows = _query(store, "SELECT ?t ?p ?r ?n ?c WHERE { GRAPH ?g { ?t ops:holder ?p ; ops:ofRole ?r . "
                         "OPTIONAL { ?t ops:ordinal ?n } OPTIONAL { ?t ops:current ?c } } }")
    deaths: dict[str, tuple[str, str]] = {}
    for row in _query(store, "SELECT ?p ?op WHERE { GRAPH ?g { ?p ops:killedIn ?op } }"):
        person = canonical.get(row["p"].value, row["p"].value)
        op = canonical.get(row["op"].value, row["op"].value)
        when = dates.get(op)
        if person not in deaths or (when and not deaths[person][1]):
            deaths[person] = (op, when[0].value if when else "")
    tenures = []
    for row in rows:
        holder = canonical.get(row["p"].value, row["p"].value)
        ordinal = int(row["n"].value) if row["n"] is not None else None
        current = row["c"].value == "true" if row["c"] is not None else None
        death = deaths.get(holder)
        tenures.append(corpus.Tenure(row["t"].value, holder, row["r"].value, ordinal, current,
                                     death[1] or None if death else None))
        if death is not None:
            g.add((URIRef(row["t"].value), OPS.endedBy, URIRef(death[0])))
            if death[1]:
                datatype = "date" if len(death[1]) == 10 else "gYearMonth" if len(death[1]) == 7 else "gYear"
                g.add((URIRef(row["t"].value), OPS.endDate, Literal(death[1], datatype=XSD[datatype])))
    titles = {}
    for row in _query(store, "SELECT DISTINCT ?r ?l WHERE { GRAPH ?g { ?r a ops:Role ; skos:altLabel ?l } }"):
        titles[row["r"].value] = row["l"].value.split(" of ")[0].strip().lower()
    for s in corpus.succession(tenures, titles):
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
    return g


def _asserted_for_reasoning(store: GraphStore, iris: IRIs) -> Graph:
    """The article graphs' facts about the world: no text, evidence or NIF structure."""
    query = (
        "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } "
        + f"FILTER(STRSTARTS(STR(?g), \"{iris.base}article/\")) "
        + f"FILTER(!STRSTARTS(STR(?p), \"{NIF}\")) "
        + "FILTER(?p NOT IN (skos:altLabel, rdf:subject, rdf:predicate, rdf:object, ops:evidence, "
        + "ops:article, ops:certainty, ops:contentHash, ops:sourceName, ops:builtWith, ops:publishedFrom, "
        + "dct:identifier, dct:title, dct:source, dct:date, itsrdf:taIdentRef)) "
        + f"FILTER(?o != <{OPS.Evidence}>) }}"
    )
    g = Graph()
    for triple in _query(store, query):
        g.add((to_rdflib(triple.subject), URIRef(triple.predicate.value), to_rdflib(triple.object)))
    return g
