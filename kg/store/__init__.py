"""Storage of the named graphs, behind a small interface (see :mod:`kg.store.base`)."""

from kg.store.base import GraphStore
from kg.store.oxigraph import OxigraphStore, open_store

__all__ = ["GraphStore", "OxigraphStore", "open_store"]
