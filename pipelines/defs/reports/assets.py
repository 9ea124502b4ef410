import dagster as dg
import polars as pl
from dagster_duckdb import DuckDBResource

from pipelines.defs.resources import CorpusResource
from pipelines.preview import markdown_preview
from pipelines.reading.documents import first_names, read_documents
from pipelines.reports.build import build_reports
from pipelines.warehouse.tables import read_table, replace_table
from pipelines.warehouse.work import read_work_table, write_work_table


@dg.asset(
    group_name="reading",
    kinds={"polars", "duckdb"},
    deps=["source_files"],
    pool="warehouse",
    description=(
        "Each distinct content of the corpus read to text by its format: text files with the "
        "encoding detected (UTF-8, UTF-16, GB18030), web pages as their visible lines with the "
        "main content located (trafilatura) and the page's own title, date, source and URL, Word "
        "paragraphs and tables, PDF text layers with wrapped lines joined; full-width digits, "
        "letters, % and spaces made ASCII. Inputs that cannot be read are set aside with the "
        "reason. Kept in the working database (work.documents)."
    ),
)
def documents(
    context: dg.AssetExecutionContext, corpus: CorpusResource, duckdb: DuckDBResource
) -> dg.MaterializeResult:
    with duckdb.get_connection() as conn:
        contents = first_names(read_table(conn, "source_files"))
        docs, rejections = read_documents(contents, corpus.store)
        write_work_table(conn, "documents", docs)
        write_work_table(conn, "read_rejections", rejections)
    for sha256, reason in rejections.select("sha256", "reason").iter_rows():
        name = contents.filter(pl.col("sha256") == sha256)["source_name"][0]
        context.log.warning(f"cannot read {name}: {reason}")
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": docs.height,
            "unreadable": rejections.height,
            "encodings": dict(docs["encoding"].value_counts().iter_rows()),
        }
    )


@dg.multi_asset(
    group_name="reports",
    specs=[
        dg.AssetSpec(
            "reports",
            deps=["documents", "boilerplate"],
            kinds={"polars", "duckdb"},
            description=(
                "One row per distinct report: its clean text, issuing body, region (one spelling "
                "per unit), parent region, report year, title, publication date and URL, inferred "
                "from the text and from the page's metadata harvested before its chrome was dropped."
            ),
        ),
        dg.AssetSpec(
            "rejected_sources",
            deps=["documents", "boilerplate"],
            kinds={"duckdb"},
            description="Inputs that did not become reports, with the stage and the reason.",
        ),
    ],
    pool="warehouse",
)
def reports(context: dg.AssetExecutionContext, duckdb: DuckDBResource):
    with duckdb.get_connection() as conn:
        files = read_table(conn, "source_files")
        docs = read_work_table(conn, "documents")
        report_rows, not_reports = build_reports(
            docs,
            first_names(files),
            read_work_table(conn, "clean_texts"),
            read_work_table(conn, "document_lines"),
        )
        rejected = (
            pl.concat([read_work_table(conn, "read_rejections"), not_reports])
            .join(files.select("sha256", "source_name", "size", "stored_path"), on="sha256")
            .sort("source_name")
        )
        replace_table(conn, "reports", report_rows)
        replace_table(conn, "rejected_sources", rejected)
    for name, reason in rejected.select("source_name", "reason").iter_rows():
        context.log.warning(f"rejected {name}: {reason}")
    yield dg.MaterializeResult(
        asset_key="reports",
        metadata={
            "dagster/row_count": report_rows.height,
            "rejected_inputs": rejected.height,
            "regions": report_rows["region"].n_unique(),
            "preview": dg.MetadataValue.md(
                markdown_preview(
                    report_rows.select("region", "report_year", "org_name", "title", "n_chars"),
                    rows=10,
                )
            ),
        },
    )
    yield dg.MaterializeResult(
        asset_key="rejected_sources",
        metadata={
            "dagster/row_count": rejected.height,
            "preview": dg.MetadataValue.md(
                markdown_preview(
                    rejected.select("source_name", "stage", "reason"), rows=10, width=80
                )
            ),
        },
    )
