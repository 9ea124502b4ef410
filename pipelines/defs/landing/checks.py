import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.defs.resources import CorpusResource
from pipelines.quality.withheld import damaged_objects


@dg.asset_check(
    pool="warehouse",
    asset="source_files",
    description=(
        "Every landed file is in the store with its size, and the bytes of the latest arrivals "
        "still hash to their sha256 (rehashing the whole store every run would read every PDF "
        "again; `fazhi verify` does that). The reports of a damaged object are withheld from "
        "the published warehouse (withheld_reports); the others are published."
    ),
)
def stored_bytes_intact(corpus: CorpusResource, duckdb: DuckDBResource) -> dg.AssetCheckResult:
    with duckdb.get_connection() as conn:
        damaged = damaged_objects(conn, corpus.store)
        checked, rehashed = conn.execute(
            "SELECT count(DISTINCT sha256), count(DISTINCT sha256) "
            "FILTER (arrived_at = (SELECT max(arrived_at) FROM source_files)) FROM source_files"
        ).fetchone()
    return dg.AssetCheckResult(
        passed=damaged.is_empty(),
        description="\n".join(damaged["message"]) or None,
        metadata={
            "checked": checked,
            "rehashed": rehashed,
            "missing_or_changed": damaged["sha256"].head(20).to_list(),
        },
    )
