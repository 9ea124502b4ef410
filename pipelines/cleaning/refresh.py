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
    refreshed_metadata,
    stage_keys,
    versioned,
)
from pipelines.warehouse.stages import CHROME_CANDIDATES, CLEANING, READING
from pipelines.warehouse.tables import read_table, rows_made_or_stored, rows_of_reports


def sites_of(documents: pl.DataFrame, contents: pl.DataFrame) -> pl.DataFrame:
    """report_id, site of the documents (report_id, page_url), by the name each first arrived
    under (contents)."""
    return documents.join(contents.select("report_id", "source_name"), on="report_id").select(
        "report_id", site=site_of(pl.col("source_name"), pl.col("page_url"))
    )


@dataclass(frozen=True)
class Candidates:
    step: Step
    # The marks that found each document's candidates in this run, for its cleaning to take.
    marks: list[MarginMarks]


def candidates_step(
    conn: duckdb.DuckDBPyConnection, contents: pl.DataFrame, reading_keys: pl.DataFrame
) -> Candidates:
    """Each document's candidate chrome lines, found as it is read: beside the reading of the
    next batch (Step.beside), from the documents the reading made; conn must be a connection
    of the step's own, opened in the chain's thread. Keyed by the document's reading
    (report_id, key, as the reading step takes them): its bytes and the name it first arrived
    under fix its text and its site."""
    marks: list[MarginMarks] = []

    def find_candidates(
        batch: pl.DataFrame, made: Mapping[str, pl.DataFrame]
    ) -> dict[str, pl.DataFrame]:
        documents = rows_made_or_stored(conn, "work.documents", batch, made)
        found, marked = chrome_candidates(documents, sites_of(documents, contents))
        marks.append(marked)
        return {"work.chrome_candidates": found}

    step = Step(CHROME_CANDIDATES, versioned(READING, reading_keys), find_candidates, beside=True)
    return Candidates(step, marks)


@dataclass(frozen=True)
class Cleaning:
    step: Step
    candidates: Refreshed  # how the candidate chrome lines were brought up to date


def cleaning_step(
    conn: duckdb.DuckDBPyConnection,
    contents: pl.DataFrame,
    candidates: Candidates,
    found: Refreshed,
) -> Cleaning:
    """The cleaning of the contents (reading.documents.first_names of source_files), once every
    document's candidate chrome lines are found (candidates, brought up to date as found
    says), and so the lines repeated across each site: the step hands on the documents it
    read."""
    sites = sites_of(query_frame(conn, "SELECT report_id, page_url FROM work.documents"), contents)
    document_keys = (
        stage_keys(conn, READING)
        .join(sites, on="report_id")
        .select("report_id", key=pl.concat_str("key", "site", separator="|"))
    )
    # The lines repeated across each site, then the cleaning of every document whose own
    # repeated lines changed. The marks that found a document's candidates in this run are
    # taken up by its cleaning.
    known = MarginMarks.concat(candidates.marks)
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

    return Cleaning(Step(CLEANING, keys, clean), found)


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
