import dagster as dg
from dagster_duckdb import DuckDBResource
from duckdb import connect as open_duckdb

from pipelines.defs.resources import CorpusResource


@dg.asset_check(
    pool="warehouse",
    asset="published_warehouse",
    description=(
        "The published file opens read-only and holds the reports of the working database but "
        "the withheld ones."
    ),
)
def published_matches_working(
    corpus: CorpusResource, duckdb: DuckDBResource
) -> dg.AssetCheckResult:
    with duckdb.get_connection() as conn:
        working, withheld = conn.execute(
            "SELECT count(*), count(*) FILTER "
            "(report_id IN (SELECT report_id FROM withheld_reports)) FROM reports"
        ).fetchone()
    with open_duckdb(str(corpus.settings.warehouse), read_only=True) as published:
        public, leaked = published.execute(
            "SELECT count(*), count(*) FILTER "
            "(report_id IN (SELECT report_id FROM withheld_reports)) FROM reports"
        ).fetchone()
        views = published.execute(
            "SELECT count(*) FROM duckdb_views() WHERE NOT internal"
        ).fetchone()[0]
    return dg.AssetCheckResult(
        passed=public == working - withheld and leaked == 0 and views > 0,
        metadata={
            "working_reports": working,
            "withheld_reports": withheld,
            "published_reports": public,
            "views": views,
        },
    )
