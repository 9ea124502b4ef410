"""Lines that repeat on several pages of one site: a site's chrome, found without a rule.

A site's banner, menu and footer come back on every page it serves; the report's own words do
not. A line outside the report's body (above its first or below its last body line) that comes
back on MIN_PAGES or more different pages of the same site is chrome. Headings, titles, sign-off
lines and anything with sentence punctuation are never taken, so a heading every yearly report
of one body shares (（一）加强党的领导) or its signature stays; nor is the name of a body or unit
right before the report's first line or right after its last one (its issuer, its signature),
nor the first line of a title over two, which every yearly report of one body repeats.
"""

from __future__ import annotations

import polars as pl

from pipelines.cleaning.lines import is_chinese_date, is_heading, is_org_name, is_title_end

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


def with_candidates(lines: pl.DataFrame, sites: pl.DataFrame) -> pl.DataFrame:
    """lines (with reason, report_start and report_end from page_margins.report_bounds) with
    their site and whether they could be a site's chrome (candidate)."""
    line = pl.col("line")
    next_line = line.shift(-1).over("report_id", order_by="line_no")
    line_no = pl.col("line_no")
    next_no = line_no.shift(-1).over("report_id", order_by="line_no")
    previous_no = line_no.shift(1).over("report_id", order_by="line_no")
    before_start = (next_no == pl.col("report_start")).fill_null(False)
    issuer_or_signature = is_org_name(line) & (
        before_start | (previous_no == pl.col("report_end")).fill_null(False)
    )
    # The first line of a title over two lines (某某区人民政府关于 / 2022年度……报告).
    title_start = before_start & is_title_end(next_line).fill_null(False)
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
        & ~issuer_or_signature
        & ~title_start
    )
    return lines.join(sites, on="report_id", how="left").with_columns(candidate=candidate)


def candidate_lines(lines: pl.DataFrame, sites: pl.DataFrame) -> pl.DataFrame:
    """report_id, site, line: each document's lines that are chrome if other pages repeat them."""
    return (
        with_candidates(lines, sites)
        .filter("candidate")
        .select("report_id", "site", "line")
        .unique(maintain_order=True)
    )


def repeated_pages(candidates: pl.DataFrame) -> pl.DataFrame:
    """site, line, pages: candidate lines found on MIN_PAGES or more pages of their site."""
    return (
        candidates.group_by("site", "line")
        .agg(pages=pl.col("report_id").n_unique().cast(pl.Int64))
        .filter(pl.col("pages") >= MIN_PAGES)
    )


def repetition_signature(candidates: pl.DataFrame, pages: pl.DataFrame) -> pl.DataFrame:
    """report_id, repeated: each document's repeated lines with their page counts, as one string.

    A document's cleaning depends on the rest of its site only through this string: adding a
    page to the site changes it for exactly the documents that share a line with that page.
    """
    return (
        candidates.join(pages, on=["site", "line"])
        .sort("report_id", "line")
        .group_by("report_id", maintain_order=True)
        .agg(repeated=pl.format("{}={}", "line", "pages").str.join("\n"))
    )


def mark_repeated(lines: pl.DataFrame, sites: pl.DataFrame, pages: pl.DataFrame) -> pl.DataFrame:
    """Fill reason for margin lines repeated across pages of a site.

    lines: with reason, report_start and report_end (page_margins.report_bounds);
    sites: report_id, site; pages: repeated_pages over the whole corpus.
    """
    # Where no line repeats on the sites of these documents (a folder of files, most often),
    # there is nothing to mark: 0.06 s of the cleaning's 0.5 s a 1,000 documents.
    their_sites = sites.join(lines.select("report_id").unique(), on="report_id", how="semi")
    if pages.join(their_sites, on="site", how="semi").is_empty():
        return lines
    return (
        with_candidates(lines, sites)
        .join(pages, on=["site", "line"], how="left")
        .with_columns(
            reason=pl.when(pl.col("reason").is_not_null())
            .then(pl.col("reason"))
            .when(pl.col("candidate") & pl.col("pages").is_not_null())
            .then(pl.format("repeated on {} pages of {}", "pages", "site"))
        )
        .drop("site", "candidate", "pages")
    )
