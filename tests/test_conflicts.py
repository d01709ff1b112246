"""Dates the articles disagree on stay in the graph and ``kg check`` lists them with their sources."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from kg.cli import cli
from kg.conflicts import ValueConflict
from tests.conftest import write_article

pytestmark = pytest.mark.slow


def _check(tmp_path: Path, second_published: str, second_date: str) -> Result:
    """``kg check`` on a store of two reports of one raid, the second published and dated as given."""
    write_article(tmp_path / "in", "first.txt", " date 2023-03-10\nUS forces killed Nabil Osman, a commander of "
                  "the Northern Front, in a raid in the town of Marzin on March 9, 2023, officials said.\n")
    write_article(tmp_path / "in", "second.txt", f" date {second_published}\nNabil Osman, a Northern Front "
                  f"commander, was killed in a US raid in the town of Marzin {second_date}, a monitor said.\n")
    store = str(tmp_path / "store")
    assert CliRunner().invoke(cli, ["build", str(tmp_path / "in"), "--store", store]).exit_code == 0
    return CliRunner().invoke(cli, ["check", "--store", store])


def test_check_lists_two_dates_of_one_operation_with_their_articles(tmp_path: Path) -> None:
    # Two outlets a day apart report the same raid, each with its own date: one operation, two dates.
    check = _check(tmp_path, "2023-03-11", "on March 10, 2023")
    assert check.exit_code == 1, check.output
    assert "2 dates: 2023-03-09 (first); 2023-03-10 (second)" in check.output, check.output


def test_a_date_that_refines_another_is_no_conflict(tmp_path: Path) -> None:
    check = _check(tmp_path, "2023-04-02", "in March 2023")
    assert check.exit_code == 0, check.output
    assert "0 value conflicts" in check.output


def test_a_conflict_describes_each_value_with_its_sources() -> None:
    conflict = ValueConflict("x:op", "Raid in Marzin", "date", (("2023-03-09", ("a", "c")), ("2023-03-10", ("b",))))
    assert conflict.describe() == "Raid in Marzin: 2 dates: 2023-03-09 (a, c); 2023-03-10 (b)"


def test_check_lists_two_places_of_one_operation_neither_inside_the_other() -> None:
    """Two places at the same rank on one canonical operation: both kept, each with its articles."""
    from kg.canonical import canonical_graph
    from kg.conflicts import value_conflicts
    from kg.store import OxigraphStore
    from kg.vocab import IRIs

    iris = IRIs("https://example.org/id/")
    b, ops = iris.base, "https://w3id.org/opskg/ontology#"

    def report(name: str, op: str, place: str) -> tuple[str, list[tuple[str, str, str]]]:
        graph, fact, evidence = f"{b}article/{name}", (f"<{b}operation/{op}>", f"<{ops}tookPlaceIn>",
                                                        f"<{b}location/{place}>"), f"<{b}article/{name}#fact-0>"
        rdf = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
        return graph, [fact, (evidence, f"<{rdf}type>", f"<{ops}Evidence>"), (evidence, f"<{rdf}subject>", fact[0]),
                       (evidence, f"<{rdf}predicate>", fact[1]), (evidence, f"<{rdf}object>", fact[2]),
                       (evidence, f"<{ops}article>", f"<{graph}>")]

    same = {f"{b}operation/raid-b": f"{b}operation/raid-a", f"{b}operation/raid-a": f"{b}operation/raid-a"}
    triples = canonical_graph(b, [report("a", "raid-a", "kafr-selim"), report("b", "raid-b", "tell-hamra")], same,
                              {f"{b}operation/raid-a": "Raid in Kafr Selim"})
    store = OxigraphStore(None)
    store.replace_graphs({str(iris.canonical_graph): "".join(f"{s} {p} {o} .\n" for s, p, o in triples)})
    [conflict] = value_conflicts(store, iris)
    assert conflict.describe() == (f"Raid in Kafr Selim: 2 places: {b}location/kafr-selim (a); "
                                   f"{b}location/tell-hamra (b)")
