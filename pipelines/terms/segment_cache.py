"""The segmentation cache: each distinct report text is segmented once per vocabulary.

Kept in the working database (work.segmentations), keyed by the text's key and the vocabulary
key, so a run with one new report segments that report only, a change of the
term counting reuses every segmentation, and a change of dictionary, segmenter or cleaning
segments again exactly what it changed. A text's key is its report's structure key (an MD5 of the
text and its year, made with the report: work.structure_keys), so no run hashes the corpus's
texts a second time. Tokens are stored as one string per text, apart by
segment.SEPARATOR: writing and reading millions of list elements would cost more than
segmenting again. A text holding that character is not cached.
"""

from __future__ import annotations

import duckdb
import polars as pl

from pipelines.terms.dictionary import vocabulary_key
from pipelines.terms.segment import SEGMENTER, SEPARATOR, segment, segment_joined, split_tokens
from pipelines.warehouse.tables import query_with_rows, run_with_rows

CACHE_COLUMNS = ["text_key", "vocabulary_key", "tokens"]
CACHE_DDL = """
CREATE OR REPLACE TABLE work.segmentations (
    text_key VARCHAR NOT NULL,
    vocabulary_key VARCHAR NOT NULL,
    tokens VARCHAR NOT NULL
);
"""


def ensure_cache(conn: duckdb.DuckDBPyConnection) -> None:
    """Create the cache, or recreate it when an older fazhi left it in another layout."""
    columns = conn.execute(
        "SELECT column_name, data_type FROM duckdb_columns() WHERE database_name = 'work' "
        "AND table_name = 'segmentations' ORDER BY column_index"
    ).fetchall()
    if [name for name, _ in columns] != CACHE_COLUMNS or columns[-1][1] != "VARCHAR":
        conn.execute(CACHE_DDL)


def prune_cache(conn: duckdb.DuckDBPyConnection, texts: str) -> None:
    """Keep what the current vocabulary and the texts of table `texts` (text_key) need,
    nothing older."""
    ensure_cache(conn)
    conn.execute(
        "DELETE FROM work.segmentations WHERE vocabulary_key <> ? "
        f"OR text_key NOT IN (SELECT text_key FROM {texts})",
        [vocabulary_key(SEGMENTER)],
    )


def segmented_reports(
    conn: duckdb.DuckDBPyConnection, texts: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame, int]:
    """The texts given (report_id, text, text_key: the report's structure key) segmented:
    (report_id, tokens), their keys (report_id, text_key), and how many distinct texts were
    segmented in this call (one per content: the same report as HTML and as text is segmented
    once); the rest came from the cache."""
    key = vocabulary_key(SEGMENTER)
    ensure_cache(conn)
    cached = query_with_rows(
        conn,
        "SELECT text_key, tokens FROM work.segmentations WHERE vocabulary_key = ? "
        "AND text_key IN (SELECT text_key FROM incoming_rows)",
        texts.select("text_key"),
        [key],
    )
    missing = (
        texts.join(cached, on="text_key", how="anti").unique("text_key").select("text_key", "text")
    )
    cacheable = missing.filter(~pl.col("text").str.contains(SEPARATOR, literal=True))
    fresh = cacheable.select(
        "text_key",
        tokens=pl.Series(segment_joined(cacheable["text"].to_list()), dtype=pl.String),
    )
    run_with_rows(
        conn,
        "INSERT INTO work.segmentations SELECT text_key, ?, tokens FROM incoming_rows",
        fresh,
        [key],
    )
    # A text holding the separator is segmented on its own, its tokens a list from the start.
    uncacheable = missing.filter(pl.col("text").str.contains(SEPARATOR, literal=True))
    alone = uncacheable.select(
        "text_key",
        tokens=pl.Series([segment(text) for text in uncacheable["text"]], dtype=pl.List(pl.String)),
    )
    segmented = texts.join(
        pl.concat(
            [pl.concat([cached, fresh]).with_columns(tokens=split_tokens(pl.col("tokens"))), alone]
        ),
        on="text_key",
    ).select("report_id", "tokens")
    return segmented, texts.select("report_id", "text_key"), missing.height
