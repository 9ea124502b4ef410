"""The reports stage over the working database: one row per distinct report with the metadata
inferred for it, and every input that did not become a report listed with the stage and reason."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date

import duckdb
import polars as pl

from pipelines.preview import markdown_preview
from pipelines.reports.build import build_reports
from pipelines.shared.frames import query_frame
from pipelines.warehouse.incremental import Refreshed, Step, refreshed_metadata, versioned
from pipelines.warehouse.stages import CLEANING, REPORTS, structure_keys
from pipelines.warehouse.tables import read_table, replace_table, rows_made_or_stored


def reports_step(
    conn: duckdb.DuckDBPyConnection, contents: pl.DataFrame, cleaning_keys: pl.DataFrame
) -> Step:
    """The reports of the contents (reading.documents.first_names of source_files), after the
    cleaning whose keys are given: a report is made again when its cleaning, the name and time
    it first arrived under, or this year (a report year may not lie in the future) changes.
    Made beside the chain (Step.beside): conn must be a connection of the step's own, opened in
    the chain's thread (DuckDB's connections are not shared between threads)."""
    keys = (
        versioned(CLEANING, cleaning_keys)
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

    def build(batch: pl.DataFrame, made: Mapping[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
        report_rows, not_reports = build_reports(
            rows_made_or_stored(conn, "work.documents", batch, made),
            contents.join(batch, on="report_id"),
            rows_made_or_stored(conn, "work.clean_texts", batch, made),
            rows_made_or_stored(conn, "work.document_lines", batch, made, "report_id, line_no"),
        )
        return {
            "reports": report_rows,
            "work.report_rejections": not_reports,
            "work.structure_keys": structure_keys(conn, report_rows),
        }

    return Step(REPORTS, keys, build, beside=True)


def reports_tables(
    conn: duckdb.DuckDBPyConnection,
    files: pl.DataFrame,
    refreshed: Refreshed,
    warn: Callable[[str], None],
) -> dict[str, dict[str, object]]:
    """Once the step has run: rejected_sources rewritten from every stage's rejections of files
    (source_files); returns the metadata of the reports and rejected_sources assets."""
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
    preview = query_frame(
        conn,
        "SELECT region, report_year, org_name, title, n_chars FROM reports "
        "ORDER BY region, report_year, report_id LIMIT 10",
    )
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
