import time

import dagster as dg
import polars as pl
from dagster_duckdb import DuckDBResource

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


@dg.multi_asset(
    group_name="terms",
    specs=[
        dg.AssetSpec(
            "terms",
            deps=["reports", "sentences"],
            kinds={"polars", "duckdb"},
            description=(
                "How often each term occurs in each report: jieba segmentation (HMM off, run by "
                "rjieba) with the domain dictionary rules/jieba_dict.txt and the indicator names, "
                "stop words (rules/stopwords.txt), numbers and single characters left out. Each "
                "distinct text is segmented once and cached (work.segmentations)."
            ),
        ),
        dg.AssetSpec(
            "sentence_terms",
            deps=["reports", "sentences"],
            kinds={"duckdb"},
            description="Term counts per sentence: the index marts.search_sentences ranks by BM25.",
        ),
        dg.AssetSpec(
            "vocabulary",
            deps=["reports", "sentences"],
            kinds={"duckdb"},
            description="Every term of the corpus with the reports and sentences it occurs in.",
        ),
        dg.AssetSpec(
            "keywords",
            deps=["reports", "sentences"],
            kinds={"duckdb"},
            description=(
                "Each report's top 20 terms by TF-IDF, document frequencies from this corpus."
            ),
        ),
    ],
    pool="warehouse",
)
def terms(context: dg.AssetExecutionContext, duckdb: DuckDBResource):
    segmentation = {"texts": 0, "seconds": 0.0}
    with duckdb.get_connection() as conn:

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
                "work.keyword_terms": per_report.filter("keyword_tag").select(
                    "report_id", "term", "n"
                ),
                "work.term_texts": texts,
                "work.term_totals": report_totals(per_report),
            }

        # Terms depend on the text and where its sentences end: the structure's key.
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
    context.log.info(
        f"segmented {segmentation['texts']} texts in {segmentation['seconds']:.2f}s; "
        f"{refreshed.reused} reports from cache"
    )
    yield dg.MaterializeResult(
        asset_key="terms",
        metadata={
            "dagster/row_count": n_terms,
            "texts_segmented": segmentation["texts"],
            "segmentation_seconds": round(segmentation["seconds"], 3),
            **refreshed_metadata(refreshed),
        },
    )
    yield dg.MaterializeResult(
        asset_key="sentence_terms", metadata={"dagster/row_count": n_sentence_terms}
    )
    yield dg.MaterializeResult(
        asset_key="vocabulary",
        metadata={
            "dagster/row_count": n_vocabulary,
            "preview": dg.MetadataValue.md(markdown_preview(vocabulary_preview, rows=15)),
        },
    )
    yield dg.MaterializeResult(
        asset_key="keywords",
        metadata={
            "dagster/row_count": n_keywords,
            "preview": dg.MetadataValue.md(markdown_preview(keywords_preview, rows=25)),
        },
    )
