"""Endpoint benchmark: `kg serve` against `oxigraph serve` on the same data and queries, in one run.

    python bench/endpoint.py [--seconds 5] [--rounds 3] [--connections 10] [--synthetic 1000000]

Needs wrk (apt-get install wrk) and the oxigraph CLI (pip install oxigraph). Data: the seeds' graph
and a synthetic graph in the project's vocabulary; both servers get the same N-Quads and answer
over the union of their graphs. Both servers run side by side and are measured in alternating rounds;
prints the medians of requests/s and p50/p99 latency, and the median ratio kg/oxigraph per query
kind. Goals: at least 0.1x oxigraph on lookups, 0.6x on joins, p99 under 50 ms for the README's
example queries on the seeds' graph.
"""

from __future__ import annotations

import argparse
import shlex
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import BIN, ROOT, free_port, query_path, require, seeds_store, server, wrk

PREFIXES = ("PREFIX ops: <https://w3id.org/opskg/ontology#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
            "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> ")
JOIN = (PREFIXES + "SELECT ?name ?place WHERE { ?p ops:killedIn ?op . ?op ops:tookPlaceIn ?pl . "
        "?pl rdfs:label ?place . ?p skos:altLabel ?name } LIMIT 100")


def lookups(iris: list[str]) -> list[str]:
    return [query_path(f"SELECT ?p ?o WHERE {{ <{iri}> ?p ?o }} LIMIT 20") for iri in iris]


def readme_queries() -> list[str]:
    header = "".join(f"PREFIX {p}: <{ns}> " for p, ns in __import__("kg.vocab", fromlist=["PREFIXES"]).PREFIXES.items())
    return [query_path(header + path.read_text(encoding="utf-8"))
            for path in sorted((ROOT / "server" / "queries").glob("*.rq"))]


def prepare(workdir: Path, synthetic: int) -> dict[str, dict[str, object]]:
    store, people = seeds_store(workdir)
    seeds_nq = workdir / "seeds.nq"
    subprocess.run([str(BIN / "kg"), "export", "--store", str(store), "--format", "nquads", "-o", str(seeds_nq)],
                   check=True)
    datasets: dict[str, dict[str, object]] = {"seeds": {"kg": store, "nq": seeds_nq, "lookups": people[:20]}}
    if synthetic:
        from kg import synthetic as synth
        from kg.store import open_store

        nq = workdir / "synthetic.nq"
        with nq.open("w", encoding="utf-8") as handle:
            for s, p, o in synth.triples(synthetic):
                handle.write(f"{s} {p} {o} <urn:bench:synthetic> .\n")
        store_path = workdir / "synthetic-kg"
        store = open_store(store_path)
        store.native.bulk_load(path=str(nq), format=__import__("pyoxigraph").RdfFormat.N_QUADS)
        store.close()
        datasets["synthetic"] = {"kg": store_path, "nq": nq,
                                 "lookups": [f"{synth.BASE}person/person-{i}" for i in range(0, 2000, 100)]}
    oxigraph = require("oxigraph", "pip install oxigraph")
    for name, data in datasets.items():
        location = workdir / f"{name}-oxigraph"
        subprocess.run([oxigraph, "load", "--location", str(location), "--file", str(data["nq"])], check=True,
                       capture_output=True)
        data["oxigraph"] = location
    return datasets


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5, help="seconds of each measurement")
    parser.add_argument("--rounds", type=int, default=3,
                        help="measurements per server and query kind, alternating between the servers")
    parser.add_argument("--connections", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=2, help="seconds of unmeasured load before each kind")
    parser.add_argument("--synthetic", type=int, default=1_000_000, help="size of the synthetic graph (0: none)")
    parser.add_argument("--serve-args", default="", help="extra flags for kg serve, e.g. '--processes 3'")
    args = parser.parse_args()
    require("wrk", "apt-get install wrk")
    oxigraph = require("oxigraph", "pip install oxigraph")
    with tempfile.TemporaryDirectory() as tmp:
        datasets = prepare(Path(tmp), args.synthetic)
        print(f"medians of {args.rounds} alternating rounds of {args.seconds} s, {args.connections} connections")
        print(f"{'data':<10}{'queries':<10}{'server':<10}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}"
              f"{'kg/oxigraph':>13}")
        for name, data in datasets.items():
            kinds = {"lookup": lookups(data["lookups"]), "join": [query_path(JOIN)]}  # type: ignore[arg-type]
            if name == "seeds":
                kinds["readme"] = readme_queries()
            kg_port, ox_port = free_port(), free_port()
            kg_base, ox_base = f"http://127.0.0.1:{kg_port}", f"http://127.0.0.1:{ox_port}"
            with server([str(BIN / "kg"), "serve", "--store", str(data["kg"]), "--port", str(kg_port),
                         *shlex.split(args.serve_args)], kg_base + "/sparql"), \
                 server([oxigraph, "serve", "--location", str(data["oxigraph"]), "--bind", f"127.0.0.1:{ox_port}",
                         "--union-default-graph"], ox_base + "/query"):
                for kind, paths in kinds.items():
                    targets = {"kg": (kg_base, paths),
                               "oxigraph": (ox_base, [p.replace("/sparql?", "/query?", 1) for p in paths])}
                    runs = measure(targets, args)
                    report(name, kind, runs)


def measure(targets: dict[str, tuple[str, list[str]]], args: argparse.Namespace) -> dict[str, list[dict[str, float]]]:
    """Both servers, the same load: a warm-up each, then measurements alternating between them (the machine's
    load drifts; alternating exposes both servers to it alike)."""
    headers = {"Accept": "application/sparql-results+json"}
    for base, paths in targets.values():
        if args.warmup:
            wrk(paths, base, args.connections, args.warmup, headers)
    runs: dict[str, list[dict[str, float]]] = {label: [] for label in targets}
    for _ in range(args.rounds):
        for label, (base, paths) in targets.items():
            runs[label].append(wrk(paths, base, args.connections, args.seconds, headers))
    return runs


def report(data: str, kind: str, runs: dict[str, list[dict[str, float]]]) -> None:
    ratios = [mine["rps"] / theirs["rps"] for mine, theirs in zip(runs["kg"], runs["oxigraph"], strict=True)]
    for label, measured in runs.items():
        ratio = f"{statistics.median(ratios):.2f}x" if label == "kg" else ""
        errors = sum(r["errors"] + r["non2xx"] for r in measured)
        print(f"{data:<10}{kind:<10}{label:<10}{statistics.median(r['rps'] for r in measured):>9.0f}"
              f"{statistics.median(r['p50'] for r in measured):>9.1f}"
              f"{statistics.median(r['p99'] for r in measured):>9.1f}{int(errors):>8}{ratio:>13}", flush=True)
    print(f"{'':<30}kg/oxigraph per round: {', '.join(f'{r:.2f}x' for r in ratios)}", flush=True)


if __name__ == "__main__":
    main()
