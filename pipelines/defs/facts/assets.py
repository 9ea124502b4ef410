import dagster as dg
import polars as pl
from dagster_duckdb import DuckDBResource

from pipelines.facts.build import build_facts
from pipelines.preview import markdown_preview
from pipelines.warehouse.tables import read_table, replace_table


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
        rows = build_facts(read_table(conn, "sentences"))
        replace_table(conn, "facts", rows)
    mapped = rows.filter(pl.col("indicator").is_not_null())
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": rows.height,
            "with_indicator": mapped.height,
            "targets": rows.filter("is_target").height,
            "preview": dg.MetadataValue.md(
                markdown_preview(
                    mapped.select("report_id", "surface", "value", "unit", "indicator"), rows=10
                )
            ),
        }
    )
