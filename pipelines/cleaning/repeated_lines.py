"""Lines that repeat on several pages of one site: a site's chrome, found without a rule.

A site's banner, menu and footer come back on every page it serves; the report's own words do
not. A line outside the report's body (above its first or below its last body line) that comes
back on MIN_PAGES or more different pages of the same site is chrome. Headings, titles, sign-off
lines and anything with sentence punctuation are never taken, so a heading every yearly report
of one body shares (（一）加强党的领导) or its signature stays.
"""

from __future__ import annotations

import polars as pl

from pipelines.cleaning.lines import is_chinese_date, is_heading, is_title_end

MIN_PAGES = 3
MAX_CHROME_CHARS = 60


def site_of(source_name: pl.Expr, page_url: pl.Expr) -> pl.Expr:
    """The host a page came from (its URL, or the URL it names), else the folder it sits in."""
    host = r"^https?://([^/:?#]+)"
    return pl.coalesce(
        source_name.str.extract(host, 1),
        page_url.str.extract(host, 1),
        pl.concat_str(pl.lit("folder:"), source_name.str.extract(r"^(.*)/[^/]*$", 1).fill_null("")),
    ).str.to_lowercase()


def mark_repeated(lines: pl.DataFrame, sites: pl.DataFrame) -> pl.DataFrame:
    """Fill reason for margin lines repeated across pages of a site.

    lines: with reason, report_start and report_end (page_margins.report_bounds);
    sites: report_id, site.
    """
    line = pl.col("line")
    next_line = line.shift(-1).over("report_id", order_by="line_no")
    candidate = (
        pl.col("reason").is_null()
        & (
            (pl.col("line_no") < pl.col("report_start")).fill_null(False)
            | (pl.col("line_no") > pl.col("report_end")).fill_null(False)
        )
        & (line.str.len_chars() <= MAX_CHROME_CHARS)
        & ~line.str.contains(r"[。；！？，,]")
        & ~is_heading(line)
        & ~is_title_end(line)
        & ~is_chinese_date(line)
        & ~is_chinese_date(next_line).fill_null(False)
    )
    marked = lines.join(sites, on="report_id", how="left").with_columns(candidate=candidate)
    pages = (
        marked.filter("candidate")
        .group_by("site", "line")
        .agg(pages=pl.col("report_id").n_unique())
        .filter(pl.col("pages") >= MIN_PAGES)
    )
    return (
        marked.join(pages, on=["site", "line"], how="left")
        .with_columns(
            reason=pl.when(pl.col("reason").is_not_null())
            .then(pl.col("reason"))
            .when(pl.col("candidate") & pl.col("pages").is_not_null())
            .then(pl.format("repeated on {} pages of {}", "pages", "site"))
        )
        .drop("site", "candidate", "pages")
    )
