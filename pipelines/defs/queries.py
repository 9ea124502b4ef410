"""Helpers for asset checks: they report what the quality tables hold for them."""

import dagster as dg
import duckdb

# Enough lines for the Dagster UI; the tables hold them all.
SHOWN = 20


def content_check_result(
    conn: duckdb.DuckDBPyConnection, check: dg.AssetCheckKey
) -> dg.AssetCheckResult:
    """A content check warns, never blocks: its findings are rows of quality_flags."""
    flags = conn.execute(
        'SELECT report_id, source_name, detail FROM quality_flags WHERE "check" = ? '
        "ORDER BY source_name, detail",
        [check.name],
    ).fetchall()
    flagged = len({report_id for report_id, *_ in flags})
    return dg.AssetCheckResult(
        asset_key=check.asset_key,
        check_name=check.name,
        passed=not flags,
        severity=dg.AssetCheckSeverity.WARN,
        description=f"{flagged} reports flagged in quality_flags, published all the same"
        if flags
        else None,
        metadata={
            "flagged_reports": flagged,
            "quality_flags": [f"{name}: {detail}" for _, name, detail in flags[:SHOWN]],
        },
    )


def invariant_check_result(
    conn: duckdb.DuckDBPyConnection, invariant: dg.AssetCheckKey
) -> dg.AssetCheckResult:
    """An invariant fails for the reports that break it, which withheld_reports lists and
    publishing leaves out; it never blocks the others."""
    broken = conn.execute(
        'SELECT source_name, reason FROM withheld_reports WHERE "check" = ? ORDER BY source_name',
        [invariant.name],
    ).fetchall()
    return dg.AssetCheckResult(
        asset_key=invariant.asset_key,
        check_name=invariant.name,
        passed=not broken,
        description=f"{len(broken)} reports withheld from the published warehouse"
        if broken
        else None,
        metadata={"withheld": [f"{name}: {reason}" for name, reason in broken[:SHOWN]]},
    )
