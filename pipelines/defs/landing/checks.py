import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.defs.resources import CorpusResource


@dg.asset_check(
    pool="warehouse",
    asset="source_files",
    blocking=True,
    description=(
        "Every landed file is in the store with its size, and the bytes of the latest arrivals "
        "still hash to their sha256 (rehashing the whole store every run would read every PDF "
        "again; `fazhi verify` does that)."
    ),
)
def stored_bytes_intact(corpus: CorpusResource, duckdb: DuckDBResource) -> dg.AssetCheckResult:
    with duckdb.get_connection() as conn:
        # Files landed together share one arrival time: the latest are this run's, if any.
        objects = conn.execute(
            "SELECT sha256, any_value(size), "
            "bool_or(arrived_at = (SELECT max(arrived_at) FROM source_files)) "
            "FROM source_files GROUP BY sha256"
        ).fetchall()
    store = corpus.store
    damaged = [
        sha256 for sha256, size, latest in objects if not store.intact(sha256, size, rehash=latest)
    ]
    return dg.AssetCheckResult(
        passed=not damaged,
        metadata={
            "checked": len(objects),
            "rehashed": sum(1 for *_, latest in objects if latest),
            "missing_or_changed": damaged[:20],
        },
    )
