"""Dates of events: expressions in the text resolved against a reference date, with their precision.

"on Thursday", "early Thursday", "later Thursday", "last month", "In February", "In July",
"in 2019", "February 2022", "Oct. 6, 2022", "the same day", "yesterday". The reference date is the
article's publication date; without one, relative expressions stay unresolved here and are
resolved later against a date the corpus supplies (see :mod:`kg.derive`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

MONTHS = {m: i + 1 for i, m in enumerate(["jan", "feb", "mar", "apr", "may", "jun",
                                           "jul", "aug", "sep", "oct", "nov", "dec"])}
WEEKDAYS = {d: i for i, d in enumerate(["monday", "tuesday", "wednesday", "thursday", "friday",
                                        "saturday", "sunday"])}
_MONTH = r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|" \
         r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
_YEAR = r"((?:19|20)\d{2})"


@dataclass(frozen=True)
class ResolvedDate:
    """An ISO value with its XSD type: ``date`` (YYYY-MM-DD), ``gYearMonth`` (YYYY-MM) or ``gYear``."""

    value: str
    datatype: str

    @classmethod
    def of(cls, value: str) -> ResolvedDate:
        """An ISO value (YYYY-MM-DD, YYYY-MM or YYYY) with the type its precision gives."""
        return cls(value, "date" if len(value) == 10 else "gYearMonth" if len(value) == 7 else "gYear")


def _iso(y: int, m: int | None = None, d: int | None = None) -> ResolvedDate | None:
    try:
        if d is not None and m is not None:
            return ResolvedDate(date(y, m, d).isoformat(), "date")
        if m is not None:
            date(y, m, 1)
            return ResolvedDate(f"{y:04d}-{m:02d}", "gYearMonth")
        return ResolvedDate(f"{y:04d}", "gYear")
    except ValueError:
        return None


def is_relative(expression: str) -> bool:
    """Whether the expression needs a reference date ("on Thursday", "In July", "last month")."""
    return resolve(expression, None) is None and resolve(expression, date(2000, 6, 15)) is not None


_BOUND = re.compile(r"\b(since|until|till|before|after|by|prior to|as of)\b")


def resolve(expression: str, reference: date | None) -> ResolvedDate | None:
    """The date an expression denotes, as precise as it allows; ``None`` when it cannot be resolved.

    Bounds ("since May 2021", "before 2019") are not the date of an event and give ``None``.
    """
    text = " ".join(expression.lower().replace(",", " ").split())
    if _BOUND.search(text):
        return None
    # Absolute: "Oct. 6 2022", "6 October 2022", "2022-10-06", "February 2022", "2019".
    m = re.search(r"\b(\d{4})-(\d{2})-(\d{2})\b", text)
    if m:
        return _iso(int(m[1]), int(m[2]), int(m[3]))
    m = re.search(r"\b" + _MONTH + r"\s+(\d{1,2})(?:st|nd|rd|th)?\s+" + _YEAR + r"\b", text)
    if m:
        return _iso(int(m[3]), MONTHS[m[1][:3]], int(m[2]))
    m = re.search(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+" + _MONTH + r"\s+" + _YEAR + r"\b", text)
    if m:
        return _iso(int(m[3]), MONTHS[m[2][:3]], int(m[1]))
    m = re.search(r"\b" + _MONTH + r"\s+(?:of\s+)?" + _YEAR + r"\b", text)
    if m:
        return _iso(int(m[2]), MONTHS[m[1][:3]])
    m = re.search(r"\b" + _YEAR + r"\b", text)
    if m:
        return _iso(int(m[1]))
    if reference is None:
        return None
    # Relative to the reference date.
    if re.search(r"\b(today|tonight|this morning|the same day|earlier today|hours? (?:ago|earlier))\b", text):
        return _iso(reference.year, reference.month, reference.day)
    if re.search(r"\b(yesterday|last night)\b", text):
        d = reference - timedelta(days=1)
        return _iso(d.year, d.month, d.day)
    # "on Oct. 2", "May 5", "2 October": the last such day on or before the reference date.
    m = re.search(r"\b" + _MONTH + r"\s+(\d{1,2})(?:st|nd|rd|th)?\b", text) or \
        re.search(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+" + _MONTH + r"\b", text)
    if m:
        month_word, day = (m[1], int(m[2])) if not m[1].isdigit() else (m[2], int(m[1]))
        month = MONTHS[month_word[:3]]
        candidate = _iso(reference.year, month, day)
        if candidate is not None and candidate.value > reference.isoformat():
            candidate = _iso(reference.year - 1, month, day)
        return candidate
    for name, index in WEEKDAYS.items():
        if re.search(rf"\b{name}\b", text):
            back = (reference.weekday() - index) % 7
            if "next" in text:
                d = reference + timedelta(days=(index - reference.weekday()) % 7 or 7)
            else:
                if back == 0 and re.search(r"\blast\b", text):
                    back = 7  # "last Thursday" in a Thursday's paper: a week before
                d = reference - timedelta(days=back)
            return _iso(d.year, d.month, d.day)
    if re.search(r"\blast month\b", text):
        y, mo = (reference.year, reference.month - 1) if reference.month > 1 else (reference.year - 1, 12)
        return _iso(y, mo)
    if re.search(r"\b(this month|earlier this month)\b", text):
        return _iso(reference.year, reference.month)
    m = re.search(r"\b" + _MONTH + r"(?:\s+(last|this)\s+year)?\b", text)
    may_verb = m is not None and m[1] == "may" and not re.search(
        r"(\b(in|last|early|late|mid|since)\s+|mid-)may\b|\bmay\s+(last|this)\s+year", text)
    if m and not may_verb:
        month = MONTHS[m[1][:3]]  # "In July": the last July on or before the reference date
        if m[2] == "last":
            return _iso(reference.year - 1, month)  # "in March last year"
        year = reference.year if month <= reference.month else reference.year - 1
        if re.search(r"\blast\s+" + m[1], text) and month == reference.month:
            year -= 1
        return _iso(year, month)
    if re.search(r"\blast year\b", text):
        return _iso(reference.year - 1)
    if re.search(r"\bthis year\b", text):
        return _iso(reference.year)
    return None
