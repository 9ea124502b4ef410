"""The marts as Parquet files, for tools that read files rather than databases."""

from __future__ import annotations

from pathlib import Path

import duckdb


def mart_views(conn: duckdb.DuckDBPyConnection) -> list[str]:
    return [
        name
        for (name,) in conn.execute(
            "SELECT view_name FROM duckdb_views() WHERE schema_name = 'marts' ORDER BY view_name"
        ).fetchall()
    ]


def export_marts(conn: duckdb.DuckDBPyConnection, folder: Path) -> dict[str, int]:
    """Write every marts view to folder/<view>.parquet (zstd); returns rows per file."""
    folder.mkdir(parents=True, exist_ok=True)
    counts = {}
    for view in mart_views(conn):
        target = folder / f"{view}.parquet"
        quoted = str(target).replace("'", "''")
        conn.execute(
            f"COPY (SELECT * FROM marts.{view}) TO '{quoted}' (FORMAT parquet, COMPRESSION zstd)"
        )
        counts[view] = conn.execute(f"SELECT count(*) FROM '{quoted}'").fetchone()[0]
    return counts
