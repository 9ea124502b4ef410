import hashlib

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.defs.resources import CorpusResource


@dg.asset_check(
    pool="warehouse",
    asset="source_files",
    blocking=True,
    description="Every landed file is in the store, and its stored bytes still hash to its sha256.",
)
def stored_bytes_intact(corpus: CorpusResource, duckdb: DuckDBResource) -> dg.AssetCheckResult:
    with duckdb.get_connection() as conn:
        hashes = [
            row[0] for row in conn.execute("SELECT DISTINCT sha256 FROM source_files").fetchall()
        ]
    store = corpus.store
    damaged = [
        sha
        for sha in hashes
        if not store.object_path(sha).exists() or hashlib.sha256(store.read(sha)).hexdigest() != sha
    ]
    return dg.AssetCheckResult(
        passed=not damaged,
        metadata={"checked": len(hashes), "missing_or_changed": damaged[:20]},
    )
