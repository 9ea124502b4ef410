import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.defs.queries import query_rows
from pipelines.reading.normalize import WHITE_SPACE


@dg.asset_check(
    pool="warehouse",
    asset="reports",
    blocking=True,
    description="Every report year lies between 2000 and this year.",
)
def report_year_plausible(duckdb: DuckDBResource) -> dg.AssetCheckResult:
    bad = query_rows(
        duckdb,
        "SELECT source_name, report_year FROM reports "
        "WHERE report_year NOT BETWEEN 2000 AND year(current_date)",
    )
    return dg.AssetCheckResult(
        passed=not bad, metadata={"implausible": [f"{n}: {y}" for n, y in bad]}
    )


@dg.asset_check(
    pool="warehouse", asset="reports", blocking=True, description="No report has empty text."
)
def report_text_not_empty(duckdb: DuckDBResource) -> dg.AssetCheckResult:
    # A text is empty when it holds nothing but white space; the search stops at the first
    # other character.
    bad = query_rows(
        duckdb,
        "SELECT source_name FROM reports WHERE NOT regexp_matches(text, $visible)",
        {"visible": WHITE_SPACE.replace("[", "[^", 1)},
    )
    return dg.AssetCheckResult(passed=not bad, metadata={"empty": [n for (n,) in bad]})


@dg.asset_check(
    pool="warehouse",
    asset="reports",
    description=(
        "One report per issuing body, region and year: a second one is usually the same report "
        "in another format or version, and would be counted twice in comparisons."
    ),
)
def one_report_per_region_and_year(duckdb: DuckDBResource) -> dg.AssetCheckResult:
    duplicates = query_rows(
        duckdb,
        "SELECT region, org_name, report_year, string_agg(source_name, ', ' ORDER BY source_name) "
        "FROM reports GROUP BY ALL HAVING count(*) > 1",
    )
    return dg.AssetCheckResult(
        passed=not duplicates,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"duplicates": [f"{r} {o} {y}: {names}" for r, o, y, names in duplicates]},
    )


@dg.asset_check(
    pool="warehouse", asset="reports", description="Every report has a region to compare it by."
)
def every_report_has_region(duckdb: DuckDBResource) -> dg.AssetCheckResult:
    bad = query_rows(duckdb, "SELECT source_name FROM reports WHERE region IS NULL")
    return dg.AssetCheckResult(
        passed=not bad,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"without_region": [n for (n,) in bad]},
    )
