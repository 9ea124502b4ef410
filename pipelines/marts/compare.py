"""Regions side by side for one indicator, with the evidence for every figure."""

from __future__ import annotations

import duckdb
import polars as pl

from pipelines.shared.frames import query_frame

# Everything a reader needs to check a figure: who issued it, where the report came from and
# when it was published, the figure as written (1万余次) and the sentence around it.
COMPARE_SQL = """
SELECT v.indicator, v.indicator_name, v.region, v.parent_region, v.report_year, v.org_name,
       v.value, v.unit, v.qualifier, v.surface, v.figure_no, v.figures, v.sentence,
       r.published_date, coalesce(r.source_url, r.source_name) AS source,
       v.report_id, v.char_start, v.char_end
FROM marts.indicator_values AS v
JOIN main.reports AS r USING (report_id)
WHERE v.indicator = $indicator AND ($year IS NULL OR v.report_year = $year)
ORDER BY v.region, v.report_year, v.report_id, v.figure_no
"""


class UnknownIndicator(ValueError):
    pass


def resolve_indicator(conn: duckdb.DuckDBPyConnection, name: str) -> tuple[str, str, str]:
    """(indicator_id, name_zh, unit) for an id, a Chinese name or a unique part of either."""
    rows = conn.execute(
        "SELECT indicator_id, name_zh, unit FROM indicators "
        "WHERE indicator_id = $name OR name_zh = $name "
        "OR contains(indicator_id, $name) OR contains(name_zh, $name) "
        "ORDER BY indicator_id = $name OR name_zh = $name DESC, indicator_id",
        {"name": name},
    ).fetchall()
    exact = [row for row in rows if name in (row[0], row[1])]
    if exact or len(rows) == 1:
        return (exact or rows)[0]
    known = ", ".join(f"{row[0]} ({row[1]})" for row in rows) if rows else "none"
    raise UnknownIndicator(
        f"{name!r} names {'several' if rows else 'no'} indicator(s): {known}. "
        "SELECT * FROM indicators lists them all."
    )


def compare(
    conn: duckdb.DuckDBPyConnection, indicator: str, year: int | None = None
) -> pl.DataFrame:
    return query_frame(conn, COMPARE_SQL, {"indicator": indicator, "year": year})
