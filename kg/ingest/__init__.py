"""Ingestion: turn the user's SOURCE arguments into decoded, cleaned articles.

``read_sources`` yields an :class:`~kg.model.Article` or a :class:`~kg.errors.SourceError` per
source, so one bad source never stops the others.
"""

from kg.ingest.sources import read_sources

__all__ = ["read_sources"]
