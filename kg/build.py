"""``kg build``: sources -> articles -> graphs in the store, then the derived graphs.

Articles are written in batches of about :data:`WRITE_BATCH` triples (a dozen or two articles), each
batch in one atomic write that replaces any earlier version of its articles, so a killed build leaves
the store as it was before the batch in progress: its articles are built by the next build. (One
write per article took twice the time per triple.) The derived graphs
(:mod:`kg.derive`) are brought up to date after every ``derive_every`` articles and at the end:
each derivation after the first reads what the articles added since the last one touch, so what a
derivation holds in memory is mostly the batch's (plus, for every article, its derivation input and
identity links). After a derivation that resolved inconsistencies the next one must be a full one:
the build then derives once more, at the end.

A batch is written in a thread of its own while the next batch is analysed (:class:`_Writer`: the
store's transaction releases the GIL, so the write runs on another core). The build hands each
derivation the article graphs it wrote since the last one (up to :data:`HAND_ON` triples), in the form
reading them back gives: reading them back from the store took 5 µs a triple (1.3 s of a 300-article
build), handing them on takes about 1.5-3 µs and 100 bytes (170 with the derivation's index of them).
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import logging
import multiprocessing
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import BinaryIO

import pyoxigraph as ox

from kg import derive
from kg.articles import StoredArticle, stored_articles
from kg.config import DERIVE_EVERY, Settings
from kg.errors import ConfigError, SourceError
from kg.ingest import read_sources
from kg.ingest.sources import ReadOptions
from kg.model import Article
from kg.nlp import load_pipeline, parse, pipeline_gazetteer
from kg.pipeline import analyze
from kg.rdf import BUILDER
from kg.store import GraphStore
from kg.vocab import IRIs

log = logging.getLogger(__name__)

#: Triples of article graphs written to the store in one write (see the module's docstring).
WRITE_BATCH = 20_000

#: Triples of the article graphs written since the last derivation that are handed to the next one (about
#: 170 bytes each, with the derivation's index of them); those written beyond are read back from the store.
HAND_ON = 500_000

#: An article with the statements of its graph (quads in it).
Analysed = tuple[Article, list[ox.Quad]]


@dataclass
class _HandOn:
    """The article graphs written since the last derivation, as N-Triples terms read back
    (:meth:`GraphStore.as_read`), and the terms' texts they share."""

    graphs: dict[str, list[tuple[str, str, str]]] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)
    size: int = 0

    def add(self, store: GraphStore, graphs: dict[str, list[ox.Quad]]) -> None:
        """Hand ``graphs`` on too, while the triples handed on stay within :data:`HAND_ON` (a graph beyond
        it is read back; an earlier version of it handed on is dropped)."""
        for name, quads in graphs.items():
            earlier = self.graphs.pop(name, None)
            self.size -= len(earlier) if earlier is not None else 0
            if self.size + len(quads) <= HAND_ON:
                handed = self.graphs[name] = store.as_read(quads, self.texts)
                self.size += len(handed)


@dataclass
class BuildReport:
    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    #: (source, id of the article with the same text: stored, or taken earlier in this build)
    duplicates: list[tuple[str, str]] = field(default_factory=list)
    failed: list[SourceError] = field(default_factory=list)
    #: the last derivation's report (a build derives after every ``derive_every`` articles and at the end)
    derived: derive.DeriveReport | None = None
    #: derivations run, and their time in all
    derivations: int = 0
    derive_seconds: float = 0.0
    #: triples in the article graphs written
    triples: int = 0

    @property
    def ok(self) -> bool:
        return not self.failed


def plan(articles: Iterable[Article], stored: dict[str, StoredArticle], report: BuildReport,
         force: bool = False) -> list[Article]:
    """Which articles to (re)build: new ids, changed texts, and a new builder version.

    An article with the same text as one already stored (or earlier in the batch) under another
    id, or under the same id earlier in the batch (one file name and text in two folders, a file
    given twice), is a duplicate and is skipped. Two different documents with the same id (files of
    one name in two folders) are kept apart by suffixing the second id with a hash of its source;
    a source given twice whose text changed in between (a URL) is built once, as first read.
    """
    by_hash = {a.content_hash: a.id for a in stored.values()}
    taken: dict[str, tuple[str, str]] = {a.id: (a.source, a.content_hash) for a in stored.values()}
    todo: list[Article] = []
    seen: dict[str, str] = {}  # id -> content hash of every article this build took (to build, or unchanged)
    for article in articles:
        if seen.get(article.id) == article.content_hash:
            report.duplicates.append((article.source, article.id))
            log.info("%s: same text as the article %s earlier in this build; skipped", article.source, article.id)
            continue
        if article.id in seen and taken[article.id][0] == article.source:
            log.warning("%s: given twice, its text changed in between; built as first read", article.source)
            continue
        existing = stored.get(article.id)
        same_doc = existing is not None and existing.content_hash == article.content_hash
        if same_doc and not force and existing is not None and existing.builder == BUILDER:
            report.unchanged.append(article.id)
            seen[article.id] = article.content_hash
            continue
        owner = taken.get(article.id)
        if owner is not None and owner[1] != article.content_hash and owner[0] != article.source:
            suffix = hashlib.sha1(article.source.encode()).hexdigest()[:6]
            article = replace(article, id=f"{article.id}-{suffix}")
            owner = taken.get(article.id)
        twin = by_hash.get(article.content_hash)
        if twin is not None and twin != article.id:
            report.duplicates.append((article.source, twin))
            log.info("%s: same text as the article %s (stored, or earlier in this build); skipped", article.source,
                     twin)
            continue
        (report.replaced if article.id in stored else report.added).append(article.id)
        taken[article.id] = (article.source, article.content_hash)
        by_hash[article.content_hash] = article.id
        todo.append(article)
        seen[article.id] = article.content_hash
    return todo


def build(
    sources: Iterable[str],
    settings: Settings,
    store: GraphStore,
    *,
    read_options: ReadOptions | None = None,
    workers: int = 1,
    force: bool = False,
    stdin: BinaryIO | None = None,
    on_start: Callable[[int], None] | None = None,
    on_article: Callable[[Article], None] | None = None,
    derive_every: int = DERIVE_EVERY,
) -> BuildReport:
    """Build ``sources`` into ``store``; failures are reported per source, never fatal to the batch.

    The derived graphs are brought up to date after every ``derive_every`` articles stored, and at the end.
    """
    if derive_every < 1:
        raise ConfigError(f"derive_every is {derive_every}: derive after every 1 or more articles")
    iris = IRIs(settings.base)
    report = BuildReport()
    articles: list[Article] = []
    for item in read_sources(sources, read_options, stdin=stdin):
        if isinstance(item, SourceError):
            log.error("%s", item)
            report.failed.append(item)
        else:
            articles.append(item)
    todo = plan(articles, stored_articles(store, iris), report, force=force)
    if on_start:
        on_start(len(todo))
    replaced, pending, afresh, batched = set(report.replaced), 0, False, True
    handed = _HandOn()
    with _Writer(store, iris, report, on_article) as writer:
        for batch in _batches(analyze_all(todo, settings, workers), derive_every):
            handed.add(store, writer.write(batch))
            # an article built again with the same text (--force, a new builder) may say something else now
            afresh |= any(article.id in replaced for article, _ in batch)
            pending += len(batch)
            if batched and pending >= derive_every:
                writer.wait()
                _derive(store, iris, report, afresh, handed.graphs)
                pending, afresh, handed = 0, False, _HandOn()
                # a derivation after one that resolved inconsistencies is a full one: only one more, at the end
                batched = not derive.recorded_conflicts(store, iris)
                if not batched:
                    log.info("the knowledge graph holds inconsistencies: derived again at the end of the build only")
        writer.wait()
    if pending or derive.is_stale(store, iris):
        _derive(store, iris, report, afresh, handed.graphs)
    return report


def _batches(analysed: Iterable[Analysed], derive_every: int) -> Iterator[list[Analysed]]:
    """The analysed articles in write batches of about :data:`WRITE_BATCH` triples, a batch ending
    where a derivation is due (after every ``derive_every`` articles)."""
    batch: list[Analysed] = []
    size = 0
    for count, (article, quads) in enumerate(analysed, 1):
        batch.append((article, quads))
        size += len(quads)
        if size >= WRITE_BATCH or count % derive_every == 0:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


class _Writer:
    """Writes each batch of article graphs in a thread of its own while the build analyses the next batch
    (the store's write releases the GIL: it runs on another core), one batch at a time; a batch's
    articles are reported (``on_article``) once it is stored. Leaving the block waits for the write in
    progress, also on an error or an interrupt: each write is all there or none (a batch whose write
    ends so is stored but not reported; its error, if it failed, is logged)."""

    def __init__(self, store: GraphStore, iris: IRIs, report: BuildReport,
                 on_article: Callable[[Article], None] | None) -> None:
        self.store, self.iris, self.report, self.on_article = store, iris, report, on_article
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="opskg-write")
        self._writing: tuple[Future[None], list[Analysed]] | None = None

    def write(self, batch: list[Analysed]) -> dict[str, list[ox.Quad]]:
        """Start writing ``batch`` (once the last batch is stored); its graphs, by name."""
        self.wait()
        graphs = {str(self.iris.article(article.id)): quads for article, quads in batch}
        self._writing = self._pool.submit(self.store.put_graphs, graphs), batch
        return graphs

    def wait(self) -> None:
        """Until the batch being written is stored (its error raised here); then its articles reported."""
        if self._writing is None:
            return
        future, batch = self._writing
        self._writing = None
        future.result()
        for article, quads in batch:
            self.report.triples += len(quads)
            log.debug("stored %s", article.id)
            if self.on_article:
                self.on_article(article)

    def __enter__(self) -> _Writer:
        return self

    def __exit__(self, *exc: object) -> None:
        self._pool.shutdown(wait=True)
        if self._writing is not None:  # the build stopped (an error, an interrupt) while a batch was written
            error = self._writing[0].exception()
            if error is not None:
                log.error("the batch being written when the build stopped was not stored: %s", error)


def _derive(store: GraphStore, iris: IRIs, report: BuildReport, afresh: bool,
            articles: dict[str, list[tuple[str, str, str]]]) -> None:
    # between two derivations a build writes article graphs only: the last one's writes are handed on,
    # and the article graphs written since
    last = report.derived.written if report.derived else None
    report.derived = derive.refresh(store, iris, afresh=afresh, last=last, articles=articles)
    report.derivations += 1
    report.derive_seconds += report.derived.seconds


def analyze_all(articles: list[Article], settings: Settings,
                workers: int) -> Iterator[Analysed]:
    """(article, the statements of its graph) in input order, parsed in ``workers`` processes (a worker
    sends them as N-Quads)."""
    if not articles:
        return
    iris = IRIs(settings.base)
    if workers <= 1 or len(articles) < 2:
        nlp = load_pipeline(settings.model)
        gazetteer = pipeline_gazetteer(nlp)
        with _frozen():
            for doc, article in parse(nlp, ((a.text, a) for a in articles)):
                yield article, analyze(doc, article, iris, gazetteer)
        return
    load_pipeline(settings.model)  # fail fast, in this process, if the model is missing
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker,
                             initargs=(settings.model, settings.base)) as pool:
        chunk = max(1, min(16, len(articles) // (workers * 4)))
        for article, nquads in zip(articles, pool.map(_analyze_in_worker, articles, chunksize=chunk), strict=True):
            yield article, list(ox.parse(nquads, ox.RdfFormat.N_QUADS))


_worker_state: dict[str, object] = {}


def _init_worker(model: str, base: str) -> None:
    nlp = load_pipeline(model)
    _worker_state["nlp"] = nlp
    _worker_state["gazetteer"] = pipeline_gazetteer(nlp)
    _worker_state["iris"] = IRIs(base)
    gc.collect()
    gc.freeze()  # as :func:`_frozen` does, for the worker's life


@contextlib.contextmanager
def _frozen() -> Iterator[None]:
    """The objects that exist now (the loaded pipeline: the model and the gazetteers) left out of the
    cycle collector's collections until the block ends: they live as long as the build, and each full
    collection walked them all (collections took 0.68 s of a 300-article build, 0.48 s with them left
    out; the derivations between batches run inside the block)."""
    if gc.get_freeze_count():  # the caller froze what it holds: left as it is
        yield
        return
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _analyze_in_worker(article: Article) -> bytes:
    nlp = _worker_state["nlp"]
    doc = nlp(article.text)  # type: ignore[operator]
    quads = analyze(doc, article, _worker_state["iris"], _worker_state["gazetteer"])  # type: ignore[arg-type]
    return ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b""
