"""The cross-district summary printed at the end of a build: what the warehouse now holds."""

from __future__ import annotations

import duckdb

from pipelines.preview import aligned_table

SUMMARY_SQL = """
SELECT o.region, o.parent_region, o.report_year, o.org_name, o.n_chars,
       count(f.fact_no) AS n_facts,
       count(f.indicator) AS n_indicator_facts,
       string_agg(DISTINCT CAST(f.value AS BIGINT), ' + ')
           FILTER (f.indicator = 'admin_reconsideration_received' AND NOT f.is_target)
           AS reconsideration_received
FROM marts.report_overview o
LEFT JOIN facts f USING (report_id)
GROUP BY ALL
ORDER BY o.parent_region NULLS LAST, o.region, o.report_year, o.org_name
"""


def cross_district_summary(conn: duckdb.DuckDBPyConnection) -> str:
    rows = conn.execute(SUMMARY_SQL).fetchall()
    rejected = conn.execute(
        "SELECT source_name, reason FROM rejected_sources ORDER BY source_name"
    ).fetchall()
    n_regions = len({row[0] for row in rows})
    parts = [
        f"fazhi warehouse: {len(rows)} reports from {n_regions} regions",
        "",
        aligned_table(
            ["region", "parent", "year", "issued by", "chars", "figures", "indicators", "复议受理"],
            rows,
        ),
    ]
    parts += [
        "",
        "figures: quantities found; indicators: those mapped to a standard indicator; "
        "复议受理: administrative reconsideration cases received (facts.indicator)",
    ]
    crawled = conn.execute(
        "SELECT region, report_year, source_name FROM reports WHERE source_name LIKE 'http%' "
        "ORDER BY region, report_year, source_name"
    ).fetchall()
    if crawled:
        parts += ["", f"crawled from the web: {len(crawled)} reports"]
        parts += [f"  {region} {year}: {url}" for region, year, url in crawled]
    if rejected:
        parts += ["", f"rejected inputs: {len(rejected)} (kept in the store; see rejected_sources)"]
        parts += [f"  {name}: {reason}" for name, reason in rejected]
    else:
        parts += ["", "rejected inputs: 0"]
    return "\n".join(parts)
