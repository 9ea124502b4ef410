"""The cross-district summary printed at the end of a build: what the warehouse now holds."""

from __future__ import annotations

import duckdb

from pipelines.output import labelled_table

# One row per report: two reports of one region, year and issuing body are two rows.
SUMMARY_SQL = """
SELECT o.region, o.parent_region, o.report_year, o.org_name, o.n_chars,
       count(f.fact_no) AS n_facts,
       count(f.indicator) AS n_indicator_facts,
       -- Formatted, not cast: a figure past BIGINT's range (a misprint of 10^19) still prints.
       string_agg(DISTINCT format('{:.15g}', f.value), ' + ')
           FILTER (f.indicator = 'admin_reconsideration_received' AND NOT f.is_target)
           AS reconsideration_received,
       o.source_name
FROM marts.report_overview o
LEFT JOIN facts f USING (report_id)
GROUP BY o.report_id, o.region, o.parent_region, o.report_year, o.org_name, o.n_chars,
         o.source_name
ORDER BY o.parent_region NULLS LAST, o.region, o.report_year, o.org_name, o.source_name
"""

# Per check: how many reports it flagged, and which.
FLAGS_SQL = """
SELECT "check", any_value(severity), count(DISTINCT report_id),
       list(DISTINCT source_name ORDER BY source_name)
FROM quality_flags
GROUP BY "check"
ORDER BY "check"
"""
# Reports named per check; the table holds them all.
NAMES_SHOWN = 10


def _names(names: list[str]) -> str:
    shown = ", ".join(names[:NAMES_SHOWN])
    more = len(names) - NAMES_SHOWN
    return f"{shown} and {more} more" if more > 0 else shown


def _reports(n: int) -> str:
    return f"{n} report" if n == 1 else f"{n} reports"


def _has_table(conn: duckdb.DuckDBPyConnection, name: str) -> bool:
    # A warehouse published before the table existed still gets its summary.
    return bool(
        conn.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'main' AND table_name = ?",
            [name],
        ).fetchone()[0]
    )


def cross_district_summary(conn: duckdb.DuckDBPyConnection) -> str:
    rows = conn.execute(SUMMARY_SQL).fetchall()
    rejected = conn.execute(
        "SELECT source_name, reason FROM rejected_sources ORDER BY source_name"
    ).fetchall()
    n_regions = len({row[0] for row in rows})
    parts = [
        f"数据库 fazhi warehouse: {len(rows)} reports from {n_regions} regions"
        f"（{len(rows)} 份报告，{n_regions} 个地区）",
        "",
        labelled_table(
            [
                "region",
                "parent",
                "year",
                "issued by",
                "chars",
                "figures",
                "indicators",
                "reconsideration",
                "source",
            ],
            rows,
        ),
    ]
    parts += [
        "",
        "数字 figures: quantities found; 指标数字 indicators: those mapped to a standard "
        "indicator; 复议受理 reconsideration: administrative reconsideration cases received "
        "(facts.indicator)",
    ]
    crawled = conn.execute(
        "SELECT region, report_year, source_name FROM reports WHERE source_name LIKE 'http%' "
        "ORDER BY region, report_year, source_name"
    ).fetchall()
    if crawled:
        parts += ["", f"网上抓取 crawled from the web: {len(crawled)} reports"]
        parts += [f"  {region} {year}: {url}" for region, year, url in crawled]
    if _has_table(conn, "quality_flags"):
        flags = conn.execute(FLAGS_SQL).fetchall()
        (flagged,) = conn.execute("SELECT count(DISTINCT report_id) FROM quality_flags").fetchone()
        parts += ["", f"质量标记 quality flags: {_reports(flagged)} flagged"]
        if flags:
            parts[-1] += ", published all the same (see quality_flags for the details)"
        parts += [
            f"  {check} ({severity}): {_reports(n)}: {_names(names)}"
            for check, severity, n, names in flags
        ]
    if _has_table(conn, "withheld_reports"):
        withheld = conn.execute(
            'SELECT source_name, "check", reason FROM withheld_reports '
            'ORDER BY source_name, "check"'
        ).fetchall()
        (n_withheld,) = conn.execute(
            "SELECT count(DISTINCT report_id) FROM withheld_reports"
        ).fetchone()
        parts += ["", f"暂不发布 withheld reports: {n_withheld}"]
        if withheld:
            parts[-1] += (
                " (a pipeline invariant failed for them: left out of this warehouse, the "
                "others published; see withheld_reports)"
            )
        parts += [f"  {name} ({check}): {reason}" for name, check, reason in withheld]
    if rejected:
        parts += [
            "",
            f"未收录 rejected inputs: {len(rejected)} "
            "(see rejected_sources; the store keeps what could be read)",
        ]
        parts += [f"  {name}: {reason}" for name, reason in rejected]
    else:
        parts += ["", "未收录 rejected inputs: 0"]
    return "\n".join(parts)
