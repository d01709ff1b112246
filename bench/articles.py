"""Distinct synthetic news articles for the scale benchmark: plain text, as ``kg build`` reads them.

    python bench/articles.py OUT_DIR [--articles 1000] [--seed 14] [--repeat-share 0.1]

Each article has its own invented people (Arabic-style names such as "Abu Hamza al-Nahili" or
"Khalid Yasin al-Sarkawi", and Western spokesmen and generals), its own invented village (in a real
province and country), its own publication and operation dates, and operation sentences in varied
news phrasing, with roles ("the group's governor of Raqqa") and memberships. No two articles share
an invented name: the name parts are combined and a combination is used once. A share of the
articles (``--repeat-share``) re-reports an earlier article's operation (same victim, village and
date, other words and a later publication date), so that identity and operation clustering have
real work; the rest are distinct. The same seed gives the same articles.
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

GIVEN = ["Ahmed", "Mahmoud", "Khalid", "Omar", "Yasin", "Hamza", "Bilal", "Tariq", "Fadi", "Walid", "Samir",
         "Nabil", "Karim", "Rami", "Ziad", "Hassan", "Hussein", "Ali", "Ibrahim", "Ismail", "Yusuf", "Jamal",
         "Salim", "Adnan", "Faisal", "Majid", "Nasser", "Rashid", "Saeed", "Anwar", "Mazen", "Hisham", "Imad",
         "Jalal", "Kamal", "Marwan", "Mounir", "Nizar", "Qasim", "Riyad", "Sami", "Talal", "Wael", "Yahya",
         "Zuhair", "Abdullah", "Abdulrahman", "Mustafa", "Osama", "Suhail", "Ghassan", "Haitham", "Luay",
         "Muhannad", "Raed", "Shadi", "Tamer", "Usama", "Waleed", "Zakariya"]
KUNYA = ["Hamza", "Khalid", "Omar", "Bakr", "Yasir", "Muhammad", "Ubayda", "Hafs", "Talha", "Musab", "Anas",
         "Hudhayfa", "Suhayb", "Usama", "Zubayr", "Qatada", "Dujana", "Maryam", "Ayyub", "Ibrahim", "Yahya",
         "Hajer", "Huthaifa", "Luqman", "Salman", "Sufyan", "Ammar", "Jarrah", "Mundhir", "Asim"]
# Syllables of invented family names (al-Nahili, al-Sarkawi) and village names (Qasr Nahil, Tal Marun).
ONSET = ["Nah", "Sar", "Qad", "Bar", "Dul", "Fal", "Ghar", "Hab", "Jaz", "Kar", "Lub", "Mar", "Naj", "Raf", "Shab",
         "Tam", "Wad", "Zab", "Dab", "Kaf", "Sal", "Har", "Ras", "Mad", "Thal", "Qur", "Bak", "Dar", "Jub", "Mus",
         "Nim", "Sib", "Tur", "Zar", "Hul", "Fir", "Kub", "Lam", "Rah", "Sur"]
CODA = ["il", "ak", "un", "an", "ir", "ush", "ib", "am", "ad", "is", "ar", "ud", "ah", "ur", "ik", "ub", "ez", "ul"]
NISBA_END = ["i", "awi", "ani", "ari", "aji"]
VILLAGE_PREFIX = ["Qasr", "Kafr", "Tal", "Ain", "Deir", "Bir", "Khirbet", "Umm", "Jisr", "Ras"]
WESTERN_GIVEN = ["James", "Robert", "Michael", "David", "John", "Mark", "Paul", "Steven", "Andrew", "Kevin",
                 "Brian", "Thomas", "Daniel", "Scott", "Eric", "Jason", "Patrick", "Peter", "Matthew", "Gregory",
                 "Laura", "Sarah", "Karen", "Susan", "Emily", "Rachel", "Anne", "Julia", "Megan", "Helen"]
WESTERN_FAMILY_ONSET = ["Hal", "Bren", "Cor", "Dal", "Fen", "Gar", "Hol", "Kes", "Lind", "Mar", "Nor", "Pem",
                        "Rad", "Sel", "Thorn", "Wes", "Ash", "Brad", "Craw", "Dun"]
WESTERN_FAMILY_MIDDLE = ["", "", "", "er", "in", "and", "ing", "ow"]
WESTERN_FAMILY_END = ["ford", "ton", "ley", "wick", "man", "son", "berg", "field", "wood", "ridge", "more", "by"]
# Real provinces and their countries: the invented villages are placed in them.
PROVINCES = [("Idlib", "Syria"), ("Deir ez-Zor", "Syria"), ("Raqqa", "Syria"), ("Hasakah", "Syria"),
             ("Aleppo", "Syria"), ("Anbar", "Iraq"), ("Nineveh", "Iraq"), ("Kirkuk", "Iraq"),
             ("Salahuddin", "Iraq"), ("Diyala", "Iraq"), ("Nangarhar", "Afghanistan"), ("Kunar", "Afghanistan"),
             ("Shabwa", "Yemen"), ("Marib", "Yemen"), ("Abyan", "Yemen"), ("Lower Shabelle", "Somalia"),
             ("Middle Juba", "Somalia"), ("Bay", "Somalia")]
GROUPS = {"Syria": ["Islamic State", "Hurras al-Din", "Islamic State"],
          "Iraq": ["Islamic State"],
          "Afghanistan": ["Islamic State Khorasan Province", "al-Qaeda"],
          "Yemen": ["al-Qaeda in the Arabian Peninsula"],
          "Somalia": ["al-Shabaab"]}
RANKS = ["a senior leader", "a senior commander", "a senior official", "a top commander", "a leader"]
TITLES = ["governor", "military chief", "finance chief", "head of security", "chief of media operations"]
FORCES = {"Syria": "US forces", "Iraq": "Iraqi security forces", "Afghanistan": "US forces",
          "Yemen": "US forces", "Somalia": "US Africa Command"}
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


@dataclass(frozen=True)
class Operation:
    victim: str  # full name as first reported
    surname: str  # how later sentences refer to the victim
    village: str
    province: str
    country: str
    group: str
    title: str
    kind: str  # "drone strike", "raid", "air strike", "helicopter raid"
    day: date


class Names:
    """Invented names, each used once."""

    def __init__(self, rnd: random.Random) -> None:
        self.rnd = rnd
        self.used: set[str] = set()

    def _fresh(self, make: object) -> str:
        for _ in range(10_000):
            name = make()  # type: ignore[operator]
            if name not in self.used:
                self.used.add(name)
                return str(name)
        raise RuntimeError("name space exhausted")

    def _stem(self) -> str:
        r = self.rnd
        return r.choice(ONSET) + r.choice(CODA) + r.choice(["", "", "", "", "ab", "im", "un", "eh", "ar", "ul"])

    def _nisba(self) -> str:
        stem = self._stem()
        return "al-" + stem + self.rnd.choice(NISBA_END)

    def militant(self) -> tuple[str, str]:
        """(full name, the form later sentences use)."""
        r = self.rnd
        if r.random() < 0.45:
            name = self._fresh(lambda: f"Abu {r.choice(KUNYA)} {self._nisba()}")
            return name, name
        name = self._fresh(lambda: f"{r.choice(GIVEN)} {r.choice(GIVEN)} {self._nisba()}")
        return name, name.split()[-1].removeprefix("al-").capitalize()

    def western(self) -> tuple[str, str]:
        r = self.rnd
        name = self._fresh(lambda: f"{r.choice(WESTERN_GIVEN)} {r.choice(WESTERN_FAMILY_ONSET)}"
                                   f"{r.choice(WESTERN_FAMILY_MIDDLE)}{r.choice(WESTERN_FAMILY_END)}")
        return name, name.split()[-1]

    def village(self) -> str:
        r = self.rnd
        return self._fresh(lambda: f"{r.choice(VILLAGE_PREFIX)} {r.choice(['', '', 'al-'])}{self._stem()}")


def the(group: str) -> str:
    """A group's name as a sentence uses it: "the Islamic State", "al-Shabaab"."""
    return group if group.startswith("al-") else "the " + group


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _day_phrase(op_day: date, published: date, rnd: random.Random) -> str:
    """How the article dates the operation: a weekday within the last week, or the full date."""
    gap = (published - op_day).days
    if 1 <= gap <= 6 and rnd.random() < 0.7:
        return "on " + WEEKDAYS[op_day.weekday()]
    return f"on {op_day.strftime('%B')} {op_day.day}"


def _strike_lede(op: Operation, when: str, rnd: random.Random) -> str:
    rank = rnd.choice(RANKS)
    where = f"near {op.village} in {op.province} province, {op.country}"
    forces = FORCES[op.country]
    said = rnd.choice(["officials said", "the Pentagon said", "a military spokesman said", "officials told reporters"])
    return rnd.choice([
        f"A US {op.kind} killed {op.victim}, {rank} of {the(op.group)}, {where}, {when}, {said}.",
        f"{op.victim}, {rank} of {the(op.group)}, was killed in a {op.kind} {where}, {when}, {said}.",
        f"{forces} killed {op.victim}, {rank} of {the(op.group)}, in a {op.kind} in the village of {op.village} "
        f"in {op.province} province {when}, {said}.",
        f"A {op.kind} carried out by {forces} {when} killed {op.victim}, {the(op.group)}'s {op.title} "
        f"of {op.province}, in the village of {op.village}, {said}.",
    ])


def _retelling(op: Operation, when: str, rnd: random.Random) -> str:
    return rnd.choice([
        f"{_cap(the(op.group))} confirmed that {op.victim} was killed in a {op.kind} in {op.village}, "
        f"{op.province} province, {when}.",
        f"{op.victim}, {the(op.group)}'s {op.title} of {op.province}, died in a {op.kind} in {op.village} {when}, "
        f"according to a statement from the group.",
        f"Residents of {op.village} said a {op.kind} {when} had killed {op.victim} and two of his guards.",
    ])


def _article(op: Operation, published: date, names: Names, rnd: random.Random, retold: bool) -> str:
    when = _day_phrase(op.day, published, rnd)
    spokesman, spokesman_short = names.western()
    rank = rnd.choice(["Colonel", "Major", "Captain", "Lieutenant Colonel"])
    headline = rnd.choice([f"{op.group} {op.title} killed in {op.country}",
                           f"US says {op.kind} killed {op.group} leader in {op.province}",
                           f"Senior {op.group} figure reported dead after {op.kind}"])
    lede = _retelling(op, when, rnd) if retold else _strike_lede(op, when, rnd)
    role = rnd.choice([
        f"{op.surname} had served as the group's {op.title} of {op.province} since last year, "
        f"{rank} {spokesman} told reporters.",
        f"{op.surname}, the group's {op.title} of {op.province}, was responsible for planning attacks on "
        f"local forces, said {rank} {spokesman}, a spokesman for the coalition.",
        f"According to {rank} {spokesman}, {op.surname} was a member of {the(op.group)} who oversaw "
        f"its fighters in {op.province}.",
    ])
    paragraphs = [f"date {published.isoformat()}", headline, lede, role]
    if rnd.random() < 0.6:
        other, _ = names.militant()
        village = names.village()
        second = rnd.choice(["raid", "drone strike", "air strike"])
        other_day = op.day - timedelta(days=rnd.randint(2, 40))
        paragraphs.append(rnd.choice([
            f"In a separate operation {_day_phrase(other_day, published, rnd)}, {FORCES[op.country]} detained "
            f"{other}, an aide to {op.surname}, in a {second} on a house in {village}, the statement said.",
            f"{other}, another {op.group} commander, was killed in a {second} near {village} "
            f"{_day_phrase(other_day, published, rnd)}, {spokesman_short} added.",
        ]))
    paragraphs.append(rnd.choice([
        "No civilians were hurt in the operation, according to an initial assessment.",
        f"Residents of {op.village} said helicopters circled the area before the assault began.",
        "The military did not say how the target had been located.",
    ]))
    paragraphs.append(rnd.choice([
        f"{_cap(the(op.group))} has lost several commanders in {op.country} in recent months.",
        f"{_cap(the(op.group))} has not commented on the operation.",
        f"Fighters of {the(op.group)} remain active in the countryside of {op.province}.",
    ]))
    return f"{paragraphs[0]}\n{paragraphs[1]}\n\n" + "\n\n".join(paragraphs[2:]) + "\n"


def generate(count: int, seed: int = 14, repeat_share: float = 0.1, start: int = 0) -> Iterator[tuple[str, str]]:
    """(file name, text) of articles ``start`` to ``count - 1`` of the corpus of this seed.

    The corpus is the same whatever ``count`` is: the first n articles of a larger corpus are the
    corpus of n articles, so ``generate(n + 1, start=n)`` is one new article for a store of n.
    """
    rnd = random.Random(seed)
    names = Names(rnd)
    first_day = date(2016, 1, 1)
    earlier: list[Operation] = []
    for i in range(count):
        published = first_day + timedelta(days=i // 3)
        if earlier and rnd.random() < repeat_share:
            op = rnd.choice(earlier[-200:])  # a recent operation, reported again a few days on
            published = max(published, op.day + timedelta(days=rnd.randint(2, 9)))
            text = _article(op, published, names, rnd, retold=True)
        else:
            victim, surname = names.militant()
            province, country = rnd.choice(PROVINCES)
            op = Operation(victim, surname, names.village(), province, country, rnd.choice(GROUPS[country]),
                           rnd.choice(TITLES), rnd.choice(["drone strike", "raid", "air strike", "helicopter raid"]),
                           published - timedelta(days=rnd.randint(1, 5)))
            earlier.append(op)
            text = _article(op, published, names, rnd, retold=False)
        if i >= start:
            yield f"article_{i:06d}.txt", text


def write(folder: Path, count: int, seed: int = 14, repeat_share: float = 0.1, start: int = 0) -> int:
    """Write articles ``start`` to ``count - 1`` into ``folder``; the number of words written."""
    folder.mkdir(parents=True, exist_ok=True)
    words = 0
    for name, text in generate(count, seed, repeat_share, start):
        (folder / name).write_text(text, encoding="utf-8")
        words += len(text.split())
    return words


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--repeat-share", type=float, default=0.1)
    args = parser.parse_args()
    words = write(args.out, args.articles, args.seed, args.repeat_share)
    print(f"wrote {args.articles} articles ({words:,} words) to {args.out}")


if __name__ == "__main__":
    main()
