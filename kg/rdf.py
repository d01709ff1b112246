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

import pyoxigraph as ox
from rdflib import Graph
from rdflib.namespace import DCTERMS, RDF, SKOS, XSD

from kg import __version__
from kg.model import Entity, EntityRef, Extraction, Fact, Span
from kg.vocab import ITSRDF, NIF, OPS, IRIs

BUILDER = f"opskg {__version__}"


def _iri(value: object) -> ox.NamedNode:
    return ox.NamedNode(str(value))


_TYPE, _NN_INT, _DECIMAL, _DATE = _iri(RDF.type), _iri(XSD.nonNegativeInteger), _iri(XSD.decimal), _iri(XSD.date)


class _Quads:
    """An article graph's statements as pyoxigraph quads in the graph ``graph``, kept in the order they
    are added, without repeats (quads, so that the store takes them as they are)."""

    def __init__(self, graph: ox.NamedNode) -> None:
        self.graph = graph
        self.quads: dict[ox.Quad, None] = {}

    def add(self, s: ox.NamedNode, p: ox.NamedNode, o: ox.NamedNode | ox.Literal) -> None:
        self.quads[ox.Quad(s, p, o, self.graph)] = None

    def __contains__(self, triple: tuple[ox.NamedNode, ox.NamedNode, ox.NamedNode | ox.Literal]) -> bool:
        return ox.Quad(*triple, self.graph) in self.quads


def article_quads(extraction: Extraction, iris: IRIs) -> list[ox.Quad]:
    """The statements of one article's named graph (the graph's name is the article IRI), as quads."""
    article = extraction.article
    text = article.text
    art = _iri(iris.article(article.id))
    g = _Quads(art)
    g.add(art, _TYPE, _iri(OPS.Article))
    g.add(art, _TYPE, _iri(NIF.Context))
    g.add(art, _iri(DCTERMS.identifier), ox.Literal(article.id))
    g.add(art, _iri(OPS.contentHash), ox.Literal(article.content_hash))
    g.add(art, _iri(OPS.sourceName), ox.Literal(article.source))
    g.add(art, _iri(OPS.builtWith), ox.Literal(BUILDER))
    g.add(art, _iri(NIF.isString), ox.Literal(text))
    g.add(art, _iri(NIF.beginIndex), ox.Literal("0", datatype=_NN_INT))
    g.add(art, _iri(NIF.endIndex), ox.Literal(str(len(text)), datatype=_NN_INT))
    if article.title:
        g.add(art, _iri(DCTERMS.title), ox.Literal(article.title))
    if article.url:
        g.add(art, _iri(DCTERMS.source), _iri(article.url))
    if article.published:
        g.add(art, _iri(DCTERMS.date), ox.Literal(article.published, datatype=_DATE))
        g.add(art, _iri(OPS.publishedFrom), ox.Literal(article.published_from or "unknown"))
    sentence_class = _iri(NIF.Sentence)

    def sentence(span: Span) -> ox.NamedNode:
        node = _offset_iri(art, span)
        if (node, _TYPE, sentence_class) not in g:
            g.add(node, _TYPE, sentence_class)
            _add_offsets(g, node, art, span, text)
        return node

    entity_iris: dict[EntityRef, ox.NamedNode] = {}
    for entity in extraction.entities:
        node = entity_iris[entity.ref] = _iri(iris.entity(entity.ref.cls, entity.ref.key))
        _add_entity(g, node, entity, art)
        for mention in entity.mentions:
            phrase = _offset_iri(art, mention.span)
            g.add(phrase, _TYPE, _iri(NIF.Phrase))
            _add_offsets(g, phrase, art, mention.span, text)
            g.add(phrase, _iri(NIF.sentence), sentence(mention.sentence))
            g.add(phrase, _iri(ITSRDF.taIdentRef), node)

    for fact in extraction.facts:
        _add_fact(g, fact, entity_iris, iris, art, sentence(fact.sentence))
    return list(g.quads)


def article_ntriples(extraction: Extraction, iris: IRIs) -> str:
    """The article graph as an N-Triples document (written by pyoxigraph: no RDF library in between)."""
    triples = [q.triple for q in article_quads(extraction, iris)]
    return (ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"").decode()


def article_graph(extraction: Extraction, iris: IRIs) -> Graph:
    """The article graph as an rdflib graph, for callers that want one (the build writes its terms)."""
    return Graph().parse(data=article_ntriples(extraction, iris), format="nt")


def _add_entity(g: _Quads, node: ox.NamedNode, entity: Entity, art: ox.NamedNode) -> None:
    g.add(node, _TYPE, _iri(OPS[entity.ref.cls]))
    if entity.kind:
        g.add(node, _TYPE, _iri(OPS[entity.kind]))
    for form in sorted(f for f in entity.surface_forms if f.strip()):
        g.add(node, _iri(SKOS.altLabel), ox.Literal(form))
    if entity.mentions:
        g.add(node, _iri(OPS.mentionedIn), art)
    for name, value in sorted(entity.attributes.items()):
        g.add(node, _iri(OPS[name]), ox.Literal(value))
    if entity.gazetteer:
        g.add(node, _iri(OPS.gazetteerEntry), ox.Literal(entity.gazetteer))
    if entity.exact_match:
        g.add(node, _iri(SKOS.exactMatch), _iri(entity.exact_match))


def _add_fact(g: _Quads, fact: Fact, entity_iris: dict[EntityRef, ox.NamedNode], iris: IRIs,
              art: ox.NamedNode, sentence: ox.NamedNode) -> None:
    subject = entity_iris.get(fact.subject) or _iri(iris.entity(fact.subject.cls, fact.subject.key))
    predicate = _iri(OPS[fact.predicate])
    obj: ox.NamedNode | ox.Literal
    if isinstance(fact.object, EntityRef):
        obj = entity_iris.get(fact.object) or _iri(iris.entity(fact.object.cls, fact.object.key))
    elif fact.datatype:
        obj = ox.Literal(str(fact.object), datatype=_iri(XSD[fact.datatype]))
    else:
        obj = ox.Literal(str(fact.object))
    g.add(subject, predicate, obj)
    digest = hashlib.sha1(f"{subject.value} {predicate.value} {obj} {sentence.value}".encode()).hexdigest()[:16]
    ev = ox.NamedNode(f"{art.value}#fact-{digest}")
    g.add(ev, _TYPE, _iri(OPS.Evidence))
    g.add(ev, _iri(RDF.subject), subject)
    g.add(ev, _iri(RDF.predicate), predicate)
    g.add(ev, _iri(RDF.object), obj)
    g.add(ev, _iri(OPS.evidence), sentence)
    g.add(ev, _iri(OPS.article), art)
    g.add(ev, _iri(OPS.certainty), ox.Literal(f"{fact.certainty:.2f}", datatype=_DECIMAL))
    if fact.origin != "text":
        g.add(ev, _iri(OPS.origin), ox.Literal(fact.origin))
    if fact.qualifier:
        g.add(ev, _iri(OPS.qualifier), ox.Literal(fact.qualifier))


def _offset_iri(art: ox.NamedNode, span: Span) -> ox.NamedNode:
    return ox.NamedNode(f"{art.value}#char={span.start},{span.end}")


def _add_offsets(g: _Quads, node: ox.NamedNode, art: ox.NamedNode, span: Span, text: str) -> None:
    g.add(node, _iri(NIF.beginIndex), ox.Literal(str(span.start), datatype=_NN_INT))
    g.add(node, _iri(NIF.endIndex), ox.Literal(str(span.end), datatype=_NN_INT))
    g.add(node, _iri(NIF.anchorOf), ox.Literal(text[span.start : span.end]))
    g.add(node, _iri(NIF.referenceContext), art)
