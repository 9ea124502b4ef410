"""The asset checks that report what the quality tables hold (the SQL is in pipelines/quality):
content checks warn, and quality_flags lists what they found; invariants fail for the reports
withheld_reports lists, which publishing leaves out. None blocks the run.

They are evaluated together, in one step after the quality asset: each is one query of a small
table, and a step of its own for each cost more in Dagster's bookkeeping (its events and its
slot in the warehouse pool, written to the run storage) than the query.
"""

from collections.abc import Iterator

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.defs.policy import warehouse_asset_check
from pipelines.defs.queries import content_check_result, invariant_check_result
from pipelines.reading.ocr import LOW_CONFIDENCE


def content(name: str, asset: str, description: str) -> dg.AssetCheckSpec:
    return dg.AssetCheckSpec(
        name, asset=asset, additional_deps=["quality_flags"], description=description
    )


def invariant(name: str, asset: str, description: str) -> dg.AssetCheckSpec:
    return dg.AssetCheckSpec(
        name, asset=asset, additional_deps=["withheld_reports"], description=description
    )


CHECKS = [
    content(
        "report_year_plausible",
        "reports",
        "Every report year lies between 2000 and this year. Warns, and quality_flags lists the "
        "reports.",
    ),
    invariant(
        "report_text_not_empty",
        "reports",
        "No report has empty text. A report that breaks this is withheld from the published "
        "warehouse (withheld_reports); the others are published.",
    ),
    content(
        "one_report_per_region_and_year",
        "reports",
        "One report per issuing body, region and year: a second one is usually the same report "
        "in another format or version, and would be counted twice in comparisons. Warns, and "
        "quality_flags lists the reports.",
    ),
    content(
        "every_report_has_region",
        "reports",
        "Every report has a region to compare it by. Warns, and quality_flags lists the reports.",
    ),
    invariant(
        "every_character_accounted_for",
        "boilerplate",
        "Nothing lost: every character of each document (white space aside) is in its clean "
        "text or in the boilerplate table. A report that breaks this is withheld from the "
        "published warehouse (withheld_reports); the others are published.",
    ),
    content(
        "no_body_text_dropped",
        "boilerplate",
        "No dropped line reads like the report's own running text (a long line of sentences); "
        "one that does points at a line rule that is too broad. Warns, and quality_flags lists "
        "the lines.",
    ),
    invariant(
        "rows_unique_on_their_keys",
        "sentences",
        "Each report's rows of reports, sections, sentences and facts are unique on their key "
        "(report_id with section_no, sentence_no or fact_no), which the tables do not enforce. "
        "A report that breaks this is withheld from the published warehouse "
        "(withheld_reports); the others are published.",
    ),
    invariant(
        "surfaces_match_offsets",
        "facts",
        "Every surface equals the report text at its offsets, and lies inside its sentence. A "
        "report that breaks this is withheld from the published warehouse (withheld_reports); "
        "the others are published.",
    ),
    content(
        "rates_within_0_100",
        "facts",
        "Every share stated as a percentage lies between 0 and 100; a change (同比增长300%, "
        "facts.kind = 'change' by the wording in rules/change_words.tsv) may exceed it. Warns, "
        "and quality_flags lists the figures.",
    ),
    content(
        "reconsideration_closed_not_above_received",
        "facts",
        "Administrative reconsideration cases closed never exceed those received in one report "
        "(achievements only): otherwise one of the two figures was mapped wrongly. Warns, and "
        "quality_flags lists the reports.",
    ),
    content(
        "every_report_has_facts",
        "facts",
        "A report with no quantity at all is flagged: its text or its extraction is suspect. "
        "Warns, and quality_flags lists the reports.",
    ),
    content(
        "ocr_pages_confident",
        "reports",
        "Every page of a scanned report that OCR read has a mean character confidence of at "
        f"least {LOW_CONFIDENCE}: a page read with less is worth comparing with the scan before "
        "its figures are used. Warns, and quality_flags lists the pages; the report is published "
        "either way (source_format pdf-ocr).",
    ),
]
# The invariants are the checks that read withheld_reports.
INVARIANTS = {
    spec.key
    for spec in CHECKS
    if any(dep.asset_key == dg.AssetKey("withheld_reports") for dep in spec.additional_deps)
}


@warehouse_asset_check(specs=CHECKS, name="quality_checks", can_subset=True)
def quality_checks(
    context: dg.AssetCheckExecutionContext, duckdb: DuckDBResource
) -> Iterator[dg.AssetCheckResult]:
    with duckdb.get_connection() as conn:
        for key in sorted(context.selected_asset_check_keys, key=lambda key: key.to_user_string()):
            if key in INVARIANTS:
                yield invariant_check_result(conn, key)
            else:
                yield content_check_result(conn, key)
