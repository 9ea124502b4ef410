import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.defs.queries import query_rows


@dg.asset_check(
    pool="warehouse",
    asset="facts",
    blocking=True,
    description="Every surface equals the report text at its offsets, and lies inside its sentence.",
)
def surfaces_match_offsets(duckdb: DuckDBResource) -> dg.AssetCheckResult:
    bad = query_rows(
        duckdb,
        """
        SELECT f.report_id, f.fact_no, f.surface
        FROM facts f
        JOIN reports r USING (report_id)
        JOIN sentences s USING (report_id, sentence_no)
        WHERE substr(r.text, f.char_start + 1, f.char_end - f.char_start) <> f.surface
           OR f.char_start < s.char_start OR f.char_end > s.char_end
        """,
    )
    return dg.AssetCheckResult(passed=not bad, metadata={"mismatches": [str(b) for b in bad[:20]]})


@dg.asset_check(
    pool="warehouse",
    asset="facts",
    blocking=True,
    description="Every percentage lies between 0 and 100.",
)
def rates_within_0_100(duckdb: DuckDBResource) -> dg.AssetCheckResult:
    bad = query_rows(
        duckdb,
        "SELECT report_id, surface FROM facts WHERE unit = '%' AND value NOT BETWEEN 0 AND 100",
    )
    return dg.AssetCheckResult(
        passed=not bad, metadata={"out_of_range": [str(b) for b in bad[:20]]}
    )


@dg.asset_check(
    pool="warehouse",
    asset="facts",
    description=(
        "Administrative reconsideration cases closed never exceed those received in one report "
        "(achievements only): otherwise one of the two figures was mapped wrongly."
    ),
)
def reconsideration_closed_not_above_received(duckdb: DuckDBResource) -> dg.AssetCheckResult:
    bad = query_rows(
        duckdb,
        """
        SELECT report_id,
               sum(value) FILTER (indicator = 'admin_reconsideration_closed') AS closed,
               sum(value) FILTER (indicator = 'admin_reconsideration_received') AS received
        FROM facts
        WHERE NOT is_target
        GROUP BY report_id
        HAVING closed > received
        """,
    )
    return dg.AssetCheckResult(passed=not bad, metadata={"reports": [str(b) for b in bad]})


@dg.asset_check(
    pool="warehouse",
    asset="facts",
    description="A report with no quantity at all is flagged: its text or its extraction is suspect.",
)
def every_report_has_facts(duckdb: DuckDBResource) -> dg.AssetCheckResult:
    bad = query_rows(
        duckdb,
        "SELECT source_name FROM reports WHERE report_id NOT IN (SELECT report_id FROM facts)",
    )
    return dg.AssetCheckResult(
        passed=not bad,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"reports_without_facts": [n for (n,) in bad]},
    )
