"""Page margins: what lies above the page chrome over a report, or below the chrome under it.

A page saved as text keeps its chrome in two blocks, the header above the report and the
footer below it. A line rule recognises a few lines of each block (the breadcrumb, 来源, the
ICP number); every line beyond such a line, away from the report, belongs to the same block,
even when no rule knows it: a new site's menu, a related-news list, a slogan.
"""

from __future__ import annotations

import polars as pl

from pipelines.cleaning.lines import is_body, is_title_end

ABOVE = "page header: above the page chrome that precedes the report"
BELOW = "page footer: below the page chrome that follows the report"


def report_bounds(lines: pl.DataFrame) -> pl.DataFrame:
    """Adds report_start (the first body or title line not taken as chrome) and report_end (the
    last body line) to each line, by report."""
    own = pl.col("reason").is_null()
    return lines.with_columns(
        report_start=pl.col("line_no")
        .filter(own & (is_body(pl.col("line")) | is_title_end(pl.col("line"))))
        .min()
        .over("report_id"),
        report_end=pl.col("line_no").filter(own & is_body(pl.col("line"))).max().over("report_id"),
    )


def mark_margins(lines: pl.DataFrame) -> pl.DataFrame:
    """Fill reason for lines beyond the chrome that frames the report. Needs report_bounds."""
    chrome = pl.col("reason").is_not_null()
    line_no = pl.col("line_no")
    header_edge = line_no.filter(chrome & (line_no < pl.col("report_start"))).max()
    footer_edge = line_no.filter(chrome & (line_no > pl.col("report_end"))).min()
    return lines.with_columns(
        reason=pl.when(chrome)
        .then(pl.col("reason"))
        .when(line_no < header_edge.over("report_id"))
        .then(pl.lit(ABOVE))
        .when(line_no > footer_edge.over("report_id"))
        .then(pl.lit(BELOW))
    )
