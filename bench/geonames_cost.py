"""What the GeoNames gazetteer layer costs the ingestion: start-up, memory, lookups, index build.

Used by ``bench/ingest.py`` (``--startup-only`` runs the start-up part alone, ``--index-build`` adds
the one-time index build). Start-up is measured in fresh processes, each importing the same libraries
and then loading the NLP pipeline (:func:`kg.nlp.load_pipeline`) and parsing the first article, with
the GeoNames component on (as shipped) or off (``opskg_geonames`` with ``enabled: False``, the
curated gazetteer alone); the two kinds of process alternate, and the medians are compared. The
component's construction (opening the index) and its lazy first lookups (linking the curated
countries and divisions) fall in the load and the first article; the import of ``kg.geonames`` is
timed on its own and counted in full, though the pipeline imports it with the layer off as well.
The index must already be built (in the cache directory): the first start-up that finds none builds
it, once, and that is measured apart (``--index-build``, in a temporary cache directory).
"""

from __future__ import annotations

import gc
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, peak_rss_mb, rss_mb

#: The issue's budget for what the layer adds to start-up (seconds) and memory (MB).
STARTUP_BUDGET_S = 0.3
MEMORY_BUDGET_MB = 150.0


def first_article() -> str:
    """The benchmark corpus's first article (as ``bench/ingest.py`` writes it)."""
    seed = sorted((ROOT / "seeds").glob("*.txt"))[0]
    return "Report number 0 of the benchmark corpus.\n" + seed.read_text(encoding="utf-8")


def phase_startup(model: str, geonames: bool) -> dict[str, float]:
    """In a fresh process: import, load the pipeline, parse the first article; seconds and peak MB."""
    import rdflib  # noqa: F401  (the libraries every ingestion imports, outside the timings)
    import spacy  # noqa: F401

    import kg.gazetteer

    started = time.perf_counter()
    import kg.geonames.graph
    import kg.geonames.index
    import kg.geonames.places

    imported = time.perf_counter()
    import kg.nlp
    from kg.components.geonames_ner import GeoNamesRecognizer

    direct = {"construct_s": 0.0, "call_s": 0.0}  # the component's own time: opening the index, first lookups
    construct, call = GeoNamesRecognizer.__init__, GeoNamesRecognizer.__call__

    def timed_init(self: GeoNamesRecognizer, *args: Any, **kwargs: Any) -> None:
        started = time.perf_counter()
        construct(self, *args, **kwargs)
        direct["construct_s"] += time.perf_counter() - started

    def timed_call(self: GeoNamesRecognizer, doc: Any) -> Any:
        started = time.perf_counter()
        try:
            return call(self, doc)
        finally:
            direct["call_s"] += time.perf_counter() - started

    GeoNamesRecognizer.__init__ = timed_init  # type: ignore[method-assign]
    GeoNamesRecognizer.__call__ = timed_call  # type: ignore[method-assign]
    if not geonames:
        kg.nlp.COMPONENTS["opskg_geonames"] = {**kg.nlp.COMPONENTS["opskg_geonames"], "enabled": False}
    nlp = kg.nlp.load_pipeline(model)
    loaded = time.perf_counter()
    doc = nlp(first_article())
    parsed = time.perf_counter()
    geo = nlp.get_pipe("opskg_geonames").layer  # type: ignore[attr-defined]
    assert (geo is not None) == geonames, "the GeoNames component is not as asked"
    return {"import_s": imported - started, "load_s": loaded - imported, "first_s": parsed - loaded,
            "peak_mb": peak_rss_mb(), "ents": float(len(doc.ents)), **direct}


def phase_cache_fill(seed: int = 0) -> dict[str, float]:
    """Resident memory before and after filling the index's lookup cache to its bound with names the index
    has (a random sample: every lookup finds places), the most the lookups can hold in a long run."""
    import random

    from kg.geonames import index

    geo = index.default()
    bound = index.GeoIndex.find.cache_info().maxsize or 0
    keys = [k for (k,) in geo._db.execute("SELECT DISTINCT key FROM name")]
    names = random.Random(seed).sample(keys, min(bound, len(keys)))
    del keys
    gc.collect()
    before = rss_mb(os.getpid())
    started = time.perf_counter()
    found = sum(len(geo.find(name)) for name in names)
    seconds = time.perf_counter() - started
    gc.collect()
    return {"before_mb": before, "after_mb": rss_mb(os.getpid()), "entries": float(len(names)),
            "places": float(found), "seconds": seconds}


def phase_index_build() -> dict[str, float]:
    """Build the GeoNames index into this process's (temporary) cache directory; seconds, peak MB, size."""
    from kg.geonames import index

    path = index.index_path()
    assert not path.exists(), f"{path} exists: the build is measured in an empty cache directory"
    started = time.perf_counter()
    index.open_index()
    return {"seconds": time.perf_counter() - started, "peak_mb": peak_rss_mb(),
            "file_mb": path.stat().st_size / 1e6}


def _run(args: list[str], env: dict[str, str] | None = None) -> dict[str, float]:
    result = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, check=False,
                            env={**os.environ, **(env or {})})
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def _ensure_index() -> None:
    """Build the index in the user's cache directory first if it is missing (not measured here)."""
    from kg.geonames import index

    if not index.index_path().exists():
        print(f"(no GeoNames index at {index.index_path()}: building it once before measuring)", flush=True)
        _run(["--phase", "ensure-index"])


def startup_lines(model: str, repetitions: int) -> list[str]:
    """The start-up and memory the layer adds, measured in ``repetitions`` pairs of fresh processes."""
    _ensure_index()
    runs: dict[bool, list[dict[str, float]]] = {True: [], False: []}
    for i in range(repetitions):
        order = (False, True) if i % 2 == 0 else (True, False)
        for geonames in order:
            runs[geonames].append(_run(["--phase", "startup", "--model", model]
                                       + ([] if geonames else ["--without-geonames"])))

    def median(geonames: bool, key: str) -> float:
        return statistics.median(r[key] for r in runs[geonames])

    def ready(geonames: bool) -> list[float]:  # pipeline load + first article, per process
        return [r["load_s"] + r["first_s"] for r in runs[geonames]]

    imports = median(True, "import_s")
    own = median(True, "construct_s") + median(True, "call_s")
    startup = imports + own
    by_median = statistics.median(ready(True)) - statistics.median(ready(False))
    by_minimum = min(ready(True)) - min(ready(False))
    noise = max(max(ready(g)) - min(ready(g)) for g in (True, False))
    memory = median(True, "peak_mb") - median(False, "peak_mb")
    fill = _run(["--phase", "cache-fill"])
    cache = fill["after_mb"] - fill["before_mb"]
    most = max(memory, 0.0) + cache

    def verdict(value: float, budget: float) -> str:
        return "pass" if value <= budget else "FAIL"

    return [
        f"GeoNames gazetteer, {repetitions} fresh processes each with and without it (medians):",
        f"  without: pipeline load {median(False, 'load_s'):.2f} s + first article {median(False, 'first_s'):.2f} s,"
        f" peak {median(False, 'peak_mb'):.0f} MB",
        f"  with:    pipeline load {median(True, 'load_s'):.2f} s + first article {median(True, 'first_s'):.2f} s,"
        f" peak {median(True, 'peak_mb'):.0f} MB",
        f"  added: import of kg.geonames {1000 * imports:.1f} ms + the component's own time"
        f" {1000 * own:.1f} ms (opening the index {1000 * median(True, 'construct_s'):.1f} ms, first article"
        f" {1000 * median(True, 'call_s'):.1f} ms, with its first lookups)",
        f"  check, with minus without, load + first article: {by_median:+.2f} s by medians, {by_minimum:+.2f} s"
        f" by minima (run-to-run spread up to {noise:.2f} s)",
        f"  lookup cache at its bound ({int(fill['entries']):,} names, {int(fill['places']):,} places,"
        f" filled in {fill['seconds']:.1f} s): {cache:+.0f} MB resident",
        f"gazetteer start-up: {startup:+.3f} s (budget {STARTUP_BUDGET_S} s: {verdict(startup, STARTUP_BUDGET_S)}),"
        f" memory: {memory:+.0f} MB at start-up, {most:+.0f} MB with the lookup cache full"
        f" (budget {MEMORY_BUDGET_MB:.0f} MB: {verdict(most, MEMORY_BUDGET_MB)})",
    ]


def index_build_line() -> str:
    """The one-time index build, in a temporary cache directory."""
    with tempfile.TemporaryDirectory() as tmp:
        r = _run(["--phase", "index-build"], env={"OPSKG_CACHE_DIR": tmp})
    return (f"GeoNames index build (once per cache directory): {r['seconds']:.1f} s, peak {r['peak_mb']:.0f} MB,"
            f" file {r['file_mb']:.0f} MB")


def instrument() -> Callable[[], dict[str, float]]:
    """Count and time, in this process, the GeoNames component, the index lookups and the gazetteer graph;
    returns a function that reads the totals."""
    import kg.readers
    from kg.components.geonames_ner import GeoNamesRecognizer
    from kg.geonames.index import GeoIndex

    totals = {"geo_docs": 0.0, "geo_component_s": 0.0, "geo_finds": 0.0, "geo_find_s": 0.0,
              "geo_misses": 0.0, "geo_miss_s": 0.0, "geo_graph_s": 0.0}
    component = GeoNamesRecognizer.__call__
    find = GeoIndex.find
    graph = kg.readers.gazetteer_graph

    def timed_component(self: GeoNamesRecognizer, doc: Any) -> Any:
        started = time.perf_counter()
        try:
            return component(self, doc)
        finally:
            totals["geo_docs"] += 1
            totals["geo_component_s"] += time.perf_counter() - started

    def timed_find(self: GeoIndex, name: str) -> Any:
        misses = find.cache_info().misses
        started = time.perf_counter()
        try:
            return find(self, name)
        finally:
            spent = time.perf_counter() - started
            totals["geo_finds"] += 1
            totals["geo_find_s"] += spent
            if find.cache_info().misses > misses:
                totals["geo_misses"] += 1
                totals["geo_miss_s"] += spent

    def timed_graph(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return graph(*args, **kwargs)
        finally:
            totals["geo_graph_s"] += time.perf_counter() - started

    GeoNamesRecognizer.__call__ = timed_component  # type: ignore[method-assign]
    GeoIndex.find = timed_find  # type: ignore[method-assign,assignment]
    kg.readers.gazetteer_graph = timed_graph
    return lambda: dict(totals)


def lookups_line(r: dict[str, float], articles: int) -> str:
    """The GeoNames share of an in-process build (from :func:`instrument`'s totals)."""
    docs = max(r["geo_docs"], 1.0)
    return (f"  of which GeoNames: component {r['geo_component_s']:.2f} s ({1000 * r['geo_component_s'] / docs:.2f} ms"
            f"/article), {int(r['geo_finds']):,} index lookups ({int(r['geo_misses']):,} not cached,"
            f" {1000 * r['geo_find_s']:.0f} ms in all, {1000 * r['geo_find_s'] / max(articles, 1):.2f} ms/article);"
            f" gazetteer graph {r['geo_graph_s']:.2f} s")


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phase", choices=["startup", "index-build", "ensure-index", "cache-fill"], required=True)
    parser.add_argument("--model", default=None)
    parser.add_argument("--without-geonames", action="store_true")
    args = parser.parse_args()
    if args.phase == "startup":
        print(json.dumps(phase_startup(args.model, not args.without_geonames)))
    elif args.phase == "index-build":
        print(json.dumps(phase_index_build()))
    elif args.phase == "cache-fill":
        print(json.dumps(phase_cache_fill()))
    else:
        from kg.geonames import index

        index.default()
        print("{}")


if __name__ == "__main__":
    main()
