"""The checks report what quality_flags (content: warn) and withheld_reports (invariants:
the reports are withheld, the others published) hold for them, so they wait for those tables;
the SQL is in pipelines/quality."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.defs.queries import content_check_result, invariant_check_result


@dg.asset_check(
    pool="warehouse",
    additional_deps=["withheld_reports"],
    asset="facts",
    description=(
        "Every surface equals the report text at its offsets, and lies inside its sentence. A "
        "report that breaks this is withheld from the published warehouse (withheld_reports); "
        "the others are published."
    ),
)
def surfaces_match_offsets(duckdb: DuckDBResource) -> dg.AssetCheckResult:
    return invariant_check_result(duckdb, "surfaces_match_offsets")


@dg.asset_check(
    pool="warehouse",
    additional_deps=["quality_flags"],
    asset="facts",
    description=(
        "Every share stated as a percentage lies between 0 and 100; a change (同比增长300%, "
        "facts.kind = 'change' by the wording in rules/change_words.tsv) may exceed it. Warns, "
        "and quality_flags lists the figures."
    ),
)
def rates_within_0_100(duckdb: DuckDBResource) -> dg.AssetCheckResult:
    return content_check_result(duckdb, "rates_within_0_100")


@dg.asset_check(
    pool="warehouse",
    additional_deps=["quality_flags"],
    asset="facts",
    description=(
        "Administrative reconsideration cases closed never exceed those received in one report "
        "(achievements only): otherwise one of the two figures was mapped wrongly. Warns, and "
        "quality_flags lists the reports."
    ),
)
def reconsideration_closed_not_above_received(duckdb: DuckDBResource) -> dg.AssetCheckResult:
    return content_check_result(duckdb, "reconsideration_closed_not_above_received")


@dg.asset_check(
    pool="warehouse",
    additional_deps=["quality_flags"],
    asset="facts",
    description=(
        "A report with no quantity at all is flagged: its text or its extraction is suspect. "
        "Warns, and quality_flags lists the reports."
    ),
)
def every_report_has_facts(duckdb: DuckDBResource) -> dg.AssetCheckResult:
    return content_check_result(duckdb, "every_report_has_facts")
