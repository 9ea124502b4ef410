"""The marts as Parquet files, for tools that read files rather than databases.

The rows are read over the confined connection and the files written from Python, so the
connection that reads never needs to reach the file system. Each file is written beside its
target and renamed over it, so a failed export never leaves half a file under a mart's name.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb


class NotAFolder(Exception):
    """The export's target is a file."""


def mart_views(conn: duckdb.DuckDBPyConnection) -> list[str]:
    return [
        name
        for (name,) in conn.execute(
            "SELECT view_name FROM duckdb_views() WHERE schema_name = 'marts' ORDER BY view_name"
        ).fetchall()
    ]


def export_marts(conn: duckdb.DuckDBPyConnection, folder: Path) -> dict[str, int]:
    """Write every marts view to folder/<view>.parquet (zstd); returns rows per file. Raises
    NotAFolder when folder is a file, OSError when it cannot be written."""
    if folder.exists() and not folder.is_dir():
        raise NotAFolder(f"{folder} is a file, not a folder")
    folder.mkdir(parents=True, exist_ok=True)
    counts = {}
    for view in mart_views(conn):
        rows = conn.execute(f'SELECT * FROM marts."{view}"').pl()
        target = folder / f"{view}.parquet"
        partial = folder / f".{view}.parquet.part"
        try:
            rows.write_parquet(partial, compression="zstd")
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)
        counts[view] = rows.height
    return counts
