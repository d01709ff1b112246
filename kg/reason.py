"""OWL 2 RL reasoning: the triples that the ontology's axioms add to the asserted graph."""

from __future__ import annotations

import logging

import owlrl
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

log = logging.getLogger(__name__)

_TRIVIAL_TYPES = {OWL.Thing, RDFS.Resource, OWL.NamedIndividual}


def infer(asserted: Graph, ontology: Graph, instance_base: str) -> Graph:
    """The OWL 2 RL closure of ``asserted`` + ``ontology``, minus what was asserted.

    Only triples about instances (IRIs under ``instance_base``) are kept: the closure's
    statements about the vocabulary itself and its axiomatic triples are of no use to a reader.
    """
    closure = Graph()
    for triple in ontology:
        closure.add(triple)
    for triple in asserted:
        closure.add(triple)
    before = set(closure)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False).expand(closure)
    inferred = Graph()
    for s, p, o in closure:
        if (s, p, o) in before or not isinstance(s, URIRef) or not str(s).startswith(instance_base):
            continue
        if p == OWL.sameAs and s == o:
            continue
        if p == RDF.type and o in _TRIVIAL_TYPES:
            continue
        if isinstance(o, Literal) and p in (RDF.type,):
            continue
        inferred.add((s, p, o))
    log.debug("reasoning: %d asserted, %d inferred", len(asserted), len(inferred))
    return inferred
