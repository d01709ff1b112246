"""The one place where opskg's exceptions are defined.

Every error a user can cause carries a message that names the problem and the fix.
The CLI prints ``str(error)``; nothing else needs to be known about the class to report it.
"""

from __future__ import annotations


class OpsKGError(Exception):
    """Base class of every error opskg raises on purpose."""


class ConfigError(OpsKGError):
    """A setting (option, environment variable) has an unusable value."""


class ModelMissingError(OpsKGError):
    """The configured spaCy model is not installed."""


# --- ingestion --------------------------------------------------------------------------


class SourceError(OpsKGError):
    """One source (file, URL, JSON line, stdin) cannot be turned into an article.

    ``source`` names the input; ``reason`` says what is wrong; ``fix`` says what to do.
    """

    def __init__(self, source: str, reason: str, fix: str = "") -> None:
        self.source = source
        self.reason = reason
        self.fix = fix
        message = f"{source}: {reason}"
        if fix:
            message += f" ({fix})"
        super().__init__(message)


class EmptySourceError(SourceError):
    """The source has no text."""


class BinarySourceError(SourceError):
    """The source is not text (an image, an archive, a PDF...)."""


class EncodingSourceError(SourceError):
    """The source is not valid in the expected text encoding."""


class OversizedSourceError(SourceError):
    """The source is larger than the configured limit."""


class FetchError(SourceError):
    """A URL could not be fetched, or did not return an article."""


class MalformedRecordError(SourceError):
    """A JSON Lines record is not valid JSON or lacks the text."""


# --- store and queries --------------------------------------------------------------------


class StoreError(OpsKGError):
    """The store cannot be opened, read or written."""


class StoreLockedError(StoreError):
    """Another process holds the store open for writing."""


class ArticleNotFoundError(StoreError):
    """No stored article matches the given id, file name or URL."""


class StateError(StoreError):
    """The derivation state the store holds (its state graph) does not read back: it is derived afresh."""


class QueryError(OpsKGError):
    """A SPARQL query or update is invalid or cannot be evaluated."""


class QuerySyntaxError(QueryError):
    """The SPARQL text does not parse."""


class RDFSyntaxError(OpsKGError):
    """An RDF document does not parse."""
