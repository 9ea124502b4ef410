"""The lines of each document, and what each line looks like: body text, a title, a sign-off."""

from __future__ import annotations

import polars as pl

from pipelines.shared.patterns import CHINESE_DATE, LABEL_TEXT, ORG_SUFFIX, TITLE_END

SENTENCE_END = r"[。；！？]"
MIN_BODY_CHARS = 15
MAX_TITLE_CHARS = 60
# How the name of a unit or zone ends (东疆综合保税区, 某某县).
UNIT_SUFFIX = r"(?:区|县|市|省|州|旗|盟)"


def document_lines(documents: pl.DataFrame) -> pl.DataFrame:
    """One row per non-blank line: report_id, line_no (1-based, in raw_text), line (stripped),
    in_main (inside the main content where the format marks one, else true)."""
    return (
        documents.select(
            "report_id", "main_first", "main_last", line=pl.col("raw_text").str.split("\n")
        )
        .explode("line", empty_as_null=False)
        .with_columns(line_no=pl.int_range(1, pl.len() + 1).over("report_id"))
        .with_columns(pl.col("line").str.strip_chars())
        .filter(pl.col("line") != "")
        .select(
            "report_id",
            "line_no",
            "line",
            in_main=pl.col("main_first").is_null()
            | (pl.col("line_no") - 1).is_between(pl.col("main_first"), pl.col("main_last")),
        )
    )


def is_heading(line: pl.Expr) -> pl.Expr:
    return line.str.contains(LABEL_TEXT)


def is_body(line: pl.Expr) -> pl.Expr:
    """A paragraph of running text or an outline heading: the report's own words for sure."""
    return (
        line.str.contains(SENTENCE_END) & (line.str.len_chars() >= MIN_BODY_CHARS)
    ) | is_heading(line)


def is_title_end(line: pl.Expr) -> pl.Expr:
    """The last line of a printed title: short, no sentence punctuation, ends in 报告/情况."""
    return (
        (line.str.len_chars() <= MAX_TITLE_CHARS)
        & ~line.str.contains(r"[。；！？，,]")
        & line.str.contains(TITLE_END)
    )


def is_org_name(line: pl.Expr) -> pl.Expr:
    """A line that is only the name of a body or a unit: how a report signs off, or names its
    issuer above its title."""
    return line.str.contains(rf"^[\p{{Han}}（）()·]{{2,40}}?(?:{ORG_SUFFIX}|{UNIT_SUFFIX})$")


def is_chinese_date(line: pl.Expr) -> pl.Expr:
    return line.str.contains(rf"^{CHINESE_DATE}$")
