"""Sections: the heading tree of each report, and the part of the report every sentence is in.

A heading is a sentence that starts with an outline label (一、 （一） 1. 1、 (1) ①); it may run
into its paragraph (三、服务重大决策。一是...), which the sentence split already separates. The
level of a label style is the order in which the report first uses it, because reports nest
their styles differently.
"""

from __future__ import annotations

from functools import cache

import polars as pl

from pipelines.settings import RULES_DIR

HAN_NUMERAL = "一二三四五六七八九十"
LABELS = {
    "han": rf"^[{HAN_NUMERAL}]{{1,3}}[、.．]",
    "han_paren": rf"^[（(][{HAN_NUMERAL}]{{1,3}}[）)]",
    "digit": r"^\d{1,2}[.．、]\s*[^\d\s.．、]",
    "digit_paren": r"^[（(]\d{1,2}[）)]",
    "circled": r"^[①②③④⑤⑥⑦⑧⑨⑩]",
}
LABEL_TEXT = (
    rf"^(?:[{HAN_NUMERAL}]{{1,3}}[、.．]|[（(][{HAN_NUMERAL}]{{1,3}}[）)]|\d{{1,2}}[.．、]"
    r"|[（(]\d{1,2}[）)]|[①②③④⑤⑥⑦⑧⑨⑩])"
)
MAX_HEADING = 60
PARTS = ["measures", "leadership", "shortcomings", "plans", "other"]


@cache
def part_rules() -> pl.DataFrame:
    return pl.read_csv(RULES_DIR / "report_parts.tsv", separator="\t", quote_char=None)


def label_style(text: pl.Expr) -> pl.Expr:
    style = pl.lit(None, dtype=pl.String)
    for name, pattern in reversed(LABELS.items()):
        style = pl.when(text.str.contains(pattern)).then(pl.lit(name)).otherwise(style)
    return style


def classify_part(heading: pl.Expr, report_year: pl.Expr) -> pl.Expr:
    """The part a top-level heading opens; a heading naming a later year than the report's is
    next year's plans."""
    part = pl.lit(None, dtype=pl.String)
    for name, pattern in reversed(list(part_rules().iter_rows())):
        part = pl.when(heading.str.contains(pattern)).then(pl.lit(name)).otherwise(part)
    later_year = heading.str.extract(r"((?:19|20)\d{2})\s*年", 1).cast(pl.Int32) > report_year
    return pl.when(later_year).then(pl.lit("plans")).otherwise(part)


def find_sections(sentences: pl.DataFrame, reports: pl.DataFrame) -> pl.DataFrame:
    """report_id, section_no, parent_no, level, label, heading, part, char_start, char_end."""
    headings = (
        sentences.with_columns(style=label_style(pl.col("text")))
        .filter(pl.col("style").is_not_null())
        .with_columns(
            label=pl.col("text").str.extract(LABEL_TEXT, 0),
        )
        .with_columns(
            heading=pl.col("text")
            .str.slice(pl.col("label").str.len_chars())
            .str.strip_chars()
            .str.strip_chars_end("。；;：:")
            .str.slice(0, MAX_HEADING)
        )
    )
    first_use = (
        headings.group_by("report_id", "style")
        .agg(first=pl.col("sentence_no").min())
        .with_columns(level=pl.col("first").rank("ordinal").over("report_id").cast(pl.Int32))
    )
    sections = (
        headings.join(first_use, on=["report_id", "style"])
        .sort("report_id", "sentence_no")
        .with_columns(section_no=pl.int_range(1, pl.len() + 1).over("report_id").cast(pl.Int32))
        .join(reports.select("report_id", "report_year", "n_chars"), on="report_id")
    )
    max_level = int(sections["level"].max() or 0)
    parent = pl.lit(None, dtype=pl.Int32)
    end = pl.col("n_chars")
    for level in range(1, max_level + 1):
        # The latest section at this level before each row, and the next start at this level or above.
        latest = (
            pl.when(pl.col("level") == level)
            .then(pl.col("section_no"))
            .shift(1)
            .forward_fill()
            .over("report_id")
        )
        next_start = (
            pl.when(pl.col("level") <= level)
            .then(pl.col("char_start"))
            .shift(-1)
            .backward_fill()
            .over("report_id")
        )
        parent = (
            pl.when(pl.col("level") > level)
            .then(pl.max_horizontal(parent, latest))
            .otherwise(parent)
        )
        end = (
            pl.when(pl.col("level") == level)
            .then(pl.coalesce(next_start, pl.col("n_chars")))
            .otherwise(end)
        )
    sections = sections.with_columns(parent_no=parent, char_end=end.cast(pl.Int64))
    # A parent opened before a newer section of its own level is not the parent: keep only a
    # parent whose span still covers the child.
    spans = sections.select("report_id", parent_no="section_no", parent_end="char_end")
    sections = (
        sections.join(spans, on=["report_id", "parent_no"], how="left")
        .with_columns(
            parent_no=pl.when(pl.col("char_start") < pl.col("parent_end")).then(pl.col("parent_no"))
        )
        .with_columns(
            top_part=pl.when(pl.col("level") == 1).then(
                classify_part(pl.col("heading"), pl.col("report_year"))
            )
        )
    )
    return assign_parts(sections).select(
        "report_id",
        "section_no",
        "parent_no",
        "level",
        "label",
        "heading",
        "part",
        "char_start",
        "char_end",
    )


def assign_parts(sections: pl.DataFrame) -> pl.DataFrame:
    """Top-level sections take their classified part; an unclassified top-level section before
    the shortcomings and plans is one of the report's measures; sub-sections inherit."""
    top = sections.filter(pl.col("level") == 1).with_columns(
        seen_later_part=pl.col("top_part")
        .is_in(["shortcomings", "plans"])
        .fill_null(False)
        .cum_max()
        .over("report_id")
    )
    top = top.with_columns(
        part=pl.coalesce(
            pl.col("top_part"),
            pl.when(~pl.col("seen_later_part")).then(pl.lit("measures")),
            pl.lit("other"),
        )
    )
    return (
        sections.join(
            top.select("report_id", "section_no", "part"),
            on=["report_id", "section_no"],
            how="left",
        )
        .sort("report_id", "section_no")
        .with_columns(pl.col("part").forward_fill().over("report_id").fill_null("other"))
    )


def place_sentences(sentences: pl.DataFrame, sections: pl.DataFrame) -> pl.DataFrame:
    """Give each sentence the innermost section it starts in (null before the first heading)."""
    starts = sections.select("report_id", "section_no", "part", "char_start").sort(
        "report_id", "char_start"
    )
    return (
        sentences.sort("report_id", "char_start")
        .join_asof(
            starts, on="char_start", by="report_id", strategy="backward", check_sortedness=False
        )
        .with_columns(pl.col("part").fill_null("other"))
        .sort("report_id", "sentence_no")
    )
