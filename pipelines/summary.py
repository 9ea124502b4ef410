"""The cross-district summary printed at the end of a build: what the warehouse now holds."""

from __future__ import annotations

import duckdb

from pipelines.preview import aligned_table

SUMMARY_SQL = """
SELECT region, parent_region, report_year, org_name, n_chars
FROM marts.report_overview
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
        aligned_table(["region", "parent", "year", "issued by", "chars"], rows),
    ]
    if rejected:
        parts += ["", f"rejected inputs: {len(rejected)} (kept in the store; see rejected_sources)"]
        parts += [f"  {name}: {reason}" for name, reason in rejected]
    else:
        parts += ["", "rejected inputs: 0"]
    return "\n".join(parts)
