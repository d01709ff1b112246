"""An article's extraction as RDF: the article graph, with provenance for every fact.

Provenance model (standard vocabularies):

- The article IRI names the article's graph and is its ``nif:Context``: ``nif:isString`` holds
  the text that offsets refer to; ``dct:title``, ``dct:source``, ``dct:date``,
  ``dct:identifier`` and ``ops:contentHash`` describe it.
- Sentences are ``nif:Sentence`` nodes ``<article#char=S,E>`` with ``nif:beginIndex``,
  ``nif:endIndex``, ``nif:anchorOf`` (the quoted text) and ``nif:referenceContext``.
- Each entity mention is a ``nif:Phrase`` linked to its entity by ``itsrdf:taIdentRef``: the
  evidence for the entity's type and names.
- Each asserted fact ``S P O`` also has an ``ops:Evidence`` node (an ``rdf:Statement``:
  ``rdf:subject/predicate/object``) with ``ops:evidence`` (the sentence), ``ops:article`` and
  ``ops:certainty``.
"""

from __future__ import annotations

import hashlib

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS, XSD

from kg import __version__
from kg.model import Entity, EntityRef, Extraction, Fact, Span
from kg.vocab import ITSRDF, NIF, OPS, IRIs

BUILDER = f"opskg {__version__}"


def article_graph(extraction: Extraction, iris: IRIs) -> Graph:
    """The triples of one article's named graph (the graph's name is the article IRI)."""
    article = extraction.article
    text = article.text
    art = iris.article(article.id)
    g = Graph()
    g.add((art, RDF.type, OPS.Article))
    g.add((art, RDF.type, NIF.Context))
    g.add((art, DCTERMS.identifier, Literal(article.id)))
    g.add((art, OPS.contentHash, Literal(article.content_hash)))
    g.add((art, OPS.sourceName, Literal(article.source)))
    g.add((art, OPS.builtWith, Literal(BUILDER)))
    g.add((art, NIF.isString, Literal(text)))
    g.add((art, NIF.beginIndex, Literal(0, datatype=XSD.nonNegativeInteger)))
    g.add((art, NIF.endIndex, Literal(len(text), datatype=XSD.nonNegativeInteger)))
    if article.title:
        g.add((art, DCTERMS.title, Literal(article.title)))
    if article.url:
        g.add((art, DCTERMS.source, URIRef(article.url)))
    if article.published:
        g.add((art, DCTERMS.date, Literal(article.published, datatype=XSD.date)))
        g.add((art, OPS.publishedFrom, Literal(article.published_from or "unknown")))

    def sentence(span: Span) -> URIRef:
        node = _offset_iri(art, span)
        if (node, RDF.type, NIF.Sentence) not in g:
            g.add((node, RDF.type, NIF.Sentence))
            _add_offsets(g, node, art, span, text)
        return node

    entity_iris: dict[EntityRef, URIRef] = {}
    for entity in extraction.entities:
        node = entity_iris[entity.ref] = iris.entity(entity.ref.cls, entity.ref.key)
        _add_entity(g, node, entity, art)
        for mention in entity.mentions:
            phrase = _offset_iri(art, mention.span)
            g.add((phrase, RDF.type, NIF.Phrase))
            _add_offsets(g, phrase, art, mention.span, text)
            g.add((phrase, NIF.sentence, sentence(mention.sentence)))
            g.add((phrase, ITSRDF.taIdentRef, node))

    for fact in extraction.facts:
        _add_fact(g, fact, entity_iris, iris, art, sentence(fact.sentence))
    return g


def _add_entity(g: Graph, node: URIRef, entity: Entity, art: URIRef) -> None:
    g.add((node, RDF.type, OPS[entity.ref.cls]))
    if entity.kind:
        g.add((node, RDF.type, OPS[entity.kind]))
    for form in sorted(f for f in entity.surface_forms if f.strip()):
        g.add((node, SKOS.altLabel, Literal(form)))
    if entity.mentions:
        g.add((node, OPS.mentionedIn, art))
    for name, value in sorted(entity.attributes.items()):
        g.add((node, OPS[name], Literal(value)))
    if entity.gazetteer:
        g.add((node, OPS.gazetteerEntry, Literal(entity.gazetteer)))
    if entity.exact_match:
        g.add((node, SKOS.exactMatch, URIRef(entity.exact_match)))


def _add_fact(g: Graph, fact: Fact, entity_iris: dict[EntityRef, URIRef], iris: IRIs,
              art: URIRef, sentence: URIRef) -> None:
    subject = entity_iris.get(fact.subject) or iris.entity(fact.subject.cls, fact.subject.key)
    predicate = OPS[fact.predicate]
    obj: URIRef | Literal
    if isinstance(fact.object, EntityRef):
        obj = entity_iris.get(fact.object) or iris.entity(fact.object.cls, fact.object.key)
    else:
        obj = Literal(fact.object, datatype=XSD[fact.datatype] if fact.datatype else None)
    g.add((subject, predicate, obj))
    digest = hashlib.sha1(f"{subject} {predicate} {obj.n3()} {sentence}".encode()).hexdigest()[:16]
    ev = URIRef(f"{art}#fact-{digest}")
    g.add((ev, RDF.type, OPS.Evidence))
    g.add((ev, RDF.subject, subject))
    g.add((ev, RDF.predicate, predicate))
    g.add((ev, RDF.object, obj))
    g.add((ev, OPS.evidence, sentence))
    g.add((ev, OPS.article, art))
    g.add((ev, OPS.certainty, Literal(f"{fact.certainty:.2f}", datatype=XSD.decimal)))
    if fact.origin != "text":
        g.add((ev, OPS.origin, Literal(fact.origin)))
    if fact.qualifier:
        g.add((ev, OPS.qualifier, Literal(fact.qualifier)))


def _offset_iri(art: URIRef, span: Span) -> URIRef:
    return URIRef(f"{art}#char={span.start},{span.end}")


def _add_offsets(g: Graph, node: URIRef, art: URIRef, span: Span, text: str) -> None:
    g.add((node, NIF.beginIndex, Literal(span.start, datatype=XSD.nonNegativeInteger)))
    g.add((node, NIF.endIndex, Literal(span.end, datatype=XSD.nonNegativeInteger)))
    g.add((node, NIF.anchorOf, Literal(text[span.start : span.end])))
    g.add((node, NIF.referenceContext, art))
