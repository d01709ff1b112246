"""Publication dates: the explicit date line of the seed corpus and datelines in the text.

A dateline or byline date comes in any common format: "Oct. 6, 2022", "6 October 2022",
"2022-10-06", "Updated: 4 April 2023 14:02 GMT", and the numeric month-first byline dates of US
outlets ("11/09/21 8:05 PM ET", "3/2/2024"). A date on a photo caption's line ("... on March 3, 2015.
(Name/Getty Images)") is when the photo was taken, not when the article was published: it is skipped.
"""

from __future__ import annotations

import re
from datetime import date

_DATE_LINE = re.compile(r"\A\s*date\s+(\d{4})-(\d{2})-(\d{2})\b[ \t]*\n?")

#: Month numbers by the first three letters of the month's English name.
_MONTHS = {m: i + 1 for i, m in enumerate(["jan", "feb", "mar", "apr", "may", "jun",
                                           "jul", "aug", "sep", "oct", "nov", "dec"])}
_MONTH = r"\b(?P<month>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|" \
         r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
# "Oct 6, 2022", "October 6 2022", "6 October 2022", "2022-10-06" near the top of the text.
_DATELINES = [
    re.compile(_MONTH + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<year>(?:19|20)\d{2})\b", re.I),
    re.compile(r"\b(?P<day>\d{1,2})\s+" + _MONTH + r",?\s+(?P<year>(?:19|20)\d{2})\b", re.I),
    re.compile(r"\b(?P<year>(?:19|20)\d{2})-(?P<mnum>\d{2})-(?P<day>\d{2})\b"),
    # Month first, as US bylines print it: "11/09/21", "3/2/2024".
    re.compile(r"(?<![\d/])(?P<mnum>\d{1,2})/(?P<day>\d{1,2})/(?P<year>(?:19|20)?\d{2})(?![\d/])"),
]
#: A line that credits a photo or an image: its date is the picture's.
_CAPTION = re.compile(r"\b(?:photo|photograph|image|images|picture|pictured|getty|file)\b|"
                      r"\bvia\s+(?:ap|afp|reuters)\b|/(?:ap|afp|reuters|epa)\b", re.I)
#: How far into the text a dateline may stand.
DATELINE_WINDOW = 400


def split_date_line(text: str) -> tuple[str | None, str]:
    """A leading ``date YYYY-MM-DD`` line (the seed corpus's convention): (date, rest of text)."""
    match = _DATE_LINE.match(text)
    if not match:
        return None, text
    iso = _valid_iso(int(match[1]), int(match[2]), int(match[3]))
    if iso is None:
        return None, text
    return iso, text[match.end() :]


def find_dateline(text: str) -> str | None:
    """The first full date (day, month, year) in the first lines of the text, as ISO."""
    head = text[:DATELINE_WINDOW]
    found: list[tuple[int, str]] = []
    for pattern in _DATELINES:
        for match in pattern.finditer(head):
            groups = match.groupdict()
            if _on_caption_line(head, match.start()):
                continue
            month = int(groups["mnum"]) if groups.get("mnum") else _MONTHS[groups["month"].lower()[:3]]
            year = int(groups["year"])
            iso = _valid_iso(year + 2000 if year < 100 else year, month, int(groups["day"]))
            if iso:  # an impossible date ("February 30") does not hide a later valid one
                found.append((match.start(), iso))
                break
    return min(found)[1] if found else None


def _on_caption_line(text: str, at: int) -> bool:
    """Whether the position stands on a line that credits a photo or an image."""
    start = text.rfind("\n", 0, at) + 1
    end = text.find("\n", at)
    return bool(_CAPTION.search(text[start:end if end >= 0 else len(text)]))


def normalise_date(value: str) -> str | None:
    """An ISO date from a metadata value such as ``2022-10-06T12:00:00Z``, else ``None``."""
    match = re.match(r"\s*(\d{4})-(\d{2})-(\d{2})", value)
    if not match:
        return None
    return _valid_iso(int(match[1]), int(match[2]), int(match[3]))


def _valid_iso(year: int, month: int, day: int) -> str | None:
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None
