import dagster as dg
import polars as pl
from dagster_duckdb import DuckDBResource

from pipelines.defs.resources import CorpusResource
from pipelines.settings import RULES_DIR
from pipelines.warehouse.publish import create_views, publish
from pipelines.warehouse.tables import replace_table


@dg.asset(
    group_name="warehouse",
    kinds={"duckdb"},
    pool="warehouse",
    description="The standard indicators facts are mapped to, from rules/indicators.csv.",
)
def indicators(duckdb: DuckDBResource) -> dg.MaterializeResult:
    rows = pl.read_csv(RULES_DIR / "indicators.csv")
    with duckdb.get_connection() as conn:
        replace_table(conn, "indicators", rows)
    return dg.MaterializeResult(metadata={"dagster/row_count": rows.height})


@dg.asset(
    group_name="warehouse",
    kinds={"duckdb"},
    deps=[
        "source_files",
        "boilerplate",
        "reports",
        "rejected_sources",
        "indicators",
        "sections",
        "sentences",
        "facts",
        "terms",
        "sentence_terms",
        "vocabulary",
        "keywords",
        "quality_flags",
        "withheld_reports",
    ],
    pool="warehouse",
    description=(
        "The published warehouse file (FAZHI_WAREHOUSE): the public tables and the sql/ views, "
        "the working database copied to a new file and renamed over the old one, so readers "
        "never see a half-built warehouse and a reader holding the old file neither blocks the "
        "run nor breaks. Reports listed in withheld_reports are left out of the copy."
    ),
)
def published_warehouse(
    context: dg.AssetExecutionContext, corpus: CorpusResource, duckdb: DuckDBResource
) -> dg.MaterializeResult:
    settings = corpus.settings
    with duckdb.get_connection() as conn:
        create_views(conn)
        conn.execute("CHECKPOINT")
    # Checkpointed, the working file holds every table and view, and no step writes it while
    # it is copied: copying it publishes it.
    counts = publish(settings.staging, settings.warehouse)
    context.log.info(f"published {settings.warehouse}: {counts}")
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(settings.warehouse)),
            **{f"rows/{name}": n for name, n in counts.items()},
        }
    )
