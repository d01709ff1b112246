"""The stored articles: listing, lookup by id / file name / URL, removal."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import PurePath

from rdflib.namespace import DCTERMS

from kg import derive
from kg.errors import ArticleNotFoundError
from kg.lookups import Lookups, by_subject
from kg.store import GraphStore
from kg.vocab import OPS, IRIs

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StoredArticle:
    id: str
    iri: str
    content_hash: str
    builder: str
    source: str
    url: str | None = None
    title: str | None = None


def stored_articles(store: GraphStore, iris: IRIs) -> dict[str, StoredArticle]:
    """Every stored article, by id (index lookups, one property at a time)."""
    lookups = Lookups(store, iris)

    def values(predicate: str) -> dict[str, str]:
        """Article graph -> the value its article node has for ``predicate`` (the least, if several)."""
        return {graph: objects[0] for (node, graph), objects in by_subject(lookups, predicate).items()
                if node == graph}

    ids, hashes, builders, sources = (values(str(p)) for p in (DCTERMS.identifier, OPS.contentHash, OPS.builtWith,
                                                                OPS.sourceName))
    urls, titles = values(str(DCTERMS.source)), values(str(DCTERMS.title))
    out = {}
    for graph in sorted(ids.keys() & hashes.keys() & builders.keys() & sources.keys()):
        article = StoredArticle(ids[graph], graph, hashes[graph], builders[graph], sources[graph], urls.get(graph),
                                titles.get(graph))
        out[article.id] = article
    return out


def find_article(store: GraphStore, iris: IRIs, name: str) -> StoredArticle:
    """The article whose id, source (path or URL), file name or file stem is ``name``."""
    articles = stored_articles(store, iris)
    if name in articles:
        return articles[name]
    matches = [a for a in articles.values()
               if name in (a.source, a.url, a.iri, PurePath(a.source).name, PurePath(a.source).stem)]
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        ids = ", ".join(sorted(a.id for a in matches))
        raise ArticleNotFoundError(f"{name!r} matches several articles ({ids}): name one by its id")
    raise ArticleNotFoundError(f"no stored article has the id, file name or URL {name!r}: "
                               "list them with `kg stats --articles`")


def remove_article(store: GraphStore, iris: IRIs, name: str) -> StoredArticle:
    """Remove an article's graph, then recompute the derived graphs without it."""
    article = find_article(store, iris, name)
    store.remove_graphs([article.iri])
    log.info("removed %s (%s)", article.id, article.source)
    derive.refresh(store, iris)
    return article
