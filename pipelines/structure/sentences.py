"""Sentences: split on sentence ends, never inside quotes, brackets, titles or numbers.

The split is one regex over each report, run by polars: the pieces it returns cover the text
exactly, so cumulative lengths give every sentence its character offsets into reports.text.
"""

from __future__ import annotations

import polars as pl

ENDS = "。！？!?"
# A quoted, bracketed or titled span is one unit: a 。 inside “……” does not end the sentence.
_ATOM = rf"“[^”\n]*”|‘[^’\n]*’|（[^）\n]*）|《[^》\n]*》|[^{ENDS}\n]"
PIECE = rf"(?:{_ATOM})+[{ENDS}]+[”’」』]*|(?:{_ATOM})+|[{ENDS}]+[”’」』]*|\n+"


def running_sum(values: pl.Expr, restart: pl.Expr) -> pl.Expr:
    """The sum of values up to each row, starting again on the rows where restart is true.

    On rows already in group order this is values.cum_sum().over(group) by two scans: a window
    evaluated group by group costs more than the work when the groups are small and many.
    """
    total = values.cum_sum()
    return total - pl.when(restart).then(total - values).forward_fill()


def pieces_with_offsets(
    frame: pl.DataFrame, text: str, pattern: str, keys: list[str]
) -> pl.DataFrame:
    """Cut each text into the consecutive pieces the pattern matches, with their offsets.

    The pattern must match every character of the text (its pieces tile it), which makes the
    running sum of piece lengths the offset of each piece.
    """
    return (
        frame.select(
            *keys, piece=pl.col(text).str.extract_all(pattern), _text=pl.int_range(pl.len())
        )
        .explode("piece", empty_as_null=False)
        .with_columns(length=pl.col("piece").str.len_chars())
        .select(
            *keys,
            "piece",
            "length",
            char_start=running_sum(pl.col("length"), pl.col("_text").is_first_distinct())
            - pl.col("length"),
        )
        .with_columns(char_end=pl.col("char_start") + pl.col("length"))
    )


def split_sentences(reports: pl.DataFrame) -> pl.DataFrame:
    """report_id, sentence_no, text, char_start, char_end (white space trimmed off each end)."""
    pieces = pieces_with_offsets(reports, "text", PIECE, ["report_id"])
    return (
        pieces.with_columns(
            lead=pl.col("length") - pl.col("piece").str.strip_chars_start().str.len_chars(),
            trail=pl.col("length") - pl.col("piece").str.strip_chars_end().str.len_chars(),
        )
        .filter(pl.col("piece").str.strip_chars() != "")
        .select(
            "report_id",
            sentence_no=pl.int_range(pl.len()).over("report_id").cast(pl.Int32),
            text=pl.col("piece").str.strip_chars(),
            char_start=(pl.col("char_start") + pl.col("lead")).cast(pl.Int64),
            char_end=(pl.col("char_end") - pl.col("trail")).cast(pl.Int64),
        )
    )
