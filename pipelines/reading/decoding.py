"""Bytes to text: detect the encoding instead of assuming it, and refuse what is not text."""

from __future__ import annotations

import re
from itertools import islice

import charset_normalizer

BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
# Characters no text file contains: C0 controls other than tab, newlines and form feed.
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
HAN = re.compile(r"[\u4e00-\u9fff]")


class UnreadableSource(ValueError):
    """An input that cannot become report text; the message is the reason users see."""


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 without a BOM: its ASCII characters put NULs in every other byte, one side only."""
    even, odd = data[0::2].count(0), data[1::2].count(0)
    if odd > 2 * even + 2:
        return "utf-16-le"
    if even > 2 * odd + 2:
        return "utf-16-be"
    return None


def _utf16_by_han(data: bytes) -> str | None:
    """Mostly-Chinese UTF-16 without a BOM has too few ASCII characters to tell its byte order
    by their NULs: read the other way, its characters are no Chinese (法 U+6CD5 becomes the
    Hangul U+D56C), so the order that gives mostly Han characters is the one."""
    sample = data[: 200_000 & ~1]
    shares = {}
    for encoding in ("utf-16-le", "utf-16-be"):
        text = sample.decode(encoding, "replace")
        shares[encoding] = len(HAN.findall(text)) / max(1, len(text))
    encoding = max(shares, key=shares.__getitem__)
    return encoding if shares[encoding] > MOSTLY_HAN else None


# The share of Han characters above which a text is taken for Chinese.
MOSTLY_HAN = 0.3


def _strict(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None


def decode_text(data: bytes) -> tuple[str, str]:
    """Return (text, encoding) for the bytes of a text file, or raise UnreadableSource."""
    if not data.strip():
        raise UnreadableSource("empty file" if not data else "file holds only white space")
    candidates: list[str] = [enc for bom, enc in BOMS if data.startswith(bom)]
    if not candidates and b"\x00" in data:
        utf16 = _utf16_without_bom(data) or _utf16_by_han(data)
        text = _strict(data, utf16) if utf16 else None
        if text is None or not _looks_like_text(text):
            raise UnreadableSource("binary file: it contains NUL bytes and is not UTF-16 text")
        return text, utf16
    candidates += ["utf-8", "gb18030"]
    for encoding in candidates:
        text = _strict(data, encoding)
        if text is not None and _looks_like_text(text):
            return text.removeprefix("\ufeff"), encoding
    best = charset_normalizer.from_bytes(data).best()
    if best is not None:
        text = str(best)
        if _looks_like_text(text):
            return text, best.encoding
    raise UnreadableSource(
        "undecodable: not UTF-8, UTF-16 or GB18030, and no other encoding gives readable text"
    )


def _looks_like_text(text: str) -> bool:
    sample = text[:200_000]
    return len(CONTROL_CHARS.findall(sample)) <= len(sample) / 1000


def require_chinese(text: str) -> None:
    """A report on law-based government is written in Chinese; refuse text that is not."""
    # Stops at the twentieth: the rest of the text is not looked at.
    if sum(1 for _ in islice(HAN.finditer(text, 0, 50_000), 20)) < 20:
        raise UnreadableSource("no Chinese text: fewer than 20 Chinese characters")
