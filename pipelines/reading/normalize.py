"""Normalise characters without moving any: every replacement is one character for one.

Full-width digits, Latin letters, % and the ideographic space become ASCII so that numbers
and units match one way; Chinese punctuation (，。：（）“”) is left exactly as written.
"""

from __future__ import annotations

import polars as pl

# Unicode white space, spelled out so that polars (Rust regex) and DuckDB (RE2), whose \s
# differ, count the same characters.
WHITE_SPACE = r"[\t\n\v\f\r\x{85}\p{Z}]"


def visible_chars(text: pl.Expr) -> pl.Expr:
    """How many characters of the text are not white space."""
    return text.str.len_chars() - text.str.count_matches(WHITE_SPACE)


_FULL_WIDTH = (
    [chr(0xFF10 + i) for i in range(10)]
    + [chr(0xFF21 + i) for i in range(26)]
    + [chr(0xFF41 + i) for i in range(26)]
    + ["％", "\u3000", "\u00a0", "．"]
)
_ASCII = (
    [chr(0x30 + i) for i in range(10)]
    + [chr(0x41 + i) for i in range(26)]
    + [chr(0x61 + i) for i in range(26)]
    + ["%", " ", " ", "."]
)


def normalize_width(text: pl.Expr) -> pl.Expr:
    """Full-width ASCII look-alikes to ASCII, one character each, so offsets stay put.

    The full-width full stop (．) only counts as a decimal point between digits: elsewhere it
    is left alone.
    """
    replaced = text.str.replace_many(_FULL_WIDTH[:-1], _ASCII[:-1])
    return replaced.str.replace_all(r"(\d)．(\d)", "${1}.${2}")


def normalize_line_ends(text: pl.Expr) -> pl.Expr:
    """Windows and old Mac line ends become \\n; trailing white space of the report goes."""
    return text.str.replace_all("\r\n?", "\n").str.strip_chars_end()
