"""What a query or update asks for, read before it runs: nothing here reaches the network.

The endpoint refuses ``SERVICE`` (a federated query would make this server fetch from other
hosts), ``LOAD`` (fetching a document) and ``FROM`` / ``FROM NAMED`` of a graph this store does not
hold (no remote datasets). The checks tokenise the text as the SPARQL grammar does (strings, IRIs with
their \\u escapes, escaped characters of local names, comments), so a keyword inside a string, an IRI
or a comment is not mistaken for one, and no keyword is hidden from the checks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin

import pyoxigraph as ox

from kg.sparql_text import TOKEN, declared_prefixes, prefix_of
from kg.sparql_text import tokens as read_tokens

#: A second, independent look for SERVICE, on the raw text: the keyword, then an IRI, a variable or
#: a prefixed name, then a group. It errs towards seeing one (also in a string or a comment), so a
#: mistake of the tokenizer cannot open the way to an outbound request.
_SERVICE_SHAPE = re.compile(
    r"(?i)(?<![\w:?$])SERVICE(?![\w-])(?:\s|#[^\r\n]*)*(?:SILENT(?:\s|#[^\r\n]*)*)?"
    r"(?:<[^<>\s]*>|[?$]\w+|[A-Za-z_][\w.-]*:[\w.:%\\-]*|:[\w.:%\\-]*)(?:\s|#[^\r\n]*)*\{")
#: The same for LOAD: the keyword, then an IRI or a prefixed name (LOAD <x>, LOAD:x, LOAD SILENT p:x).
_LOAD_SHAPE = re.compile(
    r"(?i)(?<![\w:?$])LOAD(?![\w-])(?:\s|#[^\r\n]*)*(?:SILENT(?:\s|#[^\r\n]*)*)?(?:<|:|[A-Za-z_][\w.-]*:)")
_ABSOLUTE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
_INTEGER = re.compile(r"\s*(\d{1,18})(?!\d)")


@dataclass
class Inspection:
    keywords: list[str] = field(default_factory=list)
    #: IRIs named by FROM and FROM NAMED (without angle brackets), prefixed names expanded
    dataset: list[str] = field(default_factory=list)
    #: whether the query names its own dataset (FROM or FROM NAMED, even one not understood here)
    declares_dataset: bool = False
    #: keywords outside every group (the prologue, the dataset clauses, WITH and USING of updates)
    top_keywords: list[str] = field(default_factory=list)
    #: the query's own LIMIT (outside every group, so it bounds the result), if it has one
    limit: int | None = None
    #: whether the raw text has the shape of a SERVICE clause (see ``_SERVICE_SHAPE``)
    service_shape: bool = False
    #: whether the raw text has the shape of a LOAD operation (see ``_LOAD_SHAPE``)
    load_shape: bool = False

    @property
    def uses_service(self) -> bool:
        return "SERVICE" in self.keywords or self.service_shape

    @property
    def uses_load(self) -> bool:
        return "LOAD" in self.keywords or self.load_shape


def inspect(text: str, prefixes: dict[str, str] | None = None) -> Inspection:
    """What ``text`` asks for; ``prefixes``: those predefined for it (its own PREFIX lines are read here)."""
    result = Inspection(service_shape=_SERVICE_SHAPE.search(text) is not None,
                        load_shape=_LOAD_SHAPE.search(text) is not None)
    known = {**(prefixes or {}), **declared_prefixes(list(read_tokens(text)))}
    matches = [m for m in TOKEN.finditer(text) if m.lastgroup not in ("comment", "string")]
    tokens = [(m.lastgroup, m.group()) for m in matches]
    base = ""
    depth = 0
    for i, (kind, value) in enumerate(tokens):
        if kind == "other":
            depth += (value == "{") - (value == "}")
        if kind != "word" or _is_name(text, matches[i]):
            continue
        if i > 0 and tokens[i - 1][0] == "word" and tokens[i - 1][1].upper() == "PREFIX":
            continue  # PREFIX from: <...> declares a prefix spelt like a keyword
        word = value.upper()
        if word == "LIMIT" and depth == 0:
            number = _INTEGER.match(text, matches[i].end())
            result.limit = int(number.group(1)) if number else None
        result.keywords.append(word)
        if depth == 0:
            result.top_keywords.append(word)
        if word == "BASE" and i + 1 < len(tokens) and tokens[i + 1][0] == "iri":
            base = _resolve(base, tokens[i + 1][1][1:-1])
        if word == "FROM" and depth == 0:
            result.declares_dataset = True
            j = i + 1
            if j < len(tokens) and tokens[j][1].upper() == "NAMED":
                j += 1
            if j < len(tokens) and tokens[j][0] == "iri":
                result.dataset.append(_resolve(base, tokens[j][1][1:-1]))
            elif j < len(tokens) and tokens[j][0] == "pname" and prefix_of(tokens[j][1]) in known:
                # FROM :g is FROM <g>: the prefix's IRI (resolved against BASE) and the local name
                prefix = prefix_of(tokens[j][1])
                local = _unescape_local(tokens[j][1][len(prefix) + 1:])
                result.dataset.append(_resolve(base, known[prefix]) + local)
    if depth != 0:
        result.limit = None  # unbalanced braces: the text does not parse, whatever it seems to say
    return result


def _unescape_local(local: str) -> str:
    """A local name as it reads in the IRI: ``a\\#b`` is ``a#b``."""
    return re.sub(r"\\(.)", r"\1", local)


def _is_name(text: str, match: re.Match[str]) -> bool:
    """Whether a word is part of a variable (?service), not a keyword."""
    start = match.start()
    # A prefixed name is one token (kg.sparql_text), except a keyword glued to its local part
    # (SERVICE:x), which is read as the keyword: a word before ':' is such a keyword.
    return start > 0 and text[start - 1] in "?$:"


def _resolve(base: str, iri: str) -> str:
    """A relative IRI resolved against the query's BASE (FROM <g> with BASE names an absolute graph)."""
    if not base or _ABSOLUTE.match(iri):
        return iri
    return urljoin(base, iri)


def add_using(update: str, default: list[ox.NamedNode], named: list[ox.NamedNode]) -> str:
    """The protocol's using-graph-uri / using-named-graph-uri as USING clauses before each WHERE.

    The graphs come as parsed IRIs, written by pyoxigraph (``str(node)`` is ``<iri>`` with nothing
    that could end it early): updates take no substitutions, so this is how a request's graph names
    reach their text.
    """
    clauses = " ".join([*(f"USING {g}" for g in default), *(f"USING NAMED {g}" for g in named)])
    if not clauses:
        return update
    out, depth, i = [], 0, 0
    for m in TOKEN.finditer(update):
        out.append(update[i:m.start()])
        value = m.group()
        if m.lastgroup == "other":
            depth += value == "{"
            depth -= value == "}"
        if m.lastgroup == "word" and value.upper() == "WHERE" and depth == 0:
            out.append(f"{clauses} ")
        out.append(value)
        i = m.end()
    out.append(update[i:])
    return "".join(out)


def declares_dataset(update: str) -> bool:
    """Whether an update names its own dataset (USING, USING NAMED or WITH)."""
    words = inspect(update).top_keywords
    return "USING" in words or "WITH" in words
