"""Paragraphs inside a line, and site chrome run into the report's first or last line.

A report that lost its line breaks (an archive's one-line dump, a crawler's CSV) keeps its
paragraphs only as signs inside the line: two spaces where an ideographic indent stood (the
reading stage makes U+3000 an ASCII space, one character for one, so offsets never move), a
space after a full stop or a colon, an outline label (一、 （一） 1.) after a full stop or a
space or right after its parent heading, a space between a heading and its first sentence, a
title run into the opening, a signature run into the last sentence. An enumeration inside a
paragraph (一是, 二是) is no break: it ends a heading run into it (structure.sections).
Each becomes a line break again, so the clean text has one paragraph per line whatever the
layout; only white space is dropped, never a visible character.

A page flattened the same way carries its chrome inside those lines: the breadcrumb and share
bar before the title, 来源 and 附件下载 after the last sentence. rules/run_in_chrome.tsv says
how such chrome reads; a fragment it finds is cut only before the report's first sentence or
after its last one (and everything after such a fragment at the end goes with it, as the page
footer), so the body's own words (数据来源：区统计局) stay.
"""

from __future__ import annotations

import polars as pl

from pipelines.cleaning.lines import is_body
from pipelines.cleaning.page_margins import BELOW
from pipelines.cleaning.rules import run_in_pattern, run_in_rules
from pipelines.shared.patterns import CHINESE_DATE, HAN_NUMERAL, ORG_NAME, YEAR_DIGITS, YEAR_HAN

BREAK = "\x1e"
FRAGMENT = "\x1f"
SENTENCE_END = r"[。！？][”’」』）)]*"
HAN_LABEL = rf"(?:[{HAN_NUMERAL}]{{1,3}}、|[（(][{HAN_NUMERAL}]{{1,3}}[）)])"
# An outline label (the digit ones take the character after them, so 2.0 and 1、2月 are not).
OUTLINE_LABEL = rf"(?:{HAN_LABEL}|\d{{1,2}}[.．、][^\d\s.．、%]|[（(]\d{{1,2}}[）)])"
NO_STOP = rf"[^。！？；:：{BREAK}{FRAGMENT}]"
TITLE_CHAR = rf"[^，,。！？；:：{BREAK}{FRAGMENT}]"
TITLE = (
    rf"{TITLE_CHAR}{{0,60}}?(?:法治|依法行政|法制){TITLE_CHAR}{{0,30}}?"
    r"(?:报告|情况|总结)(?:[（(][^）)]{0,20}[）)])?"
)
OPENING = rf"(?:(?:{YEAR_DIGITS}|{YEAR_HAN})\s*年|今年以来|今年|一年来|近年来|{HAN_LABEL})"
SIGNATURE = rf"{ORG_NAME}(?:\s*{CHINESE_DATE})?|{CHINESE_DATE}"
# A heading run straight into its first sub-heading: 一、主要举措和成效（一）依法履职1.深化改革。
HEADING_THEN_LABEL = (
    rf"((?:^|{BREAK}){OUTLINE_LABEL}{NO_STOP}{{0,60}}?[^第\d{BREAK}])({OUTLINE_LABEL})"
)
# A heading run into its first sentence with a space between: （一）强化组织领导 区委……。
HEADING_THEN_SENTENCE = (
    rf"((?:^|{BREAK}){OUTLINE_LABEL}[^。！？；\s{BREAK}]{{1,60}})\s+([^{BREAK}]*[，,。！？；])"
)
# What any of the breaks above needs: white space, a label right after a full stop or after a
# heading, a title run into the opening, a signature run into the end.
MAY_BREAK = (
    rf"\s|{SENTENCE_END}{OUTLINE_LABEL}|{HEADING_THEN_LABEL}|^{TITLE}{OPENING}"
    rf"|{SENTENCE_END}(?:{SIGNATURE})$"
)
# A heading nests at most this deep before its first sentence.
NESTED_HEADINGS = 3


def paragraph_breaks(text: pl.Expr) -> pl.Expr:
    """The text with BREAK wherever a paragraph ends inside it (white space there goes)."""
    text = (
        text.str.replace(rf"^({TITLE})\s*({OPENING})", f"${{1}}{BREAK}${{2}}")
        .str.replace(rf"({SENTENCE_END})\s*({SIGNATURE})\s*$", f"${{1}}{BREAK}${{2}}")
        .str.replace_all(r"\s{2,}", BREAK)
        .str.replace_all(rf"({SENTENCE_END}|[：:])\s+", f"${{1}}{BREAK}")
        .str.replace_all(rf"\s+({OUTLINE_LABEL})", f"{BREAK}${{1}}")
        .str.replace_all(rf"({SENTENCE_END})({OUTLINE_LABEL})", f"${{1}}{BREAK}${{2}}")
    )
    for _ in range(NESTED_HEADINGS):
        text = text.str.replace_all(HEADING_THEN_LABEL, f"${{1}}{BREAK}${{2}}")
    return text.str.replace_all(HEADING_THEN_SENTENCE, f"${{1}}{BREAK}${{2}}")


def fragment_reason(piece: pl.Expr) -> pl.Expr:
    """The reason of the run-in chrome rule that spans the whole piece."""
    reason = pl.lit(None, dtype=pl.String)
    for pattern, why in reversed(list(run_in_rules().iter_rows())):
        reason = pl.when(piece.str.contains(f"^(?:{pattern})$")).then(pl.lit(why)).otherwise(reason)
    return reason


def split_lines(lines: pl.DataFrame) -> pl.DataFrame:
    """The pieces of each kept line (reason null): report_id, line_no, seg_no (their order in the
    line), piece, fragment (run-in chrome's reason, where a rule spans the piece) and
    break_before (a paragraph ends before it). Concatenated, a line's pieces give it back,
    less the white space of its paragraph breaks."""
    # Most lines are one paragraph already: only those with a sign of more are taken apart.
    # (Columns: each search is made once, for the filters and the marking below.)
    own = (
        lines.filter(pl.col("reason").is_null())
        .select(
            "report_id", "line_no", "line", run_in=pl.col("line").str.contains(run_in_pattern())
        )
        .with_columns(may_split=pl.col("run_in") | pl.col("line").str.contains(MAY_BREAK))
    )
    may_split = pl.col("may_split")
    whole = own.filter(~may_split).select(
        "report_id",
        "line_no",
        seg_no=pl.lit(0, pl.Int32),
        piece="line",
        fragment=pl.lit(None, pl.String),
        break_before=pl.lit(False),
    )
    marked = own.filter(may_split).select(
        "report_id",
        "line_no",
        # Only the lines with run-in chrome are searched for it again.
        piece=pl.coalesce(
            pl.when("run_in")
            .then(pl.col("line"))
            .str.replace_all(run_in_pattern(), f"{FRAGMENT}${{0}}{FRAGMENT}"),
            pl.col("line"),
        ).str.extract_all(f"{FRAGMENT}[^{FRAGMENT}]*{FRAGMENT}|[^{FRAGMENT}]+"),
    )
    pieces = (
        marked.explode("piece", empty_as_null=False)
        .with_columns(is_fragment=pl.col("piece").str.starts_with(FRAGMENT))
        .with_columns(
            piece=pl.when("is_fragment")
            .then(pl.concat_list(pl.col("piece").str.strip_chars(FRAGMENT)))
            .otherwise(paragraph_breaks(pl.col("piece")).str.split(BREAK))
        )
        .with_columns(
            break_before=pl.int_ranges(0, pl.col("piece").list.len()).list.eval(pl.element() > 0)
        )
        .explode("piece", "break_before", empty_as_null=False)
        .filter(pl.col("piece") != "")
        .with_columns(seg_no=pl.int_range(pl.len()).over("report_id", "line_no").cast(pl.Int32))
    )
    # The rules are matched again on the few fragments only, to tell each one's reason.
    fragments = pieces.filter("is_fragment").with_columns(fragment=fragment_reason(pl.col("piece")))
    return (
        pl.concat([whole, pieces.filter(~pl.col("is_fragment")), fragments], how="diagonal_relaxed")
        .sort("report_id", "line_no", "seg_no")
        .select("report_id", "line_no", "seg_no", "piece", "fragment", "break_before")
    )


def cut_run_in_chrome(pieces: pl.DataFrame) -> pl.DataFrame:
    """pieces with reason: run-in chrome before the report's first sentence or after its last,
    and everything after the first such fragment at the end (the page footer)."""
    order = ["line_no", "seg_no"]
    body = pl.col("fragment").is_null() & is_body(pl.col("piece").str.strip_chars())
    position = pl.int_range(pl.len()).over("report_id", order_by=order)
    marked = pieces.with_columns(pos=position).with_columns(
        first_body=pl.col("pos").filter(body).min().over("report_id"),
        last_body=pl.col("pos").filter(body).max().over("report_id"),
    )
    outside = (
        pl.col("first_body").is_null()
        | (pl.col("pos") < pl.col("first_body"))
        | (pl.col("pos") > pl.col("last_body"))
    )
    marked = marked.with_columns(reason=pl.when(outside).then(pl.col("fragment"))).with_columns(
        footer=pl.col("pos")
        .filter(pl.col("reason").is_not_null() & (pl.col("pos") > pl.col("last_body")))
        .min()
        .over("report_id")
    )
    return marked.with_columns(
        reason=pl.when(pl.col("reason").is_not_null())
        .then(pl.col("reason"))
        .when(pl.col("pos") > pl.col("footer"))
        .then(pl.lit(BELOW))
    ).drop("pos", "first_body", "last_body", "footer")


def paragraphs(pieces: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(kept, cut): the report's paragraphs (report_id, line_no, seg_no, line), adjacent pieces
    of a line joined again unless a paragraph ends or chrome was cut between them; and the cut
    pieces (report_id, line_no, seg_no, line, reason)."""
    cut = pl.col("reason").is_not_null()
    by_line = ["report_id", "line_no"]
    # A line of one piece is its own paragraph; only the others are put together again.
    alone = pl.len().over(by_line) == 1
    ordered = pieces.sort("report_id", "line_no", "seg_no").with_columns(alone=alone)
    joined = (
        ordered.filter(~pl.col("alone"))
        .with_columns(
            boundary=pl.col("break_before") | cut | cut.shift(1).over(by_line).fill_null(True)
        )
        .with_columns(paragraph=pl.col("boundary").cum_sum().over("report_id"))
        .filter(~cut)
        .group_by("report_id", "paragraph", maintain_order=True)
        .agg(
            pl.col("line_no").first(), pl.col("seg_no").first(), piece=pl.col("piece").str.join("")
        )
    )
    kept = (
        pl.concat([ordered.filter(pl.col("alone") & ~cut), joined], how="diagonal_relaxed")
        .with_columns(line=pl.col("piece").str.strip_chars())
        .filter(pl.col("line") != "")
        .sort("report_id", "line_no", "seg_no")
        .select("report_id", "line_no", "seg_no", "line")
    )
    dropped = (
        ordered.filter(cut)
        .with_columns(line=pl.col("piece").str.strip_chars())
        .filter(pl.col("line") != "")
        .select("report_id", "line_no", "seg_no", "line", "reason")
    )
    return kept, dropped
