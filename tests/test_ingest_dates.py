"""Publication dates: kg.ingest.dates (split_date_line, find_dateline, normalise_date)."""

from __future__ import annotations

import pytest

from kg.ingest.dates import DATELINE_WINDOW, find_dateline, normalise_date, split_date_line

# --- split_date_line ----------------------------------------------------------------------------


def test_split_date_line_with_text_on_the_same_line():
    assert split_date_line(" date 2022-10-06 The text...") == ("2022-10-06", "The text...")


def test_split_date_line_on_its_own_line():
    date, rest = split_date_line("date 2021-03-09\nORVENTA - The dam on the Sill river held.\n")
    assert date == "2021-03-09"
    assert rest == "ORVENTA - The dam on the Sill river held.\n"


def test_split_date_line_after_leading_blank_lines():
    assert split_date_line("\n\n  date 2020-02-29  \nBody")[0] == "2020-02-29"  # a leap day


@pytest.mark.parametrize(
    "text",
    [
        "date 2022-13-45 The text...",  # no 13th month
        "date 2021-02-29 The text...",  # not a leap year
        "date 2022-00-10 The text...",
    ],
)
def test_split_date_line_ignores_invalid_dates(text):
    assert split_date_line(text) == (None, text)


@pytest.mark.parametrize(
    "text",
    [
        "The date 2022-10-06 was chosen by the council.",  # not at the start
        "date: 2022-10-06 The text",
        "date 22-10-06 The text",
        "date 2022-10-061 The text",
        "updated 2022-10-06 The text",
        "",
    ],
)
def test_split_date_line_needs_the_exact_convention(text):
    assert split_date_line(text) == (None, text)


# --- find_dateline ------------------------------------------------------------------------------

FAR = "x " * DATELINE_WINDOW  # pushes anything after it beyond the window

DATELINE_CASES = [
    ("WASHINGTON, Oct. 6, 2022 (Reuters) - Officials in Marvel County said...", "2022-10-06"),
    ("ORVENTA, 6 October 2021 - The dam held overnight.", "2021-10-06"),
    ("Published 2020-03-01 by the Orventa Herald.", "2020-03-01"),
    ("KESSLIN, September 3rd, 2019 - A bridge was closed.", "2019-09-03"),
    ("KESSLIN, Sept. 3 2019 - A bridge was closed.", "2019-09-03"),
    ("Brann (AFP) 21 Jan 2023 - The governor resigned.", "2023-01-21"),
    ("TALLO, December 31, 1999 - Bells rang.", "1999-12-31"),
    ("tallo, may 5, 2015 - lower case still counts", "2015-05-05"),
    # The earliest date in the head wins, whatever its format.
    ("ORVENTA, 2 May 2020 - Officials said on March 3, 2020 that...", "2020-05-02"),
    ("Report of 2018-07-04, about events of 9 June 2018", "2018-07-04"),
    # Numeric byline dates, month first as US outlets print them, and "Updated:" lines.
    ("by Dana Orr - 04/04/23 11:57 AM ET\nThe council met.", "2023-04-04"),
    ("Lena Varga\n1/4/2024\nUpdated:\n1/4/2024\nThe council met.", "2024-01-04"),
    ("Updated: 4 April 2023 14:02 GMT\nThe council met.", "2023-04-04"),
    ("Kessler Post, Mar 10, 2022\nThe council met.", "2022-03-10"),
    ("13/45/2023 is no date at all", None),
    # A photo caption's date is when the picture was taken, not the article's date.
    ("Brann dam\nA guard walks past the dam in Brann on Aug. 8, 2007. (Ola Berg/Getty Images)\nTom Ruiz\n"
     "1/4/2024\nThe council met.", "2024-01-04"),
    ("Brann dam\nMayor Ilse Roth speaks at the dam, March 5, 2021, at Brann. (Tom Ruiz/Brann Post via AP)\n"
     "The council met on April 4, 2023.", "2023-04-04"),
    ("A file photo taken on 2 May 2019 shows the dam.", None),
    # Dates that do not exist are not taken.
    ("BRANN, February 30, 2020 - Nothing happened.", None),
    # A year outside 1900-2099, or a date without a day, is not a dateline.
    ("In March 2021 the council of Brann met twice.", None),
    ("BRANN, Oct. 6, 2122 - A prophecy.", None),
    (FAR + "WASHINGTON, Oct. 6, 2022 (Reuters) -", None),
    ("A story about the Orventa dam and nothing else, no date at all.", None),
    ("", None),
]


@pytest.mark.parametrize(("text", "expected"), DATELINE_CASES, ids=[str(i) for i in range(len(DATELINE_CASES))])
def test_find_dateline(text, expected):
    assert find_dateline(text) == expected


def test_find_dateline_window_boundary():
    line = "Oct. 6, 2022"
    inside = "y" * (DATELINE_WINDOW - len(line) - 1) + " " + line
    assert len(inside) == DATELINE_WINDOW
    assert find_dateline(inside) == "2022-10-06"
    assert find_dateline("y" * DATELINE_WINDOW + " " + line) is None


def test_find_dateline_does_not_crash_on_a_misspelt_month():
    assert find_dateline("KESSLIN, Sepember 3, 2019 - A bridge was closed.") is None


# --- normalise_date -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2022-10-06T12:00:00Z", "2022-10-06"),
        ("2022-10-06T23:59:59+05:30", "2022-10-06"),
        ("2022-10-06", "2022-10-06"),
        ("  2022-10-06 ", "2022-10-06"),
        ("2024-02-29", "2024-02-29"),
    ],
)
def test_normalise_date_reads_iso_dates(value, expected):
    assert normalise_date(value) == expected


@pytest.mark.parametrize(
    "value",
    ["garbage", "", "yesterday", "06/10/2022", "Oct 6, 2022", "2022-13-01", "2023-02-29", "2022/10/06", "20221006"],
)
def test_normalise_date_rejects_garbage(value):
    assert normalise_date(value) is None
