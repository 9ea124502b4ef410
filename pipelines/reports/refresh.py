"""The reports stage over the working database: one row per distinct report with the metadata
inferred for it, and every input that did not become a report listed with the stage and reason."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import duckdb
import polars as pl

from pipelines.preview import markdown_preview
from pipelines.reports.build import build_reports
from pipelines.warehouse.incremental import refresh, refreshed_metadata, stage_keys
from pipelines.warehouse.stages import CLEANING, REPORTS, structure_keys
from pipelines.warehouse.tables import read_table, replace_table, rows_of_reports


def refresh_reports(
    conn: duckdb.DuckDBPyConnection,
    files: pl.DataFrame,
    contents: pl.DataFrame,
    warn: Callable[[str], None],
) -> dict[str, dict[str, object]]:
    """Make the reports whose cleaning, first name or arrival changed, of files (source_files)
    and their contents (reading.documents.first_names); rewrite rejected_sources. Returns the
    metadata of the reports and rejected_sources assets."""
    # A report's metadata depends on its cleaning, the name and time it first arrived under,
    # and this year (a report year may not lie in the future).
    keys = (
        stage_keys(conn, CLEANING)
        .join(contents, on="report_id")
        .select(
            "report_id",
            key=pl.concat_str(
                "key",
                "source_name",
                pl.col("arrived_at").cast(pl.String),
                pl.lit(str(date.today().year)),
                separator="|",
            ),
        )
    )

    def build(batch: pl.DataFrame) -> dict[str, pl.DataFrame]:
        report_rows, not_reports = build_reports(
            rows_of_reports(conn, "work.documents", batch),
            contents.join(batch, on="report_id"),
            rows_of_reports(conn, "work.clean_texts", batch),
            rows_of_reports(conn, "work.document_lines", batch, "report_id, line_no"),
        )
        return {
            "reports": report_rows,
            "work.report_rejections": not_reports,
            "work.structure_keys": structure_keys(conn, report_rows),
        }

    refreshed = refresh(conn, REPORTS, keys, build)
    rejected = pl.concat(
        [
            pl.concat(
                [
                    read_table(conn, "work.read_rejections"),
                    read_table(conn, "work.report_rejections"),
                ]
            ).join(files.select("sha256", "source_name", "size", "stored_path"), on="sha256"),
            # Files that could not even be read have no bytes in the store.
            read_table(conn, "work.landing_rejections"),
        ],
        how="diagonal_relaxed",
    ).sort("source_name")
    replace_table(conn, "rejected_sources", rejected)
    n_reports, regions = conn.execute(
        "SELECT count(*), count(DISTINCT region) FROM reports"
    ).fetchone()
    preview = conn.execute(
        "SELECT region, report_year, org_name, title, n_chars FROM reports "
        "ORDER BY region, report_year, report_id LIMIT 10"
    ).pl()
    for name, reason in rejected.select("source_name", "reason").iter_rows():
        warn(f"rejected {name}: {reason}")
    return {
        "reports": {
            "dagster/row_count": n_reports,
            "rejected_inputs": rejected.height,
            "regions": regions,
            "preview": markdown_preview(preview, rows=10),
            **refreshed_metadata(refreshed),
        },
        "rejected_sources": {
            "dagster/row_count": rejected.height,
            "preview": markdown_preview(
                rejected.select("source_name", "stage", "reason"), rows=10, width=80
            ),
        },
    }
