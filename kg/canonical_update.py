"""The canonical graph brought up to date for added articles, touching only what they change.

A full derivation restates every article's facts on canonical IRIs (:func:`kg.canonical.canonical_graph`).
When articles are only added, most canonical resources are as they were: this module finds the ones
the new articles touch and fuses those again from their members' triples, read by index lookups
(subject, or ``rdf:subject`` of evidence), never by scanning every article graph. A resource is
fused again whole when

- its cluster changed: an IRI stored articles name joined it or left it, or it was merged into
  another (both the retired and the surviving canonical IRI are touched), or its name changed;
- a statement about another resource points at a retired canonical IRI, or at a cluster one of
  its IRIs left (what that IRI's articles said of the resource now names the IRI's new cluster);
- the facts only the corpus gives (a resolved date) changed for it, or a new containment lets one of
  its places refine another;
- a new article gives it a date or a place (which may refine another, or be refined).

A resource a new article only adds to (it names one of its IRIs: the village, the group, the man
mentioned again; or an IRI only the new articles name joins its cluster: the man under a new
spelling) gets the new article's statements added (:func:`grown`), without its earlier articles
being read.

What the canonical graph holds about a resource (what :func:`owned` returns, and what an update
replaces) is every triple whose subject is the resource, and each fused statement about it
(``rdf:subject``) with the evidence it restates. Sentence quotes are shared between statements and
are only ever added here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

from kg.canonical import (
    ANCHOR,
    DATE,
    DERIVED,
    EVIDENCE,
    INTEGER,
    LOCATED_IN,
    SOURCES,
    SUBJECT,
    TOOK_PLACE_IN,
    Triple,
    canonical_graph,
)
from kg.store import GraphStore
from kg.vocab import IRIs


def _quads(store: GraphStore, s: str | None, p: str | None, o: str | None,
           graph: str | None = None) -> Iterable[tuple[str, str, str, str]]:
    return store.match_quads(s, p, o, graph)


def owned(store: GraphStore, iris: IRIs, resources: Iterable[str]) -> set[Triple]:
    """The canonical graph's triples about ``resources`` (N-Triples IRIs): see the module's docstring."""
    graph = str(iris.canonical_graph)
    out: set[Triple] = set()
    for r in resources:
        out.update((s, p, o) for s, p, o, _g in _quads(store, r, None, None, graph))
        for node, _p, _o, _g in _quads(store, None, SUBJECT, r, graph):
            for s, p, o, _g2 in _quads(store, node, None, None, graph):
                out.add((s, p, o))
                if p == DERIVED:
                    out.update((s2, p2, o2) for s2, p2, o2, _g3 in _quads(store, o, None, None, graph))
    return out


def pointing_at(store: GraphStore, iris: IRIs, retired: Iterable[str]) -> set[str]:
    """The resources whose statements in the canonical graph name one of ``retired`` (N-Triples IRIs)."""
    graph = str(iris.canonical_graph)
    out: set[str] = set()
    for r in retired:
        for s, p, _o, _g in _quads(store, None, None, r, graph):
            if p == SUBJECT or p.endswith("#object>"):
                owner = next((o for _s, _p, o, _g2 in _quads(store, s, SUBJECT, None, graph)), None)
                if owner is not None:
                    out.add(owner)
            else:
                out.add(s)
    return out


def member_graphs(store: GraphStore, iris: IRIs, members: Iterable[str],
                  articles: Iterable[str] = ()) -> list[tuple[str, list[Triple]]]:
    """What the article graphs say about ``members`` (N-Triples IRIs), by article graph: their triples,
    the evidence nodes of their statements with the quoted sentences, and the article nodes of
    ``articles`` (graph IRIs) themselves. Read by index lookups, member by member."""
    by_graph: dict[str, set[Triple]] = defaultdict(set)
    for m in members:
        for s, p, o, g in _quads(store, m, None, None):
            if iris.is_article_graph(g):
                by_graph[g].add((s, p, o))
        for node, _p, _o, g in _quads(store, None, SUBJECT, m):
            if not iris.is_article_graph(g):
                continue
            for s, p, o, _g in _quads(store, node, None, None, g):
                by_graph[g].add((s, p, o))
                if p == EVIDENCE:
                    by_graph[g].update((s2, p2, o2) for s2, p2, o2, _g2 in _quads(store, o, ANCHOR, None, g))
    for article in articles:
        by_graph[article].update((s, p, o) for s, p, o, _g in _quads(store, f"<{article}>", None, None, article))
    return sorted((g, sorted(t)) for g, t in by_graph.items())


def said_in(graphs: Mapping[str, list[Triple]], members: set[str]) -> list[tuple[str, list[Triple]]]:
    """What :func:`member_graphs` returns, from article graphs read whole (the new articles'): each is
    gone through once, whatever the number of members (a group named by thousands of articles)."""
    out = []
    for graph, triples in graphs.items():
        about: dict[str, list[Triple]] = defaultdict(list)
        for t in triples:
            about[t[0]].append(t)
        found: set[Triple] = set()
        for s, p, o in triples:
            if s in members:
                found.add((s, p, o))
            elif p == SUBJECT and o in members:
                for t in about[s]:
                    found.add(t)
                    if t[1] == EVIDENCE:
                        found.update(x for x in about.get(t[2], ()) if x[1] == ANCHOR)
        if found:
            out.append((graph, sorted(found)))
    return sorted(out)


def containing(store: GraphStore, iris: IRIs, places: Iterable[str],
               extra: Iterable[tuple[str, str]] = ()) -> list[tuple[str, str]]:
    """``ops:locatedIn`` pairs (N-Triples IRIs) from ``places`` up their chains, in the canonical and
    gazetteer graphs as stored and in ``extra`` (the new gazetteer graph's)."""
    graphs = (str(iris.canonical_graph), str(iris.gazetteer_graph))
    up: dict[str, set[str]] = defaultdict(set)
    for a, b in extra:
        up[a].add(b)
    out: set[tuple[str, str]] = set()
    todo, seen = list(places), set()
    while todo:
        place = todo.pop()
        if place in seen:
            continue
        seen.add(place)
        parents = set(up.get(place, ()))
        for graph in graphs:
            parents.update(o for _s, _p, o, _g in _quads(store, place, LOCATED_IN, None, graph))
        for parent in parents:
            out.add((place, parent))
            todo.append(parent)
    return sorted(out)


def placed_within(store: GraphStore, iris: IRIs, pairs: Iterable[tuple[str, str]],
                  extra: Iterable[tuple[str, str]] = ()) -> set[str]:
    """The resources (N-Triples IRIs) the canonical graph says took place in a place that contains, by
    one of the new ``ops:locatedIn`` ``pairs``, another place: one of their places may now refine another."""
    containers = {b for _a, b in pairs}
    containers |= {b for _a, b in containing(store, iris, containers, extra)}
    graph = str(iris.canonical_graph)
    return {s for c in containers for s, _p, _o, _g in _quads(store, None, TOOK_PLACE_IN, c, graph)}


def in_article_graphs(graphs: Mapping[str, list[Triple]]) -> set[str]:
    """Every IRI (N-Triples) the given article graphs (read whole) use as a subject or object, but their
    text's structure and evidence nodes (their own IRIs, under the article's)."""
    out: set[str] = set()
    for graph, triples in graphs.items():
        own = f"<{graph}"
        for s, _p, o in triples:
            for term in (s, o):
                if term.startswith("<") and not term.startswith(own):
                    out.add(term)
    return out


def heads(canonical: Mapping[str, str], terms: Iterable[str]) -> set[str]:
    """The canonical IRIs (N-Triples) of ``terms`` (N-Triples IRIs)."""
    return {f"<{canonical.get(t[1:-1], t[1:-1])}>" for t in terms}


def grown(store: GraphStore, iris: IRIs, members: Mapping[str, set[str]], articles: Mapping[str, list[Triple]],
          canonical: Mapping[str, str]) -> tuple[set[Triple], set[Triple], set[str]]:
    """The canonical graph's change for resources (``members``: N-Triples canonical IRI -> its cluster's
    IRIs) that the new ``articles`` (their graphs, read whole) only add to: their cluster and name are as
    they were. Their new statements are fused from the new articles alone and added to what the
    canonical graph holds, a statement it already holds counting the new articles among its sources;
    nothing is read of their earlier articles (a place or an organization named by thousands of them
    costs what the new ones say). Returns the triples to add and to remove, and the resources that
    cannot be updated so (a date or place of theirs may refine another, or be refined): those are to be
    fused again whole."""
    def read(group: Mapping[str, set[str]]) -> list[tuple[str, list[Triple]]]:
        return said_in(articles, {m for ms in group.values() for m in ms})

    graphs = read(members)
    refused = members.keys() & heads(canonical, {s for _g, triples in graphs for s, p, _o in triples
                                                 if p in (DATE, TOOK_PLACE_IN)})
    if refused:
        graphs = read({r: ms for r, ms in members.items() if r not in refused})
    graph = str(iris.canonical_graph)
    add: set[Triple] = set()
    remove: set[Triple] = set()
    for s, p, o in canonical_graph(iris.base, graphs, canonical, {}):
        if p == SOURCES:
            before = next((old for _s, _p, old, _g in _quads(store, s, SOURCES, None, graph)), None)
            if before is not None:
                remove.add((s, p, before))
                o = f'"{_count(before) + _count(o)}"^^{INTEGER}'
        if not _held(store, graph, (s, p, o)):
            add.add((s, p, o))
    return add, remove, refused


def _held(store: GraphStore, graph: str, triple: Triple) -> bool:
    s, p, o = triple
    if o.startswith("<"):
        return next(iter(_quads(store, s, p, o, graph)), None) is not None
    return any(x == o for _s, _p, x, _g in _quads(store, s, p, None, graph))


def _count(literal: str) -> int:
    """The number an ``ops:sources`` literal holds (N-Triples)."""
    return int(literal.split('"')[1])
