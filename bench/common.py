"""Shared by the endpoint and load benchmarks: servers on loopback, wrk runs, process memory."""

from __future__ import annotations

import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import requests

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def require(tool: str, install: str) -> str:
    path = shutil.which(tool) or (str(BIN / tool) if (BIN / tool).exists() else None)
    if path is None:
        raise SystemExit(f"{tool} is needed for this benchmark: {install}")
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def server(command: Sequence[str], url: str) -> Iterator[subprocess.Popen[bytes]]:
    proc = subprocess.Popen(list(command), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                requests.get(url, timeout=1)
                break
            except requests.ConnectionError:
                if proc.poll() is not None:
                    raise SystemExit(f"{command[0]} exited with status {proc.returncode}") from None
                time.sleep(0.2)
        yield proc
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def peak_rss_mb(children: bool = False) -> float:
    """Peak resident memory of this process (plus, with ``children``, its largest finished child), in MB."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if children:
        peak += resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return peak / 1024


def rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants, in MB."""
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        ppid = int(fields.get("PPid", "0").strip() or 0)
        if int(entry.name) == pid or _descends(ppid, pid):
            total += int(fields.get("VmRSS", "0 kB").split()[0])
    return total / 1024


def _descends(ppid: int, root: int) -> bool:
    seen = set()
    while ppid > 1 and ppid not in seen:
        if ppid == root:
            return True
        seen.add(ppid)
        try:
            text = Path(f"/proc/{ppid}/status").read_text()
        except OSError:
            return False
        ppid = int(re.search(r"PPid:\s*(\d+)", text).group(1))  # type: ignore[union-attr]
    return False


def wrk(url_paths: Sequence[str], base: str, connections: int, seconds: int,
        headers: dict[str, str] | None = None) -> dict[str, float]:
    """Run wrk over a rotating list of GET paths; requests/s, p50 and p99 (ms), non-2xx and errors."""
    binary = require("wrk", "apt-get install wrk")
    lines = ["local paths = {" + ",".join(f'"{p}"' for p in url_paths) + "}", "local i = 0",
             "request = function()", "  i = i % #paths + 1",
             "  return wrk.format(\"GET\", paths[i])", "end"]
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write("\n".join(lines) + "\n")
    args = [binary, "-t", str(min(2, connections)), "-c", str(connections), "-d", f"{seconds}s", "--latency",
            "-s", script.name]
    for key, value in (headers or {}).items():
        args += ["-H", f"{key}: {value}"]
    out = subprocess.run([*args, base], capture_output=True, text=True, check=True).stdout
    Path(script.name).unlink()
    return _parse_wrk(out)


def _ms(value: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", value)
    if match is None:
        raise ValueError(f"unexpected wrk latency {value!r}")
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}
    return float(match.group(1)) * scale[match.group(2)]


def _parse_wrk(out: str) -> dict[str, float]:
    try:
        rps = float(re.search(r"Requests/sec:\s*([\d.]+)", out).group(1))  # type: ignore[union-attr]
        p50 = _ms(re.search(r"\n\s+50%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
        p99 = _ms(re.search(r"\n\s+99%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    except (AttributeError, ValueError) as exc:
        raise SystemExit(f"could not read wrk's output ({exc}):\n{out}") from None
    non2xx = re.search(r"Non-2xx or 3xx responses:\s*(\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    total = re.search(r"(\d+) requests in", out)
    return {"rps": rps, "p50": p50, "p99": p99, "non2xx": float(non2xx.group(1)) if non2xx else 0.0,
            "errors": float(sum(int(x) for x in errors.groups())) if errors else 0.0,
            "requests": float(total.group(1)) if total else 0.0}


def seeds_store(folder: Path) -> tuple[Path, list[str]]:
    """The seeds' graph built with ``kg build`` into ``folder / "seeds-kg"``, and its people's IRIs."""
    store = folder / "seeds-kg"
    subprocess.run([str(BIN / "kg"), "-q", "build", str(ROOT / "seeds"), "--store", str(store)], check=True)
    rows = subprocess.run([str(BIN / "kg"), "query", "--store", str(store), "--format", "tsv",
                           "SELECT DISTINCT ?p WHERE { ?p a ops:Person } ORDER BY ?p"], capture_output=True,
                          text=True, check=True).stdout.splitlines()[1:]
    return store, [row.strip("<>") for row in rows]


def query_path(query: str) -> str:
    return "/sparql?query=" + quote(query, safe="")
