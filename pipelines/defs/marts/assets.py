import os

import dagster as dg
import duckdb

from pipelines.defs.resources import WORKING_MEMORY, CorpusResource
from pipelines.marts.html_report import render_report


@dg.asset(
    group_name="marts",
    kinds={"html"},
    deps=["published_warehouse"],
    pool="warehouse",
    description=(
        "The visual report: a self-contained HTML page (no network, no script) beside the "
        "warehouse, report/index.html, Chinese first with English beneath: the headline "
        "indicators by region and year, year-over-year change, reporting compliance, the "
        "shortcomings each report admits, term emphasis and coverage, each with its CSV, "
        "every figure as written and linked to its evidence and source."
    ),
)
def html_report(corpus: CorpusResource) -> dg.MaterializeResult:
    settings = corpus.settings
    # A second database open beside the working one, with the same bound on its memory.
    with duckdb.connect(
        str(settings.warehouse), read_only=True, config={"memory_limit": WORKING_MEMORY}
    ) as conn:
        page = render_report(conn)
    target = settings.report_page
    target.parent.mkdir(parents=True, exist_ok=True)
    # Written beside and renamed over, so a browser never loads half a page.
    partial = target.with_suffix(".html.part")
    partial.write_text(page, encoding="utf-8")
    os.replace(partial, target)
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(target)),
            "bytes": len(page.encode("utf-8")),
            "charts": page.count('<figure class="chart"'),
        }
    )
