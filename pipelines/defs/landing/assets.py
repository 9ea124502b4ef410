import dagster as dg
import polars as pl
from dagster_duckdb import DuckDBResource

from pipelines.defs.resources import CorpusResource
from pipelines.landing.sources import land_corpus
from pipelines.preview import markdown_preview
from pipelines.reading.documents import report_id_of
from pipelines.warehouse.tables import replace_table, run_with_rows


@dg.asset(
    group_name="landing",
    kinds={"filesystem", "duckdb"},
    deps=["crawl_log"],
    pool="warehouse",
    description=(
        "Every file of the corpus folder (FAZHI_SOURCES, read recursively), copied as it arrived "
        "into the content-addressed store beside the warehouse, and every report the crawler "
        "landed (under its URL), listed with its sha256, size and first arrival time."
    ),
)
def source_files(
    context: dg.AssetExecutionContext, corpus: CorpusResource, duckdb: DuckDBResource
) -> dg.MaterializeResult:
    store = corpus.store
    settings = corpus.settings
    landed, unreadable = land_corpus(
        settings.sources, store, hashes=settings.staging.with_name("landed_hashes.json")
    )
    files = landed.with_columns(
        report_id=report_id_of(pl.col("sha256")),
        stored_path=pl.concat_str(
            pl.lit(f"{store.objects}/"),
            pl.col("sha256").str.slice(0, 2),
            pl.lit("/"),
            pl.col("sha256"),
        ),
    )
    with duckdb.get_connection() as conn:
        replace_table(conn, "source_files", files)
        # Files that could not be read join rejected_sources with the reports stage's rejections.
        run_with_rows(
            conn,
            "CREATE OR REPLACE TABLE work.landing_rejections AS SELECT * FROM incoming_rows",
            unreadable,
        )
    new = files.filter("is_new")
    context.log.info(f"landed {files.height} files, {new.height} new")
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": files.height,
            "new_files": new.height,
            "unreadable": unreadable.height,
            "distinct_contents": files["sha256"].n_unique(),
            "store": dg.MetadataValue.path(str(store.root)),
            "preview": dg.MetadataValue.md(
                markdown_preview(
                    files.select("source_name", "sha256", "size", "arrived_at", "is_new")
                )
            ),
        }
    )
