"""The cleaning stage over the working database: site chrome dropped from every document, a
document cleaned again only when it, its site's repeated lines or the rules change."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import duckdb
import polars as pl

from pipelines.cleaning.clean import MarginMarks, chrome_candidates, clean_documents
from pipelines.cleaning.repeated_lines import repeated_pages, repetition_signature, site_of
from pipelines.preview import markdown_preview
from pipelines.shared.frames import query_frame
from pipelines.warehouse.incremental import (
    Refreshed,
    Step,
    refresh,
    refreshed_metadata,
    stage_keys,
)
from pipelines.warehouse.stages import CHROME_CANDIDATES, CLEANING, READING
from pipelines.warehouse.tables import read_table, rows_of_reports


@dataclass(frozen=True)
class Cleaning:
    step: Step
    candidates: Refreshed  # how the candidate chrome lines were brought up to date


def cleaning_step(conn: duckdb.DuckDBPyConnection, contents: pl.DataFrame) -> Cleaning:
    """The cleaning of the contents (reading.documents.first_names of source_files), once the
    lines repeated across each site are known: the step hands on the documents it read."""
    sites = (
        query_frame(conn, "SELECT report_id, page_url FROM work.documents")
        .join(contents.select("report_id", "source_name"), on="report_id")
        .select("report_id", site=site_of(pl.col("source_name"), pl.col("page_url")))
    )
    document_keys = (
        stage_keys(conn, READING)
        .join(sites, on="report_id")
        .select("report_id", key=pl.concat_str("key", "site", separator="|"))
    )
    # First each document's candidate chrome lines, then the lines repeated across each
    # site, then the cleaning of every document whose own repeated lines changed. The marks
    # that found a document's candidates are kept for its cleaning in this run.
    marks: list[MarginMarks] = []

    def find_candidates(batch: pl.DataFrame) -> dict[str, pl.DataFrame]:
        found, marked = chrome_candidates(rows_of_reports(conn, "work.documents", batch), sites)
        marks.append(marked)
        return {"work.chrome_candidates": found}

    candidates = refresh(conn, CHROME_CANDIDATES, document_keys, find_candidates)
    known = MarginMarks.concat(marks)
    all_candidates = read_table(conn, "work.chrome_candidates")
    pages = repeated_pages(all_candidates)
    keys = document_keys.join(
        repetition_signature(all_candidates, pages), on="report_id", how="left"
    ).select("report_id", key=pl.concat_str("key", pl.col("repeated").fill_null("")))

    def clean(batch: pl.DataFrame, _: Mapping[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
        documents = rows_of_reports(conn, "work.documents", batch)
        cleaned = clean_documents(documents, sites, pages, known)
        return {
            "boilerplate": cleaned.boilerplate,
            "work.document_lines": cleaned.lines,
            "work.clean_texts": cleaned.texts,
            "work.documents": documents,
        }

    return Cleaning(Step(CLEANING, keys, clean), candidates)


def cleaning_metadata(
    conn: duckdb.DuckDBPyConnection, cleaning: Cleaning, refreshed: Refreshed
) -> dict[str, object]:
    """The boilerplate asset's metadata, once the step has run."""
    rows, dropped, kept = conn.execute(
        "SELECT (SELECT count(*) FROM boilerplate), "
        "(SELECT count(*) FROM boilerplate WHERE whole_line), "
        "(SELECT count(*) FROM work.document_lines WHERE reason IS NULL)"
    ).fetchone()
    by_reason = dict(
        conn.execute(
            "SELECT reason, count(*) AS n FROM boilerplate GROUP BY ALL ORDER BY n DESC"
        ).fetchall()
    )
    preview = query_frame(
        conn,
        "SELECT report_id, line_no, line, reason FROM boilerplate "
        "ORDER BY report_id, line_no LIMIT 15",
    )
    return {
        "dagster/row_count": rows,
        "lines_kept": kept,
        "lines_dropped": dropped,
        "by_reason": by_reason,
        "candidate_chrome_documents_computed": cleaning.candidates.computed,
        "candidate_chrome_seconds": round(cleaning.candidates.seconds, 3),
        "preview": markdown_preview(preview, rows=15, width=60),
        **refreshed_metadata(refreshed),
    }
