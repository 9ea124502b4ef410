from datetime import date

import dagster as dg
import polars as pl
from dagster_duckdb import DuckDBResource

from pipelines.defs.resources import CorpusResource
from pipelines.preview import markdown_preview
from pipelines.reading.documents import first_names, read_documents
from pipelines.reports.build import build_reports
from pipelines.warehouse.incremental import refresh, refreshed_metadata, stage_keys
from pipelines.warehouse.stages import CLEANING, READING, REPORTS, structure_keys
from pipelines.warehouse.tables import read_table, replace_table, rows_of_reports


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
        # The format is told by the name as well as the bytes.
        keys = contents.select(
            "report_id", key=pl.concat_str("sha256", "source_name", separator="|")
        )

        def read(batch: pl.DataFrame) -> dict[str, pl.DataFrame]:
            docs, rejections = read_documents(contents.join(batch, on="report_id"), corpus.store)
            for name, reason in (
                rejections.join(contents, on="report_id")
                .select("source_name", "reason")
                .iter_rows()
            ):
                context.log.warning(f"cannot read {name}: {reason}")
            return {"work.documents": docs, "work.read_rejections": rejections}

        refreshed = refresh(conn, READING, keys, read)
        documents_read, unreadable = conn.execute(
            "SELECT (SELECT count(*) FROM work.documents), (SELECT count(*) FROM work.read_rejections)"
        ).fetchone()
        encodings = dict(
            conn.execute("SELECT encoding, count(*) FROM work.documents GROUP BY ALL").fetchall()
        )
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": documents_read,
            "unreadable": unreadable,
            "encodings": encodings,
            **refreshed_metadata(refreshed),
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
        contents = first_names(files)
        # A report's metadata depends on its cleaning, the name and time it first arrived under,
        # and this year (a report year may not lie in the future).
        keys = (
            stage_keys(conn, CLEANING)
            .join(contents, on="report_id")
            .select(
                "report_id",
                key=pl.concat_str(
                    "key",
                    "source_name",
                    pl.col("arrived_at").cast(pl.String),
                    pl.lit(str(date.today().year)),
                    separator="|",
                ),
            )
        )

        def build(batch: pl.DataFrame) -> dict[str, pl.DataFrame]:
            report_rows, not_reports = build_reports(
                rows_of_reports(conn, "work.documents", batch),
                contents.join(batch, on="report_id"),
                rows_of_reports(conn, "work.clean_texts", batch),
                rows_of_reports(conn, "work.document_lines", batch, "report_id, line_no"),
            )
            return {
                "reports": report_rows,
                "work.report_rejections": not_reports,
                "work.structure_keys": structure_keys(conn, report_rows),
            }

        refreshed = refresh(conn, REPORTS, keys, build)
        rejected = pl.concat(
            [
                pl.concat(
                    [
                        read_table(conn, "work.read_rejections"),
                        read_table(conn, "work.report_rejections"),
                    ]
                ).join(files.select("sha256", "source_name", "size", "stored_path"), on="sha256"),
                # Files that could not even be read have no bytes in the store.
                read_table(conn, "work.landing_rejections"),
            ],
            how="diagonal_relaxed",
        ).sort("source_name")
        replace_table(conn, "rejected_sources", rejected)
        n_reports, regions = conn.execute(
            "SELECT count(*), count(DISTINCT region) FROM reports"
        ).fetchone()
        preview = conn.execute(
            "SELECT region, report_year, org_name, title, n_chars FROM reports "
            "ORDER BY region, report_year, report_id LIMIT 10"
        ).pl()
    for name, reason in rejected.select("source_name", "reason").iter_rows():
        context.log.warning(f"rejected {name}: {reason}")
    yield dg.MaterializeResult(
        asset_key="reports",
        metadata={
            "dagster/row_count": n_reports,
            "rejected_inputs": rejected.height,
            "regions": regions,
            "preview": dg.MetadataValue.md(markdown_preview(preview, rows=10)),
            **refreshed_metadata(refreshed),
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
