"""The identity graph: what a derivation decided of identity, written whole or changed line by line.

It holds the digest of the article contents it was derived from, one ``owl:sameAs`` link per IRI in
a cluster (:func:`kg.resolve.stable_links`), the articles (``prov:wasDerivedFrom``, and
``ops:articleState``: each article's content hash) and the decisions (``ops:IdentityDecision``
nodes). A full derivation writes it whole (:meth:`Identity.ntriples`). It grows with the corpus, so a
derivation of added articles writes only what changed (:meth:`Identity.change`), computed from what
that derivation reads anyway (the links and decisions of the last one), not from the graph read whole.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

import pyoxigraph as ox
from rdflib.namespace import OWL, PROV, RDF, XSD

from kg.resolve import Decision
from kg.store import GraphStore
from kg.vocab import OPS

_DECIMAL = ox.NamedNode(str(XSD.decimal))


@dataclass
class Identity:
    """What a derivation writes to the identity graph ``graph``."""

    graph: str
    #: the digest of the article contents it was derived from
    digest: str
    #: article graph IRI -> content hash, for every article
    hashes: Mapping[str, str]
    #: the ``owl:sameAs`` links (IRI -> IRI)
    links: Mapping[str, str]
    decisions: list[Decision]

    def ntriples(self) -> str:
        """The whole graph, as N-Triples."""
        return "".join([_mark(self.graph, self.digest), *self._link_lines(self.links.items()),
                        *self._article_lines(self.hashes), *self._decision_lines(self.decisions)])

    def change(self, store: GraphStore, links: Mapping[str, str], decisions: Mapping[str, Decision | None],
               added: Iterable[str]) -> tuple[str, str]:
        """The lines to add to and remove from the stored graph to make it :meth:`ntriples`, when the
        articles ``added`` are the only change since the derivation that wrote it, which wrote ``links``
        and ``decisions`` (by decision node; ``None`` for a node that does not read as one decision: it is
        removed). Of the graph, only the digest and the nodes of the decisions removed are read. The
        digest goes first among the lines removed, and is always written again: a write cut short leaves
        the graph without one, so the derived graphs read as stale. A decision of the last derivation
        taken again (the same two IRIs, score and reason) stays as it is, whichever of its two IRIs it
        names first."""
        remove = [f"{s} {p} {o} .\n" for s, p, o, _g in store.match_quads(f"<{self.graph}>", f"<{OPS.contentHash}>",
                                                                          None, self.graph)]
        add = [_mark(self.graph, self.digest)]
        remove += self._link_lines((a, b) for a, b in links.items() if self.links.get(a) != b)
        add += self._link_lines((a, b) for a, b in self.links.items() if links.get(a) != b)
        added = set(added)
        add += self._article_lines({a: h for a, h in self.hashes.items() if a in added})
        kept, new = self._plan(decisions)
        for node in sorted(decisions.keys() - kept):
            remove += [f"{s} {p} {o} .\n" for s, p, o, _g in store.match_quads(f"<{node}>", None, None, self.graph)]
        add += self._decision_lines(new)
        return "".join(add), "".join(remove)

    def nodes(self, decisions: Mapping[str, Decision | None] | None = None) -> dict[str, Decision | None]:
        """The decisions the graph holds by node, once written whole (no ``decisions``) or changed from the
        stored ``decisions`` (:meth:`change`); ``None`` for a node two different decisions share."""
        decisions = decisions or {}
        kept, new = self._plan(decisions)
        out = {node: decisions[node] for node in kept}
        for d in new:
            node = decision_node(self.graph, d.a, d.b)
            out[node] = None if out.get(node, d) != d else d
        return out

    def _plan(self, decisions: Mapping[str, Decision | None]) -> tuple[set[str], list[Decision]]:
        """The stored decision nodes taken again as they are, and the decisions to write."""
        stored = {_key(d): node for node, d in decisions.items() if d is not None}
        kept: set[str] = set()
        new: list[Decision] = []
        for d in self.decisions:
            node = stored.get(_key(d))
            if node is None:
                new.append(d)
            else:
                kept.add(node)
        return kept, new

    @staticmethod
    def _link_lines(links: Iterable[tuple[str, str]]) -> list[str]:
        # One link per IRI (a star, or a tree where an earlier canonical IRI was merged), from each
        # article's IRI to the canonical resource; the links only grow while clusters only grow.
        return [f"<{iri}> <{OWL.sameAs}> <{target}> .\n" for iri, target in sorted(links)]

    def _article_lines(self, hashes: Mapping[str, str]) -> list[str]:
        node = f"<{self.graph}>"
        return [line for article in sorted(hashes) for line in (
            f"{node} <{PROV.wasDerivedFrom}> <{article}> .\n",
            f"{node} <{OPS.articleState}> {ox.Literal(f'{article} {hashes[article]}')} .\n")]

    def _decision_lines(self, decisions: Iterable[Decision]) -> list[str]:
        lines = []
        for d in decisions:
            node = f"<{decision_node(self.graph, d.a, d.b)}>"
            lines += [f"{node} <{RDF.type}> <{OPS.IdentityDecision}> .\n",
                      f"{node} <{OPS.mergedEntity}> <{d.a}> .\n", f"{node} <{OPS.mergedEntity}> <{d.b}> .\n",
                      f"{node} <{OPS.score}> {ox.Literal(_decimal(d.score), datatype=_DECIMAL)} .\n",
                      f"{node} <{OPS.reason}> {ox.Literal(d.reason)} .\n"]
        return lines


def decision_node(graph: str, a: str, b: str) -> str:
    """The IRI of the node of a decision that merged ``a`` and ``b``: the same two IRIs, in the same order,
    the same node."""
    return f"{graph}#decision-{hashlib.sha1(f'{a} {b}'.encode()).hexdigest()[:16]}"


def _mark(graph: str, digest: str) -> str:
    return f"<{graph}> <{OPS.contentHash}> {ox.Literal(digest)} .\n"


def _key(d: Decision) -> tuple[str, str, str, str]:
    a, b = sorted((d.a, d.b))
    return a, b, _decimal(d.score), d.reason


def _decimal(value: float) -> str:
    """A score as the store writes an ``xsd:decimal`` (1.0 as "1"), so that an unchanged decision reads
    back as the line written."""
    return format(Decimal(str(value)).normalize(), "f")
