"""Load benchmark: N concurrent clients of mixed queries and page fetches against `kg serve`.

    python bench/load.py [--connections 32] [--seconds 60]

Needs wrk (apt-get install wrk). Serves the seeds' graph on 127.0.0.1 and runs wrk over a rotating
mix of the README's example queries, lookups, the query page and resource pages, while sampling
the server's memory (its processes together) every second. Prints requests/s, p50/p99 latency,
socket errors, 5xx and other non-2xx responses, and memory at start, peak and end. Goals: no
errors and no 5xx, p99 under 1 s, memory flat over the run.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import BIN, ROOT, free_port, query_path, rss_mb, seeds_store, server, wrk


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--seconds", type=int, default=60)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store, people = seeds_store(Path(tmp))
        pages = [urlsplit(p).path for p in people[:10]]
        queries = [query_path(path.read_text(encoding="utf-8"))
                   for path in sorted((ROOT / "server" / "queries").glob("*.rq"))]
        lookups = [query_path(f"SELECT ?p ?o WHERE {{ <{p}> ?p ?o }}") for p in people[:10]]
        mix = queries * 3 + lookups + pages + ["/", "/ontology", "/.well-known/void"]
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        with server([str(BIN / "kg"), "serve", "--store", str(store), "--port", str(port)], base + "/sparql") as proc:
            samples: list[float] = []
            done = threading.Event()

            def sample() -> None:
                while not done.is_set():
                    samples.append(rss_mb(proc.pid))
                    time.sleep(1)

            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            result = wrk(mix, base, args.connections, args.seconds)
            done.set()
            sampler.join()
    print(f"{args.connections} connections, {args.seconds} s, {len(mix)} distinct requests in rotation")
    print(f"requests/s {result['rps']:.0f}  p50 {result['p50']:.1f} ms  p99 {result['p99']:.1f} ms  "
          f"requests {int(result['requests'])}  socket errors {int(result['errors'])}  "
          f"non-2xx {int(result['non2xx'])}")
    if samples:
        print(f"server memory: start {samples[0]:.0f} MB, peak {max(samples):.0f} MB, end {samples[-1]:.0f} MB")
        # Flat means no growth after warm-up: compare the second quarter of the run with the last.
        quarter = max(1, len(samples) // 4)
        early, late = samples[quarter:2 * quarter], samples[-quarter:]
        if early and late:
            growth = max(late) / max(early)
            print(f"memory after warm-up: {max(early):.0f} MB (2nd quarter) -> {max(late):.0f} MB (last quarter), "
                  f"ratio {growth:.2f} (goal: flat, <= 1.10)")


if __name__ == "__main__":
    main()
