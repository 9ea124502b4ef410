"""The structure stage over the working database: every report's heading tree and sentences,
made again only when its text or year changed."""

from __future__ import annotations

from collections.abc import Mapping

import duckdb
import polars as pl

from pipelines.preview import markdown_preview
from pipelines.shared.frames import query_frame
from pipelines.structure.sections import find_sections, place_sentences
from pipelines.structure.sentences import split_sentences
from pipelines.warehouse.incremental import Refreshed, Step, refreshed_metadata
from pipelines.warehouse.stages import STRUCTURE
from pipelines.warehouse.tables import rows_made_or_stored


def structure_step(conn: duckdb.DuckDBPyConnection, keys: pl.DataFrame) -> Step:
    """The structure of every report, by its structure key (report_id, key: its text and year,
    hashed as the report was made); the step hands on the reports it read."""

    def split(batch: pl.DataFrame, made: Mapping[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
        reports = rows_made_or_stored(conn, "reports", batch, made)
        sentences = split_sentences(reports)
        sections = find_sections(sentences, reports)
        return {
            "sections": sections,
            "sentences": place_sentences(sentences, sections),
            "reports": reports,
        }

    return Step(STRUCTURE, keys, split)


def structure_metadata(
    conn: duckdb.DuckDBPyConnection, refreshed: Refreshed
) -> dict[str, dict[str, object]]:
    """The metadata of the sections and sentences assets, once the step has run."""
    n_sections, n_sentences = conn.execute(
        "SELECT (SELECT count(*) FROM sections), (SELECT count(*) FROM sentences)"
    ).fetchone()
    parts = dict(
        conn.execute(
            "SELECT part, count(*) AS n FROM sections WHERE level = 1 GROUP BY ALL ORDER BY n DESC"
        ).fetchall()
    )
    sections_preview = query_frame(
        conn,
        "SELECT report_id, label, heading, part FROM sections "
        "ORDER BY report_id, section_no LIMIT 10",
    )
    sentences_preview = query_frame(
        conn, "SELECT report_id, part, text FROM sentences ORDER BY report_id, sentence_no LIMIT 5"
    )
    return {
        "sections": {
            "dagster/row_count": n_sections,
            "parts": parts,
            "preview": markdown_preview(sections_preview, rows=10),
            **refreshed_metadata(refreshed),
        },
        "sentences": {
            "dagster/row_count": n_sentences,
            "preview": markdown_preview(sentences_preview),
        },
    }
