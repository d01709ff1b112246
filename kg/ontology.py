"""The project's ontology file (``ontology/opskg.ttl``), wherever the project is installed."""

from __future__ import annotations

import hashlib
from functools import cache
from importlib import resources
from pathlib import Path

from rdflib import Graph

from kg.errors import OpsKGError

_CHECKOUT = Path(__file__).resolve().parent.parent / "ontology" / "opskg.ttl"


def ontology_path() -> Path:
    """The ontology in the source checkout (editable installs), else the copy in the wheel."""
    if _CHECKOUT.is_file():
        return _CHECKOUT
    packaged = Path(str(resources.files("kg") / "data" / "opskg.ttl"))
    if packaged.is_file():
        return packaged
    raise OpsKGError(f"the ontology file is missing (looked in {_CHECKOUT} and {packaged}): reinstall opskg")


@cache
def ontology_text() -> str:
    return ontology_path().read_text(encoding="utf-8")


def ontology_graph() -> Graph:
    """A fresh rdflib Graph of the ontology (callers may modify it)."""
    return Graph().parse(data=ontology_text(), format="turtle")


@cache
def ontology_hash() -> str:
    return "sha256:" + hashlib.sha256(ontology_text().encode("utf-8")).hexdigest()


@cache
def ontology_ntriples() -> str:
    return ontology_graph().serialize(format="nt")
