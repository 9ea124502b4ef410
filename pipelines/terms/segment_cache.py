"""The segmentation cache: each distinct report text is segmented once per vocabulary.

Kept in the working database (work.segmentations), keyed by the SHA-256 of the clean text and
the vocabulary key, so a run with one new report segments that report only, and a change of
dictionary, segmenter or cleaning segments again exactly what it changed.
"""

from __future__ import annotations

import duckdb
import polars as pl

from pipelines.terms.dictionary import vocabulary_key
from pipelines.terms.segment import SEGMENTER, segment_texts
from pipelines.warehouse.tables import run_with_rows

CACHE_COLUMNS = ["text_sha256", "vocabulary_key", "tokens", "tags"]
CACHE_DDL = """
CREATE SCHEMA IF NOT EXISTS work;
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
            "SELECT column_name FROM duckdb_columns() WHERE schema_name = 'work' "
            "AND table_name = 'segmentations' ORDER BY column_index"
        ).fetchall()
    ]
    if columns != CACHE_COLUMNS:
        conn.execute(CACHE_DDL)


def segmented_reports(conn: duckdb.DuckDBPyConnection) -> tuple[pl.DataFrame, int, int]:
    """report_id, tokens, tags for every report in the reports table.

    Returns (segmented, texts_segmented, reports_from_cache): the distinct texts segmented in
    this call (one per content: the same report as HTML and as text is segmented once) and the
    reports whose tokens came from the cache.
    """
    key = vocabulary_key(SEGMENTER)
    ensure_cache(conn)
    reports = conn.execute("SELECT report_id, sha256(text) AS text_sha256 FROM reports").pl()
    cached = conn.execute(
        "SELECT text_sha256, tokens, tags FROM work.segmentations WHERE vocabulary_key = ?", [key]
    ).pl()
    missing = conn.execute(
        "SELECT DISTINCT sha256(text) AS text_sha256, text FROM reports "
        "WHERE sha256(text) NOT IN (SELECT text_sha256 FROM work.segmentations "
        "WHERE vocabulary_key = ?)",
        [key],
    ).pl()
    fresh = missing.select("text_sha256").hstack(segment_texts(missing["text"].to_list()))
    # The cache holds what the current corpus and vocabulary need, nothing older.
    run_with_rows(
        conn,
        "DELETE FROM work.segmentations WHERE vocabulary_key <> ? "
        "OR text_sha256 NOT IN (SELECT text_sha256 FROM incoming_rows)",
        reports.select("text_sha256"),
        [key],
    )
    run_with_rows(
        conn,
        "INSERT INTO work.segmentations SELECT text_sha256, ?, tokens, tags FROM incoming_rows",
        fresh,
        [key],
    )
    segmented = reports.join(pl.concat([cached, fresh]), on="text_sha256").select(
        "report_id", "tokens", "tags"
    )
    from_cache = reports.join(cached, on="text_sha256", how="semi").height
    return segmented, fresh.height, from_cache
