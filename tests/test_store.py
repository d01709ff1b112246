"""The embedded store: atomic graph replacement, union queries, clear errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.errors import QuerySyntaxError, StoreError, StoreLockedError
from kg.store import OxigraphStore, open_store

G1 = "http://example.org/g/1"
G2 = "http://example.org/g/2"


def _count(store: OxigraphStore, graph: str) -> int:
    return store.count(graph)


def test_replace_graphs_replaces_and_never_duplicates(store: OxigraphStore) -> None:
    store.replace_graphs({G1: '<http://e/a> <http://e/p> "1" .\n<http://e/a> <http://e/p> "2" .'})
    store.replace_graphs({G1: '<http://e/a> <http://e/p> "3" .'})
    rows = list(store.query("SELECT ?o WHERE { ?s ?p ?o }"))
    assert [r["o"].value for r in rows] == ["3"]


def test_replace_graphs_is_atomic_over_several_graphs(store: OxigraphStore) -> None:
    store.replace_graphs({G1: '<http://e/a> <http://e/p> "1" .'})
    with pytest.raises(StoreError):
        store.replace_graphs({G1: "", G2: "<http://e/a> <http://e/p> not-rdf ."})
    assert _count(store, G1) == 1 and _count(store, G2) == 0


def test_empty_document_removes_the_graph(store: OxigraphStore) -> None:
    store.replace_graphs({G1: '<http://e/a> <http://e/p> "1" .'})
    store.replace_graphs({G1: ""})
    assert G1 not in store.graph_names()


def test_default_graph_is_the_union_and_named_graphs_stay_apart(store: OxigraphStore) -> None:
    store.replace_graphs({G1: '<http://e/a> <http://e/p> "1" .', G2: '<http://e/b> <http://e/p> "2" .'})
    assert len(list(store.query("SELECT * WHERE { ?s ?p ?o }"))) == 2
    assert len(list(store.query("SELECT * WHERE { ?s ?p ?o }", union=False))) == 0
    rows = store.query("SELECT ?g WHERE { GRAPH ?g { <http://e/b> ?p ?o } }")
    assert [r["g"].value for r in rows] == [G2]


def test_query_syntax_error_is_typed(store: OxigraphStore) -> None:
    with pytest.raises(QuerySyntaxError, match="does not parse"):
        store.query("SELEKT * WHERE { ?s ?p ?o }")


def test_predefined_prefixes_and_the_query_own_prefixes(store: OxigraphStore) -> None:
    store.replace_graphs({G1: '<http://e/a> <http://e/p> "1" .'})
    rows = list(store.query("SELECT ?o WHERE { ?s e:p ?o }", prefixes={"e": "http://e/"}))
    assert rows and rows[0]["o"].value == "1"
    rows = list(store.query("PREFIX e: <http://other/> SELECT ?o WHERE { ?s e:p ?o }", prefixes={"e": "http://e/"}))
    assert rows == []


def test_second_writer_gets_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "store"
    holder = open_store(path)
    try:
        code = (
            "import sys\nfrom pathlib import Path\nfrom kg.store import open_store\n"
            "from kg.errors import StoreLockedError\n"
            f"try:\n    open_store(Path({str(path)!r}))\nexcept StoreLockedError as e:\n"
            "    print(e); sys.exit(3)\n"
        )
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
        assert result.returncode == 3, result.stderr
        assert "open in another process" in result.stdout and "--store" in result.stdout
        reader = subprocess.run(
            [sys.executable, "-c", f"from pathlib import Path\nfrom kg.store import open_store\n"
             f"s = open_store(Path({str(path)!r}), fallback_read_only=True)\nprint(s.read_only)"],
            capture_output=True, text=True, timeout=60)
        assert reader.stdout.strip() == "True", reader.stderr
    finally:
        holder.close()
    assert StoreLockedError.__mro__[1] is StoreError


def test_read_only_store_refuses_writes(tmp_path: Path) -> None:
    path = tmp_path / "store"
    open_store(path).close()
    ro = open_store(path, read_only=True)
    try:
        with pytest.raises(StoreError, match="read-only"):
            ro.replace_graphs({G1: '<http://e/a> <http://e/p> "1" .'})
    finally:
        ro.close()


def test_dump_triple_format_merges_graphs_without_repeats(store: OxigraphStore) -> None:
    import io

    same = '<http://e/a> <http://e/p> "1" .'
    store.replace_graphs({G1: same, G2: same})
    out = io.BytesIO()
    store.dump(out, ox.RdfFormat.N_TRIPLES)
    assert out.getvalue().decode().strip().count("\n") == 0
    out = io.BytesIO()
    store.dump(out, ox.RdfFormat.N_QUADS)
    assert out.getvalue().decode().strip().count("\n") == 1
