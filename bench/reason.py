"""Reasoning benchmark: the project's OWL 2 RL engine against owlrl (the reference), in one run.

    python bench/reason.py [--sizes 10000 100000 1000000] [--owlrl-max 100000]

Synthetic graphs in the project's vocabulary (kg.synthetic: places with containment chains,
people with roles and aliases, operations with participants, evidence nodes). Each measurement
runs in its own process so that peak memory is its own. Also measured: adding one article's worth
of triples to a store that holds the largest graph and its closure (incremental re-reasoning).
Goals on 2 cores: 100k at least 20x faster than owlrl; 1M under 60 s and 2 GB; adding one
article to a 1M store under 2 s.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import peak_rss_mb


def run_engine(size: int) -> dict[str, float]:
    from kg import reason, synthetic
    from kg.ontology import ontology_graph

    triples = list(synthetic.triples(size))
    ontology = ontology_graph()
    started = time.perf_counter()
    result = reason.reason_terms(triples, ontology, synthetic.BASE)
    return {"seconds": time.perf_counter() - started, "inferred": len(result.lines), "peak_mb": peak_rss_mb()}


def run_owlrl(size: int) -> dict[str, float]:
    from kg import reason, synthetic
    from kg.ontology import ontology_graph

    graph = synthetic.graph(size)
    ontology = ontology_graph()
    started = time.perf_counter()
    inferred = reason.reference_infer(graph, ontology, synthetic.BASE)
    return {"seconds": time.perf_counter() - started, "inferred": len(inferred), "peak_mb": peak_rss_mb()}


def run_increment(size: int) -> dict[str, float]:
    """A store with ``size`` asserted triples and their closure; then one article's worth added."""
    from kg import reason, reason_delta, synthetic
    from kg.ontology import ontology_graph
    from kg.store import open_store

    ontology = ontology_graph()
    everything = list(synthetic.triples(size + 400, seed=11))
    old, new = everything[:size], everything[size:]
    closure = reason.reason_terms(old, ontology, synthetic.BASE).lines
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(Path(tmp) / "store")
        body = "\n".join(f"{s} {p} {o} ." for s, p, o in old) + "\n" + "\n".join(closure)
        store.load(body.encode(), ox.RdfFormat.N_TRIPLES, "urn:bench:closure")
        started = time.perf_counter()
        increment = reason_delta.reason_increment(new, ontology, synthetic.BASE, store)
        seconds = time.perf_counter() - started
        store.close()
    return {"seconds": seconds, "inferred": len(increment.lines), "new": len(new), "peak_mb": peak_rss_mb()}


def measure(kind: str, size: int) -> dict[str, float]:
    result = subprocess.run([sys.executable, __file__, "--measure", kind, str(size)],
                            capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"{kind} at {size} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--owlrl-max", type=int, default=100_000)
    parser.add_argument("--measure", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        kind, size = args.measure[0], int(args.measure[1])
        fn = {"engine": run_engine, "owlrl": run_owlrl, "increment": run_increment}[kind]
        print(json.dumps(fn(size)))
        return
    print(f"{'asserted':>10} {'engine s':>9} {'inferred':>10} {'peak MB':>8} {'owlrl s':>9} {'owlrl MB':>9} "
          f"{'owlrl/engine':>13}")
    for size in args.sizes:
        engine = measure("engine", size)
        row = f"{size:>10,} {engine['seconds']:>9.2f} {int(engine['inferred']):>10,} {engine['peak_mb']:>8.0f}"
        if size <= args.owlrl_max:
            ref = measure("owlrl", size)
            row += f" {ref['seconds']:>9.2f} {ref['peak_mb']:>9.0f} {ref['seconds'] / engine['seconds']:>12.1f}x"
            if int(ref["inferred"]) != int(engine["inferred"]):
                row += f"  (owlrl inferred {int(ref['inferred']):,})"
        print(row, flush=True)
    largest = max(args.sizes)
    inc = measure("increment", largest)
    print(f"adding one article ({int(inc['new'])} triples) to a store of {largest:,} triples and their closure: "
          f"{inc['seconds']:.2f} s, {int(inc['inferred'])} new inferred triples")


if __name__ == "__main__":
    main()
