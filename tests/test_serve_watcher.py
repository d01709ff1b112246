"""The store watcher of a read-only ``kg serve`` survives a writer that deletes the store's files under it."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kg.errors import StoreError
from server.serve import StoreWatcher, fingerprint


def _store_folder(folder: Path, names: list[str]) -> Path:
    folder.mkdir()
    for i, name in enumerate(names):
        path = folder / name
        path.write_bytes(b"x")
        os.utime(path, ns=(1_000_000_000 * (i + 1), 1_000_000_000 * (i + 1)))
    return folder


class _Listing:
    """What ``os.scandir`` returns: iterable, and a context manager."""

    def __init__(self, entries: list[os.DirEntry[str]]) -> None:
        self.entries = entries

    def __iter__(self) -> Iterator[os.DirEntry[str]]:
        return iter(self.entries)

    def __enter__(self) -> _Listing:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


def test_a_file_deleted_between_the_listing_and_its_stat_is_left_out(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _store_folder(tmp_path / "store", ["000008.log", "000012.sst", "CURRENT"])
    real_scandir = os.scandir

    def listing_then_compaction(path: Any) -> _Listing:
        entries = list(real_scandir(path))  # real entries: their stat() asks the file system again
        (folder / "000012.sst").unlink()  # RocksDB deletes an obsolete file right after the listing
        return _Listing(entries)

    monkeypatch.setattr(os, "scandir", listing_then_compaction)
    newest, count = fingerprint(folder)
    assert count == 2
    assert newest == (folder / "CURRENT").stat().st_mtime_ns


def test_a_concurrent_writer_never_breaks_the_fingerprint(tmp_path: Path) -> None:
    folder = _store_folder(tmp_path / "store", ["CURRENT"])
    done = threading.Event()

    def writer() -> None:  # creates and deletes files as fast as it can, as a compaction does
        i = 0
        while not done.is_set():
            path = folder / f"{i % 50:06d}.sst"
            path.write_bytes(b"x")
            path.unlink()
            i += 1

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        for _ in range(3000):
            _newest, count = fingerprint(folder)
            assert count >= 1
    finally:
        done.set()
        thread.join()


class _Executor:
    """Stands in for :class:`server.executor.Executor`: counts reopenings, failing the first ``failures``."""

    def __init__(self, failures: int = 0, error: Exception | None = None) -> None:
        self.failures = failures
        self.error = error or StoreError("the store /x cannot be opened (IO error: No such file or directory)")
        self.refreshed = 0
        self.calls = 0
        self.followed = threading.Event()

    def refresh(self) -> None:
        self.calls += 1
        if self.calls <= self.failures:
            raise self.error
        self.refreshed += 1
        self.followed.set()


def test_a_change_that_cannot_be_followed_yet_is_tried_again(tmp_path: Path, caplog: pytest.LogCaptureFixture,
                                                             ) -> None:
    folder = _store_folder(tmp_path / "store", ["000008.log", "CURRENT"])
    executor = _Executor(failures=1)
    watcher = StoreWatcher(executor, folder, interval=60)
    (folder / "000009.sst").write_bytes(b"x")  # the writer commits
    with caplog.at_level(logging.WARNING, logger="server.serve"):
        assert not watcher.check()  # the writer is mid-way: reopening fails
    assert executor.refreshed == 0 and "could not follow the store" in caplog.text
    assert watcher.check()  # nothing changed since, but the change was never followed: try again
    assert executor.refreshed == 1
    assert not watcher.check()  # now it was
    assert executor.calls == 2


def test_the_watcher_thread_outlives_errors_of_the_store_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                ) -> None:
    folder = _store_folder(tmp_path / "store", ["000008.log", "CURRENT"])
    executor = _Executor()
    watcher = StoreWatcher(executor, folder, interval=0.01)
    rounds = iter(range(1_000_000))

    def flaky(path: Path) -> tuple[int, int]:
        if next(rounds) < 3:
            raise FileNotFoundError(2, "No such file or directory", str(path / "000012.sst"))
        return (123, 4)  # then the store has changed

    monkeypatch.setattr("server.serve.fingerprint", flaky)
    watcher.start()
    try:
        assert executor.followed.wait(10), "the watcher stopped following the store after an error"
        assert watcher.is_alive()
    finally:
        watcher.stop()
    assert not watcher.is_alive()


def test_the_watcher_thread_outlives_a_store_opened_mid_write(tmp_path: Path) -> None:
    """What pyoxigraph raises when the writer deletes a file while the store opens (seen under `kg build`)."""
    folder = _store_folder(tmp_path / "store", ["000008.log", "CURRENT"])
    executor = _Executor(failures=2, error=RuntimeError(
        "Corruption: IO error: No such file or directory: While open a file for random read: store/000013.sst: "
        "No such file or directory  The file store/MANIFEST-000027 may be corrupted."))
    watcher = StoreWatcher(executor, folder, interval=0.01)
    (folder / "000013.sst").write_bytes(b"x")  # the writer commits
    watcher.start()
    try:
        assert executor.followed.wait(10), "the watcher died on the store's error"
        assert watcher.is_alive() and executor.calls == 3
    finally:
        watcher.stop()
