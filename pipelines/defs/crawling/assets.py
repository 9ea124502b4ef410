import dagster as dg
import polars as pl
from dagster_duckdb import DuckDBResource

from pipelines.crawling.crawl import crawl
from pipelines.crawling.fetch import Fetcher
from pipelines.crawling.sources import listed_sources
from pipelines.defs.resources import CorpusResource
from pipelines.preview import markdown_preview
from pipelines.warehouse.tables import replace_table


@dg.asset(
    group_name="landing",
    kinds={"http", "duckdb"},
    pool="warehouse",
    description=(
        "The reports of the sites listed in rules/crawl_sources.csv, fetched politely (robots.txt, "
        "one request a second per host, retries, conditional requests) and landed in the store "
        "under their URLs; the outcome of every fetch is in crawl_log."
    ),
)
def crawl_log(
    context: dg.AssetExecutionContext, corpus: CorpusResource, duckdb: DuckDBResource
) -> dg.MaterializeResult:
    sources = listed_sources()
    fetcher = Fetcher()
    try:
        log = crawl(sources, fetcher, corpus.store)
    finally:
        fetcher.close()
    with duckdb.get_connection() as conn:
        replace_table(conn, "crawl_log", log)
    for url, reason in (
        log.filter(pl.col("outcome") == "failed").select("url", "reason").iter_rows()
    ):
        context.log.warning(f"could not crawl {url}: {reason}")
    outcomes = dict(log["outcome"].value_counts().iter_rows()) if log.height else {}
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": log.height,
            "sites": len(sources),
            "requests": fetcher.requests,
            "outcomes": outcomes,
            "preview": dg.MetadataValue.md(
                markdown_preview(log.select("url", "kind", "outcome", "reason"), rows=20, width=60)
            ),
        }
    )


crawl_job = dg.define_asset_job(
    name="crawl_sources",
    selection=dg.AssetSelection.assets("crawl_log"),
    description="Crawl the listed sites and land what is new; the next build takes it in.",
    executor_def=dg.in_process_executor,
)

crawl_schedule = dg.ScheduleDefinition(
    name="weekly_crawl",
    job=crawl_job,
    cron_schedule="0 6 * * 1",
    execution_timezone="Asia/Shanghai",
    description="Every Monday at 06:00 Beijing time: reports appear through the spring.",
)
