from collections.abc import Iterator

import dagster as dg
import polars as pl
from dagster_duckdb import DuckDBResource

from pipelines.crawling.log import CrawlLog
from pipelines.defs.policy import warehouse_multi_asset
from pipelines.defs.resources import CorpusResource
from pipelines.landing.listing import list_corpus
from pipelines.landing.sources import land_corpus
from pipelines.preview import markdown_preview
from pipelines.quality.withheld import damaged_objects
from pipelines.reading.documents import report_id_of
from pipelines.warehouse.tables import replace_table, run_with_rows

STORED_BYTES_INTACT = dg.AssetCheckSpec(
    "stored_bytes_intact",
    asset="source_files",
    description=(
        "Every landed file is in the store with its size, and the bytes of the latest arrivals "
        "still hash to their sha256 (rehashing the whole store every run would read every PDF "
        "again; `fazhi verify` does that). The reports of a damaged object are withheld from "
        "the published warehouse (withheld_reports); the others are published."
    ),
)


@warehouse_multi_asset(
    specs=[
        dg.AssetSpec(
            "crawl_log",
            group_name="landing",
            kinds={"duckdb"},
            deps=["crawled_reports"],
            description=(
                "Every URL fetched by every crawl, by hand (fazhi crawl) or scheduled, read from "
                "the crawl log beside the store: what landed, what was unchanged, skipped or "
                "failed, and why."
            ),
        ),
        dg.AssetSpec(
            "source_files",
            group_name="landing",
            kinds={"filesystem", "duckdb"},
            deps=["crawl_log"],
            description=(
                "Every file of the corpus folder (FAZHI_SOURCES, read recursively), copied as it "
                "arrived into the content-addressed store beside the warehouse, and every report "
                "the crawler landed (under its URL), listed with its sha256, size and first "
                "arrival time."
            ),
        ),
    ],
    # Checked as it lands, in the same step: the objects damaged are kept for the quality asset.
    check_specs=[STORED_BYTES_INTACT],
)
def source_files(
    context: dg.AssetExecutionContext, corpus: CorpusResource, duckdb: DuckDBResource
) -> Iterator[dg.MaterializeResult]:
    store = corpus.store
    crawled = CrawlLog(store).read()
    settings = corpus.settings
    landed, unreadable = land_corpus(
        settings.sources,
        store,
        list_corpus(settings.sources, settings.outputs),
        hashes=settings.staging.with_name("landed_hashes.json"),
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
        replace_table(conn, "crawl_log", crawled)
        replace_table(conn, "source_files", files)
        # Files that could not be read join rejected_sources with the reports stage's rejections.
        run_with_rows(
            conn,
            "CREATE OR REPLACE TABLE work.landing_rejections AS SELECT * FROM incoming_rows",
            unreadable,
        )
        damaged = damaged_objects(conn, store)
        run_with_rows(
            conn,
            "CREATE OR REPLACE TABLE work.damaged_objects AS SELECT * FROM incoming_rows",
            damaged,
        )
        checked, rehashed = conn.execute(
            "SELECT count(DISTINCT sha256), count(DISTINCT sha256) "
            "FILTER (arrived_at = (SELECT max(arrived_at) FROM source_files)) FROM source_files"
        ).fetchone()
    new = files.filter("is_new")
    context.log.info(f"landed {files.height} files, {new.height} new")
    yield dg.MaterializeResult(
        asset_key="crawl_log",
        metadata={
            "dagster/row_count": crawled.height,
            "crawls": crawled["crawl_started_at"].n_unique(),
        },
    )
    yield dg.MaterializeResult(
        asset_key="source_files",
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
        },
        check_results=[
            dg.AssetCheckResult(
                check_name=STORED_BYTES_INTACT.name,
                passed=damaged.is_empty(),
                description="\n".join(damaged["message"]) or None,
                metadata={
                    "checked": checked,
                    "rehashed": rehashed,
                    "missing_or_changed": damaged["sha256"].head(20).to_list(),
                },
            )
        ],
    )
