"""Values the articles disagree on, kept and shown rather than silently chosen.

An operation that several articles report (one canonical resource) may be given two dates that
cannot both be right (outlets a day apart, or a report that dates the night's raid by its morning),
or two places neither of which contains the other. Both values stay on the canonical resource, each
with its sources (the fused statements of the canonical graph, :mod:`kg.canonical`);
:func:`value_conflicts` lists them for ``kg check``. A date that refines another ("2023-03" and
"2023-03-09") or a place inside another is no conflict: the canonical graph keeps the precise one.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from kg.store import GraphStore
from kg.vocab import PREFIXES, IRIs

#: Each operation's dates and places in the canonical graph (the query's one named graph), with the
#: articles that state each, and the operation's label.
_VALUES = ("SELECT ?op ?label ?prop ?value ?article WHERE { GRAPH ?g { "
           "?op ?prop ?v FILTER(?prop IN (ops:date, ops:tookPlaceIn)) "
           "?f rdf:subject ?op ; rdf:predicate ?prop ; rdf:object ?v ; prov:wasDerivedFrom/ops:article ?article "
           "OPTIONAL { ?op rdfs:label ?label } OPTIONAL { ?v rdfs:label ?placeName } "
           "BIND(COALESCE(?placeName, STR(?v)) AS ?value) } }")


@dataclass(frozen=True)
class ValueConflict:
    """One resource given incompatible values of one property: each value with the articles stating it."""

    resource: str
    label: str
    prop: str
    values: tuple[tuple[str, tuple[str, ...]], ...]

    def describe(self) -> str:
        stated = "; ".join(f"{value} ({', '.join(articles)})" for value, articles in self.values)
        return f"{self.label or self.resource}: {len(self.values)} {self.prop}s: {stated}"


def _compatible(prop: str, a: str, b: str) -> bool:
    """Two values of one operation that can both be right: a date and one that refines it. Two places
    left in the canonical graph never are (it keeps only the most specific of places that contain
    one another)."""
    return prop == "date" and (a.startswith(b) or b.startswith(a))


def value_conflicts(store: GraphStore, iris: IRIs) -> list[ValueConflict]:
    """Operations whose articles give dates that cannot all be right, or places neither of which
    contains the other, in IRI order."""
    values: dict[tuple[str, str], dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    labels: dict[str, str] = {}
    for row in store.query(_VALUES, prefixes=PREFIXES, named_graphs=[str(iris.canonical_graph)]):
        op, prop = row["op"].value, row["prop"].value.rsplit("#", 1)[-1]
        values[(op, prop)][row["value"].value].add(row["article"].value.rsplit("/", 1)[-1])
        if row["label"] is not None:
            labels[op] = row["label"].value
    out = []
    for (op, prop), found in sorted(values.items()):
        if any(not _compatible(prop, a, b) for a in found for b in found if a != b):
            out.append(ValueConflict(op, labels.get(op, ""), "date" if prop == "date" else "place",
                                     tuple((v, tuple(sorted(found[v]))) for v in sorted(found))))
    return out
