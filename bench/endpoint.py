"""Endpoint benchmark: `kg serve` against `oxigraph serve` on the same data and queries, in one run.

    python bench/endpoint.py [--seconds 10] [--connections 10] [--synthetic 1000000]

Needs wrk (apt-get install wrk) and the oxigraph CLI (pip install oxigraph). Data: the seeds' graph
and a synthetic graph in the project's vocabulary; both servers get the same N-Quads and answer
over the union of their graphs. Prints requests/s, p50/p99 latency and the ratio kg/oxigraph per
query kind. Goals: at least 0.1x oxigraph on lookups, 0.6x on joins, p99 under 50 ms for the
README's example queries on the seeds' graph.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import BIN, ROOT, free_port, query_path, require, server, wrk

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
    kg = str(BIN / "kg")
    seeds_store = workdir / "seeds-kg"
    subprocess.run([kg, "-q", "build", str(ROOT / "seeds"), "--store", str(seeds_store)], check=True)
    seeds_nq = workdir / "seeds.nq"
    subprocess.run([kg, "export", "--store", str(seeds_store), "--format", "nquads", "-o", str(seeds_nq)], check=True)
    people = subprocess.run([kg, "query", "--store", str(seeds_store), "--format", "tsv",
                             "SELECT DISTINCT ?p WHERE { ?p a ops:Person }"], capture_output=True, text=True,
                            check=True).stdout.splitlines()[1:]
    datasets: dict[str, dict[str, object]] = {
        "seeds": {"kg": seeds_store, "nq": seeds_nq, "lookups": [p.strip("<>") for p in people][:20]}}
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
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=2, help="seconds of unmeasured load before each measurement")
    parser.add_argument("--synthetic", type=int, default=1_000_000, help="size of the synthetic graph (0: none)")
    args = parser.parse_args()
    require("wrk", "apt-get install wrk")
    oxigraph = require("oxigraph", "pip install oxigraph")
    with tempfile.TemporaryDirectory() as tmp:
        datasets = prepare(Path(tmp), args.synthetic)
        print(f"{'data':<10}{'queries':<10}{'server':<10}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}"
              f"{'kg/oxigraph':>13}")
        for name, data in datasets.items():
            kinds = {"lookup": lookups(data["lookups"]), "join": [query_path(JOIN)]}  # type: ignore[arg-type]
            if name == "seeds":
                kinds["readme"] = readme_queries()
            results: dict[tuple[str, str], dict[str, float]] = {}
            for label, command in (
                ("kg", [str(BIN / "kg"), "serve", "--store", str(data["kg"]), "--port", "{port}"]),
                ("oxigraph", [oxigraph, "serve", "--location", str(data["oxigraph"]), "--bind", "127.0.0.1:{port}",
                              "--union-default-graph"]),
            ):
                port = free_port()
                base = f"http://127.0.0.1:{port}"
                with server([c.replace("{port}", str(port)) for c in command], base + "/query" if label ==
                            "oxigraph" else base + "/sparql"):
                    for kind, paths in kinds.items():
                        if label == "oxigraph":
                            paths = [p.replace("/sparql?", "/query?", 1) for p in paths]
                        headers = {"Accept": "application/sparql-results+json"}
                        if args.warmup:  # both servers get the same unmeasured warm-up (caches, lazy starts)
                            wrk(paths, base, args.connections, args.warmup, headers)
                        results[(label, kind)] = wrk(paths, base, args.connections, args.seconds, headers)
            for kind in kinds:
                mine, theirs = results[("kg", kind)], results[("oxigraph", kind)]
                for label, r in (("kg", mine), ("oxigraph", theirs)):
                    ratio = f"{mine['rps'] / theirs['rps']:.2f}x" if label == "kg" else ""
                    print(f"{name:<10}{kind:<10}{label:<10}{r['rps']:>9.0f}{r['p50']:>9.1f}{r['p99']:>9.1f}"
                          f"{int(r['errors'] + r['non2xx']):>8}{ratio:>13}", flush=True)


if __name__ == "__main__":
    main()
