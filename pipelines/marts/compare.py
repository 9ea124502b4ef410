"""Regions side by side for one indicator, with the evidence for every figure."""

from __future__ import annotations

import duckdb
import polars as pl

COMPARE_SQL = """
SELECT region, report_year, value, unit, qualifier, figure_no, figures, sentence,
       report_id, char_start, char_end
FROM marts.indicator_values
WHERE indicator = $indicator AND ($year IS NULL OR report_year = $year)
ORDER BY region, report_year, report_id, figure_no
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
    return conn.execute(COMPARE_SQL, {"indicator": indicator, "year": year}).pl()
