"""A build killed with SIGKILL leaves a store that opens, holds only complete articles, and is
completed by running the same command again; two builds on one store do not both write."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg import derive
from kg.articles import stored_articles
from kg.build import build
from kg.config import Settings
from kg.export import export
from kg.store import open_store
from kg.vocab import IRIs
from tests.conftest import SEEDS

pytestmark = pytest.mark.slow
KG = str(Path(sys.executable).with_name("kg"))
IRIS = IRIs(Settings().base)
#: Enough for a build to write a batch of articles and go on (a batch is about WRITE_BATCH triples).
ARTICLES = 60


def _corpus(folder: Path, count: int) -> Path:
    folder.mkdir()
    seeds = sorted(SEEDS.glob("*.txt"))
    for i in range(count):
        text = seeds[i % len(seeds)].read_text(encoding="utf-8")
        (folder / f"report-{i:02d}.txt").write_text(f"Report number {i} of the corpus.\n{text}", encoding="utf-8")
    return folder


def _canonical(graph: list[ox.Quad]) -> set[str]:
    dataset = ox.Dataset(graph)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return {str(q) for q in dataset}


def test_a_killed_build_leaves_complete_articles_and_a_rerun_finishes(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path / "corpus", ARTICLES)
    store_path = tmp_path / "store"
    command = [KG, "-vv", "build", str(corpus), "--store", str(store_path)]
    proc = subprocess.Popen(command, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    stored = 0
    deadline = time.monotonic() + 120
    assert proc.stderr is not None
    while not stored and time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line:
            break
        stored += "stored report-" in line
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    proc.stderr.close()
    assert stored, "the build did not get far enough to be killed in the middle"

    store = open_store(store_path)  # opens after the kill
    try:
        articles = stored_articles(store, IRIS)
        assert 1 <= len(articles) < ARTICLES  # the batches written, not the one in progress
        assert derive.is_stale(store, IRIS)  # killed before its derived graphs
        first = sorted(articles)[0]
        kept = [q for q in store.quads(articles[first].iri)]
    finally:
        store.close()
    # The stored article is complete: the same graph a build of that article alone gives.
    alone = tmp_path / "alone"
    single = tmp_path / "single"
    single.mkdir()
    (single / f"{first}.txt").write_text((corpus / f"{first}.txt").read_text(encoding="utf-8"), encoding="utf-8")
    reference = open_store(alone)
    try:
        build([str(single)], Settings(store=alone), reference)
        expected = [q for q in reference.quads(articles[first].iri)]
    finally:
        reference.close()
    def ignore_source(quads: list[ox.Quad]) -> list[ox.Quad]:
        return [q for q in quads if not q.predicate.value.endswith("#sourceName")]
    assert _canonical(ignore_source(kept)) == _canonical(ignore_source(expected))

    rerun = subprocess.run([KG, "build", str(corpus), "--store", str(store_path)], capture_output=True, text=True,
                           timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    store = open_store(store_path, read_only=True)
    try:
        articles = stored_articles(store, IRIS)
        assert sorted(articles) == [f"report-{i:02d}" for i in range(ARTICLES)]
        rows = list(store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?g a "
                                "<https://w3id.org/opskg/ontology#Article> } } GROUP BY ?g"))
        assert len(rows) == ARTICLES and all(int(r["n"].value) == 1 for r in rows)  # no duplicates
        assert not derive.is_stale(store, IRIS)
        out = io.BytesIO()
        export(store, IRIS, "nquads", out)
        assert out.getvalue()
    finally:
        store.close()


def test_two_builds_on_one_store_do_not_both_write(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path / "corpus", ARTICLES)
    store_path = tmp_path / "store"
    first = subprocess.Popen([KG, "-vv", "build", str(corpus), "--store", str(store_path)], stderr=subprocess.PIPE,
                             stdout=subprocess.DEVNULL, text=True)
    assert first.stderr is not None
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:  # the first build is writing: it has stored an article
            line = first.stderr.readline()
            if not line or "stored report-" in line:
                break
        second = subprocess.run([KG, "build", str(SEEDS), "--store", str(store_path)], capture_output=True,
                                text=True, timeout=120)
        still_running = first.poll() is None
    finally:
        first.communicate(timeout=300)
    assert still_running, "the first build ended before the second started: nothing was tested"
    assert second.returncode == 1, second.stderr
    assert "open in another process" in second.stderr and "--store" in second.stderr
    assert first.returncode == 0
