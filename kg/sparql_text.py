"""SPARQL text as the grammar reads it: tokens, and syntax errors explained to people.

The tokenizer knows strings, IRIs (with their ``\\u`` escapes), prefixed names (with the escaped
characters of local names), comments, words and punctuation, so a keyword inside a string, an IRI
or a comment is never mistaken for one, and a ``#`` inside an IRI or a local name never hides the
rest of a line. The server's query inspector and the error messages of ``kg query`` and the
endpoint both read queries through it.

pyoxigraph reports a syntax error as the characters its parser expected next, which for a missing
prefix is a wall of Unicode ranges. :func:`explain_syntax_error` says instead what is wrong in
the words of the language: an unknown prefix and where it is used, a query that does not start
with a query form, or the parser's own message with its position and without the character classes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

_LOCAL_ESCAPE = r"\\[_~.\-!$&'()*+,;=/?#@%]"

TOKEN = re.compile(
    r'(?P<string>"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*')"
    r"|(?P<iri><(?:[^<>\"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>)"
    # a prefixed name: PN_PREFIX? ':' PN_LOCAL?, the local part with its escapes (e:a\#b); a local
    # name never ends with '.', so the dot that ends a triple stays outside it
    # A dataset keyword glued to a prefixed name (FROM:g, NAMED:g, WITH:g, USING:g) is the keyword,
    # then ':g', as the SPARQL parser reads it there (server.inspect counts them only outside groups).
    # SERVICE:x and LOAD:x are caught on the raw text by server.inspect's shape checks.
    r"|(?P<pname>(?:(?<![\w?$])(?!(?i:from|named|with|using):)"
    r"[A-Za-z](?:[\w.-]*[\w-])?)?:"
    rf"(?:[\w:%-]|{_LOCAL_ESCAPE}|\.(?=[\w:%-]|{_LOCAL_ESCAPE}))*)"
    rf"|(?P<escape>{_LOCAL_ESCAPE})"
    r"|(?P<comment>#[^\r\n]*)"
    r"|(?P<word>[A-Za-z_][\w-]*)"
    r"|(?P<other>\S)",
)

QUERY_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
_ENGINE_POSITION = re.compile(r"error at (\d+):(\d+): ")
#: A character class in the engine's list of expected tokens: ['A' ..= 'Z' | ...], [_], ['%']
_CHAR_CLASS = re.compile(r"\[[^\[\]]*\](?:,\s*)?")


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    start: int


def tokens(text: str, *, keep_comments: bool = False) -> Iterator[Token]:
    """The tokens of a query or update, without comments unless asked for."""
    for m in TOKEN.finditer(text):
        kind = m.lastgroup or "other"
        if kind == "comment" and not keep_comments:
            continue
        yield Token(kind, m.group(), m.start())


def prefix_of(pname: str) -> str:
    """The prefix of a prefixed name, without its colon (``""`` for ``:x``)."""
    return pname.split(":", 1)[0]


def declared_prefixes(items: list[Token]) -> dict[str, str]:
    """The query's own ``PREFIX p: <iri>`` declarations (IRIs as written)."""
    out = {}
    for i, token in enumerate(items[:-2]):
        if token.kind == "word" and token.text.upper() == "PREFIX" and items[i + 1].kind == "pname" \
                and items[i + 1].text.endswith(":") and items[i + 2].kind == "iri":
            out[items[i + 1].text[:-1]] = items[i + 2].text[1:-1]
    return out


def position(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of a character offset."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def explain_syntax_error(text: str, engine_message: str, predefined: Mapping[str, str] | None = None, *,
                         update: bool = False) -> str:
    """One line saying why ``text`` does not parse, for a person.

    ``predefined``: the prefixes the caller declares for every query (the query page's ``ops:``,
    ``rdfs:``...). ``update``: the text is a SPARQL Update, not a query.
    """
    items = list(tokens(text))
    if not items:
        if update:
            return "the update is empty"
        return "the query is empty: write a SELECT, ASK, CONSTRUCT or DESCRIBE query"
    known = {**(predefined or {}), **declared_prefixes(items)}
    for i, token in enumerate(items):
        if token.kind != "pname":
            continue
        declaring = i > 0 and items[i - 1].kind == "word" and items[i - 1].text.upper() == "PREFIX"
        prefix = prefix_of(token.text)
        if not declaring and prefix not in known:
            line, column = position(text, token.start)
            return (f"unknown prefix '{prefix}:' in {token.text} at line {line}, column {column}: "
                    f"declare it with PREFIX {prefix}: <IRI>")
    if not update:
        first = _first_form(items)
        if first is not None and first.text.upper() not in QUERY_FORMS:
            line, column = position(text, first.start)
            return (f"a query starts with SELECT, ASK, CONSTRUCT or DESCRIBE (after its PREFIX and BASE "
                    f"declarations), not '{first.text}' (line {line}, column {column})")
    return shorten(engine_message)


def _first_form(items: list[Token]) -> Token | None:
    """The first token after the PREFIX and BASE declarations."""
    i = 0
    while i < len(items):
        word = items[i].text.upper() if items[i].kind == "word" else ""
        if word == "PREFIX":
            i += 3
        elif word == "BASE":
            i += 2
        else:
            return items[i]
    return None


def shorten(engine_message: str, limit: int = 240) -> str:
    """The engine's message on one line: its position in words, no character classes, at most ``limit`` long."""
    line = " ".join(engine_message.split())
    found = _ENGINE_POSITION.search(line)
    if found:
        line = f"{line[:found.start()]}{line[found.end():]} (line {found.group(1)}, column {found.group(2)})"
    if "expected" in line and "[" in line:
        line = _CHAR_CLASS.sub("", line).replace(", (line", " (line").rstrip(", ")
        line = re.sub(r",\s*(?=\(line)", " ", line)
    return line if len(line) <= limit else line[: limit - 1] + "…"


def names_dataset(text: str) -> bool:
    """Whether a query names its own dataset: a FROM (or FROM NAMED) outside every group. Such a query
    must be run without a default dataset of the caller's, which would replace its own."""
    depth = 0
    previous = ""
    for token in tokens(text):
        if token.kind == "other":
            depth += (token.text == "{") - (token.text == "}")
        elif token.kind == "word" and depth == 0 and token.text.upper() == "FROM" and previous != "PREFIX" \
                and text[token.start - 1:token.start] not in ("?", "$"):  # ?from is a variable
            return True
        if token.kind != "other" or token.text in "{}":
            previous = token.text.upper() if token.kind == "word" else ""
    return False
