"""The stored articles: listing, lookup by id / file name / URL, removal."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import PurePath

from kg import derive
from kg.errors import ArticleNotFoundError
from kg.store import GraphStore
from kg.vocab import PREFIXES, IRIs

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
    """Every stored article, by id."""
    rows = store.query("""
        SELECT ?g ?id ?h ?v ?src ?url ?title WHERE { GRAPH ?g {
            ?g a ops:Article ; dct:identifier ?id ; ops:contentHash ?h ; ops:builtWith ?v ; ops:sourceName ?src .
            OPTIONAL { ?g dct:source ?url } OPTIONAL { ?g dct:title ?title } } }
    """, prefixes=PREFIXES)
    out = {}
    for row in rows:
        if not iris.is_article_graph(row["g"].value):
            continue
        url, title = row["url"], row["title"]
        article = StoredArticle(row["id"].value, row["g"].value, row["h"].value, row["v"].value,
                                row["src"].value, url.value if url else None, title.value if title else None)
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
