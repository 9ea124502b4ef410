"""The working database's own tables (schema work): intermediate results and caches, never published."""

from __future__ import annotations

import duckdb
import polars as pl

from pipelines.warehouse.tables import run_with_rows


def write_work_table(conn: duckdb.DuckDBPyConnection, name: str, rows: pl.DataFrame) -> int:
    conn.execute("CREATE SCHEMA IF NOT EXISTS work")
    run_with_rows(conn, f"CREATE OR REPLACE TABLE work.{name} AS SELECT * FROM incoming_rows", rows)
    return rows.height


def read_work_table(conn: duckdb.DuckDBPyConnection, name: str) -> pl.DataFrame:
    return conn.execute(f"SELECT * FROM work.{name}").pl()
