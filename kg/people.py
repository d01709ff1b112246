"""Well-known people: the leaders, heads of state and commanders that many articles are about.

``kg/data/gazetteer/people.tsv`` lists each with the names news use for them and their Wikidata item.
A person in an article is one of them only on a full name: every identifying word of one of the
article's spellings agrees with a listed name or alias (transliteration variants of the vowels and the
Arabic article aside: "Abu Tarek al-Marzeeni" is "Abu Tarek al-Marzini"). A bare surname ("Marzini",
"al-Masri"), a bare given name ("Ibrahim") or a bare kunya ("Abu Bakr") never is one: many people
share them.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path

from kg import wikidata
from kg.errors import OpsKGError
from kg.names import ARTICLES, compound_words, fold, parse_person, vowel_form
from kg.tables import read_rows, split_list

TABLE = Path(str(resources.files("kg") / "data" / "gazetteer" / wikidata.PEOPLE))


@dataclass(frozen=True)
class KnownPerson:
    name: str
    aliases: tuple[str, ...]
    #: The Wikidata item (``Q…``).
    wikidata: str
    #: Where the identifier was seen: a URL, or ``owner/repo:path@commit``.
    source: str

    @property
    def iri(self) -> str:
        return wikidata.iri(self.wikidata)


def is_full_name(name: str) -> bool:
    """Whether a spelling names one person rather than a family or a first name: two identifying
    parts (given names, nasab, nisbas) or a kunya with one ("Abu Tarek al-Marzini")."""
    parsed = parse_person(name)
    return len(parsed.parts) >= 2 or (parsed.kunya is not None and len(parsed.parts) >= 1)


def name_key(name: str) -> tuple[str, ...]:
    """The words of a personal name as compared: folded, titles and the Arabic article dropped,
    compounds joined, vowels unified (``"Sheikh Abu Tarek al-Marzeeni"`` -> ``("abu", "tarik", "marzini")``)."""
    parsed = parse_person(name)
    words = compound_words(fold(parsed.text.replace("-", " ")).split())
    return tuple(vowel_form(w) for w in words if w not in ARTICLES)


@dataclass
class People:
    """The table, indexed by the key of every listed name and alias."""

    people: list[KnownPerson] = field(default_factory=list)
    _index: dict[tuple[str, ...], list[KnownPerson]] = field(default_factory=dict)

    def add(self, person: KnownPerson) -> None:
        self.people.append(person)
        for form in dict.fromkeys((person.name, *person.aliases)):
            self._index.setdefault(name_key(form), []).append(person)

    def find(self, forms: Iterable[str]) -> KnownPerson | None:
        """The one listed person whom some full-name spelling among ``forms`` names; None when none
        does, or when the spellings name different listed people."""
        found = {id(p): p for form in forms if is_full_name(form)
                 for p in self._index.get(name_key(form), [])}
        return next(iter(found.values())) if len(found) == 1 else None


def load(path: Path = TABLE) -> People:
    """Read the people table; a missing or malformed file is an installation error."""
    people = People()
    try:
        for row in read_rows(path):
            aliases = split_list(row.get("aliases"))
            wikidata.iri(row["wikidata"])  # a malformed identifier is refused here, not mid-build
            people.add(KnownPerson(row["name"], aliases, row["wikidata"], row["source"]))
    except (OSError, KeyError, ValueError, csv.Error) as exc:
        raise OpsKGError(f"the people table {path} cannot be read ({exc}): reinstall opskg") from None
    return people


@cache
def default() -> People:
    """The shipped table, loaded once per process."""
    return load()
