"""Bytes to clean text: kg.ingest.decode (decode_text, sniff_binary, clean_text)."""

from __future__ import annotations

import codecs

import pytest

from kg.errors import BinarySourceError, EmptySourceError, EncodingSourceError, SourceError
from kg.ingest.decode import clean_text, decode_text, sniff_binary

ARTICLE = "The harbour of Quellmark reopened on Tuesday after the storm, said mayor Ilse Varnow."


# --- empty input ------------------------------------------------------------------------------


def test_empty_bytes_are_refused_as_empty():
    with pytest.raises(EmptySourceError) as info:
        decode_text(b"", "empty.txt")
    err = info.value
    assert err.source == "empty.txt"
    assert err.reason == "is empty"
    assert str(err).startswith("empty.txt: is empty (")


@pytest.mark.parametrize("data", [b" ", b"\n\n", b" \t\r\n  \n", b"\x0b\x0c"])
def test_whitespace_only_is_refused(data):
    with pytest.raises(EmptySourceError) as info:
        decode_text(data, "blank.txt")
    assert info.value.reason == "holds only whitespace"
    assert "blank.txt" in str(info.value)


# --- binary formats ---------------------------------------------------------------------------

BINARY_CASES = [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "PNG"),
    (b"PK\x03\x04\x14\x00\x06\x00word/document.xml", "ZIP"),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
    (b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03", "gzip"),
    (b"\xff\xd8\xff\xe0\x00\x10JFIF", "JPEG"),
]


@pytest.mark.parametrize(("data", "word"), BINARY_CASES, ids=[w for _, w in BINARY_CASES])
def test_sniff_binary_names_the_format(data, word):
    what = sniff_binary(data)
    assert what is not None
    assert word in what


@pytest.mark.parametrize(("data", "word"), BINARY_CASES, ids=[w for _, w in BINARY_CASES])
def test_decode_text_refuses_binary_formats(data, word):
    with pytest.raises(BinarySourceError) as info:
        decode_text(data, "upload.bin")
    message = str(info.value)
    assert message.startswith("upload.bin: is ")
    assert word in message
    assert "not text" in message
    assert info.value.fix  # says what to give instead


def test_mostly_control_bytes_mean_binary():
    data = bytes(range(0, 8)) * 40 + b"Quellmark harbour"
    assert sniff_binary(data) == "binary data (it is mostly control bytes)"
    with pytest.raises(BinarySourceError, match="control bytes"):
        decode_text(data, "blob")


def test_a_few_stray_control_bytes_in_text_are_cleaned_not_refused():
    data = b"Quellmark\x00\x00\x01\x02harbour" + b"x" * 100
    assert sniff_binary(data) is None
    assert decode_text(data, "blob") == "Quellmarkharbour" + "x" * 100


def test_nul_byte_beyond_the_sniffed_head_is_not_binary_but_is_cleaned():
    # Only the first 8 KiB are sniffed; a late NUL is a control character and is dropped.
    data = b"a" * 9000 + b"\x00b"
    assert sniff_binary(data) is None
    text = decode_text(data, "late-nul.txt")
    assert "\x00" not in text
    assert text.endswith("ab")


@pytest.mark.parametrize("text", [ARTICLE, "Ein Bericht aus Grünwald über den Hafen.", "مرحبا بالعالم"])
def test_sniff_binary_accepts_text(text):
    assert sniff_binary(text.encode("utf-8")) is None


# --- wide encodings ---------------------------------------------------------------------------


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_with_bom_is_refused_with_the_fix(codec):
    bom = codecs.BOM_UTF16_LE if codec.endswith("le") else codecs.BOM_UTF16_BE
    data = bom + ARTICLE.encode(codec)
    assert sniff_binary(data) is None  # not reported as binary despite its NUL bytes
    with pytest.raises(EncodingSourceError) as info:
        decode_text(data, "wide.txt")
    message = str(info.value)
    assert "wide.txt" in message
    assert "UTF-16" in message
    assert "not UTF-8" in message
    assert "iconv -f UTF-16 -t UTF-8" in message
    assert "--encoding utf-16" in message


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_with_bom_decodes_when_asked(codec):
    bom = codecs.BOM_UTF16_LE if codec.endswith("le") else codecs.BOM_UTF16_BE
    data = bom + ARTICLE.encode(codec)
    assert decode_text(data, "wide.txt", encoding="utf-16") == ARTICLE


def test_utf32_with_bom_is_named_utf32():
    data = codecs.BOM_UTF32_LE + ARTICLE.encode("utf-32-le")
    with pytest.raises(EncodingSourceError, match="UTF-32"):
        decode_text(data, "wider.txt")


# --- legacy 8-bit encodings --------------------------------------------------------------------

LATIN1 = b"caf\xe9 au lait in Quellmark, where the harbour master Ren\xe9 Varnow lives."


def test_latin1_bytes_are_refused_naming_the_offset_and_the_option():
    with pytest.raises(EncodingSourceError) as info:
        decode_text(LATIN1, "latin.txt")
    err = info.value
    message = str(err)
    assert message.startswith("latin.txt: ")
    assert "not valid utf-8" in message
    assert "byte 3" in message  # b"caf" then the offending \xe9
    assert r"\xe9" in message
    assert "--encoding" in err.fix
    assert "iconv" in err.fix


def test_offset_is_the_first_bad_byte():
    data = "Grünwald ".encode() + b"\xff rest of the text"
    with pytest.raises(EncodingSourceError, match=r"byte 10\b"):
        decode_text(data, "x.txt")


@pytest.mark.parametrize("encoding", ["latin-1", "latin1", "iso-8859-1", "cp1252"])
def test_latin1_bytes_decode_with_the_right_encoding(encoding):
    text = decode_text(LATIN1, "latin.txt", encoding=encoding)
    assert text.startswith("café au lait")
    assert "René Varnow" in text


def test_unknown_encoding_name_is_a_lookup_error():
    # The CLI validates --encoding; the decoder itself does not invent a fallback.
    with pytest.raises(LookupError):
        decode_text(b"plain text", "x.txt", encoding="no-such-codec")


# --- UTF-8 details ------------------------------------------------------------------------------


def test_utf8_bom_is_stripped():
    data = codecs.BOM_UTF8 + ARTICLE.encode()
    text = decode_text(data, "bom.txt")
    assert text == ARTICLE
    assert "\ufeff" not in text


def test_utf8_bom_is_stripped_with_explicit_utf8_sig():
    assert decode_text(codecs.BOM_UTF8 + b"Quellmark harbour", "bom.txt", encoding="utf-8-sig") == (
        "Quellmark harbour"
    )


def test_crlf_and_lone_cr_are_normalised():
    data = b"Line one\r\nLine two\rLine three\n"
    assert decode_text(data, "crlf.txt") == "Line one\nLine two\nLine three\n"
    assert "\r" not in clean_text("a\r\n\r\nb\r")


def test_text_is_nfc_normalised():
    decomposed = "Gru\u0308nwald"  # u + combining diaeresis
    assert clean_text(decomposed) == "Grünwald"
    assert decode_text(decomposed.encode(), "nfc.txt") == "Grünwald"


# --- cleaning ---------------------------------------------------------------------------------


def test_control_characters_are_removed_but_tab_and_newline_kept():
    text = "Quell\x01mark\x07 har\x1bbour\x7f\tand\x0c\x0bthe\x85 quay\x9f\nnext line"
    assert clean_text(text) == "Quellmark harbour\tandthe quay\nnext line"


def test_bidi_overrides_are_removed():
    text = "\u202eevil\u202c name \u2066isolated\u2069 \u200emark\u200f \u202aembed\u202b"
    cleaned = clean_text(text)
    assert cleaned == "evil name isolated mark embed"
    for char in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f":
        assert char not in cleaned


def test_arabic_script_is_kept_intact():
    arabic = "قال المتحدث باسم بلدية كوالمارك إن الميناء أُعيد فتحه يوم الثلاثاء."
    assert clean_text(arabic) == arabic
    assert decode_text(arabic.encode("utf-8"), "ar.txt") == arabic
    # Joiners used in Arabic and Persian typography are not bidi overrides.
    zwnj = "می\u200cخواهم"
    assert clean_text(zwnj) == zwnj


def test_arabic_with_embedded_override_keeps_the_letters():
    arabic = "مرحبا بكم في كوالمارك"
    dirty = "\u202b" + arabic + "\u202c\x01"
    assert decode_text(dirty.encode("utf-8") + b" end", "ar.txt", encoding="utf-8") == arabic + " end"


def test_errors_are_source_errors_with_source_reason_fix():
    with pytest.raises(SourceError) as info:
        decode_text(b"%PDF-1.4", "report.pdf")
    err = info.value
    assert (err.source, err.reason) == ("report.pdf", "is a PDF document, not text")
    assert str(err) == f"report.pdf: is a PDF document, not text ({err.fix})"
