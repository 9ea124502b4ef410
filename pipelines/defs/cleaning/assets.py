import dagster as dg
import polars as pl
from dagster_duckdb import DuckDBResource

from pipelines.cleaning.clean import clean_documents
from pipelines.cleaning.repeated_lines import site_of
from pipelines.preview import markdown_preview
from pipelines.reading.documents import first_names
from pipelines.warehouse.tables import read_table, replace_table
from pipelines.warehouse.work import read_work_table, write_work_table


@dg.asset(
    group_name="cleaning",
    kinds={"polars", "duckdb"},
    deps=["documents"],
    pool="warehouse",
    description=(
        "Site chrome dropped from every document, so that reports.text holds only the report's "
        "own words: lines outside a web page's main content, lines taken by rules/boilerplate.tsv, "
        "lines beyond the chrome that frames the report, lines repeated on several pages of one "
        "site, and artefacts inside lines (rules/artefacts.tsv). Every dropped line is a row here; "
        "the clean texts go to the working database (work.clean_texts, work.document_lines)."
    ),
)
def boilerplate(duckdb: DuckDBResource) -> dg.MaterializeResult:
    with duckdb.get_connection() as conn:
        docs = read_work_table(conn, "documents")
        contents = first_names(read_table(conn, "source_files"))
        sites = docs.join(contents.select("sha256", "source_name"), on="sha256").select(
            "report_id", site=site_of(pl.col("source_name"), pl.col("page_url"))
        )
        cleaned = clean_documents(docs, sites)
        replace_table(conn, "boilerplate", cleaned.boilerplate)
        write_work_table(conn, "document_lines", cleaned.lines)
        write_work_table(conn, "clean_texts", cleaned.texts)
    kept = cleaned.lines.filter(pl.col("reason").is_null()).height
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": cleaned.boilerplate.height,
            "lines_kept": kept,
            "lines_dropped": cleaned.boilerplate["whole_line"].sum(),
            "by_reason": dict(cleaned.boilerplate["reason"].value_counts(sort=True).iter_rows()),
            "preview": dg.MetadataValue.md(
                markdown_preview(
                    cleaned.boilerplate.select("report_id", "line_no", "line", "reason"),
                    rows=15,
                    width=60,
                )
            ),
        }
    )
