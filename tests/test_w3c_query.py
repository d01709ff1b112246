"""The W3C SPARQL 1.1 query-evaluation tests, run over HTTP against a live ``kg serve``.

The tests are the mf:QueryEvaluationTest entries of the folders that manifest-sparql11-query.ttl
includes (aggregates ... subquery; syntax-query holds syntax tests only), plus those of
manifest-sparql11-results.ttl (csv-tsv-res, json-res: the same kind of test, checking the TSV and
JSON result formats): 225 + 7 = 232 tests. entailment/ and service/ are not run (entailment regimes
and federated queries are not features of this endpoint).

The suite runs once in each default-graph setting the server offers, each on its own server started
with ``--allow-updates --token ... --default-graph SETTING``: ``store`` (the store's own default
graph, as the tests expect), ``union`` (the union of all graphs; see ``run_query_test`` for how a
test names its dataset there) and ``canonical`` (the knowledge graph's graphs with the store's own
default graph, which is where a test's default graph is loaded; a W3C store has no knowledge graph, so
the tests run as they do on ``store``). Each test's data is loaded through the Graph Store Protocol after a
``DROP ALL``. Known deviations are listed, with their reasons, in w3c_expected_failures.txt and
marked xfail(strict=True): every setting must pass and fail exactly the same tests.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD

from tests.w3c import (
    LiveServer,
    QueryTest,
    Solutions,
    compare_graphs,
    compare_solutions,
    expected_failures,
    included_manifests,
    order_keys,
    query_evaluation_tests,
    run_query_test,
    running,
    suite_root,
    suite_root_or_none,
)

TOKEN = "w3c-query-token-7c1e"
SKIPPED_FOLDERS = ("entailment/", "service/")
EXPECTED_FAILURES_FILE = Path(__file__).with_name("w3c_expected_failures.txt")
EXPECTED_FAILURES = expected_failures(EXPECTED_FAILURES_FILE)


def _tests(root: Path | None) -> list[QueryTest]:
    if root is None:
        return []
    manifests = [*included_manifests(root, "manifest-sparql11-query.ttl"),
                 *included_manifests(root, "manifest-sparql11-results.ttl")]
    return query_evaluation_tests(root, [m for m in manifests if not m.startswith(SKIPPED_FOLDERS)])


TESTS = _tests(suite_root_or_none())


def _params() -> list[object]:
    if not TESTS:  # the suite is missing: one test that skips (or fails in CI) through shared_path
        return [pytest.param(None, id="w3c-suite")]
    # Tests over the same dataset run one after the other: the data is then loaded once for them.
    first_use: dict[object, int] = {}
    for i, test in enumerate(TESTS):
        first_use.setdefault((test.data, test.graph_data), i)
    ordered = sorted(TESTS, key=lambda t: first_use[(t.data, t.graph_data)])
    params = []
    for test in ordered:
        marks = []
        if test.iri in EXPECTED_FAILURES:
            marks.append(pytest.mark.xfail(strict=True, reason=EXPECTED_FAILURES[test.iri]))
        params.append(pytest.param(test, id=test.name, marks=marks))
    return params


SETTINGS = ("store", "union", "canonical")
#: default-graph setting -> test IRI -> whether the W3C test passed, for the summary line
OUTCOMES: dict[str, dict[str, bool]] = {setting: {} for setting in SETTINGS}


class _Summary:
    """A plugin registered by the server fixture: prints the tally after pytest's own summary."""

    @pytest.hookimpl(trylast=True)
    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        for setting, outcomes in OUTCOMES.items():
            if outcomes:
                passed = sum(outcomes.values())
                terminalreporter.write_line(f"w3c query evaluation (--default-graph {setting}): {passed} passed, "
                                            f"{len(outcomes) - passed} failed")


@pytest.fixture(scope="module", params=SETTINGS)
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
           pytestconfig: pytest.Config) -> Iterator[LiveServer]:
    suite_root()
    if not pytestconfig.pluginmanager.has_plugin("w3c-query-summary"):
        pytestconfig.pluginmanager.register(_Summary(), "w3c-query-summary")
    folder = tmp_path_factory.mktemp(f"w3c-query-{request.param}")
    store = folder / "store"
    store.mkdir()
    args = ("--allow-updates", "--token", TOKEN, "--default-graph", request.param, "--query-timeout", "20",
            "--threads", "2")
    with running(store, folder / "serve.log", *args, token=TOKEN) as live:
        live.default_graph = request.param  # type: ignore[attr-defined]
        yield live


@pytest.mark.parametrize("case", _params())
def test_query_evaluation(server: LiveServer, case: QueryTest | None) -> None:
    if case is None:
        suite_root()
        pytest.fail("the W3C suite is present but has no query-evaluation tests")
    setting: str = server.default_graph  # type: ignore[attr-defined]
    try:
        run_query_test(server, case, union=setting == "union")
    except BaseException:
        OUTCOMES[setting][case.iri] = False
        raise
    OUTCOMES[setting][case.iri] = True


def test_suite_has_the_expected_tests() -> None:
    suite_root()
    assert len(TESTS) == 232
    assert not [t for t in TESTS if t.query.parent.name in ("entailment", "service")]


def test_expected_failures_are_few_and_name_real_tests() -> None:
    suite_root()
    known = {t.iri for t in TESTS}
    assert set(EXPECTED_FAILURES) <= known, f"stale entries: {sorted(set(EXPECTED_FAILURES) - known)}"
    assert len(EXPECTED_FAILURES) <= 12, "the expected-failure list is meant to stay short"
    assert all(len(reason) > 20 for reason in EXPECTED_FAILURES.values())


# --- the comparison itself must be able to fail ---


def _rows(*rows: dict[str, object]) -> Solutions:
    return Solutions(sorted({k for r in rows for k in r}), list(rows))  # type: ignore[arg-type]


def test_solutions_compare_as_multisets_with_blank_nodes_matched_consistently() -> None:
    a, b, c = BNode(), BNode(), BNode()
    x, y = URIRef("http://example/x"), URIRef("http://example/y")
    one = Literal("1", datatype=XSD.integer)
    compare_solutions(_rows({"s": x, "o": a}, {"s": y, "o": a}), _rows({"s": y, "o": b}, {"s": x, "o": b}), "")
    with pytest.raises(AssertionError):  # one blank node shared by two rows is not two blank nodes
        compare_solutions(_rows({"s": x, "o": a}, {"s": y, "o": a}), _rows({"s": x, "o": b}, {"s": y, "o": c}), "")
    with pytest.raises(AssertionError):  # multiplicity counts
        compare_solutions(_rows({"s": x}, {"s": x}), _rows({"s": x}), "")
    with pytest.raises(AssertionError):  # an unbound variable is not a bound one
        compare_solutions(_rows({"s": x, "o": one}, {"s": y}), _rows({"s": x}, {"s": y, "o": one}), "")
    with pytest.raises(AssertionError):  # datatypes count
        compare_solutions(_rows({"o": one}), _rows({"o": Literal("1")}), "")
    # the same value written two ways is the same decimal; language tags ignore case
    def decimal(text: str) -> Literal:
        return Literal(text, datatype=XSD.decimal)

    compare_solutions(_rows({"o": decimal("1")}), _rows({"o": decimal("1.0")}), "")
    compare_solutions(_rows({"o": Literal("a", lang="en-us")}), _rows({"o": Literal("a", lang="en-US")}), "")
    with pytest.raises(AssertionError):
        compare_solutions(_rows({"o": decimal("1.5")}), _rows({"o": decimal("1.0")}), "")


def test_order_matters_only_under_a_top_level_order_by() -> None:
    x, y = URIRef("http://example/x"), URIRef("http://example/y")
    forward, backward = _rows({"s": x}, {"s": y}), _rows({"s": y}, {"s": x})
    compare_solutions(forward, backward, "SELECT ?s { ?s ?p ?o }")
    compare_solutions(forward, backward, "SELECT ?s { { SELECT ?s { ?s ?p ?o } ORDER BY ?s LIMIT 2 } }")
    with pytest.raises(AssertionError, match="ORDER BY"):
        compare_solutions(forward, backward, "SELECT ?s { ?s ?p ?o } ORDER BY DESC(?s)")
    # rows with equal keys may come in any order
    tied = _rows({"k": x, "s": x}, {"k": x, "s": y})
    compare_solutions(tied, _rows({"k": x, "s": y}, {"k": x, "s": x}), "SELECT * {} ORDER BY ?k")
    assert order_keys("SELECT * {} ORDER BY ?a DESC(?b) (?c + ?d) LIMIT 3") == [["a"], ["b"], ["c", "d"]]


def test_ask_and_graphs() -> None:
    compare_solutions(Solutions(boolean=True), Solutions(boolean=True), "ASK {}")
    with pytest.raises(AssertionError):
        compare_solutions(Solutions(boolean=False), Solutions(boolean=True), "ASK {}")
    g1, g2, g3 = Graph(), Graph(), Graph()
    g1.parse(data="[] <http://example/p> [ <http://example/q> 1 ] .", format="turtle")
    g2.parse(data="_:a <http://example/p> _:b . _:b <http://example/q> 1 .", format="turtle")
    g3.parse(data="_:a <http://example/p> _:b . _:c <http://example/q> 1 .", format="turtle")
    compare_graphs(g1, g2)
    with pytest.raises(AssertionError):
        compare_graphs(g1, g3)
