"""Shared fixtures: the project paths, a store built from the seeds once per session, a Flask client."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from kg.build import build
from kg.config import Settings
from kg.store import OxigraphStore, open_store

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SHARED = ROOT.parent / "shared"


def shared_path(*parts: str) -> Path:
    """A file of ../shared/; in CI it must exist, elsewhere its absence skips the test."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{path} is missing: CI runs with shared/ beside the checkout")
        pytest.skip(f"{path} is not available here")
    return path


@pytest.fixture(scope="session")
def seeds_store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store built from seeds/ (read it through ``seeds_store``; copy it to modify it)."""
    path = tmp_path_factory.mktemp("seeds") / "store"
    store = open_store(path)
    try:
        report = build([str(SEEDS)], Settings(store=path), store)
    finally:
        store.close()
    assert report.ok and len(report.added) == 5
    return path


@pytest.fixture
def seeds_store(seeds_store_path: Path) -> Iterator[OxigraphStore]:
    store = open_store(seeds_store_path, read_only=True)
    yield store
    store.close()


@pytest.fixture
def seeds_copy(seeds_store_path: Path, tmp_path: Path) -> Path:
    """A writable copy of the seeds store."""
    from tests.live import copy_store

    return copy_store(seeds_store_path, tmp_path / "store")


@pytest.fixture
def store() -> Iterator[OxigraphStore]:
    """An empty in-memory store."""
    s = OxigraphStore(None)
    yield s
    s.close()


def write_article(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


#: A short invented article (not from the seeds) used across tests.
INVENTED = (
    "Coalition forces carried out a raid in the village of Tal Zira near Dumayr on Monday, officials said. "
    "The raid killed Hamid Karran, a senior official of the Northern Front responsible for finances. "
    "Officials from the Defense Ministry told Reuters that no civilians were harmed during the operation."
)
