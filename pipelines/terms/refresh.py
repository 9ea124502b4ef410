"""The terms stage over the working database: term counts per report and per sentence for the
reports whose text or sentences changed, then the corpus-wide vocabulary and keywords."""

from __future__ import annotations

import time
from collections.abc import Callable

import duckdb
import polars as pl

from pipelines.preview import markdown_preview
from pipelines.terms.counts import (
    report_terms,
    report_totals,
    sentence_terms,
    token_offsets,
    write_keywords,
    write_vocabulary,
)
from pipelines.terms.segment_cache import prune_cache, segmented_reports
from pipelines.warehouse.incremental import (
    BATCH_REPORTS,
    refresh,
    refreshed_metadata,
    stage_keys,
)
from pipelines.warehouse.stages import STRUCTURE, TERMS
from pipelines.warehouse.tables import rows_of_reports


def refresh_terms(
    conn: duckdb.DuckDBPyConnection, log: Callable[[str], None]
) -> dict[str, dict[str, object]]:
    """Count what changed, then redo the corpus-wide tables; returns the metadata of the
    terms, sentence_terms, vocabulary and keywords assets."""
    segmentation = {"texts": 0, "seconds": 0.0}

    def count(batch: pl.DataFrame) -> dict[str, pl.DataFrame]:
        started = time.perf_counter()
        segmented, texts, segmented_now = segmented_reports(conn, batch)
        segmentation["seconds"] += time.perf_counter() - started
        segmentation["texts"] += segmented_now
        tokens = token_offsets(segmented)
        per_report = report_terms(tokens)
        return {
            "terms": per_report,
            "sentence_terms": sentence_terms(
                tokens, rows_of_reports(conn, "sentences", batch, "report_id, sentence_no")
            ),
            "work.keyword_terms": per_report.filter("keyword_tag").select("report_id", "term", "n"),
            "work.term_texts": texts,
            "work.term_totals": report_totals(per_report),
        }

    # Terms depend on the text and where its sentences end: the structure's key. Their
    # batches take the most memory of any stage: half as many reports at a time.
    refreshed = refresh(
        conn, TERMS, stage_keys(conn, STRUCTURE), count, batch_reports=BATCH_REPORTS // 2
    )
    prune_cache(conn, "work.term_texts")
    # The corpus-wide tables follow every change of the corpus, and are quick to redo.
    n_vocabulary = write_vocabulary(conn)
    n_keywords = write_keywords(conn)
    n_terms, n_sentence_terms = conn.execute(
        "SELECT (SELECT count(*) FROM terms), (SELECT count(*) FROM sentence_terms)"
    ).fetchone()
    vocabulary_preview = conn.execute("SELECT * FROM vocabulary LIMIT 15").pl()
    keywords_preview = conn.execute(
        "SELECT * FROM keywords WHERE rank <= 5 ORDER BY report_id, rank LIMIT 25"
    ).pl()
    log(
        f"segmented {segmentation['texts']} texts in {segmentation['seconds']:.2f}s; "
        f"{refreshed.reused} reports from cache"
    )
    return {
        "terms": {
            "dagster/row_count": n_terms,
            "texts_segmented": segmentation["texts"],
            "segmentation_seconds": round(segmentation["seconds"], 3),
            **refreshed_metadata(refreshed),
        },
        "sentence_terms": {"dagster/row_count": n_sentence_terms},
        "vocabulary": {
            "dagster/row_count": n_vocabulary,
            "preview": markdown_preview(vocabulary_preview, rows=15),
        },
        "keywords": {
            "dagster/row_count": n_keywords,
            "preview": markdown_preview(keywords_preview, rows=25),
        },
    }
