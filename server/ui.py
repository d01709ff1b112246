"""The query page at ``/``: an editor with the README's examples one click away.

The built-in editor works fully offline; when the browser can load YASGUI from its CDN, the page
uses it instead. Results are rendered as a table whose IRIs link to the resource pages, with
downloads in every format.
"""

from __future__ import annotations

import functools
from importlib import resources as files
from pathlib import Path

from flask import Blueprint, Response, render_template

from kg.vocab import ONTOLOGY_IRI
from server import current_settings

bp = Blueprint("ui", __name__, template_folder="templates", static_folder="static", static_url_path="/static")

QUERIES = Path(str(files.files("server") / "queries"))


def examples() -> list[dict[str, str]]:
    """The example queries, in order: file ``01-leadership-succession-of-isis.rq`` -> its title and text."""
    return [dict(example) for example in _read_examples()]


@functools.cache
def _read_examples() -> tuple[dict[str, str], ...]:
    """The packaged query files, read once."""
    out = []
    for path in sorted(QUERIES.glob("*.rq")):
        title = path.stem.split("-", 1)[1].replace("-", " ")
        out.append({"id": path.stem, "title": title[0].upper() + title[1:].replace("isis", "ISIS"),
                    "query": path.read_text(encoding="utf-8").strip()})
    return tuple(out)


@bp.route("/", methods=["GET"])
def page() -> Response:
    html = render_template("ui.html", examples=examples(), base=current_settings().base, ontology=ONTOLOGY_IRI)
    return Response(html, mimetype="text/html")
