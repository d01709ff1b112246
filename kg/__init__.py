"""opskg: a knowledge graph of counter-terrorism operations built from news articles.

Data flows one way: ingest -> nlp -> extract -> resolve -> rdf -> reason -> store -> serve/export.
"""

__version__ = "0.1.0"
