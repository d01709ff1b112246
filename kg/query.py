"""``kg query``: SPARQL over the knowledge graph (or the union of the store's graphs), in a choice of result
formats."""

from __future__ import annotations

import io
import json

import pyoxigraph as ox

from kg.errors import ConfigError, QueryError, QuerySyntaxError
from kg.sparql_text import explain_syntax_error, names_dataset, shorten
from kg.store import GraphStore
from kg.vocab import PREFIXES

FORMATS = ("table", "csv", "tsv", "json", "turtle")
_RESULT_FORMATS = {"csv": ox.QueryResultsFormat.CSV, "tsv": ox.QueryResultsFormat.TSV,
                   "json": ox.QueryResultsFormat.JSON}


def run_query(store: GraphStore, sparql: str, fmt: str = "table", default_graphs: list[str] | None = None) -> str:
    """Evaluate ``sparql`` and render its result; common prefixes (``ops:``, ``rdfs:``...) are predefined.

    ``default_graphs``: the query's default graph (``""`` is the store's own), unless the query names its
    own dataset; by default the union of all graphs.
    """
    if fmt not in FORMATS:
        raise ConfigError(f"unknown result format {fmt!r}: use one of {', '.join(FORMATS)}")
    if names_dataset(sparql):
        default_graphs = None
    try:
        result = store.query(sparql, prefixes=PREFIXES, default_graphs=default_graphs)
        return render(result, fmt)
    except QuerySyntaxError as exc:
        explained = explain_syntax_error(sparql, str(exc), PREFIXES)
        if not explained.startswith("the SPARQL query does not parse"):
            explained = f"the SPARQL query does not parse: {explained}"
        raise QuerySyntaxError(explained) from None
    except (OSError, ValueError, RuntimeError) as exc:  # evaluation errors surface while iterating
        raise QueryError(f"the query could not be evaluated: {shorten(str(exc))}") from None


def render(result: object, fmt: str) -> str:
    if isinstance(result, ox.QueryBoolean):
        value = bool(result)
        return json.dumps({"head": {}, "boolean": value}) if fmt == "json" else str(value).lower()
    if isinstance(result, ox.QueryTriples):
        out = io.BytesIO()
        ox.serialize(result, out, ox.RdfFormat.TURTLE, prefixes=PREFIXES)
        return out.getvalue().decode()
    assert isinstance(result, ox.QuerySolutions)
    if fmt == "turtle":
        raise ConfigError("--format turtle is for CONSTRUCT and DESCRIBE queries: use table, csv, tsv or json")
    if fmt in _RESULT_FORMATS:
        return bytes(result.serialize(format=_RESULT_FORMATS[fmt]) or b"").decode()
    return _table(result)


def short(term: object) -> str:
    """A term for people: prefixed IRIs, plain literal values."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        for prefix, ns in PREFIXES.items():
            if term.value.startswith(ns):
                return f"{prefix}:{term.value[len(ns):]}"
        return f"<{term.value}>"
    if isinstance(term, ox.Literal):
        return term.value
    return str(term)


def _table(solutions: ox.QuerySolutions) -> str:
    names = [v.value for v in solutions.variables]
    rows = [[short(row[name]) for name in names] for row in solutions]
    widths = [max([len(n), *(len(r[i]) for r in rows)]) for i, n in enumerate(names)]
    widths = [min(w, 80) for w in widths]

    def line(cells: list[str]) -> str:
        return " | ".join(c[:w].ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    out = [line(names), "-+-".join("-" * w for w in widths)]
    out += [line(r) for r in rows]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out) + "\n"
