"""The embedded store: atomic graph replacement, union queries, clear errors."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterable, Sized
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.errors import QuerySyntaxError, StoreError, StoreLockedError
from kg.store import GraphStore, OxigraphStore, open_store

G1 = "http://example.org/g/1"
G2 = "http://example.org/g/2"
G3 = "http://example.org/g/3"


def _count(store: OxigraphStore, graph: str) -> int:
    return store.count(graph)


def test_replace_graphs_replaces_and_never_duplicates(store: OxigraphStore) -> None:
    store.replace_graphs({G1: '<http://e/a> <http://e/p> "1" .\n<http://e/a> <http://e/p> "2" .'})
    store.replace_graphs({G1: '<http://e/a> <http://e/p> "3" .'})
    rows = list(store.query("SELECT ?o WHERE { ?s ?p ?o }"))
    assert [r["o"].value for r in rows] == ["3"]


@pytest.mark.parametrize("put", [OxigraphStore.put_graphs, GraphStore.put_graphs], ids=["terms", "n-triples"])
def test_put_graphs_replaces_graphs_with_terms(store: OxigraphStore, put: Callable[..., None]) -> None:
    """A build's write of a batch of article graphs: the backend's own (terms as quads) and the
    interface's default (N-Triples through replace_graphs) leave the same store."""
    store.replace_graphs({G1: '<http://e/a> <http://e/p> "old" .', G2: '<http://e/a> <http://e/p> "kept" .'})
    a, p = ox.NamedNode("http://e/a"), ox.NamedNode("http://e/p")
    g1, g2, g3 = ox.NamedNode(G1), ox.NamedNode(G2), ox.NamedNode(G3)
    put(store, {G1: [ox.Quad(a, p, ox.Literal("new"), g1), ox.Quad(a, p, ox.Literal("nouveau", language="fr"), g1)],
                G3: [ox.Quad(a, p, ox.Literal("added"), g3)]})
    assert sorted(_objects(store, G1)) == ['"new"', '"nouveau"@fr'] and _objects(store, G2) == ['"kept"']
    assert _objects(store, G3) == ['"added"']
    put(store, {G1: [], G3: []})
    assert store.graph_names() == [G2]
    with pytest.raises(ValueError, match="not an absolute IRI"):  # every name checked before the first write
        put(store, {G2: [], "not an iri": []})
    with pytest.raises(ValueError, match=f"given for the graph <{G1}> is in <{G2}>"):  # every quad, too
        put(store, {G2: [], G1: [ox.Quad(a, p, ox.Literal("x"), g1), ox.Quad(a, p, ox.Literal("y"), g2)]})
    assert store.graph_names() == [G2] and _objects(store, G2) == ['"kept"']


def test_terms_as_read_are_what_reading_the_written_triples_back_gives(tmp_path: Path) -> None:
    """What a build hands its derivation instead of reading the article graphs back: the same terms, a
    typed literal in the canonical form the store keeps (not as it was written), each text made once."""
    xsd = "http://www.w3.org/2001/XMLSchema#"
    a, b, p = ox.NamedNode("http://e/a"), ox.NamedNode("http://e/b"), ox.NamedNode("http://e/p")
    objects = [ox.Literal("1.00", datatype=ox.NamedNode(f"{xsd}decimal")),
               ox.Literal("0012", datatype=ox.NamedNode(f"{xsd}nonNegativeInteger")),
               ox.Literal("33.0", datatype=ox.NamedNode(f"{xsd}double")),
               ox.Literal("2019-10-27", datatype=ox.NamedNode(f"{xsd}date")),
               ox.Literal("late 2019", datatype=ox.NamedNode(f"{xsd}date")),  # not a date: kept as written
               ox.Literal("2019", datatype=ox.NamedNode(f"{xsd}gYear")),
               ox.Literal("plain \"quoted\" text"), ox.Literal("texte", language="fr"),
               ox.Literal("typed", datatype=ox.NamedNode(f"{xsd}string")), b]
    g1, g2 = ox.NamedNode(G1), ox.NamedNode(G2)
    one = [ox.Literal("+5", datatype=ox.NamedNode(f"{xsd}integer")),
           ox.Literal("5", datatype=ox.NamedNode(f"{xsd}int"))]
    graphs = {G1: [ox.Quad(a, p, o, g1) for o in objects],
              G2: [ox.Quad(b, p, objects[0], g2), *(ox.Quad(b, p, o, g2) for o in one)]}  # two, one stored
    store = open_store(tmp_path / "store")
    try:
        store.put_graphs(graphs)
        texts: dict[str, str] = {}
        handed = {name: store.as_read(triples, texts) for name, triples in graphs.items()}
        for name in graphs:
            assert sorted(handed[name]) == sorted(store.match(None, None, None, graphs=[name]))
        assert ('<http://e/a>', '<http://e/p>', f'"1"^^<{xsd}decimal>') in handed[G1]
        assert handed[G1][0][2] is handed[G2][0][2] and handed[G1][-1][2] is handed[G2][0][0]
        assert len(handed[G2]) == 2
    finally:
        store.close()


@pytest.mark.parametrize("write", ["put_graphs", "replace_graphs"])
def test_a_large_write_goes_through_the_bulk_loader_and_replaces_as_a_small_one_does(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, write: str) -> None:
    """From BULK_FROM quads on, the derived graphs' additions are bulk loaded (RocksDB files ingested), and
    article graphs (put_graphs) go in a transaction however many they are (it releases the GIL while it
    writes: a build analyses meanwhile): the graphs written replace the earlier ones, and the store holds
    exactly what a transaction would have written. A full disk is a StoreError either way."""
    from kg.store import oxigraph

    loaded: list[int] = []
    extended: list[int] = []
    held: list[bool] = []

    class Spy:  # pyoxigraph's classes cannot be patched: the store's own is wrapped
        def __init__(self, inner: ox.Store) -> None:
            self.inner = inner

        def bulk_extend(self, quads: Iterable[ox.Quad]) -> None:
            held.append(isinstance(quads, Sized))  # the derived additions: not a list, made one at a time
            quads = list(quads)
            loaded.append(len(quads))
            self.inner.bulk_extend(quads)

        def extend(self, quads: Iterable[ox.Quad]) -> None:
            quads = list(quads)
            extended.append(len(quads))
            self.inner.extend(quads)

        def __getattr__(self, name: str) -> object:
            return getattr(self.inner, name)

    monkeypatch.setattr(oxigraph, "BULK_FROM", 4)
    store = open_store(tmp_path / "store")
    store._store = Spy(store._store)  # type: ignore[assignment]
    try:
        a, p = ox.NamedNode("http://e/a"), ox.NamedNode("http://e/p")
        store.replace_graphs({G1: '<http://e/a> <http://e/p> "old" .', G2: '<http://e/a> <http://e/p> "kept" .'})
        assert loaded == [] and extended == [2]  # two quads: a transaction
        g1, g3 = ox.NamedNode(G1), ox.NamedNode(G3)
        graphs = {G1: [ox.Quad(a, p, ox.Literal(str(i)), g1) for i in range(3)],
                  G3: [ox.Quad(a, p, ox.Literal(str(i)), g3) for i in range(3, 5)]}
        if write == "put_graphs":
            store.put_graphs(graphs)
        else:
            store.replace_graphs({name: "".join(f"{q.triple} .\n" for q in quads) for name, quads in graphs.items()})
        assert (loaded, extended) == (([], [2, 5]) if write == "put_graphs" else ([5], [2]))
        assert held == ([] if write == "put_graphs" else [False])  # not a list: made as the loader takes them
        if write == "put_graphs":  # a very large batch of article graphs: bulk loaded too
            monkeypatch.setattr(oxigraph, "BULK_PUT_FROM", 5)
            store.put_graphs(graphs)
            assert (loaded, extended) == ([5], [2, 5])
        assert sorted(_objects(store, G1)) == ['"0"', '"1"', '"2"'] and _objects(store, G2) == ['"kept"']
        assert sorted(_objects(store, G3)) == ['"3"', '"4"']
        failing = store._store

        class Full(Spy):
            def bulk_extend(self, quads: Iterable[ox.Quad]) -> None:
                raise OSError("No space left on device")

            def extend(self, quads: Iterable[ox.Quad]) -> None:
                raise OSError("No space left on device")

        store._store = Full(failing.inner)  # type: ignore[assignment]
        with pytest.raises(StoreError, match=r"cannot write to disk \(No space left on device\): check the free space"):
            if write == "put_graphs":
                store.put_graphs({G3: graphs[G3] * 2})
            else:
                store.replace_graphs({G3: "".join(f"{q.triple} .\n" for q in graphs[G3] * 2)})
        store._store = failing
        del failing  # the last reference to the RocksDB store is the store's: close() closes it
    finally:
        store.close()
    reopened = open_store(tmp_path / "store", read_only=True)  # on disk, not only in this process's view
    try:
        assert reopened.count() == 4  # G1 and G2; G3 removed before the write that failed
    finally:
        reopened.close()


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


# --- writes through pyoxigraph's own API: names are IRIs, data is data --------------------------


DEFAULT = ox.DefaultGraph()
A, P = ox.NamedNode("http://e/a"), ox.NamedNode("http://e/p")


def _objects(store: OxigraphStore, graph: str) -> list[str]:
    return sorted(str(q.object) for q in store.quads(graph))


def test_replace_graphs_adds_and_removes_triples_with_the_replacement(store: OxigraphStore) -> None:
    store.replace_graphs({G1: '<http://e/a> <http://e/p> "1" .', G2: '<http://e/a> <http://e/p> "2" .\n'
                          '<http://e/a> <http://e/p> "3" .'})
    store.replace_graphs({G1: '<http://e/a> <http://e/p> "4" .'}, add={G2: '<http://e/a> <http://e/p> "5" .'},
                         remove={G2: '<http://e/a> <http://e/p> "2" .'})
    assert _objects(store, G1) == ['"4"']
    assert _objects(store, G2) == ['"3"', '"5"']


def test_replace_graphs_stores_hostile_text_as_data(store: OxigraphStore) -> None:
    # Once pasted into INSERT DATA, a document that closed the block could run any update (here DROP ALL).
    store.replace_graphs({G2: '<http://e/b> <http://e/p> "kept" .'})
    literal = '<http://e/a> <http://e/p> "x> } } ; DROP ALL ; INSERT DATA { GRAPH <http://e/g> { # \\u003e" .'
    store.replace_graphs({G1: literal})
    assert _objects(store, G2) == ['"kept"']
    assert [q.object.value for q in store.quads(G1)] == ['x> } } ; DROP ALL ; INSERT DATA { GRAPH <http://e/g> { # >']
    closing = '<http://e/a> <http://e/p> "1" . } } ; DROP ALL ; INSERT DATA { GRAPH <http://e/g> {'
    with pytest.raises(StoreError, match="do not parse"):
        store.replace_graphs({G1: closing})
    assert _objects(store, G2) == ['"kept"'] and store.count(G1) == 1
    # the additions are parsed again as they are written: a bad one is still found before anything is removed
    with pytest.raises(StoreError, match="do not parse"):
        store.replace_graphs({}, add={G1: '<http://e/a> <http://e/p> "2" .', G3: closing},
                             remove={G2: '<http://e/b> <http://e/p> "kept" .'})
    assert _objects(store, G2) == ['"kept"'] and store.count(G1) == 1 and store.count(G3) == 0


@pytest.mark.parametrize("name", ["http://e/g> { <http://e/a> <http://e/p> 1 } } ; DROP ALL ; INSERT DATA { GRAPH <http://e/x",
                                  "not an iri", "http://e/g\n", ""])
def test_a_graph_name_that_is_not_an_iri_is_refused_before_any_write(store: OxigraphStore, name: str) -> None:
    store.replace_graphs({G1: '<http://e/a> <http://e/p> "1" .'})
    with pytest.raises(ValueError, match="not an absolute IRI"):
        store.replace_graphs({G2: '<http://e/a> <http://e/p> "2" .', name: ""})
    with pytest.raises(ValueError, match="not an absolute IRI"):
        store.replace_graphs({G1: ""}, add={name: '<http://e/a> <http://e/p> "2" .'})
    with pytest.raises(ValueError, match="not an absolute IRI"):
        store.remove_graphs([G1, name])
    with pytest.raises(ValueError, match="not an absolute IRI"):
        store.drop_graph(name)
    with pytest.raises(ValueError, match="not an absolute IRI"):
        store.count(name)
    assert store.graph_names() == [G1] and store.count(G1) == 1


def test_blank_nodes_of_each_document_are_fresh(store: OxigraphStore) -> None:
    store.replace_graphs({G1: '_:b0 <http://e/p> "1" .', G2: '_:b0 <http://e/p> "2" .'})
    first = {q.subject for q in store.quads()}
    assert len(first) == 2  # one label, two documents: two nodes (as INSERT DATA does)
    store.replace_graphs({G1: '_:b0 <http://e/p> "1" .\n_:b0 <http://e/p> "3" .'})
    assert len({q.subject for q in store.quads(G1)}) == 1  # within one document, one node
    assert not {q.subject for q in store.quads(G1)} & first


class _FailingExtend:
    """A pyoxigraph store whose ``extend`` fails, as a process killed at that point would."""

    def __init__(self, native: ox.Store) -> None:
        self.native = native

    def extend(self, quads: object) -> None:
        raise OSError("simulated failure")

    def __getattr__(self, name: str) -> object:
        return getattr(self.native, name)


def test_a_replacement_that_stops_part_way_leaves_replaced_graphs_absent_never_mixed(store: OxigraphStore) -> None:
    store.replace_graphs({G1: '<http://e/a> <http://e/p> "old" .', G2: '<http://e/a> <http://e/p> "other" .'})
    native = store._store
    store._store = _FailingExtend(native)  # type: ignore[assignment]
    try:
        with pytest.raises(StoreError, match=r"cannot write to disk .*simulated"):
            store.replace_graphs({G1: '<http://e/a> <http://e/p> "new" .'})
    finally:
        store._store = native
    assert G1 not in store.graph_names()  # no old triple beside a new one: a state marker in G1 is gone
    assert _objects(store, G2) == ['"other"']


def test_drop_graph_removes_a_named_graph_or_empties_the_default_graph(store: OxigraphStore) -> None:
    store.replace_graphs({G1: '<http://e/a> <http://e/p> "1" .', G2: '<http://e/a> <http://e/p> "2" .'})
    store.native.add(ox.Quad(A, P, ox.Literal("default"), DEFAULT))
    store.drop_graph(G1)
    assert store.graph_names() == [G2]
    store.drop_graph("http://example.org/g/none")  # nothing to drop: no error
    store.drop_graph(None)
    assert store.count() == 1 and store.graph_names() == [G2]
    assert not list(store.native.quads_for_pattern(None, None, None, DEFAULT))


def test_remove_graphs_removes_each_named_graph(store: OxigraphStore) -> None:
    store.replace_graphs({G1: '<http://e/a> <http://e/p> "1" .', G2: '<http://e/a> <http://e/p> "2" .'})
    store.remove_graphs([G1, G2, "http://example.org/g/none"])
    assert store.graph_names() == [] and store.count() == 0


def test_count_of_the_store_and_of_one_graph(store: OxigraphStore) -> None:
    assert store.count() == 0 and store.count(G1) == 0
    store.replace_graphs({G1: '<http://e/a> <http://e/p> "1" .\n<http://e/a> <http://e/p> "2" .',
                          G2: '<http://e/a> <http://e/p> "1" .'})
    store.native.add(ox.Quad(A, P, ox.Literal("default"), DEFAULT))
    assert store.count() == 4  # every quad: the default graph's and the named graphs'
    assert (store.count(G1), store.count(G2), store.count("http://example.org/g/none")) == (2, 1, 0)


def test_writes_to_a_read_only_store_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "store"
    open_store(path).close()
    ro = open_store(path, read_only=True)
    try:
        for write in (lambda: ro.drop_graph(G1), lambda: ro.drop_graph(None), lambda: ro.remove_graphs([G1]),
                      lambda: ro.put_graphs({G1: []})):
            with pytest.raises(StoreError, match="read-only"):
                write()
    finally:
        ro.close()


def test_substitutions_bind_terms_without_touching_the_query_text(store: OxigraphStore) -> None:
    store.replace_graphs({G1: '<http://e/a> <http://e/p> "1" .', G2: '<http://e/b> <http://e/p> "2" .'})
    query = "SELECT ?s ?o WHERE { ?s ?p ?o }"
    rows = list(store.query(query, substitutions={"s": ox.NamedNode("http://e/b")}))
    assert [r["o"].value for r in rows] == ["2"]
    rows = list(store.query("SELECT ?g ?o WHERE { GRAPH ?g { ?s ?p ?o } }", substitutions={"g": ox.NamedNode(G1)}))
    assert [r["o"].value for r in rows] == ["1"]
    with pytest.raises(ValueError):
        ox.NamedNode("http://e/b> ?p ?o } #")  # a hostile IRI cannot even become a term


def test_what_a_long_build_writes_goes_to_disk_not_to_ever_growing_memory_tables(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """RocksDB's memory tables are flushed to table files after every FLUSH_EVERY quads written: a
    build of thousands of articles does not hold them all in memory."""
    from kg.store import oxigraph

    monkeypatch.setattr(oxigraph, "FLUSH_EVERY", 10)
    store = open_store(tmp_path / "store")
    try:
        def tables() -> int:
            return len(list((tmp_path / "store").glob("*.sst")))

        store.replace_graphs({G1: "".join(f'<http://e/a> <http://e/p> "{i}" .\n' for i in range(5))})
        before = tables()  # what was written is in the memory tables (and the write-ahead log) only
        store.replace_graphs({G1: "".join(f'<http://e/a> <http://e/p> "{i}" .\n' for i in range(5)),
                              G2: "".join(f'<http://e/b> <http://e/p> "{i}" .\n' for i in range(6))})
        assert tables() > before
        assert store.count(G1) == 5 and store.count(G2) == 6
    finally:
        store.close()


def test_files_a_killed_bulk_load_left_are_removed_when_the_store_opens_for_writing(tmp_path: Path) -> None:
    path = tmp_path / "store"
    open_store(path).close()
    leftover = path / "bulk-1234.sst"
    leftover.write_bytes(b"half written")
    open_store(path, read_only=True).close()
    assert leftover.exists()  # a reader leaves the writer's files alone
    store = open_store(path)
    try:
        assert not leftover.exists() and store.count() == 0
    finally:
        store.close()
