import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.defs.policy import warehouse_multi_asset
from pipelines.preview import markdown_preview
from pipelines.quality.flags import content_flags
from pipelines.quality.withheld import (
    INVARIANT_STAGE,
    broken_invariants,
    invariant_keys,
    withheld_reports,
)
from pipelines.shared.frames import query_frame
from pipelines.warehouse.incremental import refresh, refreshed_metadata
from pipelines.warehouse.tables import replace_table


@warehouse_multi_asset(
    group_name="quality",
    specs=[
        dg.AssetSpec(
            "quality_flags",
            deps=["reports", "facts", "boilerplate"],
            kinds={"duckdb"},
            description=(
                "What the content checks found surprising in a report or its figures (a share "
                "over 100%, more cases closed than received, no region, no facts, an implausible "
                "year, a second report of one region and year, a dropped line that reads like "
                "running text): flagged, never blocking; the reports are published."
            ),
        ),
        dg.AssetSpec(
            "withheld_reports",
            deps=["source_files", "reports", "facts", "boilerplate"],
            kinds={"duckdb"},
            description=(
                "Reports that break a pipeline invariant (stored bytes intact, text not empty, "
                "every character accounted for, surfaces at their offsets), with the reason: "
                "publishing leaves them out, and publishes the others."
            ),
        ),
    ],
)
def quality(context: dg.AssetExecutionContext, duckdb: DuckDBResource):
    with duckdb.get_connection() as conn:
        flags = content_flags(conn)
        replace_table(conn, "quality_flags", flags)
        # The invariants of each report's rows are checked once, when they are made.
        checked = refresh(
            conn,
            INVARIANT_STAGE,
            invariant_keys(conn),
            lambda batch: {"work.broken_invariants": broken_invariants(conn, batch)},
            computed_in_duckdb=True,
        )
        # The store was checked as the files landed, this run (source_files).
        damaged = query_frame(conn, "SELECT sha256, message FROM work.damaged_objects")
        withheld = withheld_reports(conn, damaged)
        replace_table(conn, "withheld_reports", withheld)
    for name, reason in withheld.select("source_name", "reason").iter_rows():
        context.log.warning(f"withheld {name} from the published warehouse: {reason}")
    yield dg.MaterializeResult(
        asset_key="quality_flags",
        metadata={
            "dagster/row_count": flags.height,
            "flagged_reports": flags["report_id"].n_unique(),
            "per_check": dict(flags["check"].value_counts().iter_rows()),
            "preview": dg.MetadataValue.md(
                markdown_preview(flags.select("source_name", "check", "detail"), rows=10, width=80)
            ),
        },
    )
    yield dg.MaterializeResult(
        asset_key="withheld_reports",
        metadata={
            "dagster/row_count": withheld.height,
            **refreshed_metadata(checked),
            "preview": dg.MetadataValue.md(
                markdown_preview(withheld.select("source_name", "check", "reason"), width=120)
            ),
        },
    )
