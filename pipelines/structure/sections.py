"""Sections: the heading tree of each report, and the part of the report every sentence is in.

A heading is a sentence that starts with an outline label (一、 （一） 1. 1、 (1) ①); it may run
into its paragraph (三、服务重大决策。一是...), which the sentence split already separates. The
level of a label style is the order in which the report first uses it, because reports nest
their styles differently.
"""

from __future__ import annotations

from functools import cache

import polars as pl

from pipelines.shared.patterns import HAN_NUMERAL, LABEL_TEXT, LABELS, YEAR_DIGITS
from pipelines.shared.rule_files import read_rules

MAX_HEADING = 60
PARTS = ["measures", "leadership", "shortcomings", "plans", "other"]
# Where a heading run into its paragraph ends: a space before running text, or the paragraph's
# enumeration (一是) right after the heading's own words.
RUN_IN_BODY = (
    r"^(\S.*?)\s+\S.*[，,。！？；].*$"
    rf"|^([^。！？；]{{2,}}?[^{HAN_NUMERAL}])[{HAN_NUMERAL}]是\p{{Han}}.*[。！？；][”’」』]*$"
)
# A closing paragraph is running text, not a date line.
MIN_PARAGRAPH = 15
# How a paragraph about next year opens.
CLOSING_PLANS = r"^(?:下一步|下一年|下一阶段|明年|新的一年|今后|展望)"


@cache
def part_rules() -> pl.DataFrame:
    return read_rules("report_parts.tsv")


def label_style(text: pl.Expr) -> pl.Expr:
    style = pl.lit(None, dtype=pl.String)
    for name, pattern in reversed(LABELS.items()):
        style = pl.when(text.str.contains(pattern)).then(pl.lit(name)).otherwise(style)
    return style


def word_part(text: pl.Expr) -> pl.Expr:
    """The part a heading's words tell (rules/report_parts.tsv, the first rule that matches)."""
    part = pl.lit(None, dtype=pl.String)
    for name, pattern in reversed(list(part_rules().iter_rows())):
        part = pl.when(text.str.contains(pattern)).then(pl.lit(name)).otherwise(part)
    return part


def classify_part(heading: pl.Expr, report_year: pl.Expr) -> pl.Expr:
    """The part a top-level heading opens by its words and the years it names: a heading naming
    a later year than the report's is next year's plans, unless its words say leadership,
    shortcomings or other."""
    part = word_part(heading)
    later_year = (
        heading.str.extract_all(rf"{YEAR_DIGITS}(?:\s*年)")
        .list.eval(pl.element().str.slice(0, 4).cast(pl.Int32))
        .list.max()
        > report_year
    )
    return (
        pl.when(later_year & ~part.is_in(["leadership", "shortcomings", "other"]).fill_null(False))
        .then(pl.lit("plans"))
        .otherwise(part)
    )


def heading_text(text: pl.Expr, label: pl.Expr) -> pl.Expr:
    """The heading of a sentence that starts with an outline label: the label off, and, where
    the heading runs into its paragraph, ended where the paragraph's first sentence begins (a
    space, or an enumeration 一是), at most MAX_HEADING characters."""
    rest = text.str.slice(label.str.len_chars()).str.strip_chars()
    return (
        rest.str.replace(RUN_IN_BODY, "${1}${2}")
        .str.strip_chars()
        .str.strip_chars_end("。；;：:")
        .str.slice(0, MAX_HEADING)
    )


def closing_plans(sentences: pl.DataFrame, reports: pl.DataFrame) -> pl.DataFrame:
    """An unheaded closing paragraph about next year (下一步, 下一年, 明年, or the next year named
    at its start) after the report's last top-level heading: its plans, where no heading says
    so. Returns report_id, sentence_no, label (empty), heading (its opening words)."""
    text = pl.col("text")
    next_year = (pl.col("report_year") + 1).cast(pl.String)
    opens_plans = (
        text.str.contains(CLOSING_PLANS)
        | (text.str.starts_with(next_year + "年") & ~text.str.contains(r"^\d{4}年(?:以来|\s*\d)"))
    ) & (text.str.len_chars() >= MIN_PARAGRAPH)
    paragraph_start = (pl.col("char_start") == 0) | (
        pl.col("full_text").str.slice(pl.col("char_start") - 1, 1) == "\n"
    )
    return (
        sentences.join(reports.select("report_id", "report_year", full_text="text"), on="report_id")
        .filter(paragraph_start & opens_plans)
        .group_by("report_id")
        .agg(pl.all().sort_by("sentence_no").first())
        .select(
            "report_id",
            "sentence_no",
            label=pl.lit(""),
            heading=text.str.extract(r"^([^，,。；：:]{1,20})", 1),
        )
    )


def find_sections(sentences: pl.DataFrame, reports: pl.DataFrame) -> pl.DataFrame:
    """report_id, section_no, parent_no, level, label, heading, part, char_start, char_end."""
    headings = (
        # One search for any label first: the styles are told apart on the few that have one.
        sentences.filter(pl.col("text").str.contains(LABEL_TEXT))
        .with_columns(style=label_style(pl.col("text")))
        .filter(pl.col("style").is_not_null())
        .with_columns(label=pl.col("text").str.extract(LABEL_TEXT, 0))
        .with_columns(heading=heading_text(pl.col("text"), pl.col("label")))
    )
    first_use = (
        headings.group_by("report_id", "style")
        .agg(first=pl.col("sentence_no").min())
        .with_columns(level=pl.col("first").rank("ordinal").over("report_id").cast(pl.Int32))
    )
    years = reports.select("report_id", "report_year", "n_chars")
    labelled = (
        headings.join(first_use, on=["report_id", "style"])
        .join(years, on="report_id")
        .with_columns(
            top_part=pl.when(pl.col("level") == 1).then(
                classify_part(pl.col("heading"), pl.col("report_year"))
            )
        )
    )
    # Where no heading opens the plans, a closing paragraph about next year does.
    last_top = (
        labelled.filter(pl.col("level") == 1)
        .group_by("report_id")
        .agg(last_top=pl.col("sentence_no").max(), has_plans=(pl.col("top_part") == "plans").any())
    )
    closing = (
        closing_plans(sentences, reports)
        .join(last_top, on="report_id", how="left")
        .filter(
            ~pl.col("has_plans").fill_null(False)
            & (pl.col("sentence_no") > pl.col("last_top").fill_null(-1))
        )
        .join(
            sentences.select("report_id", "sentence_no", "char_start"),
            on=["report_id", "sentence_no"],
        )
        .join(years, on="report_id")
        .with_columns(level=pl.lit(1, pl.Int32), top_part=pl.lit("plans"))
    )
    columns = ["report_id", "sentence_no", "char_start", "label", "heading", "level", "top_part"]
    sections = (
        pl.concat([labelled.select(*columns, "n_chars"), closing.select(*columns, "n_chars")])
        .sort("report_id", "sentence_no")
        .with_columns(section_no=pl.int_range(1, pl.len() + 1).over("report_id").cast(pl.Int32))
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
    sections = sections.join(spans, on=["report_id", "parent_no"], how="left").with_columns(
        parent_no=pl.when(pl.col("char_start") < pl.col("parent_end")).then(pl.col("parent_no"))
    )
    first_sentences = sentences.select(
        "report_id", sentence_no=pl.col("sentence_no") - 1, first_sentence="text"
    )
    return assign_parts(
        sections.join(first_sentences, on=["report_id", "sentence_no"], how="left")
    ).select(
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
    """Top-level sections take the part their words and years tell; one they do not is placed
    by where it stands, as the 2019 rules order the parts (measures, leadership, shortcomings,
    plans, other): after the plans it is other; the first one after the shortcomings is the
    plans; before the later parts, it is one of the measures; after the leadership part, when
    the measures came before it, its first sentence tells shortcomings or plans, else it is
    other. Sub-sections inherit their top section's part."""
    top = sections.filter(pl.col("level") == 1).sort("report_id", "section_no")

    def seen_before(is_part: pl.Expr) -> pl.Expr:
        seen = is_part.fill_null(False).cast(pl.Int32)
        return (seen.cum_max().shift(1).fill_null(0) > 0).over("report_id")

    def named(column: str, part: str) -> pl.Expr:
        return pl.col(column) == part

    unknown = pl.col("top_part").is_null()
    later = seen_before(named("top_part", "shortcomings")) | seen_before(named("top_part", "plans"))
    opening_measures = unknown & ~later & ~seen_before(named("top_part", "leadership"))
    measures_before = seen_before(named("top_part", "measures") | opening_measures)
    # After the leadership part, with the measures before it: what its first sentence tells.
    cue = word_part(pl.col("first_sentence").fill_null(""))
    top = top.with_columns(
        told=pl.coalesce(
            "top_part",
            pl.when(
                unknown
                & seen_before(named("top_part", "leadership"))
                & measures_before
                & cue.is_in(["shortcomings", "plans"])
            ).then(cue),
        )
    )
    untold = pl.col("told").is_null()
    after_shortcomings = (
        untold & seen_before(named("told", "shortcomings")) & ~seen_before(named("told", "plans"))
    )
    first_after_shortcomings = after_shortcomings & (
        after_shortcomings.cast(pl.Int32).cum_sum().over("report_id") == 1
    )
    top = top.with_columns(
        part=pl.when(~untold)
        .then(pl.col("told"))
        .when(first_after_shortcomings)
        .then(pl.lit("plans"))
        .when(
            seen_before(named("told", "shortcomings"))
            | seen_before(named("told", "plans"))
            | (seen_before(named("told", "leadership")) & measures_before)
        )
        .then(pl.lit("other"))
        .otherwise(pl.lit("measures"))
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
