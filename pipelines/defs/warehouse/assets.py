from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import dagster as dg
import duckdb as duckdb_client
from dagster_duckdb import DuckDBResource

from pipelines.defs.policy import warehouse_asset, warehouse_multi_asset
from pipelines.defs.resources import (
    PUBLISHING_MEMORY,
    WORKING_MEMORY,
    CorpusResource,
    WorkingDatabase,
)
from pipelines.marts.html_report import render_report, write_report_page
from pipelines.settings import publish_copy_below
from pipelines.shared.rule_files import read_rules
from pipelines.warehouse.publish import ensure_views, publish
from pipelines.warehouse.sealing import seal_working
from pipelines.warehouse.tables import replace_table


@warehouse_asset(
    group_name="warehouse",
    kinds={"duckdb"},
    description="The standard indicators facts are mapped to, from rules/indicators.csv.",
)
def indicators(duckdb: DuckDBResource) -> dg.MaterializeResult:
    rows = read_rules("indicators.csv")
    with duckdb.get_connection() as conn:
        replace_table(conn, "indicators", rows)
    return dg.MaterializeResult(metadata={"dagster/row_count": rows.height})


PUBLISHED_MATCHES_WORKING = dg.AssetCheckSpec(
    "published_matches_working",
    asset="published_warehouse",
    description=(
        "The published file opens read-only and holds the reports of the working database but "
        "the withheld ones."
    ),
)
# Reports of the working database, and how many of them are withheld.
REPORTS_WITHHELD = (
    "SELECT count(*), count(*) FILTER "
    "(report_id IN (SELECT report_id FROM withheld_reports)) FROM reports"
)


def published_matches_working(
    working: duckdb_client.DuckDBPyConnection, published: duckdb_client.DuckDBPyConnection
) -> dg.AssetCheckResult:
    """The published file holds the working database's reports but the withheld ones."""
    in_working, withheld = working.execute(REPORTS_WITHHELD).fetchone()
    public, leaked = published.execute(REPORTS_WITHHELD).fetchone()
    views = published.execute("SELECT count(*) FROM duckdb_views() WHERE NOT internal").fetchone()
    return dg.AssetCheckResult(
        check_name=PUBLISHED_MATCHES_WORKING.name,
        passed=public == in_working - withheld and leaked == 0 and views[0] > 0,
        metadata={
            "working_reports": in_working,
            "withheld_reports": withheld,
            "published_reports": public,
            "views": views[0],
        },
    )


@warehouse_multi_asset(
    specs=[
        dg.AssetSpec(
            "published_warehouse",
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
                "quality_flags",
                "withheld_reports",
            ],
            description=(
                "The published warehouse file (FAZHI_WAREHOUSE): the public tables and the sql/ "
                "views, the working database copied to a new file and renamed over the old one, "
                "so readers never see a half-built warehouse and a reader holding the old file "
                "neither blocks the run nor breaks. Reports listed in withheld_reports are left "
                "out of the copy."
            ),
        ),
        dg.AssetSpec(
            "html_report",
            group_name="marts",
            kinds={"html"},
            deps=["published_warehouse"],
            description=(
                "The visual report: a self-contained HTML page (no network, no script) beside "
                "the warehouse, report/index.html, Chinese first with English beneath: the "
                "headline indicators by region and year, year-over-year change, reporting "
                "compliance, the shortcomings each report admits, term emphasis and coverage, "
                "each with its CSV, every figure as written and linked to its evidence and source."
            ),
        ),
    ],
    # Checked as it is published, and its page rendered from what is published, in the same
    # step.
    check_specs=[PUBLISHED_MATCHES_WORKING],
)
def published_warehouse(
    context: dg.AssetExecutionContext, corpus: CorpusResource, duckdb: WorkingDatabase
) -> Iterator[dg.MaterializeResult]:
    settings = corpus.settings
    with (
        duckdb.get_connection() as conn,
        duckdb.get_connection() as reading,
        ThreadPoolExecutor(1, thread_name_prefix="rendering") as rendering,
    ):
        ensure_views(conn)
        sealed = seal_working(conn)
        conn.execute("CHECKPOINT")
        # With no report withheld, the working database holds exactly what is published (the
        # check below says so): the page is rendered from it, its pages in memory, while the
        # standby is brought up to it; it is written only once that is published.
        (withheld,) = conn.execute("SELECT count(*) FROM withheld_reports").fetchone()
        conn.execute(f"SET memory_limit = '{PUBLISHING_MEMORY}'")
        rendered = None if withheld else rendering.submit(render_report, reading)
        # Checkpointed, the working file holds every table and view, and no step writes it
        # while it is published.
        counts = publish(conn, settings.staging, settings.warehouse, publish_copy_below(), sealed)
        context.log.info(f"published {settings.warehouse}: {counts}")
        with (
            # A second database open beside the working one, with the same bound on its memory.
            duckdb_client.connect(
                str(settings.warehouse), read_only=True, config={"memory_limit": WORKING_MEMORY}
            ) as published,
        ):
            checked = published_matches_working(conn, published)
            # The work catalog's log is folded, when it has grown, beside the page's rendering
            # (of other tables): the next run opens the working database without replaying it.
            with ThreadPoolExecutor(1, thread_name_prefix="folding") as folding:
                folded = folding.submit(duckdb.fold_work_log, conn)
                page = rendered.result() if rendered else render_report(published)
                folded.result()
        conn.execute(f"SET memory_limit = '{WORKING_MEMORY}'")
    write_report_page(page, settings.report_page)
    yield dg.MaterializeResult(
        asset_key="published_warehouse",
        metadata={
            "path": dg.MetadataValue.path(str(settings.warehouse)),
            **{f"rows/{name}": n for name, n in counts.items()},
        },
        check_results=[checked],
    )
    yield dg.MaterializeResult(
        asset_key="html_report",
        metadata={
            "path": dg.MetadataValue.path(str(settings.report_page)),
            "bytes": len(page.encode("utf-8")),
            "charts": page.count('<figure class="chart"'),
        },
    )
