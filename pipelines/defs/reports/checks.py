"""The checks report what quality_flags (content: warn) and withheld_reports (invariants:
the reports are withheld, the others published) hold for them, so they wait for those tables;
the SQL is in pipelines/quality."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.defs.queries import content_check_result, invariant_check_result


@dg.asset_check(
    pool="warehouse",
    additional_deps=["quality_flags"],
    asset="reports",
    description=(
        "Every report year lies between 2000 and this year. Warns, and quality_flags lists the "
        "reports."
    ),
)
def report_year_plausible(duckdb: DuckDBResource) -> dg.AssetCheckResult:
    return content_check_result(duckdb, "report_year_plausible")


@dg.asset_check(
    pool="warehouse",
    additional_deps=["withheld_reports"],
    asset="reports",
    description=(
        "No report has empty text. A report that breaks this is withheld from the published "
        "warehouse (withheld_reports); the others are published."
    ),
)
def report_text_not_empty(duckdb: DuckDBResource) -> dg.AssetCheckResult:
    return invariant_check_result(duckdb, "report_text_not_empty")


@dg.asset_check(
    pool="warehouse",
    additional_deps=["quality_flags"],
    asset="reports",
    description=(
        "One report per issuing body, region and year: a second one is usually the same report "
        "in another format or version, and would be counted twice in comparisons. Warns, and "
        "quality_flags lists the reports."
    ),
)
def one_report_per_region_and_year(duckdb: DuckDBResource) -> dg.AssetCheckResult:
    return content_check_result(duckdb, "one_report_per_region_and_year")


@dg.asset_check(
    pool="warehouse",
    additional_deps=["quality_flags"],
    asset="reports",
    description=(
        "Every report has a region to compare it by. Warns, and quality_flags lists the reports."
    ),
)
def every_report_has_region(duckdb: DuckDBResource) -> dg.AssetCheckResult:
    return content_check_result(duckdb, "every_report_has_region")
