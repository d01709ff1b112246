"""kg.build: replacement, deduplication, per-source failures, derived graphs, removal."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from kg import derive, readers, resolve
from kg.articles import find_article, remove_article, stored_articles
from kg.build import BuildReport, build
from kg.config import Settings
from kg.errors import ArticleNotFoundError, BinarySourceError, EmptySourceError
from kg.export import export
from kg.lookups import Lookups
from kg.store import open_store
from kg.vocab import IRIs
from tests.conftest import INVENTED, write_article
from tests.served import served

pytestmark = pytest.mark.slow


def _build(paths: list[str], store_path: Path, **kw: object):  # type: ignore[no-untyped-def]
    store = open_store(store_path)
    try:
        return build(paths, Settings(store=store_path), store, **kw)  # type: ignore[arg-type]
    finally:
        store.close()


def _served(store_path: Path) -> set[tuple[str, str, str, str]]:
    """The store's served graphs, each IRI written as its identity cluster's least (:mod:`tests.served`)."""
    store = open_store(store_path, read_only=True)
    try:
        return served(store, IRIs(Settings().base))
    finally:
        store.close()


def _nquads(store_path: Path) -> set[str]:
    """The store's quads with blank nodes canonically labelled (RDFC-1.0): equal iff isomorphic."""
    import io

    store = open_store(store_path, read_only=True)
    try:
        out = io.BytesIO()
        export(store, IRIs(Settings().base), "nquads", out)
    finally:
        store.close()
    dataset = ox.Dataset(ox.parse(out.getvalue(), ox.RdfFormat.N_QUADS))
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return {str(q) for q in dataset}


def test_bad_sources_are_reported_and_the_rest_is_built(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    write_article(docs, "good.txt", INVENTED)
    write_article(docs, "empty.txt", "")
    (docs / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    (docs / "latin.txt").write_bytes(INVENTED.replace("officials", "fonctionnaires é").encode("latin-1"))
    report = _build([str(docs), str(tmp_path / "missing.txt")], tmp_path / "store")
    assert report.added == ["good"]
    assert not report.ok
    kinds = {type(e).__name__ for e in report.failed}
    assert {"EmptySourceError", "BinarySourceError", "EncodingSourceError", "SourceError"} <= kinds
    assert any(isinstance(e, EmptySourceError) and e.source.endswith("empty.txt") for e in report.failed)
    assert any(isinstance(e, BinarySourceError) and "PNG" in str(e) for e in report.failed)
    store = open_store(tmp_path / "store", read_only=True)
    try:
        assert list(stored_articles(store, IRIs(Settings().base))) == ["good"]
    finally:
        store.close()


def test_rebuilding_replaces_and_never_duplicates(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    path = write_article(docs, "raid.txt", INVENTED)
    _build([str(docs)], tmp_path / "store")
    before = _nquads(tmp_path / "store")
    again = _build([str(docs)], tmp_path / "store")
    assert again.unchanged == ["raid"] and not again.added and not again.replaced
    forced = _build([str(docs)], tmp_path / "store", force=True)
    assert forced.replaced == ["raid"]
    assert _nquads(tmp_path / "store") == before
    path.write_text(INVENTED.replace("Monday", "Tuesday"), encoding="utf-8")
    edited = _build([str(docs)], tmp_path / "store")
    assert edited.replaced == ["raid"]
    after = _nquads(tmp_path / "store")
    assert any("Tuesday" in line for line in after)
    assert not any("on Monday" in line and "raid#char" in line for line in after)


def test_same_text_under_another_name_is_a_duplicate(tmp_path: Path) -> None:
    write_article(tmp_path / "a", "one.txt", INVENTED)
    write_article(tmp_path / "b", "two.txt", INVENTED)
    report = _build([str(tmp_path / "a"), str(tmp_path / "b")], tmp_path / "store")
    assert report.added == ["one"]
    assert report.duplicates == [(str(tmp_path / "b" / "two.txt"), "one")]


def test_same_file_name_in_two_folders_keeps_both(tmp_path: Path) -> None:
    write_article(tmp_path / "a", "report.txt", INVENTED)
    write_article(tmp_path / "b", "report.txt", INVENTED.replace("Monday", "Friday"))
    report = _build([str(tmp_path / "a"), str(tmp_path / "b")], tmp_path / "store")
    assert len(report.added) == 2 and report.added[0] == "report" and report.added[1].startswith("report-")


def test_one_file_name_and_text_in_two_folders_is_built_once(tmp_path: Path) -> None:
    write_article(tmp_path / "a", "report.txt", INVENTED)
    write_article(tmp_path / "b", "report.txt", INVENTED)
    report = _build([str(tmp_path / "a"), str(tmp_path / "b")], tmp_path / "store")
    assert report.added == ["report"] and report.duplicates == [(str(tmp_path / "b" / "report.txt"), "report")]
    again = _build([str(tmp_path / "a"), str(tmp_path / "b")], tmp_path / "store")  # stored: unchanged, once
    assert again.unchanged == ["report"] and again.duplicates == report.duplicates and not again.added
    forced = _build([str(tmp_path / "a"), str(tmp_path / "b")], tmp_path / "store", force=True)
    assert forced.replaced == ["report"] and forced.duplicates == report.duplicates


def test_a_graph_handed_on_beyond_the_budget_is_read_back_not_handed_as_it_was(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A graph written again once the hand-off is full is not handed on in its earlier version."""
    import kg.build as builder
    from kg.store import OxigraphStore

    store = OxigraphStore(None)
    g = ox.NamedNode("http://example.org/article/a")
    first = [ox.Quad(g, g, ox.Literal(str(i)), g) for i in range(3)]
    monkeypatch.setattr(builder, "HAND_ON", 4)
    handed = builder._HandOn()
    handed.add(store, {g.value: first})
    assert len(handed.graphs[g.value]) == 3 and handed.size == 3
    handed.add(store, {g.value: [*first, ox.Quad(g, g, ox.Literal("more"), g)]})  # 4: fits, in place of the 3
    assert len(handed.graphs[g.value]) == 4 and handed.size == 4
    handed.add(store, {g.value: [ox.Quad(g, g, ox.Literal(str(i)), g) for i in range(5)]})  # 5: too many
    assert handed.graphs == {} and handed.size == 0


def test_a_write_that_fails_while_the_build_stops_for_another_reason_is_logged(
        caplog: pytest.LogCaptureFixture) -> None:
    """Ctrl-C (or an analysis error) while a batch is written: the build stops with it, and the batch's
    own error is logged, not lost."""
    import logging

    from kg.build import _Writer
    from kg.errors import StoreError
    from kg.model import Article
    from kg.store import OxigraphStore

    class Full(OxigraphStore):
        def put_graphs(self, graphs: object) -> None:
            raise StoreError("the store cannot write to disk (No space left on device)")

    report = BuildReport()
    with caplog.at_level(logging.ERROR, logger="kg.build"), pytest.raises(KeyboardInterrupt), \
            _Writer(Full(None), IRIs(Settings().base), report, None) as writer:
        writer.write([(Article(id="a", text="An invented text.", source="a.txt"), [])])
        raise KeyboardInterrupt
    assert "not stored: the store cannot write to disk (No space left on device)" in caplog.text
    assert report.triples == 0


def test_remove_article_and_its_facts(seeds_copy: Path) -> None:
    iris = IRIs(Settings().base)
    store = open_store(seeds_copy)
    try:
        article = find_article(store, iris, "003_f3a08efafe655cd7.txt")
        remove_article(store, iris, article.id)
        assert article.iri not in store.graph_names()
        assert len(stored_articles(store, iris)) == 4
        assert not derive.is_stale(store, iris)
        with pytest.raises(ArticleNotFoundError, match="no stored article"):
            find_article(store, iris, "003_f3a08efafe655cd7")
    finally:
        store.close()


def test_interrupted_build_is_repaired(seeds_copy: Path) -> None:
    """Articles stored without their derived graphs (a killed build) are detected and derived again."""
    iris = IRIs(Settings().base)
    store = open_store(seeds_copy)
    try:
        store.remove_graphs([str(iris.identity_graph), str(iris.inferred_graph)])
        assert derive.is_stale(store, iris)
        derive.refresh(store, iris)
        assert not derive.is_stale(store, iris)
        assert store.count(str(iris.inferred_graph)) > 0
    finally:
        store.close()


def test_two_workers_give_the_same_graph(tmp_path: Path) -> None:
    from tests.conftest import SEEDS

    one = _build([str(SEEDS)], tmp_path / "one")
    two = _build([str(SEEDS)], tmp_path / "two", workers=2)
    assert one.added == two.added
    assert _nquads(tmp_path / "one") == _nquads(tmp_path / "two")


@pytest.mark.parametrize(("first_ids", "incremental"), [
    (("000", "001", "002", "003"), True),  # the later article only adds identities and facts
    (("000", "001", "002"), False),  # two later articles: whichever path derivation takes
])
def test_adding_articles_gives_the_same_closure_as_a_full_build(
        tmp_path: Path, caplog: pytest.LogCaptureFixture, first_ids: tuple[str, ...], incremental: bool) -> None:
    """Articles added to a built store: derived incrementally (only the canonical resources they touch
    are fused again, and reasoning extends the closure) when the change is monotonic, in full otherwise;
    either way the served graphs equal those of a build of everything at once."""
    import logging
    import shutil

    from tests.conftest import SEEDS

    first = tmp_path / "first"
    first.mkdir()
    for path in sorted(SEEDS.glob("*.txt")):
        if path.name.startswith(first_ids):
            shutil.copy(path, first / path.name)
    _build([str(first)], tmp_path / "grown")
    with caplog.at_level(logging.INFO, logger="kg.derive"):
        grown = _build([str(SEEDS)], tmp_path / "grown")
    assert len(grown.added) == 5 - len(first_ids)
    if incremental:
        assert any("incrementally" in r.getMessage() for r in caplog.records)
    _build([str(SEEDS)], tmp_path / "full")
    assert _served(tmp_path / "grown") == _served(tmp_path / "full")


def test_a_build_derives_after_every_batch_of_articles_and_serves_what_one_derivation_would(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """``derive_every``: the derived graphs are brought up to date after every two articles stored and at
    the end, each time after the first from what the new articles touch (merges and refined values
    included), and the build serves what one derivation of every article gives."""
    import logging

    from tests.conftest import SEEDS

    with caplog.at_level(logging.INFO, logger="kg.derive"):
        batched = _build([str(SEEDS)], tmp_path / "batched", derive_every=2)
    assert batched.derivations == 3 and len(batched.added) == 5
    paths = [r.getMessage() for r in caplog.records if r.getMessage().startswith("derived graphs ")]
    assert len(paths) == 2 and all("incrementally" in m for m in paths), paths
    once = _build([str(SEEDS)], tmp_path / "once")
    assert once.derivations == 1
    assert _served(tmp_path / "batched") == _served(tmp_path / "once")


def test_a_build_hands_the_article_graphs_it_wrote_to_its_derivations(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The derivations of a build take the article graphs it wrote instead of reading them back, and
    derive what reading them gives; beyond :data:`kg.build.HAND_ON` triples, they are read."""
    import kg.build
    from tests.conftest import SEEDS

    read: list[str] = []
    reading = derive._read_graph

    def spy(store: object, graph: str) -> list[tuple[str, str, str]]:
        read.append(graph)
        return reading(store, graph)  # type: ignore[arg-type]

    indexed: list[int] = []
    index = Lookups._indexed

    def counted(self: Lookups) -> object:
        indexed.append(len(self.handed))
        return index(self)

    monkeypatch.setattr(derive, "_read_graph", spy)
    monkeypatch.setattr(Lookups, "_indexed", counted)
    handed = _build([str(SEEDS)], tmp_path / "handed", derive_every=3)
    assert handed.derivations == 2 and read == [] and indexed and all(indexed)
    monkeypatch.setattr(kg.build, "HAND_ON", 0)
    _build([str(SEEDS)], tmp_path / "read", derive_every=3)
    assert len(read) == 5
    monkeypatch.setattr(kg.build, "HAND_ON", 700)  # about one article's triples: some handed on, some read
    read.clear()
    _build([str(SEEDS)], tmp_path / "part", derive_every=3)
    assert 0 < len(read) < 5
    assert _nquads(tmp_path / "handed") == _nquads(tmp_path / "read") == _nquads(tmp_path / "part")


def test_after_a_derivation_that_resolved_inconsistencies_a_build_derives_once_more_at_its_end(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each derivation after one that recorded inconsistencies is a full one: the build does not run one
    per batch, but one at its end."""
    from tests.conftest import SEEDS

    monkeypatch.setattr(derive, "recorded_conflicts", lambda store, iris: ["a resource both a Person and a Location"])
    report = _build([str(SEEDS)], tmp_path / "store", derive_every=2)
    assert report.derivations == 2 and len(report.added) == 5


def test_a_batch_size_below_one_is_refused_before_anything_is_read(tmp_path: Path) -> None:
    from kg.errors import ConfigError

    with pytest.raises(ConfigError, match="derive_every is 0"):
        _build([str(tmp_path / "missing")], tmp_path / "store", derive_every=0)


def test_adding_articles_keeps_every_identity_link_and_canonical_iri(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Canonical IRIs are stable: a store grown by articles keeps the links of its first build."""
    import shutil

    from tests.conftest import SEEDS

    first = tmp_path / "first"
    first.mkdir()
    for path in sorted(SEEDS.glob("*.txt"))[:4]:
        shutil.copy(path, first / path.name)
    iris = IRIs(Settings().base)

    def links(path: Path) -> set[tuple[str, str]]:
        store = open_store(path, read_only=True)
        try:
            return {(str(q.subject), str(q.object)) for q in store.quads(str(iris.identity_graph))
                    if q.predicate.value == "http://www.w3.org/2002/07/owl#sameAs"}
        finally:
            store.close()

    def roots(found: set[tuple[str, str]]) -> dict[str, str]:
        """IRI -> the canonical IRI its links lead to."""
        out = {}
        step = dict(found)
        for iri in step:
            target = iri
            while target in step:
                target = step[target]
            out[iri] = target
        return out

    _build([str(first)], tmp_path / "grown")
    before = links(tmp_path / "grown")
    # The second build's clustering prefers other canonical IRIs (the greatest of each cluster, say a
    # fuller name came in): the canonical IRIs of the first build must stay all the same.
    original = resolve.cluster

    def preferring_others(*args, **kwargs):  # type: ignore[no-untyped-def]
        canonical, decisions = original(*args, **kwargs)
        greatest: dict[str, str] = {}
        for iri, head in canonical.items():
            greatest[head] = max(greatest.get(head, iri), iri)
        return {iri: greatest[head] for iri, head in canonical.items()}, decisions

    monkeypatch.setattr(resolve, "cluster", preferring_others)
    _build([str(SEEDS)], tmp_path / "grown")
    after = links(tmp_path / "grown")
    assert before and before <= after
    old_roots, new_roots = roots(before), roots(after)
    assert {iri: new_roots[iri] for iri in old_roots} == old_roots
    sources = [a for a, _b in after]
    assert len(sources) == len(set(sources))  # one link per IRI: a star (or a tree), never all pairs


def test_stored_identity_links_with_a_cycle_or_self_links_are_not_used() -> None:
    iris = IRIs(Settings().base)
    store = open_store(None)
    same = "http://www.w3.org/2002/07/owl#sameAs"
    graph = ox.NamedNode(str(iris.identity_graph))
    for a, b in (("x:a", "x:a"), ("x:b", "x:c")):
        store.native.add(ox.Quad(ox.NamedNode(a), ox.NamedNode(same), ox.NamedNode(b), graph))
    assert readers.stored_links(store, iris) is None  # not as a derivation writes them
    store.native.remove(ox.Quad(ox.NamedNode("x:a"), ox.NamedNode(same), ox.NamedNode("x:a"), graph))
    assert readers.stored_links(store, iris) == {"x:b": "x:c"}
    store.native.add(ox.Quad(ox.NamedNode("x:c"), ox.NamedNode(same), ox.NamedNode("x:b"), graph))
    assert readers.stored_links(store, iris) is None


def test_progress_is_reported_for_an_article_once_it_is_stored(tmp_path: Path) -> None:
    """Articles are written in batches: the progress callback hears of each after its batch is written."""
    from tests.conftest import SEEDS

    iris = IRIs(Settings().base)
    store = open_store(tmp_path / "store")
    stored: list[bool] = []
    try:
        build([str(SEEDS)], Settings(store=tmp_path / "store"), store,
              on_article=lambda a: stored.append(a.id in stored_articles(store, iris)))
    finally:
        store.close()
    assert stored == [True] * 5


def test_a_batch_is_written_while_the_next_is_analysed_and_a_failed_write_stops_the_build(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A batch's write runs beside the analysis of the next batch: here each write waits until the next
    article is analysed (were they run one after the other, it would wait in vain). A write that fails
    stops the build with its error; the batches written before it are stored and reported."""
    import threading
    import time

    import kg.build as builder
    from kg.errors import StoreError
    from tests.conftest import SEEDS

    monkeypatch.setattr(builder, "WRITE_BATCH", 1)  # a batch per article
    articles = len(list(SEEDS.glob("*.txt")))
    analysed: list[str] = []
    analyse = builder.analyze_all

    def analyze_all(*args: object) -> object:
        for article, quads in analyse(*args):  # type: ignore[arg-type]
            analysed.append(article.id)
            yield article, quads

    monkeypatch.setattr(builder, "analyze_all", analyze_all)
    iris = IRIs(Settings().base)
    store = open_store(tmp_path / "store")
    put = store.put_graphs
    overlapped: list[bool] = []

    def put_graphs(graphs: dict[str, list[ox.Quad]]) -> None:
        assert threading.current_thread() is not threading.main_thread()
        count, deadline = len(analysed), time.monotonic() + 10
        while count < articles and len(analysed) == count and time.monotonic() < deadline:
            time.sleep(0.01)
        overlapped.append(count == articles or len(analysed) > count)
        if len(overlapped) == 4:
            raise StoreError("the store cannot write to disk (No space left on device)")
        put(graphs)

    store.put_graphs = put_graphs  # type: ignore[method-assign]
    reported: list[str] = []
    try:
        with pytest.raises(StoreError, match="No space left"):
            build([str(SEEDS)], Settings(store=tmp_path / "store"), store, on_article=lambda a: reported.append(a.id))
        assert articles >= 5 and overlapped == [True] * 4
        assert sorted(stored_articles(store, iris)) == sorted(reported) and len(reported) == 3
    finally:
        store.close()


def test_an_article_built_again_anywhere_in_a_batch_makes_the_derivation_a_full_one(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """``--force`` builds an article again with the same text (its graph may say something else now): the
    derivation after its batch is a full one, also when the batch's last article is a new one."""
    import logging
    import shutil

    from tests.conftest import SEEDS

    first, second = sorted(SEEDS.glob("*.txt"))[:2]
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir()
    two.mkdir()
    shutil.copy(first, one)
    shutil.copy(first, two)
    shutil.copy(second, two)
    _build([str(one)], tmp_path / "store")
    with caplog.at_level(logging.INFO, logger="kg.derive"):
        report = _build([str(two)], tmp_path / "store", force=True)
    assert report.replaced == [first.stem] and report.added == [second.stem] and report.derivations == 1
    assert "derived graphs incrementally" not in caplog.text and "derived graphs:" in caplog.text
