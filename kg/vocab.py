"""Namespaces, graph names and IRI minting.

Entity IRIs are readable and stable across rebuilds: ``{base}{kind}/{slug}``, e.g.
``https://w3id.org/opskg/id/person/abu-bakr-al-baghdadi``. Articles are ``{base}article/{id}``
and each article's named graph has the article's own IRI as its name.
"""

from __future__ import annotations

import re
import unicodedata

from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

ONTOLOGY_IRI = "https://w3id.org/opskg/ontology"
OPS = Namespace(ONTOLOGY_IRI + "#")
NIF = Namespace("http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#")
ITSRDF = Namespace("http://www.w3.org/2005/11/its/rdf#")
SCHEMA = Namespace("http://schema.org/")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
ORG = Namespace("http://www.w3.org/ns/org#")
SEM = Namespace("http://semanticweb.cs.vu.nl/2009/11/sem/")

DCT = DCTERMS

#: Prefixes used when serialising and offered to SPARQL queries.
PREFIXES: dict[str, str] = {
    "ops": str(OPS),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "skos": str(SKOS),
    "dct": str(DCTERMS),
    "prov": str(PROV),
    "nif": str(NIF),
    "itsrdf": str(ITSRDF),
    "schema": str(SCHEMA),
    "foaf": str(FOAF),
    "org": str(ORG),
    "sem": str(SEM),
}

#: The kinds of entity IRI, keyed by the core class's local name.
ENTITY_KINDS = {
    "Person": "person",
    "Organization": "organization",
    "Location": "location",
    "Operation": "operation",
    "Role": "role",
    "Tenure": "tenure",
    "Succession": "succession",
}

_SLUG_DROP = re.compile(r"['`\u2018\u2019\u02bc\u02bf\u02be\"\u201c\u201d]")
_SLUG_SEP = re.compile(r"[^a-z0-9]+")


def slugify(text: str, max_length: int = 80) -> str:
    """A lower-case ASCII slug: ``"Abu Mu’Ath al-Marzini"`` -> ``"abu-muath-al-marzini"``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = _SLUG_SEP.sub("-", _SLUG_DROP.sub("", ascii_text.lower())).strip("-")
    if len(slug) > max_length:
        slug = slug[:max_length].rstrip("-")
    return slug or "x"


class IRIs:
    """Mints every IRI of the graph under one configurable base."""

    def __init__(self, base: str) -> None:
        self.base = base

    def entity(self, class_name: str, key: str) -> URIRef:
        return URIRef(f"{self.base}{ENTITY_KINDS[class_name]}/{slugify(key)}")

    def article(self, article_id: str) -> URIRef:
        return URIRef(f"{self.base}article/{article_id}")

    @property
    def identity_graph(self) -> URIRef:
        return URIRef(f"{self.base}graph/identity")

    @property
    def state_graph(self) -> URIRef:
        """What a later derivation reads back instead of the articles (not in the served knowledge
        graph): each entity IRI's record and blocking keys (:mod:`kg.identity_state`), each article's
        derivation inputs (:mod:`kg.inputs`), and the format and article digest they were written for."""
        return URIRef(f"{self.base}graph/state")

    @property
    def gazetteer_graph(self) -> URIRef:
        """What the gazetteer knows about the corpus's places: containment chains, identifiers, points."""
        return URIRef(f"{self.base}graph/gazetteer")

    @property
    def inferred_graph(self) -> URIRef:
        return URIRef(f"{self.base}graph/inferred")

    @property
    def canonical_graph(self) -> URIRef:
        """One resource per real-world thing, with the fused facts of every article (:mod:`kg.canonical`)."""
        return URIRef(f"{self.base}graph/canonical")

    @property
    def corpus_graph(self) -> URIRef:
        """What only the corpus as a whole says about canonical resources: dates resolved across articles,
        tenure ends, successions, each with a note of how it was derived."""
        return URIRef(f"{self.base}graph/corpus")

    @property
    def served_graphs(self) -> list[str]:
        """The graphs whose union is the served default graph: canonical resources, what the corpus, the
        gazetteer and reasoning add to them, and the ontology (article graphs stay named graphs)."""
        return [str(self.canonical_graph), str(self.corpus_graph), str(self.gazetteer_graph),
                str(self.inferred_graph), str(self.ontology_graph)]

    @property
    def ontology_graph(self) -> URIRef:
        return URIRef(ONTOLOGY_IRI)

    def is_article_graph(self, graph: str) -> bool:
        return graph.startswith(f"{self.base}article/")

    def kind_of(self, iri: str) -> str | None:
        """The entity kind (``person``...) of an IRI minted here, else ``None``."""
        if not iri.startswith(self.base):
            return None
        head = iri[len(self.base) :].split("/", 1)[0]
        return head if head in set(ENTITY_KINDS.values()) | {"article"} else None
