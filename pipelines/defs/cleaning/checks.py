"""The checks report what quality_flags (content: warn) and withheld_reports (invariants:
the reports are withheld, the others published) hold for them, so they wait for those tables;
the SQL is in pipelines/quality."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.defs.queries import content_check_result, invariant_check_result


@dg.asset_check(
    pool="warehouse",
    additional_deps=["withheld_reports"],
    asset="boilerplate",
    description=(
        "Nothing lost: every character of each document (white space aside) is in its clean "
        "text or in the boilerplate table. A report that breaks this is withheld from the "
        "published warehouse (withheld_reports); the others are published."
    ),
)
def every_character_accounted_for(duckdb: DuckDBResource) -> dg.AssetCheckResult:
    return invariant_check_result(duckdb, "every_character_accounted_for")


@dg.asset_check(
    pool="warehouse",
    additional_deps=["quality_flags"],
    asset="boilerplate",
    description=(
        "No dropped line reads like the report's own running text (a long line of sentences); "
        "one that does points at a line rule that is too broad. Warns, and quality_flags lists "
        "the lines."
    ),
)
def no_body_text_dropped(duckdb: DuckDBResource) -> dg.AssetCheckResult:
    return content_check_result(duckdb, "no_body_text_dropped")
