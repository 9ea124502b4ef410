"""The reports table: documents joined with their metadata, and the ones that are not reports."""

from __future__ import annotations

from datetime import date

import polars as pl

from pipelines.landing.archives import ORIGIN as FROM_ARCHIVE
from pipelines.landing.archives import SEPARATOR
from pipelines.reports.metadata import infer_metadata
from pipelines.reports.regions import assign_regions
from pipelines.shared.patterns import FIRST_PLAUSIBLE_YEAR

GOVERNMENT = r"(?:人民政府|政府|管理委员会|管委会|行政公署)$"
TOPIC = r"法治|依法行政|法制"


def org_kind(org_name: pl.Expr, region: pl.Expr) -> pl.Expr:
    """government for a people's government, a zone's committee or a bare place name;
    department for a bureau, office or commission reporting on its own work."""
    return (
        pl.when(org_name.is_null())
        .then(None)
        .when(
            org_name.str.contains(GOVERNMENT) | (org_name == region) | org_name.str.ends_with("区")
        )
        .then(pl.lit("government"))
        .otherwise(pl.lit("department"))
    )


def build_reports(
    documents: pl.DataFrame,
    contents: pl.DataFrame,
    clean_texts: pl.DataFrame,
    cleaned_lines: pl.DataFrame,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Return (reports, rejections).

    documents: report_id, sha256, source_format, encoding and the source's own metadata.
    contents: one row per sha256 with source_name, arrived_at and origin (first arrival).
    clean_texts, cleaned_lines: from cleaning.clean.
    A document is rejected when no text is left once its chrome is dropped, when it is not
    about law-based government, or when it names no year.
    """
    metadata = assign_regions(
        infer_metadata(documents, cleaned_lines),
        "org_name",
        "title_org",
        "opening_subject",
        "source_org",
    ).with_columns(meta_sources=pl.col("meta_sources").struct.with_fields(region="region_how"))
    this_year = date.today().year
    text = pl.col("text")
    candidates = (
        documents.select(
            "report_id", "sha256", "source_format", "encoding", "ocr_confidence", "ocr_pages"
        )
        .join(clean_texts, on="report_id")
        .join(contents.select("sha256", "source_name", "arrived_at", "origin"), on="sha256")
        .join(metadata, on="report_id", how="left")
        .with_columns(
            source_url=pl.when(pl.col("source_name").str.contains(r"^https?://"))
            .then(
                # A file of a zip fetched from the web is at the zip's URL (url!member: the
                # member is named in source_name).
                pl.when(pl.col("origin") == FROM_ARCHIVE)
                .then(pl.col("source_name").str.split(SEPARATOR).list.first())
                .otherwise(pl.col("source_name"))
            )
            .otherwise(pl.col("page_url")),
            reason=pl.when(text.str.strip_chars() == "")
            .then(pl.lit("no report text: every line of it is site chrome (see boilerplate)"))
            .when(~text.str.contains(TOPIC))
            .then(
                pl.lit("not a report on law-based government: it never mentions 法治 or 依法行政")
            )
            .when(pl.col("report_year").is_null())
            .then(
                pl.lit(
                    "no report year: none in the title, the opening, the body or a dated signature"
                )
            )
            .when(~pl.col("report_year").is_between(FIRST_PLAUSIBLE_YEAR, this_year))
            .then(
                pl.format(
                    "implausible report year {}: outside {}-{}",
                    "report_year",
                    pl.lit(FIRST_PLAUSIBLE_YEAR),
                    pl.lit(this_year),
                )
            ),
        )
    )
    reports = (
        candidates.filter(pl.col("reason").is_null())
        .with_columns(
            org_kind=org_kind(pl.col("org_name"), pl.col("region")),
            n_chars=text.str.len_chars().cast(pl.Int64),
            # JSON text, not nested types: BI drivers (SQLAlchemy, JDBC) read no STRUCT or LIST.
            meta_sources=pl.col("meta_sources").struct.json_encode(),
            ocr_pages=pl.concat_str(
                pl.lit("["),
                pl.col("ocr_pages").list.eval(pl.element().struct.json_encode()).list.join(","),
                pl.lit("]"),
            ),
        )
        .drop(
            "reason",
            "origin",
            "opening",
            "page_url",
            "title_org",
            "opening_subject",
            "source_org",
            "region_how",
        )
        .sort("region", "report_year", "report_id", nulls_last=True)
    )
    rejections = candidates.filter(pl.col("reason").is_not_null()).select(
        "report_id", "sha256", "source_format", stage=pl.lit("reports"), reason="reason"
    )
    return reports, rejections
