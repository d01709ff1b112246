"""Facts only the corpus as a whole gives, on canonical IRIs: dates resolved across articles, tenure
ends, successions (each with an ``ops:Derivation`` note), and the names of operation clusters.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, XSD

from kg import corpus
from kg.extract.dates import ResolvedDate
from kg.inputs import Inputs
from kg.kinds import place_rank
from kg.vocab import OPS, IRIs


def operation_labels(operations: list[corpus.OperationRecord], canonical: dict[str, str],
                      dates: dict[str, tuple[ResolvedDate, str]], labels: Mapping[str, str],
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


def corpus_facts(inputs: list[Inputs], iris: IRIs, canonical: dict[str, str],
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
    deaths: dict[str, tuple[set[str], str]] = {}
    for person, op in sorted((p, o) for i in inputs for p, o in i.deaths):
        head = canonical.get(person, person)
        when = dates.get(canonical.get(op, op))
        reports, end = deaths.get(head, (set(), ""))
        reports.add(canonical.get(op, op))
        deaths[head] = (reports, end or (when[0].value if when else ""))
    tenures = []
    for tenure, person, role, ordinal, current, started in sorted((t for i in inputs for t in i.tenures),
                                                                  key=_sort_key):
        holder = canonical.get(person, person)
        death = deaths.get(holder)
        tenures.append(corpus.Tenure(tenure, holder, role, int(ordinal) if ordinal is not None else None,
                                     current == "true" if current is not None else None,
                                     death[1] or None if death else None, started))
        if death is not None:
            for report in sorted(death[0]):
                g.add((URIRef(tenure), OPS.endedBy, URIRef(report)))
            if death[1]:
                ended = ResolvedDate.of(death[1])
                g.add((URIRef(tenure), OPS.endDate, Literal(ended.value, datatype=XSD[ended.datatype])))
    g += _successions(inputs, iris, canonical, tenures)
    return g


def _sort_key(row: tuple[str | None, ...]) -> tuple[str, ...]:
    return tuple(v or "" for v in row)


def _successions(inputs: list[Inputs], iris: IRIs, canonical: dict[str, str], tenures: list[corpus.Tenure]) -> Graph:
    """``ops:succeededBy`` and its ``ops:Succession`` nodes, from what the articles state (``ops:follows``,
    ``ops:comesAfter``) merged with ordinals and dates; contradictions between articles are noted."""
    g = Graph()
    roles = sorted((role, i.article, spec) for i in inputs for role, spec in i.roles.items())
    titles = {}
    for role, _article, spec in roles:
        for label in sorted(spec.titles):
            titles[role] = label.split(" of ")[0].strip().lower()
    # One position however its organization is spelt: the same title in the same (canonical) organization;
    # in a force or a state body (not an armed group, whose commanders are many) its head is its commander.
    armed = {canonical.get(o, o) for i in inputs for o in i.armed_groups}
    groups = {}
    for role, _article, spec in roles:
        for org in sorted(spec.orgs):
            org = canonical.get(org, org)
            title = titles.get(role, "")
            if org not in armed and title in corpus.HEAD_TITLES:
                title = "head"
            groups[role] = f"{org} {title}"
    for role, _article, spec in roles:
        for place in sorted(spec.jurisdictions):
            groups.setdefault(role, f"{canonical.get(place, place)} {titles.get(role, '')}")
    statements = sorted((corpus.Statement(earlier, later, direct, i.article)
                         for i in inputs for earlier, later, direct in i.statements),
                        key=lambda st: (st.later, st.article, not st.direct, st.earlier))
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

