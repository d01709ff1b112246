"""The shipped place tables are well formed, and sourced where the issue asks for sources; sites
(airports, bases, prisons) are recognised and placed like other places."""

from __future__ import annotations

import csv
import re

import pytest

from kg import gazetteer as gaz
from kg.extract.entities import extract_entities
from kg.extract.places import extract_containment
from kg.model import EntityRef
from tests.extraction_support import GAZETTEER_DIR, gazetteer, parse

FACILITY_KINDS = {"airport", "base", "prison"}


def _rows(name: str) -> list[dict[str, str]]:
    with (gaz.DATA / name).open(encoding="utf-8") as handle:
        return list(csv.DictReader((line for line in handle if not line.startswith("#")), delimiter="\t"))


def test_every_site_row_cites_a_source_and_sits_in_a_known_place() -> None:
    places = gaz.default().places
    rows = _rows("facilities.tsv")
    assert rows
    for row in rows:
        assert row["kind"] in FACILITY_KINDS, row
        assert re.match(r"^https://\S+$", row["source"] or ""), f"{row['name']}: no source URL"
        assert row["parent"] in places, f"{row['name']}: unknown parent {row['parent']!r}"
        lat, lon = float(row["lat"]), float(row["lon"])
        assert -90 <= lat <= 90 and -180 <= lon <= 180, row
        assert places[row["name"]].reference == row["source"]


def test_no_site_name_is_another_places_name() -> None:
    g = gaz.default()
    for row in _rows("facilities.tsv"):
        for form in [row["name"], *filter(None, row["aliases"].split("|"))]:
            assert [p.name for p in g.find_places(form)] == [row["name"]], form


@pytest.mark.slow
@pytest.mark.parametrize("text", [
    "A drone struck a convoy leaving Marzin International Airport on Friday.",
    "A drone struck a convoy leaving Marzin\u2019s international airport on Friday. Marzin was calm.",
])
def test_a_site_is_recognised_as_its_kind(text: str) -> None:
    found = extract_entities(parse(text), gazetteer())
    airport = found.by_ref(EntityRef("Location", "marzin international airport"))
    assert airport is not None and airport.kind == "Airport", [(e.ref, e.kind) for e in found.entities]


@pytest.mark.slow
def test_a_site_is_in_the_city_it_serves() -> None:
    doc = parse("A drone struck a convoy at Marzin airport. Officials in Marzin confirmed the strike.")
    found = extract_entities(doc, gazetteer())
    located = {(f.subject.key, f.object.key) for f in extract_containment(doc, found, gazetteer())
               if isinstance(f.object, EntityRef) and f.predicate == "locatedIn"}
    assert ("marzin international airport", "marzin") in located


def test_the_test_gazetteer_has_its_own_site_table() -> None:
    assert (GAZETTEER_DIR / "facilities.tsv").exists()
    assert gazetteer().places["Marzin International Airport"].kind == "airport"
