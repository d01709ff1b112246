"""Name normalisation shared by extraction and identity resolution."""

from __future__ import annotations

import re
import unicodedata

_QUOTES = re.compile(r"['`\u2018\u2019\u02bc\u02bf\u02be\"\u201c\u201d]")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_POSSESSIVE = re.compile(r"(?:'s|’s|'|’)$")


def fold(text: str) -> str:
    """ASCII, lower case, no quotes, words separated by single spaces."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(_NON_ALNUM.sub(" ", _QUOTES.sub("", ascii_text.lower())).split())


def strip_possessive(text: str) -> str:
    """``"Bashar al-Assad's"`` -> ``"Bashar al-Assad"``."""
    return _POSSESSIVE.sub("", text).rstrip()


def entity_key(name: str) -> str:
    """The canonical key of a name within its class: folded, without a leading article."""
    key = fold(name)
    if key.startswith("the "):
        key = key[4:]
    return key or "x"
