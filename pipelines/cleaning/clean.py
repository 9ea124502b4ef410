"""Clean text: the report's own words, every dropped line and fragment kept with its reason.

In order, a line is dropped when it lies outside a web page's main content, when a line rule
of rules/boilerplate.tsv takes it, when it lies beyond the page chrome that frames the report,
or when it repeats on several pages of its site. A kept line is then split into the paragraphs
it holds and cut of the chrome run into it (paragraphs.py), once the artefacts inside it (Word
bookmarks, leftover entities) are cut out. Lines are stripped and blank lines dropped: the
clean text has one paragraph per line.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from pipelines.cleaning.lines import document_lines
from pipelines.cleaning.page_furniture import mark_furniture
from pipelines.cleaning.page_margins import mark_margins, report_bounds
from pipelines.cleaning.paragraphs import cut_run_in_chrome, paragraphs, split_lines
from pipelines.cleaning.repeated_lines import candidate_lines, mark_repeated, repeated_pages
from pipelines.cleaning.rules import (
    any_line_rule,
    artefact_fragments,
    chrome_text,
    rule_reason,
    without_artefacts,
)
from pipelines.reading.normalize import visible_chars
from pipelines.shared.frames import detached

OUTSIDE_MAIN = "outside the page's main content"
BOILERPLATE_SCHEMA = {
    "report_id": pl.String,
    "line_no": pl.Int64,
    "line": pl.String,
    "reason": pl.String,
    "whole_line": pl.Boolean,
}


@dataclass
class Cleaned:
    # report_id, line_no, seg_no, line, reason: the report's own paragraphs (reason null) and
    # what was dropped, in reading order by line_no (the source line) and seg_no (within it).
    lines: pl.DataFrame
    texts: pl.DataFrame  # report_id, text
    boilerplate: pl.DataFrame  # report_id, line_no, line, reason, whole_line


def margin_marked(documents: pl.DataFrame) -> pl.DataFrame:
    """Every non-blank line of every document with the reason it is not the report's, or null,
    as far as the document itself tells (its main content, the rules, its margins)."""
    lines = document_lines(documents).with_columns(judged=chrome_text(pl.col("line")))
    # The rules are tried one by one only on the lines one search of all of them at once finds:
    # most lines are the report's own, and ~30 searches of each took most of the cleaning's
    # rule time. A line whose main content is unknown (null) is tried, as every line not
    # outside it is.
    ruled = lines.filter(
        pl.col("in_main").fill_null(True) & pl.col("judged").str.contains(any_line_rule())
    )
    lines = (
        lines.join(
            ruled.select("report_id", "line_no", rule=rule_reason(pl.col("judged"))),
            on=["report_id", "line_no"],
            how="left",
            maintain_order="left",
        )
        .with_columns(
            reason=pl.when(~pl.col("in_main")).then(pl.lit(OUTSIDE_MAIN)).otherwise(pl.col("rule"))
        )
        .drop("judged", "rule")
    )
    lines = mark_furniture(lines, documents)
    return report_bounds(mark_margins(report_bounds(lines)))


@dataclass(frozen=True)
class MarginMarks:
    """What margin_marked found in some documents, small enough to keep for a whole run: the
    reason of each line it took (report_id, line_no, reason) and each document's report bounds
    (report_id, report_start, report_end). With the documents, it gives margin_marked's lines
    back (marked_margins) without searching them again."""

    reasons: pl.DataFrame
    bounds: pl.DataFrame

    @staticmethod
    def of(margins: pl.DataFrame) -> MarginMarks:
        # Detached: kept for the run, they must not keep the documents they were found in.
        return MarginMarks(
            detached(
                margins.filter(pl.col("reason").is_not_null()).select(
                    "report_id", "line_no", "reason"
                )
            ),
            detached(margins.select("report_id", "report_start", "report_end").unique("report_id")),
        )

    @staticmethod
    def concat(marks: list[MarginMarks]) -> MarginMarks | None:
        if not marks:
            return None
        return MarginMarks(
            pl.concat([each.reasons for each in marks]), pl.concat([each.bounds for each in marks])
        )


def marked_margins(documents: pl.DataFrame, known: MarginMarks | None = None) -> pl.DataFrame:
    """margin_marked's lines of the documents: restored from what known holds of them (the
    lines split again, the marks put back), found for the others."""
    if known is None:
        return margin_marked(documents)
    held = documents.join(known.bounds, on="report_id", how="semi")
    restored = (
        document_lines(held)
        .join(known.reasons, on=["report_id", "line_no"], how="left", maintain_order="left")
        .join(known.bounds, on="report_id", how="left", maintain_order="left")
    )
    rest = documents.join(known.bounds, on="report_id", how="anti")
    return pl.concat([restored, margin_marked(rest)]) if rest.height else restored


def chrome_candidates(
    documents: pl.DataFrame, sites: pl.DataFrame
) -> tuple[pl.DataFrame, MarginMarks]:
    """report_id, site, line: the lines of each document that are its site's chrome if enough
    other pages of the site repeat them (repeated_lines.repeated_pages); and the marks that
    found them, for the documents' cleaning to take up instead of searching the lines again
    (margin_marked: ~0.1 s a 1,000 documents)."""
    margins = margin_marked(documents)
    return candidate_lines(margins, sites), MarginMarks.of(margins)


def mark_lines(
    documents: pl.DataFrame,
    sites: pl.DataFrame,
    pages: pl.DataFrame | None = None,
    known: MarginMarks | None = None,
) -> pl.DataFrame:
    """Every non-blank line of every document with the reason it is not the report's, or null.
    known: what chrome_candidates found of some of the documents."""
    margins = marked_margins(documents, known)
    if pages is None:
        pages = repeated_pages(candidate_lines(margins, sites))
    lines = mark_repeated(margins, sites, pages)
    return lines.select("report_id", "line_no", "line", "reason")


def clean_documents(
    documents: pl.DataFrame,
    sites: pl.DataFrame,
    pages: pl.DataFrame | None = None,
    known: MarginMarks | None = None,
) -> Cleaned:
    """documents: report_id, raw_text, main_first, main_last; sites: report_id, site;
    pages: site, line, pages, the lines repeated on several pages of a site across the corpus
    (repeated_lines.repeated_pages), or None when the documents given are the whole corpus;
    known: what chrome_candidates found of some of the documents."""
    lines = mark_lines(documents, sites, pages, known)
    own = lines.filter(pl.col("reason").is_null())
    fragments = artefact_fragments(own).select(
        "report_id", "line_no", line="fragment", reason="reason", whole_line=pl.lit(False)
    )
    # Artefacts go first: a bookmark's inner space is no paragraph break.
    own = own.with_columns(line=without_artefacts(pl.col("line")).str.strip_chars()).filter(
        pl.col("line") != ""
    )
    kept, cut = paragraphs(cut_run_in_chrome(split_lines(own)))
    texts = (
        documents.select("report_id")
        .join(
            kept.sort("report_id", "line_no", "seg_no")
            .group_by("report_id", maintain_order=True)
            .agg(text=pl.col("line").str.join("\n")),
            on="report_id",
            how="left",
        )
        .with_columns(pl.col("text").fill_null(""))
        .with_columns(visible_chars=visible_chars(pl.col("text")))
    )
    dropped = lines.filter(pl.col("reason").is_not_null()).with_columns(
        seg_no=pl.lit(0, pl.Int32), whole_line=pl.lit(True)
    )
    boilerplate = (
        pl.concat(
            [dropped, cut.with_columns(whole_line=pl.lit(False)), fragments],
            how="diagonal_relaxed",
        )
        .select(list(BOILERPLATE_SCHEMA))
        .cast(BOILERPLATE_SCHEMA)
        .sort("report_id", "line_no", "whole_line", descending=[False, False, True])
    )
    columns = ["report_id", "line_no", "seg_no", "line", "reason"]
    final_lines = pl.concat(
        [
            kept.with_columns(reason=pl.lit(None, pl.String)).select(columns),
            dropped.select(columns),
            cut.select(columns),
        ]
    ).sort("report_id", "line_no", "seg_no")
    return Cleaned(final_lines, texts, boilerplate)
