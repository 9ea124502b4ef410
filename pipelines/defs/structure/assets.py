import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.preview import markdown_preview
from pipelines.structure.sections import find_sections, place_sentences
from pipelines.structure.sentences import split_sentences
from pipelines.warehouse.tables import read_table, replace_table


@dg.multi_asset(
    group_name="structure",
    specs=[
        dg.AssetSpec(
            "sections",
            deps=["reports"],
            kinds={"polars", "duckdb"},
            description=(
                "The heading tree of every report, each top-level part classified as measures, "
                "leadership, shortcomings, plans or other (rules/report_parts.tsv)."
            ),
        ),
        dg.AssetSpec(
            "sentences",
            deps=["reports"],
            kinds={"polars", "duckdb"},
            description="Every sentence with its section, part and offsets into reports.text.",
        ),
    ],
    pool="warehouse",
)
def structure(duckdb: DuckDBResource):
    with duckdb.get_connection() as conn:
        reports = read_table(conn, "reports")
        sentences = split_sentences(reports)
        sections = find_sections(sentences, reports)
        placed = place_sentences(sentences, sections)
        replace_table(conn, "sections", sections)
        replace_table(conn, "sentences", placed)
    yield dg.MaterializeResult(
        asset_key="sections",
        metadata={
            "dagster/row_count": sections.height,
            "parts": dict(
                sections.filter(sections["level"] == 1)["part"].value_counts().iter_rows()
            ),
            "preview": dg.MetadataValue.md(
                markdown_preview(sections.select("report_id", "label", "heading", "part"), rows=10)
            ),
        },
    )
    yield dg.MaterializeResult(
        asset_key="sentences",
        metadata={
            "dagster/row_count": placed.height,
            "preview": dg.MetadataValue.md(
                markdown_preview(placed.select("report_id", "part", "text"))
            ),
        },
    )
