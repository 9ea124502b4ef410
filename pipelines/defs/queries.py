"""Helpers for asset checks written in SQL against the working database."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.quality.flags import content_flags
from pipelines.quality.withheld import invariant_breaks

# Enough lines for the Dagster UI; the tables hold them all.
SHOWN = 20


def query_rows(duckdb: DuckDBResource, sql: str, parameters: dict | None = None) -> list[tuple]:
    with duckdb.get_connection() as conn:
        return conn.execute(sql, parameters).fetchall()


def content_check_result(duckdb: DuckDBResource, check: str) -> dg.AssetCheckResult:
    """A content check warns, never blocks: what it finds is what quality_flags will hold."""
    with duckdb.get_connection() as conn:
        flags = content_flags(conn, (check,))
    return dg.AssetCheckResult(
        passed=flags.is_empty(),
        severity=dg.AssetCheckSeverity.WARN,
        description=f"{flags['report_id'].n_unique()} reports flagged in quality_flags, "
        "published all the same"
        if flags.height
        else None,
        metadata={
            "flagged_reports": flags["report_id"].n_unique(),
            "quality_flags": [
                f"{name}: {detail}"
                for name, detail in flags.head(SHOWN).select("source_name", "detail").iter_rows()
            ],
        },
    )


def invariant_check_result(duckdb: DuckDBResource, invariant: str) -> dg.AssetCheckResult:
    """An invariant fails for the reports that break it, which are withheld from the published
    warehouse (withheld_reports); it never blocks the others."""
    with duckdb.get_connection() as conn:
        broken = invariant_breaks(conn, invariant)
    return dg.AssetCheckResult(
        passed=not broken,
        description=f"{len(broken)} reports withheld from the published warehouse"
        if broken
        else None,
        metadata={"withheld": [f"{name}: {reason}" for name, reason in broken[:SHOWN]]},
    )
