"""Identity across articles: one preferred name per entity, and links between IRIs of one entity.

The identity graph is a pure function of the entities in all article graphs, computed over the
whole store after every build, so the order in which articles were built never matters.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, RDFS

from kg.vocab import OPS


@dataclass
class EntityRecord:
    """An entity IRI as the article graphs describe it."""

    iri: str
    classes: set[str] = field(default_factory=set)
    #: Surface forms with the number of articles that use each.
    forms: Counter[str] = field(default_factory=Counter)
    articles: set[str] = field(default_factory=set)


def preferred_name(forms: Counter[str]) -> str:
    """The fullest name: most words, then most articles, then alphabetical (deterministic)."""
    return min(forms, key=lambda f: (-len(f.split()), -forms[f], f))


def state_digest(article_hashes: Iterable[str]) -> str:
    """A digest of the article contents the derived graphs were computed from."""
    return "sha256:" + hashlib.sha256("\n".join(sorted(article_hashes)).encode()).hexdigest()


def identity_graph(records: Iterable[EntityRecord], graph_iri: str, digest: str) -> Graph:
    g = Graph()
    node = URIRef(graph_iri)
    g.add((node, OPS.contentHash, Literal(digest)))
    for record in sorted(records, key=lambda r: r.iri):
        if record.forms:
            g.add((URIRef(record.iri), RDFS.label, Literal(preferred_name(record.forms))))
        for article in sorted(record.articles):
            g.add((node, PROV.wasDerivedFrom, URIRef(article)))
    return g


def group_records(rows: Iterable[tuple[str, str, str, str]]) -> list[EntityRecord]:
    """Rows of (entity IRI, class IRI, surface form, article IRI) into records."""
    records: dict[str, EntityRecord] = {}
    seen: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for iri, cls, form, article in rows:
        record = records.setdefault(iri, EntityRecord(iri))
        record.classes.add(cls)
        record.articles.add(article)
        if (form, article) not in seen[iri]:
            seen[iri].add((form, article))
            record.forms[form] += 1
    return list(records.values())
