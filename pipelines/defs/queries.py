"""A helper for asset checks written in SQL against the working database."""

from dagster_duckdb import DuckDBResource


def query_rows(duckdb: DuckDBResource, sql: str, parameters: dict | None = None) -> list[tuple]:
    with duckdb.get_connection() as conn:
        return conn.execute(sql, parameters).fetchall()
