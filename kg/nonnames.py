"""What is not a name: capitalised words and page furniture that a name tagger takes for entities.

Three general tests, none about a particular corpus:

- **page furniture**: logos ("X Logo"), breadcrumbs ("Home » World »"), wire credits ("Via …
  Wire"), photo credits, "click here";
- **common vocabulary** (``kg/data/non_names.tsv``): a mention that is as a whole a common
  capitalised word or phrase ("State", "National Security", "Foreign Terrorist Organization", a
  community such as "Druze", a weapon such as "Black Hawk"), or whose every word is religious,
  headline, weapon vocabulary or a title ("Emir of the Faithful", "Strike Kills", "Brig");
- **repairs** of names the page broke: "al- Tikriti" -> "al-Tikriti", "Name.[1" -> "Name",
  "JohnSmith" -> "John Smith".
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from kg.names import TITLES, fold

DATA = Path(str(resources.files("kg") / "data" / "non_names.tsv"))

_FURNITURE = re.compile(
    r"[»›|]|\blogo\b|^via\b|\bclick here\b|\bgetty images\b|\bcontributed to this report\b"
    r"|^(?:photo|photograph|image|file photo|credit|advertisement|sponsored|related|read more|share)\b",
    re.I,
)
#: Words that join the words of a phrase and say nothing on their own.
_GLUE = frozenset({"of", "the", "a", "an", "and", "in", "on", "for", "to", "by", "al", "el"})
_BROKEN_ARTICLE = re.compile(r"\b([Aa]l|[Ee]l|[Aa]d|[Uu]d|[Aa]r|[Aa]s|[Aa]sh|[Aa]z|[Aa]n|[Aa]t)-\s+(?=[A-Z])")
_FOOTNOTE = re.compile(r"\s*\.?\s*\[\s*\d*\s*\]?\s*$")
#: A lower-to-upper change inside a word, except in surname prefixes (McDonald, MacArthur, DeSantis).
_GLUED = re.compile(r"(?<![A-Z][a-z])(?<!\bMac)(?<=[a-z]{2})(?=[A-Z][a-z])")


@dataclass(frozen=True)
class Vocabulary:
    """Whole phrases that are no names, and words that never make a name on their own."""

    phrases: frozenset[str]
    words: frozenset[str]
    #: Verbs of headlines ("Kills", "Mourns"): never part of a personal name.
    verbs: frozenset[str]


@cache
def vocabulary(path: Path = DATA) -> Vocabulary:
    phrases: set[str] = set()
    words: set[str] = set()
    verbs: set[str] = set()
    with path.open(encoding="utf-8") as f:
        rows = csv.DictReader((line for line in f if not line.startswith("#")), delimiter="\t")
        for row in rows:
            entries = {fold(e) for e in row["entries"].split("|") if fold(e)}
            (words if row["kind"] == "word" else phrases).update(entries)
            if row["category"] == "headline-verb":
                verbs.update(entries)
    return Vocabulary(frozenset(phrases | words), frozenset(words), frozenset(verbs))


def is_furniture(text: str) -> bool:
    """Page furniture rather than a name: a logo, a breadcrumb, a wire or photo credit."""
    return bool(_FURNITURE.search(text))


def is_common(text: str) -> bool:
    """A common word or phrase, or a mention made only of religious, headline or weapon words and titles."""
    vocab = vocabulary()
    key = fold(text)
    if not key or key in vocab.phrases:
        return True
    words = [w for w in key.split() if w not in _GLUE]
    return bool(words) and all(w in vocab.words or w in TITLES for w in words)


def is_headline(text: str) -> bool:
    """A headline's words rather than a personal name: "Strike Kills Rebel Commander"."""
    return any(w in vocabulary().verbs for w in fold(text).split())


def is_non_name(text: str, person: bool = False) -> bool:
    """Whether a mention names nothing; ``person``: it was tagged as a person's name."""
    return is_furniture(text) or is_common(text) or (person and is_headline(text))


def repair(text: str) -> str:
    """A name as it was meant: a broken article joined, a footnote mark dropped, glued words parted."""
    text = _BROKEN_ARTICLE.sub(lambda m: m.group(1) + "-", text)
    text = _FOOTNOTE.sub("", text)
    return _GLUED.sub(" ", text)
