import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.facts.build import build_facts
from pipelines.preview import markdown_preview
from pipelines.warehouse.incremental import refresh, refreshed_metadata, stage_keys
from pipelines.warehouse.stages import FACTS, STRUCTURE
from pipelines.warehouse.tables import rows_of_reports


@dg.asset(
    group_name="facts",
    kinds={"polars", "duckdb"},
    deps=["sentences"],
    pool="warehouse",
    description=(
        "Every quantity mention (value, unit, qualifier, subject, part of the report) with its "
        "offsets into reports.text, mapped to a standard indicator where it states one."
    ),
)
def facts(duckdb: DuckDBResource) -> dg.MaterializeResult:
    with duckdb.get_connection() as conn:
        refreshed = refresh(
            conn,
            FACTS,
            stage_keys(conn, STRUCTURE),
            lambda batch: {
                "facts": build_facts(
                    rows_of_reports(conn, "sentences", batch, "report_id, sentence_no")
                )
            },
        )
        n_facts, with_indicator, targets = conn.execute(
            "SELECT count(*), count(indicator), count(*) FILTER (is_target) FROM facts"
        ).fetchone()
        preview = conn.execute(
            "SELECT report_id, surface, value, unit, indicator FROM facts "
            "WHERE indicator IS NOT NULL ORDER BY report_id, fact_no LIMIT 10"
        ).pl()
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": n_facts,
            "with_indicator": with_indicator,
            "targets": targets,
            "preview": dg.MetadataValue.md(markdown_preview(preview, rows=10)),
            **refreshed_metadata(refreshed),
        }
    )
