"""A small harness for running the W3C SPARQL 1.1 test suite against a live ``kg serve``.

* :class:`LiveServer` starts ``kg serve`` on a free 127.0.0.1 port (its log goes to a file, so a
  chatty server never blocks on a full pipe) and stops it; every request has a bounded timeout
  and ignores proxy settings from the environment.
* Manifests are read with rdflib; test IRIs are resolved against the manifest's W3C address
  (``W3C_BASE`` + folder, as SOURCE.md says) and mapped back to the local files.
* Test data goes into the endpoint through its Graph Store Protocol (PUT/POST with the bearer
  token) as N-Triples (relative IRIs resolved against the file's W3C address, blank nodes renamed
  apart); the store is emptied with ``DROP ALL`` before each dataset is loaded. Consecutive query
  tests over the very same dataset share one load (queries cannot change the store).
* Results are compared as the test suite intends: SELECT results as multisets of solutions with
  blank nodes matched by isomorphism (and in order where a top-level ORDER BY determines it), ASK
  booleans, CONSTRUCT/DESCRIBE graphs by isomorphism.
"""

from __future__ import annotations

import contextlib
import io
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
import requests
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, RDFS, XSD
from rdflib.query import Result

from tests.conftest import shared_path
from tests.live import HTTP_TIMEOUT, LiveServer, free_port, running  # noqa: F401  (re-exported)

W3C_BASE = "http://www.w3.org/2009/sparql/docs/tests/data-sparql11/"
SUITE = ("w3c-rdf-tests", "sparql", "sparql11")
#: Seconds any single HTTP request to a test server may take.

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
QT = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-query#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
HT = Namespace("http://www.w3.org/2011/http#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")
CNT = Namespace("http://www.w3.org/2011/content#")
RS = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/result-set#")

RESULTS_JSON = "application/sparql-results+json"
RESULTS_XML = "application/sparql-results+xml"
RESULT_TYPES = {RESULTS_JSON: "json", RESULTS_XML: "xml", "text/csv": "csv", "text/tab-separated-values": "tsv"}
GRAPH_TYPES = {"text/turtle": "turtle", "application/n-triples": "nt", "application/rdf+xml": "xml",
               "application/ld+json": "json-ld", "application/trig": "trig", "application/n-quads": "nquads"}


# --- the suite on disk ------------------------------------------------------------------------


def suite_root() -> Path:
    """The local copy of sparql/sparql11 (skips the test, or fails in CI, when it is missing)."""
    return shared_path(*SUITE)


def suite_root_or_none() -> Path | None:
    """The suite folder at collection time, where skipping is not possible: None when missing."""
    try:
        return shared_path(*SUITE)
    except (pytest.skip.Exception, pytest.fail.Exception):
        return None


def local_file(root: Path, iri: str) -> Path:
    if not iri.startswith(W3C_BASE):
        raise ValueError(f"{iri} is not a test-suite address")
    return root / iri[len(W3C_BASE):]


def read_manifest(root: Path, relative: str) -> Graph:
    """A manifest parsed with its W3C address as base, so relative test IRIs resolve to the suite's."""
    graph = Graph()
    graph.parse(root / relative, format="turtle", publicID=W3C_BASE + relative)
    return graph


def manifest_entries(graph: Graph) -> list[URIRef]:
    """The entries of every mf:Manifest in the graph, in manifest order."""
    out: list[URIRef] = []
    for manifest in graph.subjects(RDF.type, MF.Manifest):
        for entries in graph.objects(manifest, MF.entries):
            out.extend(URIRef(str(e)) for e in Collection(graph, entries))
    return out


def included_manifests(root: Path, relative: str) -> list[str]:
    """The manifests an mf:include list names (relative to the suite root)."""
    graph = read_manifest(root, relative)
    out = []
    for manifest in graph.subjects(RDF.type, MF.Manifest):
        for includes in graph.objects(manifest, MF.include):
            out.extend(str(m)[len(W3C_BASE):] for m in Collection(graph, includes))
    return out


# --- query-evaluation tests -------------------------------------------------------------------


@dataclass(frozen=True)
class QueryTest:
    iri: str
    name: str
    query: Path
    query_iri: str
    data: tuple[tuple[Path, str], ...]
    graph_data: tuple[tuple[Path, str], ...]
    result: Path
    result_iri: str


def query_evaluation_tests(root: Path, manifests: list[str]) -> list[QueryTest]:
    tests = []
    for relative in manifests:
        graph = read_manifest(root, relative)
        for entry in manifest_entries(graph):
            if (entry, RDF.type, MF.QueryEvaluationTest) not in graph:
                continue
            action = graph.value(entry, MF.action)
            query_iri = str(graph.value(action, QT.query))
            result_iri = str(graph.value(entry, MF.result))
            data = tuple(sorted((local_file(root, str(d)), str(d)) for d in graph.objects(action, QT.data)))
            named = tuple(sorted((local_file(root, str(d)), str(d)) for d in graph.objects(action, QT.graphData)))
            tests.append(QueryTest(
                iri=str(entry), name=str(graph.value(entry, MF.name)), query=local_file(root, query_iri),
                query_iri=query_iri, data=data, graph_data=named, result=local_file(root, result_iri),
                result_iri=result_iri,
            ))
    return tests


def expected_failures(path: Path) -> dict[str, str]:
    """Test IRI -> reason, from lines ``<test IRI>  # <reason>``; lines starting with ``#`` are comments."""
    out = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        iri, _, rest = line.partition(" ")
        reason = rest.strip().removeprefix("#").strip()
        if not reason:
            raise ValueError(f"{path}:{number}: {iri} has no '# reason'")
        out[iri] = reason
    return out


@contextlib.contextmanager
def empty_update_server(tmp_path_factory: pytest.TempPathFactory, name: str, token: str,
                        default_graph: str = "store") -> Iterator[LiveServer]:
    """A server on a new empty store, as the W3C suites expect: updates on, the given default-graph setting."""
    folder = tmp_path_factory.mktemp(f"{name}-{default_graph}")
    store = folder / "store"
    store.mkdir()
    args = ("--allow-updates", "--token", token, "--default-graph", default_graph, "--threads", "2")
    with running(store, folder / "serve.log", *args, token=token) as live:
        yield live


# --- test data --------------------------------------------------------------------------------


def ntriples(path: Path, base_iri: str) -> bytes:
    """A data file as N-Triples: relative IRIs resolved against its W3C address, blank nodes
    renamed apart (two files merged into one graph must not share blank nodes)."""
    fmt = ox.RdfFormat.from_extension(path.suffix.lstrip(".")) if path.suffix != ".rdf" else ox.RdfFormat.RDF_XML
    if fmt is None:
        raise ValueError(f"unknown RDF format: {path}")
    fresh: dict[str, ox.BlankNode] = {}

    def rename(term: Any) -> Any:
        if isinstance(term, ox.BlankNode):
            return fresh.setdefault(term.value, ox.BlankNode())
        return term

    triples = [ox.Triple(rename(t.subject), t.predicate, rename(t.object))
               for t in ox.parse(path=str(path), format=fmt, base_iri=base_iri)]
    return ox.serialize(triples, None, ox.RdfFormat.N_TRIPLES) or b""


def w3c_iri(path: Path) -> str:
    """The W3C address of a file of the suite (its base IRI)."""
    return W3C_BASE + path.as_posix().split("/sparql11/", 1)[1]


#: Where a server whose default graph is the union of all graphs keeps a test's default graph when the
#: test also has named graphs: the query then names its dataset through the protocol.
DEFAULT_STAND_IN = "urn:x-opskg-w3c:default-graph"
_DECLARES_DATASET = re.compile(r"(?i)\bFROM\s+(?:NAMED\s+)?[<\w:]")


def load_dataset(server: LiveServer, default: Sequence[Path], named: Mapping[str, Path],
                 default_graph: str | None = None) -> None:
    """Empty the store, then load the default graph (PUT, then POST to merge) and the named graphs.

    ``default_graph``: the named graph that holds the test's default graph (None: the store's own
    default graph). When the store already holds exactly this dataset (loaded for the previous test,
    and only queried since: queries cannot write), it is kept: reloading would give the same store.
    Callers that write reset ``server.loaded``.
    """
    key = (tuple(default), tuple(sorted(named.items())), default_graph)
    if server.loaded == key:
        return
    server.loaded = None
    server.clear()
    for i, path in enumerate(default):
        server.put_graph(ntriples(path, w3c_iri(path)), "application/n-triples", graph=default_graph,
                         method="PUT" if i == 0 else "POST")
    for name, path in sorted(named.items()):
        server.put_graph(ntriples(path, w3c_iri(path)), "application/n-triples", graph=name)
    server.loaded = key


# --- results ----------------------------------------------------------------------------------


@dataclass
class Solutions:
    """SELECT results (``rows`` of variable -> term) or an ASK answer (``boolean``)."""

    variables: list[str] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)
    boolean: bool | None = None


def parse_results(data: bytes, fmt: str) -> Solutions:
    """SPARQL results (xml, json, csv, tsv) through rdflib's result parsers."""
    result = Result.parse(io.BytesIO(data), format=fmt)
    if result.type == "ASK":
        return Solutions(boolean=bool(result.askAnswer))
    variables = [str(v) for v in (result.vars or [])]
    rows = [{str(k): v for k, v in binding.items() if v is not None} for binding in result.bindings]
    return Solutions(variables, rows)


def parse_result_graph(graph: Graph) -> Solutions:
    """Results written in RDF with the DAWG result-set vocabulary (``rs:ResultSet``)."""
    result_set = graph.value(None, RDF.type, RS.ResultSet, any=False)
    boolean = graph.value(result_set, RS.boolean)
    if boolean is not None:
        return Solutions(boolean=bool(boolean.toPython()))
    variables = [str(v) for v in graph.objects(result_set, RS.resultVariable)]
    indexed = []
    for solution in graph.objects(result_set, RS.solution):
        row = {}
        for binding in graph.objects(solution, RS.binding):
            row[str(graph.value(binding, RS.variable))] = graph.value(binding, RS.value)
        index = graph.value(solution, RS.index)
        indexed.append((int(index) if index is not None else 0, row))
    indexed.sort(key=lambda pair: pair[0])
    return Solutions(variables, [row for _, row in indexed])


def expected_result(path: Path, iri: str) -> Solutions | Graph:
    suffix = path.suffix.lstrip(".")
    if suffix in ("srx", "srj", "csv", "tsv"):
        return parse_results(path.read_bytes(), {"srx": "xml", "srj": "json"}.get(suffix, suffix))
    graph = Graph()
    graph.parse(path, format="xml" if suffix == "rdf" else "turtle", publicID=iri)
    if (None, RDF.type, RS.ResultSet) in graph:
        return parse_result_graph(graph)
    return graph


_NUMERIC = {str(XSD.decimal), str(XSD.double), str(XSD.float)}


def canonical(term: Any) -> Any:
    """Decimal, double and float literals in one lexical form per value ("1.0" and "1" as
    xsd:decimal are the same literal value): results match when they have the same datatype and
    value, as in the usual result-set comparisons. Language tags are compared in lower case
    (they are case-insensitive). Other terms compare as they are."""
    if isinstance(term, Literal) and term.language:
        return Literal(str(term), lang=term.language.lower())
    if isinstance(term, Literal) and term.datatype is not None and str(term.datatype) in _NUMERIC:
        try:
            value = float(term) if str(term.datatype) != str(XSD.decimal) else Decimal(str(term))
        except (ValueError, ArithmeticError):
            return term
        if isinstance(value, Decimal):
            if not value.is_finite():
                return term
            text = format(value.normalize(), "f")
            return Literal(text if "." in text else text + ".0", datatype=term.datatype, normalize=False)
        return Literal(repr(value), datatype=term.datatype, normalize=False)
    return term


def _canonical_graph(graph: Graph) -> Graph:
    out = Graph()
    for s, p, o in graph:
        out.add((s, p, canonical(o)))
    return out


def _solutions_graph(solutions: Solutions) -> Graph:
    """A solution multiset as an RDF graph (one blank node per row), so that isomorphism matches
    the blank nodes of values consistently across all rows."""
    graph = Graph()
    top = URIRef("urn:x-w3c-harness:results")
    for row in solutions.rows:
        node = BNode()
        graph.add((top, URIRef("urn:x-w3c-harness:row"), node))
        for name, value in row.items():
            graph.add((node, URIRef(f"urn:x-w3c-harness:var:{name}"), canonical(value)))
    return graph


_TOKEN = re.compile(
    r'(?P<string>"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*')"
    r"|(?P<iri><[^<>\"{}|^`\\\s]*>)"
    r"|(?P<comment>#[^\n]*)"
    r"|(?P<var>[?$][\w]+)"
    r"|(?P<word>[A-Za-z_][\w-]*(?::[\w.-]*)?)"
    r"|(?P<other>\S)",
)


def order_keys(query: str) -> list[list[str]] | None:
    """The variables each top-level ORDER BY condition mentions, or None without one.

    Only the outermost query's ORDER BY fixes the order of the results: one inside a sub-select
    or an EXISTS does not.
    """
    tokens = [(m.lastgroup, m.group()) for m in _TOKEN.finditer(query) if m.lastgroup not in ("comment",)]
    depth = 0
    for i, (kind, value) in enumerate(tokens):
        if kind == "other" and value in "{}":
            depth += 1 if value == "{" else -1
        if (depth == 0 and kind == "word" and value.upper() == "ORDER" and i + 1 < len(tokens)
                and tokens[i + 1][1].upper() == "BY"):
            return _conditions(tokens[i + 2:])
    return None


def _conditions(tokens: list[tuple[str | None, str]]) -> list[list[str]]:
    """Split ORDER BY conditions: ``?x``, ``ASC(...)``, ``DESC(...)``, ``fn(...)``, ``(expr)``."""
    conditions: list[list[str]] = []
    parens = 0
    previous_word = False
    for kind, value in tokens:
        if parens == 0:
            if kind == "word" and value.upper() in ("LIMIT", "OFFSET", "VALUES"):
                break
            if kind in ("var", "word") or (value == "(" and not previous_word):
                conditions.append([])
            previous_word = kind == "word"
        if kind == "var":
            conditions[-1].append(value[1:])
        elif value == "(":
            parens += 1
        elif value == ")":
            parens -= 1
    return [c for c in conditions if c]


def compare_solutions(actual: Solutions, expected: Solutions, query: str) -> None:
    """Raise AssertionError with a readable difference when the results do not match."""
    if expected.boolean is not None or actual.boolean is not None:
        assert actual.boolean == expected.boolean, f"ASK: got {actual.boolean}, expected {expected.boolean}"
        return
    assert set(actual.variables) == set(expected.variables), (
        f"variables: got {sorted(actual.variables)}, expected {sorted(expected.variables)}")
    assert len(actual.rows) == len(expected.rows), (
        f"{len(actual.rows)} solutions, expected {len(expected.rows)}\n{_show(actual, expected)}")
    assert isomorphic(_solutions_graph(actual), _solutions_graph(expected)), (
        f"the solutions differ\n{_show(actual, expected)}")
    keys = order_keys(query)
    if keys:
        def sequence(solutions: Solutions) -> list[tuple[Any, ...]]:
            return [tuple(None if isinstance(row.get(v), BNode) else canonical(row.get(v)) for c in keys for v in c)
                    for row in solutions.rows]
        assert sequence(actual) == sequence(expected), (
            f"the ORDER BY keys come in another order\n{_show(actual, expected)}")


def _show(actual: Solutions, expected: Solutions) -> str:
    def lines(solutions: Solutions) -> str:
        return "\n".join("  " + " ".join(f"?{k}={v.n3()}" for k, v in sorted(r.items())) for r in solutions.rows[:30])
    return f"got:\n{lines(actual)}\nexpected:\n{lines(expected)}"


def compare_graphs(actual: Graph, expected: Graph) -> None:
    if isomorphic(_canonical_graph(actual), _canonical_graph(expected)):
        return
    got = sorted(" ".join(t.n3() for t in triple) for triple in actual)
    want = sorted(" ".join(t.n3() for t in triple) for triple in expected)
    raise AssertionError("the graphs are not isomorphic\ngot:\n  " + "\n  ".join(got[:40]) + "\nexpected:\n  "
                         + "\n  ".join(want[:40]))


def parse_response(response: requests.Response) -> Solutions | Graph:
    """A query response by its media type: SPARQL results or an RDF graph."""
    media = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    if media in RESULT_TYPES:
        return parse_results(response.content, RESULT_TYPES[media])
    if media in GRAPH_TYPES:
        graph = Graph()
        graph.parse(data=response.content, format=GRAPH_TYPES[media])
        return graph
    raise AssertionError(f"unexpected media type {media!r}: {response.text[:300]}")


def accept_for(expected: Path) -> str:
    """Ask for the result format the expected file is written in (graph results as N-Triples)."""
    results = {"srx": RESULTS_XML, "srj": RESULTS_JSON, "tsv": "text/tab-separated-values",
               "csv": "text/csv"}.get(expected.suffix.lstrip("."), RESULTS_JSON)
    return f"{results}, application/n-triples;q=0.9"


def run_query_test(server: LiveServer, test: QueryTest, *, union: bool = False) -> None:
    """Load the test's dataset, run its query over HTTP, compare with the expected results.

    ``union``: the server's default graph is the union of all graphs. A test with only a default
    graph then runs as it is (the union of one graph is that graph). A test with named graphs whose
    query names no dataset names it through the protocol instead (default-graph-uri and
    named-graph-uri), its default graph kept in the named graph ``DEFAULT_STAND_IN``: that is how
    a client of such a server asks for the dataset the test means. A query with its own FROM or FROM
    NAMED runs as it is: its dataset replaces the union.
    """
    text = test.query.read_text(encoding="utf-8")
    default, named = [path for path, _ in test.data], {iri: path for path, iri in test.graph_data}
    params: dict[str, list[str]] = {}
    if union and named and not _DECLARES_DATASET.search(text):
        load_dataset(server, default, named, DEFAULT_STAND_IN)
        params = {"default-graph-uri": [DEFAULT_STAND_IN], "named-graph-uri": sorted(named)}
    else:
        load_dataset(server, default, named)
    # The query's base IRI is its own address, as when the suite is run from its files.
    query = f"BASE <{test.query_iri}>\n{text}"
    response = server.request("POST", "/sparql", data=query.encode("utf-8"), params=params,
                              headers={"Content-Type": "application/sparql-query",
                                       "Accept": accept_for(test.result)})
    assert response.status_code == 200, f"HTTP {response.status_code}: {response.text[:500]}"
    actual = parse_response(response)
    expected = expected_result(test.result, test.result_iri)
    if isinstance(expected, Graph):
        assert isinstance(actual, Graph), "expected a graph, got SPARQL results"
        compare_graphs(actual, expected)
    else:
        assert isinstance(actual, Solutions), "expected SPARQL results, got a graph"
        compare_solutions(actual, expected, text)


# --- protocol (ht:) tests ---------------------------------------------------------------------


@dataclass
class HttpRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    #: status codes (e.g. 201) or classes (e.g. "2xx") accepted
    statuses: set[int | str]
    boolean: bool | None = None
    format: str | None = None
    content_type: str | None = None
    response_body: str | None = None
    location: str | None = None


_STATUS_NAMES = {"OK": 200, "Created": 201, "NoContent": 204, "NotFound": 404, "BadRequest": 400,
                 "UnsupportedMediaType": 415}


def http_requests(graph: Graph, entry: URIRef) -> list[HttpRequest]:
    """The ht:Request sequence of a protocol or graph-store test, in order."""
    action = graph.value(entry, MF.action)
    out = []
    for node in Collection(graph, graph.value(action, HT.requests)):
        headers = {}
        for header_list in graph.objects(node, HT.headers):
            for header in Collection(graph, header_list):
                headers[str(graph.value(header, HT.fieldName))] = str(graph.value(header, HT.fieldValue))
        body = None
        body_node = graph.value(node, HT.body)
        if body_node is not None:
            encoding = str(graph.value(body_node, CNT.characterEncoding) or "UTF-8")
            body = str(graph.value(body_node, CNT.chars)).encode(encoding)
        response = graph.value(node, HT.resp)
        statuses: set[int | str] = set()
        for status in graph.objects(response, MF.expectedStatus):
            name = str(status).rsplit("#", 1)[-1]
            match = re.fullmatch(r"StatusCode(\dxx)", name)
            statuses.add(match.group(1) if match else _STATUS_NAMES[name])
        boolean = graph.value(response, MF.expectedBoolean)
        fmt = graph.value(response, MF.expectedFormat)
        content_type = None
        for header_list in graph.objects(response, HT.headers):
            for header in Collection(graph, header_list):
                if str(graph.value(header, HT.fieldName)).lower() == "content-type":
                    content_type = str(graph.value(header, HT.fieldValue))
        response_body = graph.value(graph.value(response, HT.body), CNT.chars) if graph.value(response, HT.body) \
            else None
        location = graph.value(response, MF.expectedLocation)
        out.append(HttpRequest(
            method=str(graph.value(node, HT.methodName)), path=str(graph.value(node, HT.absolutePath)),
            headers=headers, body=body, statuses=statuses,
            boolean=None if boolean is None else bool(boolean.toPython()),
            format=None if fmt is None else str(fmt), content_type=content_type,
            response_body=None if response_body is None else str(response_body),
            location=None if location is None else str(location),
        ))
    return out


def graph_data(graph: Graph, entry: URIRef, root: Path) -> dict[str, Path]:
    """ut:graphData of a protocol test: graph name (its rdfs:label) -> local file."""
    out = {}
    for node in graph.objects(entry, UT.graphData):
        out[str(graph.value(node, RDFS.label))] = local_file(root, str(graph.value(node, UT.graph)))
    return out


def status_ok(status: int, accepted: set[int | str]) -> bool:
    return status in accepted or f"{status // 100}xx" in accepted


def is_update(request: HttpRequest) -> bool:
    """Whether a protocol request is a SPARQL update (these need the bearer token here)."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media == "application/sparql-update":
        return True
    query_string = request.path.partition("?")[2]
    if re.search(r"(^|&)update=", query_string):
        return True
    return media == "application/x-www-form-urlencoded" and bool(re.search(rb"(^|&)update=", request.body or b""))


def check_result_format(response: requests.Response, expected: HttpRequest) -> None:
    media = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    if expected.format == "boolean":
        assert media in (RESULTS_JSON, RESULTS_XML), f"boolean results as {media}"
    elif expected.format == "tabular":
        assert media in RESULT_TYPES, f"tabular results as {media}"
    elif expected.format == "RDF":
        assert media in GRAPH_TYPES, f"RDF results as {media}"
    parsed = parse_response(response) if expected.format or expected.boolean is not None else None
    if expected.format == "RDF":
        assert isinstance(parsed, Graph)
    elif expected.format is not None:
        assert isinstance(parsed, Solutions)
        assert (parsed.boolean is not None) == (expected.format == "boolean"), f"{expected.format}: {response.text}"
    if expected.boolean is not None:
        assert isinstance(parsed, Solutions) and parsed.boolean is expected.boolean, (
            f"expected {expected.boolean}: {response.text}")


def same_media(actual: str | None, expected: str) -> bool:
    """Content types equal up to spacing and case (parameters included)."""
    def norm(value: str) -> list[str]:
        return [p.strip().lower().replace('"', "") for p in value.split(";")]
    return actual is not None and norm(actual) == norm(expected)
