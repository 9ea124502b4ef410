import time

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.preview import markdown_preview
from pipelines.terms.counts import (
    keywords,
    report_terms,
    sentence_terms,
    token_offsets,
    vocabulary,
)
from pipelines.terms.segment_cache import segmented_reports
from pipelines.warehouse.tables import read_table, replace_table


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
    with duckdb.get_connection() as conn:
        started = time.perf_counter()
        segmented, texts_segmented, from_cache = segmented_reports(conn)
        seconds = time.perf_counter() - started
        tokens = token_offsets(segmented)
        per_sentence = sentence_terms(tokens, read_table(conn, "sentences"))
        per_report = report_terms(tokens)
        corpus = vocabulary(per_sentence)
        top = keywords(per_report)
        replace_table(conn, "terms", per_report)
        replace_table(conn, "sentence_terms", per_sentence)
        replace_table(conn, "vocabulary", corpus)
        replace_table(conn, "keywords", top)
    context.log.info(
        f"segmented {texts_segmented} texts in {seconds:.2f}s; {from_cache} reports from cache"
    )
    yield dg.MaterializeResult(
        asset_key="terms",
        metadata={
            "dagster/row_count": per_report.height,
            "texts_segmented": texts_segmented,
            "reports_from_cache": from_cache,
            "segmentation_seconds": round(seconds, 3),
        },
    )
    yield dg.MaterializeResult(
        asset_key="sentence_terms", metadata={"dagster/row_count": per_sentence.height}
    )
    yield dg.MaterializeResult(
        asset_key="vocabulary",
        metadata={
            "dagster/row_count": corpus.height,
            "preview": dg.MetadataValue.md(markdown_preview(corpus, rows=15)),
        },
    )
    yield dg.MaterializeResult(
        asset_key="keywords",
        metadata={
            "dagster/row_count": top.height,
            "preview": dg.MetadataValue.md(markdown_preview(top.filter(top["rank"] <= 5), rows=25)),
        },
    )
