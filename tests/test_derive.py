"""An incremental derivation runs with Python's cycle collector paused, and leaves it as it found it."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from typing import Any

import pytest

from kg import derive, identity_state
from kg.store import OxigraphStore
from kg.vocab import IRIs

IRIS = IRIs("https://w3id.org/opskg/id/")


def article(name: str, slug: str) -> tuple[str, str]:
    """An article graph that names one person."""
    graph = f"https://w3id.org/opskg/id/article/{name}"
    return graph, (f'<{graph}> <https://w3id.org/opskg/ontology#contentHash> "sha256:{name}" .\n'
                   f"<https://w3id.org/opskg/id/person/{slug}> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
                   "<https://w3id.org/opskg/ontology#Person> .\n")


@pytest.fixture
def collector() -> Iterator[None]:
    enabled = gc.isenabled()
    yield
    if enabled:
        gc.enable()
    else:
        gc.disable()


def collector_state_when_called(monkeypatch: pytest.MonkeyPatch, module: object, name: str) -> list[bool]:
    """Whether the collector was on, each time ``module.name`` is called."""
    seen: list[bool] = []
    real = getattr(module, name)

    def spy(*args: Any, **kwargs: Any) -> Any:
        seen.append(gc.isenabled())
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, spy)
    return seen


@pytest.mark.parametrize("enabled", [True, False])
def test_the_collector_is_paused_while_articles_are_added_and_left_as_it_was(
        monkeypatch: pytest.MonkeyPatch, collector: None, enabled: bool) -> None:
    """Paused for an incremental derivation; a full one (the first) collects as before."""
    seen = collector_state_when_called(monkeypatch, identity_state, "ntriples")
    gc.enable() if enabled else gc.disable()
    store = OxigraphStore(None)
    store.replace_graphs(dict([article("a1", "omar-varani")]))
    derive.refresh(store, IRIS)
    store.replace_graphs(dict([article("a2", "salim-zorini")]))
    derive.refresh(store, IRIS)
    assert seen == [enabled, False] and gc.isenabled() is enabled


def test_the_collector_resumes_when_new_articles_make_the_derivation_a_full_one(
        monkeypatch: pytest.MonkeyPatch, collector: None) -> None:
    """A new article types Tel Varani as a place where the first said a person: the graph is inconsistent,
    the incremental derivation gives way to a full one, and that one collects."""
    seen = collector_state_when_called(monkeypatch, derive, "_recompute")
    gc.enable()
    store = OxigraphStore(None)
    store.replace_graphs(dict([article("a1", "tel-varani")]))
    derive.refresh(store, IRIS)
    graph, text = article("a2", "tel-varani")
    store.replace_graphs({graph: text.replace("ontology#Person", "ontology#Location")})
    report = derive.refresh(store, IRIS)
    assert report.conflicts and seen == [True, True] and gc.isenabled()


def test_the_collector_resumes_when_a_derivation_fails(monkeypatch: pytest.MonkeyPatch, collector: None) -> None:
    def fail(*_args: Any, **_kwargs: Any) -> str:
        raise RuntimeError("a derivation that fails part way")

    store = OxigraphStore(None)
    store.replace_graphs(dict([article("a1", "omar-varani")]))
    derive.refresh(store, IRIS)
    monkeypatch.setattr(identity_state, "ntriples", fail)
    gc.enable()
    store.replace_graphs(dict([article("a2", "salim-zorini")]))
    with pytest.raises(RuntimeError, match="part way"):
        derive.refresh(store, IRIS)
    assert gc.isenabled()
