"""The cleaning rules users extend: site-chrome line rules (rules/boilerplate.tsv), chrome run
into a line of the report (rules/run_in_chrome.tsv) and artefacts inside lines
(rules/artefacts.tsv), as polars expressions and frames."""

from __future__ import annotations

from functools import cache

import polars as pl

from pipelines.shared.patterns import LABEL_TEXT
from pipelines.shared.rule_files import read_rules

RUNNING_TEXT_CHARS = 40


@cache
def line_rules() -> pl.DataFrame:
    """pattern, reason, max_chars: a line is chrome when it matches and is no longer than max_chars."""
    return read_rules("boilerplate.tsv").with_columns(pl.col("max_chars").cast(pl.Int64))


@cache
def any_line_rule() -> str:
    """One alternation of every line rule's pattern: a line no rule matches is not searched
    rule by rule."""
    return "|".join(f"(?:{pattern})" for pattern in line_rules()["pattern"])


@cache
def run_in_rules() -> pl.DataFrame:
    """pattern, reason: how site chrome reads when it is run into a line of the report (a
    breadcrumb before the title, 来源 after the last sentence); each pattern spans the fragment."""
    return read_rules("run_in_chrome.tsv")


@cache
def run_in_pattern() -> str:
    """One alternation of every run-in chrome pattern, the first listed winning a tie."""
    return "|".join(f"(?:{pattern})" for pattern in run_in_rules()["pattern"])


@cache
def artefact_rules() -> pl.DataFrame:
    """pattern, reason: fragments inside a line that are not words (Word bookmarks, entities)."""
    return read_rules("artefacts.tsv")


def chrome_text(line: pl.Expr) -> pl.Expr:
    """What the line rules judge of a line: the line less the chrome run into it
    (rules/run_in_chrome.tsv), or the whole line where that chrome is all there is. So a
    breadcrumb run into the title does not take the title with it (the fragments are cut
    later, paragraphs.cut_run_in_chrome); a line is taken whole only when it is chrome through
    and through."""
    remainder = line.str.replace_all(run_in_pattern(), " ").str.strip_chars()
    return pl.coalesce(remainder.replace("", None), line)


def chrome_reason(line: pl.Expr) -> pl.Expr:
    """The reason of the first rule a line matches, or null for a line of the report itself.
    Over many lines, put chrome_text in a column first and give it to rule_reason: polars does
    not share it across the rules' expressions."""
    return rule_reason(chrome_text(line))


def rule_reason(line: pl.Expr) -> pl.Expr:
    """The reason of the first line rule the text matches, or null.

    A line that starts with an outline label (一、 （二） 3.) is a heading of the report and never
    chrome, nor is running text (a sentence end with more after it, or 40 characters ending in
    one); and each rule has a length limit. So a body paragraph that mentions 主办 or 网站标识码
    is not taken for a footer.
    """
    n_chars = line.str.len_chars()
    reason = pl.lit(None, dtype=pl.String)
    for pattern, why, max_chars in reversed(list(line_rules().iter_rows())):
        matches = line.str.contains(pattern) & (n_chars <= max_chars)
        reason = pl.when(matches).then(pl.lit(why)).otherwise(reason)
    running_text = line.str.contains(r"[。！？；].") | (
        (n_chars >= RUNNING_TEXT_CHARS) & line.str.contains(r"[。！？；]")
    )
    return pl.when(line.str.contains(LABEL_TEXT) | running_text).then(None).otherwise(reason)


def without_artefacts(line: pl.Expr) -> pl.Expr:
    for pattern in artefact_rules()["pattern"]:
        line = line.str.replace_all(pattern, "")
    return line


def artefact_fragments(lines: pl.DataFrame) -> pl.DataFrame:
    """report_id, line_no, fragment, reason: every artefact found in the lines (report_id,
    line_no, line), in the order of the lines, then of the rules, then within the line."""
    # A frame per rule, not a list of structs per line: building structs inside each line's
    # list cost ten times the search.
    found = [
        lines.select(
            "report_id",
            "line_no",
            fragment=pl.col("line").str.extract_all(pattern),
            reason=pl.lit(why),
            _line=pl.int_range(pl.len()),
            _rule=pl.lit(rule),
        )
        .explode("fragment", empty_as_null=False)
        .drop_nulls("fragment")
        for rule, (pattern, why) in enumerate(artefact_rules().iter_rows())
    ]
    return (
        pl.concat(found)
        .sort("_line", "_rule", maintain_order=True)
        .select("report_id", "line_no", "fragment", "reason")
    )
