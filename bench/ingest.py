"""Ingestion benchmark: the full build pipeline against bare spaCy on the same texts, in one run.

    python bench/ingest.py [--articles 500] [--workers 1 2] [--startup-repetitions 5] [--index-build]
    python bench/ingest.py --startup-only [--startup-repetitions 5] [--index-build]

The corpus is the seed articles repeated, each copy made distinct (a numbered first line) so that
it is not deduplicated. Each phase runs in its own process so that peak memory is its own.
Both phases are timed from loading the pipeline (bare: the spaCy model alone) to the last article
(full: stored and derived). Prints articles/s, words/s, peak RSS and the ratio full/bare (goal: at most
1.4), and the ratio with bare spaCy's model load left out of its time; for the one-process
build, the time spent in the GeoNames component, its index lookups and the gazetteer graph. Then
what the GeoNames gazetteer adds to start-up and memory (budgets: 0.3 s, 150 MB), from fresh
processes with and without it (:mod:`bench.geonames_cost`), and with ``--index-build`` the one-time
build of its index. ``--startup-only`` measures the GeoNames start-up alone (about a minute).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, peak_rss_mb
from bench.geonames_cost import index_build_line, instrument, lookups_line, startup_lines
from kg.config import DEFAULT_MODEL


def make_corpus(folder: Path, n: int) -> tuple[list[str], int]:
    seeds = sorted((ROOT / "seeds").glob("*.txt"))
    texts = [p.read_text(encoding="utf-8") for p in seeds]
    out = []
    for i in range(n):
        text = f"Report number {i} of the benchmark corpus.\n" + texts[i % len(texts)]
        (folder / f"bench_{i:05d}.txt").write_text(text, encoding="utf-8")
        out.append(text)
    return out, sum(len(t.split()) for t in out)


def phase_bare(folder: Path, workers: int, model: str) -> dict[str, float]:
    """spaCy alone: load the model, read the texts, parse them. Timed as the full build is, which loads
    its pipeline (the model and opskg's components) and reads the texts."""
    import spacy

    started = time.perf_counter()
    nlp = spacy.load(model)
    loaded = time.perf_counter()
    texts = [p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.txt"))]
    for _doc in nlp.pipe(texts, batch_size=16, n_process=workers):
        pass
    return {"seconds": time.perf_counter() - started, "load_seconds": loaded - started,
            "peak_mb": peak_rss_mb(children=True)}


def phase_full(folder: Path, workers: int, model: str) -> dict[str, float]:
    from kg.build import build
    from kg.config import Settings
    from kg.store import open_store

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(store=Path(tmp) / "store", model=model)
        geonames = instrument() if workers == 1 else None  # one process: the GeoNames share is seen here
        store = open_store(settings.store)
        started = time.perf_counter()
        report = build([str(folder)], settings, store, workers=workers)
        seconds = time.perf_counter() - started
        derive_seconds = report.derive_seconds
        triples = store.count()
        store.close()
    assert report.ok and len(report.added) == len(list(folder.glob("*.txt"))), "benchmark build failed"
    return {"seconds": seconds, "derive_seconds": derive_seconds, "triples": triples,
            "peak_mb": peak_rss_mb(children=True), **(geonames() if geonames else {})}


def run_phase(phase: str, folder: Path, workers: int, model: str) -> dict[str, float]:
    result = subprocess.run(
        [sys.executable, __file__, "--phase", phase, "--folder", str(folder), "--workers", str(workers),
         "--model", model],
        capture_output=True, text=True, check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"{phase} phase failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=500)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--model", default=DEFAULT_MODEL)
    parser.add_argument("--startup-only", action="store_true",
                        help="only what the GeoNames gazetteer adds to start-up and memory")
    parser.add_argument("--startup-repetitions", type=int, default=5,
                        help="fresh processes with and without GeoNames (each)")
    parser.add_argument("--index-build", action="store_true",
                        help="also the one-time GeoNames index build (about 40 s)")
    parser.add_argument("--phase", choices=["bare", "full"], help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        fn = phase_bare if args.phase == "bare" else phase_full
        print(json.dumps(fn(args.folder, args.workers[0], args.model)))
        return
    if not args.startup_only:
        throughput(args)
    for line in startup_lines(args.model, args.startup_repetitions):
        print(line, flush=True)
    if args.index_build:
        print(index_build_line())


def throughput(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        _texts, words = make_corpus(folder, args.articles)
        print(f"corpus: {args.articles} articles, {words:,} words (seeds repeated, each copy distinct)")
        print(f"{'phase':<14}{'workers':>8}{'seconds':>10}{'articles/s':>12}{'words/s':>10}{'peak MB':>10}"
              f"{'full/bare':>11}")
        for workers in args.workers:
            bare = run_phase("bare", folder, workers, args.model)
            full = run_phase("full", folder, workers, args.model)
            for name, r in (("bare spaCy", bare), ("full build", full)):
                ratio = f"{full['seconds'] / bare['seconds']:.2f}" if name == "full build" else ""
                print(f"{name:<14}{workers:>8}{r['seconds']:>10.1f}{args.articles / r['seconds']:>12.1f}"
                      f"{words / r['seconds']:>10,.0f}{r['peak_mb']:>10.0f}{ratio:>11}")
            print(f"{'':<14}{'':>8}  bare spaCy's model load: {bare['load_seconds']:.2f} s (without it, full/bare "
                  f"{full['seconds'] / (bare['seconds'] - bare['load_seconds']):.2f})")
            print(f"{'':<14}{'':>8}  of which derived graphs (identity + reasoning): {full['derive_seconds']:.1f} s;"
                  f" {int(full['triples']):,} triples stored")
            if "geo_docs" in full:
                print(f"{'':<14}{'':>8}{lookups_line(full, args.articles)}")


if __name__ == "__main__":
    main()
