"""``kg serve`` in a subprocess for tests that need the real HTTP server (one implementation for all)."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import requests

#: Seconds a test request may take (queries stop at the server's own limit well before).
HTTP_TIMEOUT = 30.0


def kg_command() -> str:
    """The ``kg`` console script of the running interpreter's environment."""
    return str(Path(sys.executable).with_name("kg"))


def copy_store(source: Path, target: Path) -> Path:
    """A copy of a store directory that a server may open read-write."""
    shutil.copytree(source, target)
    (target / "LOCK").unlink(missing_ok=True)
    return target


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LiveServer:
    """``kg serve`` in a subprocess on 127.0.0.1 with its output captured in a file.

    ``env``: environment variables to set for the server (on top of this process's, without OPSKG_TOKEN).
    """

    def __init__(self, store: Path, log: Path, *args: str, token: str | None = None, port: int | None = None,
                 env: Mapping[str, str] | None = None) -> None:
        self.store = store
        self.log = log
        self.args = args
        self.token = token
        self.port = port or free_port()
        self.env = dict(env or {})
        self.url = f"http://127.0.0.1:{self.port}"
        self.session = requests.Session()
        self.session.trust_env = False  # never a proxy: only the local test server is contacted
        self._proc: subprocess.Popen[bytes] | None = None
        #: the dataset last loaded by :func:`load_dataset` (None: unknown, reload)
        self.loaded: object = None
        #: after :meth:`stop`: the server's exit status (None: it had to be killed) and how long it took to exit
        self.exit_status: int | None = None
        self.stop_seconds: float | None = None

    def start(self) -> LiveServer:
        command = [kg_command(), "serve", "--store", str(self.store), "--host", "127.0.0.1", "--port", str(self.port),
                   *self.args]
        env = {k: v for k, v in os.environ.items() if k != "OPSKG_TOKEN"} | self.env
        with self.log.open("wb") as out:
            self._proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                          start_new_session=True, env=env)
        deadline = time.monotonic() + 60
        while True:
            try:
                self.session.get(self.url + "/sparql", params={"query": "ASK {}"}, timeout=10)
                return self
            except (requests.ConnectionError, requests.Timeout):
                if self._proc.poll() is not None:
                    raise RuntimeError(f"kg serve exited: {self.log_text()}") from None
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"kg serve did not start in time: {self.log_text()}") from None
                time.sleep(0.1)

    def stop(self, sig: int = signal.SIGTERM, *, group: bool = True) -> int | None:
        """Stop the server with ``sig``, sent to its whole process group (as Ctrl-C does) or with
        ``group=False`` to its master process only; its exit status, None if it had to be killed.

        Sets :attr:`exit_status` and :attr:`stop_seconds`, the time it took to exit.
        """
        proc, self._proc = self._proc, None
        if proc is None:
            return self.exit_status
        self.session.close()  # no kept-alive connection holds the server up
        started = time.monotonic()
        with contextlib.suppress(ProcessLookupError):
            if group:
                os.killpg(proc.pid, sig)
            else:
                os.kill(proc.pid, sig)
        try:
            self.exit_status = proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
            self.exit_status = None
        self.stop_seconds = time.monotonic() - started
        return self.exit_status

    def cpu_seconds(self) -> float:
        """CPU time used so far by the server's live processes (all of its process group)."""
        assert self._proc is not None, "the server is not running"
        ticks = 0
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == self._proc.pid:  # fields after the name: state, ppid, pgrp, ...
                ticks += int(fields[11]) + int(fields[12])  # utime, stime
        return ticks / os.sysconf("SC_CLK_TCK")

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""

    # --- requests (bounded, local) ---

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", HTTP_TIMEOUT)
        kwargs.setdefault("allow_redirects", False)
        return self.session.request(method, self.url + path, **kwargs)

    def send_raw(self, method: str, path: str, headers: Mapping[str, str | None], body: bytes | None,
                 ) -> requests.Response:
        """A request whose path and query string go out exactly as given (no re-quoting)."""
        prepared = self.session.prepare_request(requests.Request(method, self.url + "/", headers=dict(headers),
                                                                 data=body))
        prepared.url = self.url + path
        return self.session.send(prepared, timeout=HTTP_TIMEOUT, allow_redirects=False)

    def auth(self) -> dict[str, str]:
        assert self.token, "this server was started without a token"
        return {"Authorization": f"Bearer {self.token}"}

    def update(self, text: str) -> None:
        response = self.request("POST", "/sparql", data=text.encode(),
                                headers={"Content-Type": "application/sparql-update", **self.auth()})
        assert response.status_code == 204, f"update failed: {response.status_code} {response.text}"

    def clear(self) -> None:
        """Empty the store: every named graph and the default graph."""
        self.update("DROP ALL")

    def put_graph(self, data: bytes, media_type: str, graph: str | None = None, method: str = "PUT") -> None:
        params = {"graph": graph} if graph is not None else {"default": ""}
        response = self.request(method, "/store", params=params, data=data,
                                headers={"Content-Type": media_type, **self.auth()})
        assert response.status_code in (201, 204), f"{method} /store failed: {response.status_code} {response.text}"


@contextlib.contextmanager
def running(store: Path, log: Path, *args: str, token: str | None = None, port: int | None = None,
            env: Mapping[str, str] | None = None) -> Iterator[LiveServer]:
    server = LiveServer(store, log, *args, token=token, port=port, env=env).start()
    try:
        yield server
    finally:
        server.stop()
