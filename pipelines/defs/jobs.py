import dagster as dg

# What reaches out to the web. A build never runs it, so a build (by hand, the inbox sensor or
# the nightly schedule) works offline and never hits a listed site; the crawl job runs nothing
# else, so it fetches and lands, and the next build takes in what it landed.
FETCHING = dg.AssetSelection.assets("crawled_reports")

build_warehouse = dg.define_asset_job(
    name="build_warehouse",
    selection=dg.AssetSelection.all() - FETCHING,
    description="Land the corpus, derive every table and publish a new warehouse file.",
    # One process: the working DuckDB file takes a single writer, and jieba runs its own pool.
    executor_def=dg.in_process_executor,
)

crawl_sources = dg.define_asset_job(
    name="crawl_sources",
    selection=FETCHING,
    description="Crawl the listed sites and land what is new; the next build takes it in.",
    executor_def=dg.in_process_executor,
)

nightly_rebuild = dg.ScheduleDefinition(
    name="nightly_rebuild",
    job=build_warehouse,
    cron_schedule="0 2 * * *",
    execution_timezone="Asia/Shanghai",
    description="A full rebuild every night at 02:00 Beijing time, after the day's crawls.",
)

weekly_crawl = dg.ScheduleDefinition(
    name="weekly_crawl",
    job=crawl_sources,
    cron_schedule="0 6 * * 1",
    execution_timezone="Asia/Shanghai",
    description="Every Monday at 06:00 Beijing time: reports appear through the spring.",
)
