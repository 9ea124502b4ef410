import dagster as dg

build_warehouse = dg.define_asset_job(
    name="build_warehouse",
    selection=dg.AssetSelection.all(),
    description="Land the corpus, derive every table and publish a new warehouse file.",
    # One process: the working DuckDB file takes a single writer, and jieba runs its own pool.
    executor_def=dg.in_process_executor,
)

nightly_rebuild = dg.ScheduleDefinition(
    name="nightly_rebuild",
    job=build_warehouse,
    cron_schedule="0 2 * * *",
    execution_timezone="Asia/Shanghai",
    description="A full rebuild every night at 02:00 Beijing time, after the day's crawls.",
)
