import dagster as dg
import polars as pl
from dagster_duckdb import DuckDBResource

from pipelines.preview import markdown_preview
from pipelines.structure.sections import find_sections, place_sentences
from pipelines.structure.sentences import split_sentences
from pipelines.warehouse.incremental import refresh, refreshed_metadata
from pipelines.warehouse.stages import STRUCTURE
from pipelines.warehouse.tables import rows_of_reports


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
        # A report's structure depends on its text and its year, hashed as the report was made.
        keys = conn.execute("SELECT report_id, key FROM work.structure_keys").pl()

        def split(batch: pl.DataFrame) -> dict[str, pl.DataFrame]:
            reports = rows_of_reports(conn, "reports", batch)
            sentences = split_sentences(reports)
            sections = find_sections(sentences, reports)
            return {"sections": sections, "sentences": place_sentences(sentences, sections)}

        refreshed = refresh(conn, STRUCTURE, keys, split)
        n_sections, n_sentences = conn.execute(
            "SELECT (SELECT count(*) FROM sections), (SELECT count(*) FROM sentences)"
        ).fetchone()
        parts = dict(
            conn.execute(
                "SELECT part, count(*) AS n FROM sections WHERE level = 1 GROUP BY ALL ORDER BY n DESC"
            ).fetchall()
        )
        sections_preview = conn.execute(
            "SELECT report_id, label, heading, part FROM sections "
            "ORDER BY report_id, section_no LIMIT 10"
        ).pl()
        sentences_preview = conn.execute(
            "SELECT report_id, part, text FROM sentences ORDER BY report_id, sentence_no LIMIT 5"
        ).pl()
    yield dg.MaterializeResult(
        asset_key="sections",
        metadata={
            "dagster/row_count": n_sections,
            "parts": parts,
            "preview": dg.MetadataValue.md(markdown_preview(sections_preview, rows=10)),
            **refreshed_metadata(refreshed),
        },
    )
    yield dg.MaterializeResult(
        asset_key="sentences",
        metadata={
            "dagster/row_count": n_sentences,
            "preview": dg.MetadataValue.md(markdown_preview(sentences_preview)),
        },
    )
