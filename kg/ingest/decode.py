"""Bytes to clean text: refuse what is not text, never guess an encoding."""

from __future__ import annotations

import codecs
import re
import unicodedata

from kg.errors import BinarySourceError, EmptySourceError, EncodingSourceError

# Leading bytes of common non-text formats: what users point a builder at by mistake.
_MAGIC: list[tuple[bytes, str]] = [
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"PK\x03\x04", "a ZIP archive (or an Office document)"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"BZh", "a bzip2 archive"),
    (b"\xfd7zXZ", "an xz archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"\x7fELF", "an executable"),
    (b"RIFF", "a RIFF media file"),
    (b"OggS", "an Ogg media file"),
    (b"ID3", "an MP3 file"),
    (b"SQLite format 3", "an SQLite database"),
]
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_UTF32_BOMS = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)
# C0/C1 control characters other than tab and newline; carriage returns are folded first.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_BIDI = re.compile(r"[\u200e\u200f\u202a-\u202e\u2066-\u2069]")


#: The bytes that make a sample look binary: C0 controls but tab, newline, vertical tab, form feed and return.
_CONTROL_BYTES = bytes(b for b in range(32) if b < 9 or b > 13)


def sniff_binary(data: bytes) -> str | None:
    """A description of ``data`` if it is clearly not text, else ``None``."""
    for magic, what in _MAGIC:
        if data.startswith(magic):
            return what
    if data.startswith(_UTF16_BOMS + _UTF32_BOMS):
        return None  # text in a wide encoding: reported by decode_text, with its fix
    sample = data[:8192]
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    if controls > max(2, len(sample) // 20):
        return "binary data (it is mostly control bytes)"  # a stray NUL in real text is cleaned instead
    return None


def decode_text(data: bytes, source: str, encoding: str = "utf-8") -> str:
    """Decode ``data`` strictly and clean it, or raise a :class:`SourceError` naming the fix."""
    if not data.strip():
        raise EmptySourceError(
            source,
            "is empty" if not data else "holds only whitespace",
            "give a file with the article's text",
        )
    what = sniff_binary(data)
    if what:
        raise BinarySourceError(source, f"is {what}, not text", "give the article as text, HTML or Markdown")
    enc = codecs.lookup(encoding).name
    if enc in ("utf-8", "utf-8-sig") and data.startswith(_UTF16_BOMS + _UTF32_BOMS):
        wide = "UTF-32" if data.startswith(_UTF32_BOMS) else "UTF-16"
        raise EncodingSourceError(
            source,
            f"is {wide} text, not UTF-8",
            f"convert it (iconv -f {wide} -t UTF-8) or pass --encoding {wide.lower()}",
        )
    try:
        text = data.decode("utf-8-sig" if enc == "utf-8" else encoding)
    except UnicodeDecodeError as exc:
        raise EncodingSourceError(
            source,
            f"is not valid {encoding} (byte {exc.start}: {data[exc.start:exc.start + 1]!r})",
            "convert it to UTF-8 (e.g. iconv -f latin1 -t utf-8) or pass --encoding with its encoding",
        ) from None
    return clean_text(text)


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w.:-]+)""", re.I)


def html_charset(data: bytes) -> str | None:
    """The charset an HTML page declares in its own ``<meta>`` (in its first 4 KB), if any."""
    match = _META_CHARSET.search(data[:4096])
    if not match:
        return None
    name = match.group(1).decode("ascii", "ignore")
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def clean_text(text: str) -> str:
    """Normalise newlines and Unicode (NFC); drop control and bidi-override characters."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _BIDI.sub("", _CONTROL.sub("", text))
    return unicodedata.normalize("NFC", text)
