"""The segmentation cache: each distinct report text is segmented once per vocabulary.

Kept in the working database (work.segmentations), keyed by the SHA-256 of the clean text and
the vocabulary key, so a run with one new report segments that report only, a change of the
term counting reuses every segmentation, and a change of dictionary, segmenter or cleaning
segments again exactly what it changed.
"""

from __future__ import annotations

import duckdb
import polars as pl

from pipelines.terms.dictionary import vocabulary_key
from pipelines.terms.segment import SEGMENTER, segment_texts
from pipelines.warehouse.tables import query_with_rows, run_with_rows

CACHE_COLUMNS = ["text_sha256", "vocabulary_key", "tokens", "tags"]
CACHE_DDL = """
CREATE OR REPLACE TABLE work.segmentations (
    text_sha256 VARCHAR NOT NULL,
    vocabulary_key VARCHAR NOT NULL,
    tokens VARCHAR[] NOT NULL,
    tags VARCHAR[] NOT NULL
);
"""


def ensure_cache(conn: duckdb.DuckDBPyConnection) -> None:
    """Create the cache, or recreate it when an older fazhi left it in another layout."""
    columns = [
        name
        for (name,) in conn.execute(
            "SELECT column_name FROM duckdb_columns() WHERE database_name = 'work' "
            "AND table_name = 'segmentations' ORDER BY column_index"
        ).fetchall()
    ]
    if columns != CACHE_COLUMNS:
        conn.execute(CACHE_DDL)


def prune_cache(conn: duckdb.DuckDBPyConnection) -> None:
    """Keep what the current reports and vocabulary need, nothing older."""
    ensure_cache(conn)
    conn.execute(
        "DELETE FROM work.segmentations WHERE vocabulary_key <> ? "
        "OR text_sha256 NOT IN (SELECT sha256(text) FROM reports)",
        [vocabulary_key(SEGMENTER)],
    )


def segmented_reports(
    conn: duckdb.DuckDBPyConnection, reports: pl.DataFrame
) -> tuple[pl.DataFrame, int]:
    """report_id, tokens, tags for the reports given (report_id), and how many distinct texts
    were segmented in this call (one per content: the same report as HTML and as text is
    segmented once); the rest came from the cache."""
    key = vocabulary_key(SEGMENTER)
    ensure_cache(conn)
    texts = query_with_rows(
        conn,
        "SELECT report_id, text, sha256(text) AS text_sha256 FROM reports "
        "WHERE report_id IN (SELECT report_id FROM incoming_rows)",
        reports.select("report_id"),
    )
    cached = query_with_rows(
        conn,
        "SELECT text_sha256, tokens, tags FROM work.segmentations WHERE vocabulary_key = ? "
        "AND text_sha256 IN (SELECT text_sha256 FROM incoming_rows)",
        texts.select("text_sha256"),
        [key],
    )
    missing = (
        texts.join(cached, on="text_sha256", how="anti")
        .unique("text_sha256")
        .select("text_sha256", "text")
    )
    fresh = missing.select("text_sha256").hstack(segment_texts(missing["text"].to_list()))
    run_with_rows(
        conn,
        "INSERT INTO work.segmentations SELECT text_sha256, ?, tokens, tags FROM incoming_rows",
        fresh,
        [key],
    )
    segmented = texts.join(pl.concat([cached, fresh]), on="text_sha256").select(
        "report_id", "tokens", "tags"
    )
    return segmented, fresh.height
