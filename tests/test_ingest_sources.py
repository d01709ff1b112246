"""SOURCE arguments to articles: kg.ingest.sources.read_sources over files made in tmp_path."""

from __future__ import annotations

import codecs
import hashlib
import io
import json
import logging
import subprocess
import sys
from pathlib import Path

import pytest

from kg.errors import (
    BinarySourceError,
    EmptySourceError,
    EncodingSourceError,
    MalformedRecordError,
    OversizedSourceError,
    SourceError,
)
from kg.ingest import read_sources
from kg.ingest.formats import MIN_WORDS
from kg.ingest.sources import ReadOptions, article_id, url_id
from kg.model import Article

# Invented places and people; every body has well over MIN_WORDS words.
BARRIER = (
    "The new tidal barrier on the river Ostrel was opened on Saturday by the mayor of Velmora, "
    "Idris Kallenberg, after six years of construction work along the northern quay."
)
BARRIER_2 = (
    "Engineers from the Corran Institute said the barrier would protect about nine thousand homes "
    "from winter storm surges for at least the next fifty years."
)
FERRY = (
    "The ferry service between Brellin and the island of Tosk resumed on Monday after the harbour "
    "authority finished repairs to the eastern pier, said captain Mirela Voss."
)
MINE = (
    "Workers at the Hollin copper mine near Draskov ended a nine-day strike on Thursday after the "
    "owners agreed to raise wages and to hire two more safety inspectors."
)
ORCHARD = (
    "Farmers in the valley of Temmer reported the largest apple harvest in a decade, and the "
    "cooperative led by Anneke Solberg opened a second cider press to keep up."
)


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def read(*sources: str | Path, options: ReadOptions | None = None, stdin=None) -> list[Article | SourceError]:
    return list(read_sources([str(s) for s in sources], options, stdin=stdin))


def read_one(source: str | Path, options: ReadOptions | None = None, stdin=None) -> Article | SourceError:
    results = read(source, options=options, stdin=stdin)
    assert len(results) == 1, results
    return results[0]


def page(*paragraphs: str, title: str = "Ferry service resumes", published: str | None = None,
         heading: str | None = None) -> str:
    meta = f'<meta property="article:published_time" content="{published}">' if published else ""
    h1 = f"<h1>{heading}</h1>" if heading else ""
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title>{meta}</head><body>"
        "<nav><a href='/'>Home</a> <a href='/news'>News</a> <a href='/sport'>Sport</a></nav>"
        f"<article>{h1}{body}</article>"
        "<footer><p>Copyright the Brellin Courier</p></footer></body></html>"
    )


# --- single files -------------------------------------------------------------------------------


def test_text_file(tmp_path):
    content = f"Barrier opens in Velmora\n\n{BARRIER}\n{BARRIER_2}\n"
    path = write(tmp_path / "Velmora-Barrier.txt", content)
    article = read_one(path)
    assert isinstance(article, Article)
    assert article.id == "velmora-barrier"
    assert article.source == str(path)
    assert article.title == "Barrier opens in Velmora"
    assert article.text == content.strip("\n")
    assert article.url is None
    assert (article.published, article.published_from) == (None, None)
    expected_hash = "sha256:" + hashlib.sha256(content.strip("\n").encode()).hexdigest()
    assert article.content_hash == expected_hash


def test_text_file_whose_first_line_is_a_sentence_has_no_title(tmp_path):
    article = read_one(write(tmp_path / "barrier.txt", f"{BARRIER}\n{BARRIER_2}"))
    assert isinstance(article, Article)
    assert article.title is None


def test_text_file_without_suffix_is_read_as_text(tmp_path):
    article = read_one(write(tmp_path / "BARRIER", f"{BARRIER} {BARRIER_2}"))
    assert isinstance(article, Article)
    assert article.id == "barrier"
    assert article.text == f"{BARRIER} {BARRIER_2}"


def test_markdown_file(tmp_path):
    content = (
        "# Barrier opens in Velmora\n\n"
        "The new tidal barrier on the river [Ostrel](https://maps.example/ostrel) was opened on Saturday "
        "by the mayor, **Idris Kallenberg**, after six years of work.\n\n"
        "> Engineers from the [Corran Institute](https://corran.example/) said it would protect homes.\n\n"
        "- nine thousand homes\n- fifty years\n\n"
        "![The barrier at dusk](img/barrier.jpg)\n"
    )
    article = read_one(write(tmp_path / "barrier.md", content))
    assert isinstance(article, Article)
    assert article.title == "Barrier opens in Velmora"
    text = article.text
    assert text.startswith("Barrier opens in Velmora\n")
    assert "river Ostrel was opened" in text
    assert "Engineers from the Corran Institute said" in text
    assert "The barrier at dusk" in text
    for syntax in ("](", "https://", "**", "# ", "> ", "- nine", "!["):
        assert syntax not in text, syntax


def test_markdown_title_is_reduced_to_words(tmp_path):
    content = f"# Mayor [Idris Kallenberg](https://people.example/ik) opens the **Velmora** barrier\n\n{BARRIER}\n"
    article = read_one(write(tmp_path / "barrier.md", content))
    assert isinstance(article, Article)
    assert article.text.startswith("Mayor Idris Kallenberg opens the Velmora barrier\n")  # the body is reduced
    assert article.title == "Mayor Idris Kallenberg opens the Velmora barrier"


def test_html_file_with_article(tmp_path):
    html = page(BARRIER, BARRIER_2, title="Flood barrier opens in Velmora | The Corran Gazette",
                heading="Flood barrier opens in Velmora", published="2021-04-17T09:30:00Z")
    article = read_one(write(tmp_path / "Gazette-Barrier.html", html))
    assert isinstance(article, Article)
    assert article.id == "gazette-barrier"
    assert BARRIER in article.text
    assert BARRIER_2 in article.text
    assert "<" not in article.text
    assert "Copyright" not in article.text  # the footer is boilerplate
    assert "Home" not in article.text  # and so is the navigation
    assert article.title is not None
    assert "Flood barrier opens in Velmora" in article.title
    assert (article.published, article.published_from) == ("2021-04-17", "html")


def test_html_in_a_txt_file_is_read_as_html(tmp_path):
    html = page(FERRY, MINE, title="Two stories")
    article = read_one(write(tmp_path / "saved.txt", html))
    assert isinstance(article, Article)
    assert FERRY in article.text
    assert "<p>" not in article.text
    assert article.title == "Two stories"


def test_html_with_only_scripts_and_navigation_is_empty(tmp_path):
    html = (
        "<!DOCTYPE html><html><head><script>window.dataLayer = [];</script></head><body>"
        "<nav><a href='/'>Home</a> <a href='/about'>About</a></nav>"
        "<script>track('view')</script></body></html>"
    )
    result = read_one(write(tmp_path / "shell.html", html))
    assert isinstance(result, EmptySourceError)
    assert result.source.endswith("shell.html")


def test_html_with_only_scripts_is_empty_naming_html(tmp_path):
    html = "<html><head><script>var a = 1;</script></head><body><script>boot()</script></body></html>"
    result = read_one(write(tmp_path / "app.html", html))
    assert isinstance(result, EmptySourceError)
    assert "is HTML with no article text" in str(result)


def test_html_with_only_a_long_navigation_menu_is_empty(tmp_path):
    sections = [
        "Home", "World", "Politics", "Business", "Science", "Sport", "Culture", "Travel", "Weather",
        "Opinion", "Letters", "Obituaries", "Puzzles", "Podcasts", "Video", "Archive", "Contact", "Careers",
    ]
    links = "".join(f"<li><a href='/s{i}'>Section {name}</a></li>" for i, name in enumerate(sections))
    html = (
        "<!DOCTYPE html><html><head><title>Brellin Courier</title><script>window.dataLayer=[];</script>"
        f"</head><body><header><nav><ul>{links}</ul></nav></header><script>boot()</script></body></html>"
    )
    result = read_one(write(tmp_path / "front.html", html))
    assert isinstance(result, EmptySourceError), result


@pytest.mark.parametrize(
    ("content", "words"),
    [("Barrier opens in Velmora", "4 words"), ("Velmora", "1 word:"), ("\n\nOne two three\n\n", "3 words")],
)
def test_headline_only_file_is_empty_naming_the_word_count(tmp_path, content, words):
    result = read_one(write(tmp_path / "headline.txt", content))
    assert isinstance(result, EmptySourceError)
    message = str(result)
    assert f"has only {words}" in message
    assert "headline or fragment" in message
    assert f"at least {MIN_WORDS} words" in message


def test_exactly_min_words_is_an_article(tmp_path):
    text = " ".join(f"word{i}" for i in range(MIN_WORDS))
    assert isinstance(read_one(write(tmp_path / "short.txt", text)), Article)
    fewer = " ".join(f"word{i}" for i in range(MIN_WORDS - 1))
    assert isinstance(read_one(write(tmp_path / "shorter.txt", fewer)), EmptySourceError)


def test_empty_and_binary_files(tmp_path):
    empty = write(tmp_path / "empty.txt", b"")
    png = write(tmp_path / "photo.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    results = read(empty, png)
    assert isinstance(results[0], EmptySourceError)
    assert str(results[0]).startswith(f"{empty}: is empty")
    assert isinstance(results[1], BinarySourceError)
    assert "PNG" in str(results[1])


def test_encoding_option_applies_to_files(tmp_path):
    path = write(tmp_path / "latin.txt", f"Caf\xe9 reopens in Tosk. {FERRY}".encode("latin-1"))
    refused = read_one(path)
    assert isinstance(refused, EncodingSourceError)
    assert "byte 3" in str(refused)
    assert "--encoding" in str(refused)
    article = read_one(path, ReadOptions(encoding="latin-1"))
    assert isinstance(article, Article)
    assert article.text.startswith("Café reopens in Tosk.")


def test_one_bad_source_does_not_stop_the_others(tmp_path):
    good_1 = write(tmp_path / "one.txt", FERRY)
    bad = write(tmp_path / "two.txt", b"PK\x03\x04zipzipzip")
    good_2 = write(tmp_path / "three.txt", MINE)
    results = read(good_1, tmp_path / "missing.txt", bad, good_2)
    assert [type(r) for r in results] == [Article, SourceError, BinarySourceError, Article]
    assert [r.id for r in results if isinstance(r, Article)] == ["one", "three"]


def test_read_sources_is_lazy(tmp_path):
    # A generator: nothing is read until asked, and the caller sees errors as values, not raised.
    results = read_sources([str(tmp_path / "missing.txt")])
    assert iter(results) is results
    assert isinstance(next(results), SourceError)
    with pytest.raises(StopIteration):
        next(results)


# --- directories --------------------------------------------------------------------------------


def test_directory_is_walked_recursively_sorted_skipping_hidden_and_unknown(tmp_path, caplog):
    root = tmp_path / "corpus"
    write(root / "b_ferry.md", f"# Ferry\n\n{FERRY}")
    write(root / "a_barrier.txt", BARRIER)
    write(root / "sub" / "deeper" / "d_orchard.txt", ORCHARD)
    write(root / "sub" / "c_mine.html", page(MINE, title="Strike ends"))
    write(root / "z_last.txt", f"{BARRIER_2} {FERRY}")
    write(root / ".hidden.txt", MINE)
    write(root / ".cache" / "e_cached.txt", ORCHARD)
    write(root / "sub" / ".draft" / "f_draft.txt", ORCHARD)
    write(root / "notes.docx", b"PK\x03\x04 a word document")
    write(root / "sub" / "photo.jpeg", b"\xff\xd8\xff\xe0")
    with caplog.at_level(logging.WARNING, logger="kg.ingest.sources"):
        results = read(root)
    assert all(isinstance(r, Article) for r in results), results
    assert [r.id for r in results] == ["a_barrier", "b_ferry", "c_mine", "d_orchard", "z_last"]
    assert results[3].source == str(root / "sub" / "deeper" / "d_orchard.txt")
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    message = warnings[0].getMessage()
    assert message.startswith(f"{root}: skipped 2 file(s)")
    assert "notes.docx" in message
    assert "photo.jpeg" in message
    assert "hidden" not in message
    assert "e_cached" not in message


def test_directory_without_unknown_files_logs_no_warning(tmp_path, caplog):
    write(tmp_path / "d" / "one.txt", FERRY)
    with caplog.at_level(logging.WARNING):
        results = read(tmp_path / "d")
    assert [type(r) for r in results] == [Article]
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_directory_yields_errors_for_bad_files_and_goes_on(tmp_path):
    write(tmp_path / "a.txt", b"")
    write(tmp_path / "b.txt", MINE)
    results = read(tmp_path)
    assert [type(r) for r in results] == [EmptySourceError, Article]


# --- JSON Lines ---------------------------------------------------------------------------------


def jsonl(*records: object) -> str:
    return "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records)


def test_jsonl_with_one_broken_line(tmp_path):
    path = write(tmp_path / "file.jsonl", jsonl({"text": FERRY}, '{"text": "unterminated', {"text": MINE}))
    results = read(path)
    assert [type(r) for r in results] == [Article, MalformedRecordError, Article]
    first, broken, third = results
    assert (first.id, first.text, first.source) == ("file-1", FERRY, f"{path}:1")
    assert (third.id, third.text, third.source) == ("file-3", MINE, f"{path}:3")
    assert broken.source == f"{path}:2"
    assert "file.jsonl:2" in str(broken)
    assert "is not valid JSON" in str(broken)
    assert "fix or remove the line" in str(broken)


def jsonl_errors(path: Path) -> dict[str, str]:
    """``{source: message}`` for the MalformedRecordErrors read from ``path``."""
    results = read(path)
    return {r.source: str(r) for r in results if isinstance(r, MalformedRecordError)}


def test_jsonl_control_character_is_named_with_line_and_column(tmp_path):
    # The tab is the 16th character of line 3: '{"text": "' is 10, "Ferry" 5.
    bad = '{"text": "Ferry\tnews"}'
    assert bad.index("\t") + 1 == 16
    path = write(tmp_path / "items.jsonl", jsonl({"text": FERRY}, {"text": MINE}, bad))
    errors = jsonl_errors(path)
    message = errors[f"{path}:3"]
    assert message.startswith(
        f"{path}:3: is not valid JSON at line 3, column 16: invalid control character U+0009 in a string"
    ), message
    assert "at at" not in message
    assert "\\u0009" in message  # the fix: write it escaped


@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["LF", "CRLF"])
@pytest.mark.parametrize(
    ("line", "column", "what"),
    [
        # The comma is the last character: the error is just past the end of the line, not on the next.
        ('{"text": "ok",', 15, "expecting property name enclosed in double quotes"),
        ('{"text" "ok"}', 9, "expecting ':' delimiter"),
        ('{"text": "ok" "more"}', 15, "expecting ',' delimiter"),
        ('{"text": "ok"} {"text": "again"}', 16, "more text after the end of the JSON value"),
        # The string runs to the end of the line: reported where it opens, not as the line ending in it.
        ('{"text": "unterminated', 10, "unterminated string"),
    ],
    ids=["trailing-comma", "no-colon", "no-comma", "two-records", "unterminated"],
)
def test_jsonl_syntax_error_column(tmp_path, newline, line, column, what):
    content = newline.join([json.dumps({"text": FERRY}), line, json.dumps({"text": MINE})]) + newline
    path = write(tmp_path / "items.jsonl", content.encode())
    results = read(path)
    assert [type(r) for r in results] == [Article, MalformedRecordError, Article]
    message = str(results[1])
    assert message == f"{path}:2: is not valid JSON at line 2, column {column}: {what} (fix or remove the line)"


def test_jsonl_with_crlf_line_endings(tmp_path):
    content = jsonl({"text": FERRY}, {"text": MINE}).replace("\n", "\r\n")
    path = write(tmp_path / "items.jsonl", content.encode())
    results = read(path)
    assert [(type(r), r.text) for r in results] == [(Article, FERRY), (Article, MINE)]


def test_jsonl_column_after_a_bom_counts_characters_of_the_line(tmp_path):
    path = write(tmp_path / "bom.jsonl", codecs.BOM_UTF8 + b'{"text": "caf\xc3\xa9" "x"}\n')
    (error,) = read(path)
    assert isinstance(error, MalformedRecordError)
    # '{"text": "café" ' is 16 characters: the error is at the 17th, the BOM and the UTF-8 bytes not counted.
    assert "at line 1, column 17: expecting ',' delimiter" in str(error)


def test_jsonl_blank_lines_are_skipped_but_counted(tmp_path):
    path = write(tmp_path / "news.ndjson", "\n" + jsonl({"text": FERRY}) + "   \n" + jsonl({"text": MINE}))
    results = read(path)
    assert [r.id for r in results] == ["news-2", "news-4"]


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        ({"title": "Ferry resumes"}, "has no 'text' or 'html' string"),
        ({"text": None, "html": None}, "has no 'text' or 'html' string"),
        ({"text": 42}, "has no 'text' or 'html' string"),
        ({"text": ["a", "list"]}, "has no 'text' or 'html' string"),
        ('["text", "in", "a", "list"]', "is not a JSON object"),
        ('"just a string"', "is not a JSON object"),
    ],
)
def test_jsonl_line_without_text(tmp_path, record, reason):
    path = write(tmp_path / "items.jsonl", jsonl({"text": ORCHARD}, record))
    results = read(path)
    assert isinstance(results[0], Article)
    error = results[1]
    assert isinstance(error, MalformedRecordError)
    assert error.source == f"{path}:2"
    assert reason in str(error)


@pytest.mark.parametrize("url", ["javascript:alert(1)", "file:///etc/passwd", "data:text/html,<b>x</b>",
                                 "example.org/a", "https://example.org/a b", 'https://example.org/"><script>', "https://"])
def test_jsonl_url_that_is_not_a_web_address_is_refused(tmp_path, url):
    path = write(tmp_path / "items.jsonl", jsonl({"text": ORCHARD}, {"text": FERRY, "url": url}))
    results = read(path)
    assert isinstance(results[0], Article)
    error = results[1]
    assert isinstance(error, MalformedRecordError) and error.source == f"{path}:2"
    assert "is not an http(s) address" in str(error) and "leave 'url' out" in str(error)


def test_jsonl_url_that_is_a_web_address_is_kept(tmp_path):
    url = "https://example.org/news/raid-report?id=7&ref=home"
    (article,) = read(write(tmp_path / "items.jsonl", jsonl({"text": FERRY, "url": url})))
    assert isinstance(article, Article) and article.url == url


@pytest.mark.parametrize("published", ["last Tuesday", "06/10/2022", "2022-13-01", "", 20221006, ["2022-10-06"]])
def test_jsonl_line_with_bad_published(tmp_path, published):
    path = write(tmp_path / "items.jsonl", jsonl({"text": ORCHARD, "published": published}))
    error = read_one(path)
    assert isinstance(error, MalformedRecordError)
    assert error.source == f"{path}:1"
    assert f"has an unreadable 'published' value {published!r}" in str(error)
    assert "YYYY-MM-DD" in str(error)


def test_jsonl_line_that_is_not_utf8(tmp_path):
    path = write(tmp_path / "items.jsonl", b'{"text": "caf\xe9"}\n' + jsonl({"text": MINE}).encode())
    results = read(path)
    assert isinstance(results[0], MalformedRecordError)
    assert "is not UTF-8" in str(results[0])
    assert isinstance(results[1], Article)


def test_jsonl_record_fields(tmp_path):
    records = [
        {"id": "Strike at HOLLIN mine", "text": MINE, "title": "Strike ends", "published": "2019-06-02T08:00:00Z"},
        {"url": "https://courier.example/2020/05/ferry-resumes.html", "text": FERRY},
        {"text": f"Harvest record\n{ORCHARD}"},
    ]
    path = write(tmp_path / "Batch.jsonl", jsonl(*records))
    one, two, three = read(path)
    assert isinstance(one, Article)
    assert one.id == "strike-at-hollin-mine"
    assert one.title == "Strike ends"
    assert (one.published, one.published_from) == ("2019-06-02", "field")
    assert isinstance(two, Article)
    assert two.id == url_id("https://courier.example/2020/05/ferry-resumes.html")
    assert two.url == "https://courier.example/2020/05/ferry-resumes.html"
    assert two.source == f"{path}:2"
    assert isinstance(three, Article)
    assert three.id == "batch-3"
    assert three.title == "Harvest record"


def test_jsonl_html_record_is_extracted(tmp_path):
    path = write(tmp_path / "pages.jsonl", jsonl({"html": page(FERRY, MINE, title="Harbour news")}))
    article = read_one(path)
    assert isinstance(article, Article)
    assert FERRY in article.text
    assert "<p>" not in article.text
    assert article.title == "Harbour news"


def test_jsonl_oversized_line_is_refused_alone(tmp_path):
    path = write(tmp_path / "items.jsonl", jsonl({"text": FERRY}, {"text": FERRY + " " + MINE + " " + ORCHARD}))
    limit = len(json.dumps({"text": FERRY})) + 10
    results = read(path, options=ReadOptions(max_bytes=limit))
    assert isinstance(results[0], Article)
    assert isinstance(results[1], OversizedSourceError)
    assert results[1].source == f"{path}:2"
    assert f"over the {limit:,}-byte limit" in str(results[1])


def test_jsonl_with_utf8_bom(tmp_path):
    path = write(tmp_path / "bom.jsonl", codecs.BOM_UTF8 + jsonl({"text": FERRY}, {"text": MINE}).encode())
    results = read(path)
    assert [type(r) for r in results] == [Article, Article]


# --- imports ------------------------------------------------------------------------------------


def test_reading_files_does_not_import_the_http_stack(tmp_path):
    """kg.ingest.web, and with it requests and urllib3, is imported only when a URL is read."""
    path = write(tmp_path / "ferry.txt", f"Ferry resumes\n{FERRY}\n")
    script = (
        "import sys\n"
        "from kg.ingest import read_sources\n"
        f"results = list(read_sources([{str(path)!r}]))\n"
        "assert type(results[0]).__name__ == 'Article', results\n"
        "print(sorted(m for m in ('kg.ingest.web', 'requests', 'urllib3') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


# --- stdin --------------------------------------------------------------------------------------


def test_stdin(tmp_path):
    data = f"Ferry resumes\n{FERRY}\n".encode()
    article = read_one("-", stdin=io.BytesIO(data))
    assert isinstance(article, Article)
    text = f"Ferry resumes\n{FERRY}"
    assert article.text == text
    assert article.source == "stdin"
    assert article.id == "stdin-" + hashlib.sha256(f"{text}\n".encode()).hexdigest()[:12]
    assert article.title == "Ferry resumes"


def test_stdin_html_is_detected():
    article = read_one("-", stdin=io.BytesIO(page(FERRY, MINE, title="Harbour news").encode()))
    assert isinstance(article, Article)
    assert FERRY in article.text
    assert "<article>" not in article.text


@pytest.mark.parametrize(
    ("data", "error"),
    [(b"", EmptySourceError), (b"\x1f\x8b\x08\x00", BinarySourceError), (b"caf\xe9 " * 10, EncodingSourceError)],
)
def test_stdin_errors_name_stdin(data, error):
    result = read_one("-", stdin=io.BytesIO(data))
    assert isinstance(result, error)
    assert result.source == "stdin"
    assert str(result).startswith("stdin: ")


def test_stdin_oversized_reads_no_more_than_the_limit():
    stream = io.BytesIO((FERRY + " ").encode() * 10)
    result = read_one("-", ReadOptions(max_bytes=100), stdin=stream)
    assert isinstance(result, OversizedSourceError)
    assert "stdin: is over the 100-byte limit" in str(result)
    assert stream.tell() == 101  # it stopped reading one byte past the limit


# --- paths that are not files -------------------------------------------------------------------


def test_nonexistent_path(tmp_path):
    missing = tmp_path / "nowhere" / "article.txt"
    result = read_one(missing)
    assert type(result) is SourceError
    assert str(result) == f"{missing}: does not exist (check the path)"


# --- size limit ---------------------------------------------------------------------------------


def test_oversized_file(tmp_path):
    content = f"{FERRY} {MINE}"
    path = write(tmp_path / "long.txt", content)
    size = len(content.encode())
    result = read_one(path, ReadOptions(max_bytes=100))
    assert isinstance(result, OversizedSourceError)
    message = str(result)
    assert message.startswith(f"{path}: is {size:,} bytes, over the 100-byte limit")
    assert "--max-bytes" in message


def test_file_at_exactly_the_limit_is_read(tmp_path):
    content = f"{FERRY} {MINE}"
    path = write(tmp_path / "fits.txt", content)
    size = len(content.encode())
    assert isinstance(read_one(path, ReadOptions(max_bytes=size)), Article)
    assert isinstance(read_one(path, ReadOptions(max_bytes=size - 1)), OversizedSourceError)


# --- publication dates --------------------------------------------------------------------------

OPTION, FIELD, DATE_LINE, META, DATELINE = "2000-01-01", "2017-08-08", "2019-05-05", "2021-04-17", "2018-03-03"
DATED_FERRY = f"BRELLIN, 3 March 2018 - {FERRY}"


def _with_everything(tmp_path, record_published: str | None) -> Path:
    html = page(f"date {DATE_LINE}", DATED_FERRY, MINE, published=f"{META}T09:30:00Z")
    record: dict[str, str] = {"html": html}
    if record_published:
        record["published"] = record_published
    return write(tmp_path / "dated.jsonl", jsonl(record))


def test_published_option_beats_everything(tmp_path):
    article = read_one(_with_everything(tmp_path, FIELD), ReadOptions(published=OPTION))
    assert isinstance(article, Article)
    assert (article.published, article.published_from) == (OPTION, "option")


def test_published_field_beats_date_line_html_and_dateline(tmp_path):
    article = read_one(_with_everything(tmp_path, FIELD))
    assert isinstance(article, Article)
    assert (article.published, article.published_from) == (FIELD, "field")
    assert not article.text.startswith("date ")  # the date line is removed even when not used


def test_date_line_beats_html_metadata_and_dateline(tmp_path):
    article = read_one(_with_everything(tmp_path, None))
    assert isinstance(article, Article)
    assert (article.published, article.published_from) == (DATE_LINE, "date-line")
    assert article.text.startswith("BRELLIN, 3 March 2018")


def test_html_metadata_beats_dateline(tmp_path):
    html = page(DATED_FERRY, MINE, published=f"{META}T09:30:00Z")
    article = read_one(write(tmp_path / "dated.html", html))
    assert isinstance(article, Article)
    assert (article.published, article.published_from) == (META, "html")


def test_dateline_is_the_last_resort(tmp_path):
    article = read_one(write(tmp_path / "dated.html", page(DATED_FERRY, MINE)))
    assert isinstance(article, Article)
    assert (article.published, article.published_from) == (DATELINE, "dateline")
    text_article = read_one(write(tmp_path / "dated.txt", f"{DATED_FERRY}\n{MINE}"))
    assert isinstance(text_article, Article)
    assert (text_article.published, text_article.published_from) == (DATELINE, "dateline")


def test_date_line_in_a_text_file(tmp_path):
    path = write(tmp_path / "seedlike.txt", f"date {DATE_LINE}\nFerry resumes\n{DATED_FERRY}\n")
    article = read_one(path)
    assert isinstance(article, Article)
    assert (article.published, article.published_from) == (DATE_LINE, "date-line")
    assert article.text.startswith("Ferry resumes\n")
    assert article.title == "Ferry resumes"  # the title is read after the date line


def test_option_beats_date_line_in_a_text_file(tmp_path):
    path = write(tmp_path / "seedlike.txt", f"date {DATE_LINE}\n{DATED_FERRY}\n")
    article = read_one(path, ReadOptions(published=OPTION))
    assert isinstance(article, Article)
    assert (article.published, article.published_from) == (OPTION, "option")
    assert article.text == DATED_FERRY


def test_no_date_anywhere(tmp_path):
    article = read_one(write(tmp_path / "undated.txt", f"{FERRY} {MINE}"))
    assert isinstance(article, Article)
    assert (article.published, article.published_from) == (None, None)


# --- article ids --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Velmora-Barrier.TXT", "velmora-barrier"),
        ("Report on Tosk (final).txt", "report-on-tosk-final"),
        ("ÜBER Draskov.md", "uber-draskov"),
        ("2021_06_02.strike.txt", "2021_06_02.strike"),
    ],
)
def test_article_id_is_the_lower_cased_file_stem(tmp_path, name, expected):
    article = read_one(write(tmp_path / name, f"{FERRY} {MINE}"))
    assert isinstance(article, Article)
    assert article.id == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [("Hello World", "hello-world"), ("--Odd__Name..", "odd__name"), ("!!!", "article"), ("a" * 150, "a" * 100)],
)
def test_article_id(name, expected):
    assert article_id(name) == expected


def test_url_id():
    url = "https://Courier.example/2022/10/Raid-Ends-Strike.html?page=2"
    digest = hashlib.sha1(url.encode()).hexdigest()[:8]
    assert url_id(url) == f"courier.example-raid-ends-strike-{digest}"
    assert url_id("https://courier.example/") == "courier.example-" + hashlib.sha1(
        b"https://courier.example/").hexdigest()[:8]
    assert url_id("https://courier.example/a.html") != url_id("https://courier.example/b/a.html")
