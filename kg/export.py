"""``kg export``: the store's graphs in a standard RDF format."""

from __future__ import annotations

from typing import BinaryIO

import pyoxigraph as ox

from kg.errors import ConfigError
from kg.store import GraphStore
from kg.vocab import PREFIXES, IRIs

FORMATS: dict[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
}
SELECTIONS = ("asserted", "inferred", "canonical", "all")


def select_graphs(store: GraphStore, iris: IRIs, selection: str) -> list[str]:
    """Graph names for ``asserted`` (all but the inferred and state graphs), ``inferred``, ``canonical`` (the
    served knowledge graph: one resource per real-world thing, see :attr:`IRIs.served_graphs`) or ``all``."""
    if selection not in SELECTIONS:
        raise ConfigError(f"unknown graph selection {selection!r}: use one of {', '.join(SELECTIONS)}")
    names = store.graph_names()
    inferred = str(iris.inferred_graph)
    if selection == "inferred":
        return [n for n in names if n == inferred]
    if selection == "canonical":
        return [n for n in names if n in iris.served_graphs]
    if selection == "asserted":
        return [n for n in names if n not in (inferred, str(iris.state_graph))]
    return names


def export(store: GraphStore, iris: IRIs, fmt: str, output: BinaryIO, selection: str = "all") -> None:
    if fmt not in FORMATS:
        raise ConfigError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
    store.dump(output, FORMATS[fmt], select_graphs(store, iris, selection), prefixes=PREFIXES)
