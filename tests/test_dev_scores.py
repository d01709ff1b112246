"""The development corpora (``../shared/eval/dev/`` and ``dev2/``): their scores must not fall below the
recorded floors (tests/golden/dev_scores.json), overall and per line.

The texts are third-party pages that are not committed: this test runs only when they were retrieved
into ``devdata/<corpus>/`` (see each corpus's README) and every file matches its recorded sha256;
otherwise it is skipped, in CI too. To record better floors: ``OPSKG_RECORD_SCORE=1 pytest
tests/test_dev_scores.py``.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kg.build import build
from kg.config import Settings
from kg.export import export
from kg.store.oxigraph import open_store
from kg.vocab import IRIs
from tests.conftest import ROOT, SHARED

pytestmark = pytest.mark.slow
FLOORS = ROOT / "tests" / "golden" / "dev_scores.json"


def _texts(corpus: str) -> Path:
    folder = ROOT / "devdata" / corpus
    sources = SHARED / "eval" / corpus / "sources.json"
    if not sources.exists() or not folder.is_dir():
        pytest.skip(f"the {corpus} texts are not in {folder} (see ../shared/eval/{corpus}/README.md)")
    for row in json.loads(sources.read_text(encoding="utf-8")):
        path = folder / row["file"]
        if not path.exists() or hashlib.sha256(path.read_bytes()).hexdigest() != row["sha256"]:
            pytest.skip(f"{path} is missing or differs from its recorded sha256")
    return folder


@pytest.mark.parametrize("corpus", ["dev", "dev2"])
def test_dev_score_does_not_regress(corpus: str, tmp_path: Path) -> None:
    folder = _texts(corpus)
    store_path = tmp_path / "store"
    store = open_store(store_path)
    try:
        report = build([str(folder)], Settings(store=store_path), store)
        assert report.ok
        out = io.BytesIO()
        export(store, IRIs(Settings().base), "nquads", out)
    finally:
        store.close()
    graph = tmp_path / f"{corpus}.nq"
    graph.write_bytes(out.getvalue())
    result_file = tmp_path / f"{corpus}.json"
    gold = SHARED / "eval" / corpus / f"{corpus}.gold.json"
    result = subprocess.run([sys.executable, str(SHARED / "eval" / "score.py"), str(gold), str(graph),
                             "--json", str(result_file)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    print(result.stdout)
    report_figures = json.loads(result_file.read_text())["report"]
    figures = {"score": report_figures["score"]} | {
        line: value.get("f1", value.get("acc")) for line, value in report_figures.items() if isinstance(value, dict)}
    floors = json.loads(FLOORS.read_text()) if FLOORS.exists() else {}
    if os.environ.get("OPSKG_RECORD_SCORE"):
        floors[corpus] = figures
        FLOORS.write_text(json.dumps(floors, indent=1, sort_keys=True) + "\n")
    recorded = floors.get(corpus)
    assert recorded is not None, f"no floors for {corpus} in {FLOORS}: record them with OPSKG_RECORD_SCORE=1"
    fallen = {line: (floor, figures.get(line)) for line, floor in recorded.items()
              if floor is not None and (figures.get(line) is None or figures[line] < floor)}
    assert not fallen, f"{corpus}: lines below their floors (floor, now): {fallen}"
