"""Values the articles disagree on, kept and shown rather than silently chosen.

An operation that several articles report (one ``owl:sameAs`` class) may be given two dates that
cannot both be right: outlets a day apart, or a report that dates the night's raid by its morning.
Both values stay in the graph, each in the article graphs that state it; :func:`date_conflicts`
lists them, with their sources, for ``kg check``. Dates of which one refines the other ("2023-03"
and "2023-03-09") are no conflict.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from kg.store import GraphStore
from kg.vocab import PREFIXES, IRIs

#: Every date an article states for an operation, by the operation's canonical IRI (one per owl:sameAs
#: class: the least IRI of the class), with the operation's label.
_DATES = ("SELECT ?op ?label ?d ?g WHERE { ?op a ops:Operation . "
          "FILTER NOT EXISTS { ?op owl:sameAs ?o . ?o a ops:Operation FILTER(STR(?o) < STR(?op)) } "
          "?m owl:sameAs? ?op . GRAPH ?g { ?m ops:date ?d } OPTIONAL { ?op rdfs:label ?label } }")


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


def _compatible(a: str, b: str) -> bool:
    return a.startswith(b) or b.startswith(a)


def date_conflicts(store: GraphStore, iris: IRIs) -> list[ValueConflict]:
    """Operations whose articles give dates that cannot all be right, in IRI order."""
    dates: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    labels: dict[str, str] = {}
    for row in store.query(_DATES, prefixes=PREFIXES):
        graph = row["g"].value
        if not iris.is_article_graph(graph):
            continue  # what the corpus or the reasoner concluded is not a source
        op = row["op"].value
        dates[op][row["d"].value].add(graph.rsplit("/", 1)[-1])
        if row["label"] is not None:
            labels[op] = row["label"].value
    out = []
    for op, values in sorted(dates.items()):
        if any(not _compatible(a, b) for a in values for b in values):
            out.append(ValueConflict(op, labels.get(op, ""), "date",
                                     tuple((v, tuple(sorted(values[v]))) for v in sorted(values))))
    return out
