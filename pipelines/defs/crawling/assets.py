import dagster as dg
import polars as pl

from pipelines.crawling.sources import listed_sources
from pipelines.defs.policy import crawl_asset
from pipelines.defs.resources import CorpusResource
from pipelines.preview import markdown_preview


class CrawlConfig(dg.Config):
    interval: float = 1.0  # seconds between two requests to one host


@crawl_asset(
    group_name="landing",
    kinds={"http"},
    description=(
        "The reports of the sites listed in rules/crawl_sources.csv (or FAZHI_CRAWL_SOURCES), "
        "fetched politely (robots.txt, one request a second per host, retries, conditional "
        "requests) and landed in the store under their URLs; the outcome of every fetch is "
        "appended to the crawl log beside the store. Only the crawl job runs it: a build never "
        "touches the network."
    ),
)
def crawled_reports(
    context: dg.AssetExecutionContext, config: CrawlConfig, corpus: CorpusResource
) -> dg.MaterializeResult:
    # Imported here: a build, which never crawls, does not load the fetcher and page parsers.
    from pipelines.crawling.crawl import crawl
    from pipelines.crawling.fetch import Fetcher, FetchPolicy

    sources = listed_sources()
    schedule = context.run.tags.get("dagster/schedule_name")
    started_by = f"schedule {schedule}" if schedule else f"dagster run {context.run_id}"
    fetcher = Fetcher(FetchPolicy(min_interval=config.interval))
    try:
        log = crawl(sources, fetcher, corpus.store, started_by)
    finally:
        fetcher.close()
    for url, reason in (
        log.filter(pl.col("outcome") == "failed").select("url", "reason").iter_rows()
    ):
        context.log.warning(f"could not crawl {url}: {reason}")
    outcomes = dict(log["outcome"].value_counts().iter_rows()) if log.height else {}
    return dg.MaterializeResult(
        metadata={
            "sites": len(sources),
            "requests": fetcher.requests,
            "outcomes": outcomes,
            "preview": dg.MetadataValue.md(
                markdown_preview(log.select("url", "kind", "outcome", "reason"), rows=20, width=60)
            ),
        }
    )
