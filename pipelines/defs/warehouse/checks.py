import dagster as dg
from dagster_duckdb import DuckDBResource
from duckdb import connect as open_duckdb

from pipelines.defs.resources import CorpusResource


@dg.asset_check(
    pool="warehouse",
    asset="published_warehouse",
    description="The published file opens read-only and holds the reports of the working database.",
)
def published_matches_working(
    corpus: CorpusResource, duckdb: DuckDBResource
) -> dg.AssetCheckResult:
    with duckdb.get_connection() as conn:
        working = conn.execute("SELECT count(*) FROM reports").fetchone()[0]
    with open_duckdb(str(corpus.settings.warehouse), read_only=True) as published:
        public = published.execute("SELECT count(*) FROM reports").fetchone()[0]
        views = published.execute(
            "SELECT count(*) FROM duckdb_views() WHERE NOT internal"
        ).fetchone()[0]
    return dg.AssetCheckResult(
        passed=working == public and views > 0,
        metadata={"working_reports": working, "published_reports": public, "views": views},
    )
