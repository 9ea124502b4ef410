"""The reports table's appended rows sealed, so that a checkpoint does not rewrite them all.

DuckDB appends a table's new rows to its last row group, and every checkpoint after an append
rewrites that row group whole. For reports, whose rows are whole texts, it can hold thousands of
reports: 2,000 (9 MB of text) cost 0.28 s at each checkpoint of a re-run at 10,000 reports, and
a re-run checkpoints two files (the working database before it is published, the standby as it
is brought up to it). Written again in one transaction and checkpointed, the rows sit in row
groups that later appends leave alone: these start a row group of their own, small (DuckDB
1.5.5, for a table of a few thousand rows or more; below, the rewrite costs little anyway;
tests/test_sealing.py holds the DuckDB in use to it). A table is sealed once
FAZHI_SEAL_AFTER_ROWS (256) rows were appended since: at 10,000 reports ~1.5 s every 256 new or
changed reports, for 0.3-0.5 s saved at every run.
"""

from __future__ import annotations

import duckdb

from pipelines.fault_injection import pause_at
from pipelines.settings import seal_after_rows
from pipelines.warehouse.quoting import sql_name

SEALED = "reports"


def row_groups(conn: duckdb.DuckDBPyConnection, catalog: str) -> list[int]:
    """The rows of each row group of the catalog's reports table, in order (rows deleted from
    a row group still count: they are only marked)."""
    return [
        rows
        for (rows,) in conn.execute(
            "SELECT max(count) FROM pragma_storage_info(?) WHERE column_name = 'report_id' "
            "GROUP BY row_group_id ORDER BY row_group_id",
            [f"{sql_name(catalog)}.main.{SEALED}"],
        ).fetchall()
    ]


def appended_rows(groups: list[int], sealed_groups: int | None) -> int:
    """Rows appended after the row groups sealed (all of them if it never was)."""
    return sum(groups[sealed_groups or 0 :])


def needs_seal(groups: list[int], sealed_groups: int | None) -> bool:
    return appended_rows(groups, sealed_groups) >= seal_after_rows()


def seal(conn: duckdb.DuckDBPyConnection, catalog: str) -> None:
    """Write the catalog's reports table again, its rows as they are, in the transaction open
    on conn (or in one of its own): deleted whole and inserted anew, they are checkpointed
    into row groups of their own."""
    table = f"{sql_name(catalog)}.main.{SEALED}"
    conn.execute(f"CREATE OR REPLACE TEMP TABLE unsealed AS SELECT * FROM {table}")
    conn.execute(f"DELETE FROM {table}")
    conn.execute(f"INSERT INTO {table} SELECT * FROM temp.unsealed")
    conn.execute("DROP TABLE temp.unsealed")
    pause_at("seal.rewritten")


# The working database's reports row groups sealed when it was last sealed, and the rows they
# held, in its work catalog.
SEALED_GROUPS = "work.reports_sealed"


def sealed_in_working(conn: duckdb.DuckDBPyConnection, groups: list[int]) -> int | None:
    """The working database's sealed row groups, given its row groups now: None if it never
    was sealed, or if its first row groups are not those sealed (the working file made anew
    beside the work catalog, or DuckDB's own vacuum having merged them)."""
    conn.execute(f"CREATE TABLE IF NOT EXISTS {SEALED_GROUPS} (row_groups INTEGER, rows BIGINT)")
    recorded = conn.execute(f"SELECT row_groups, rows FROM {SEALED_GROUPS}").fetchone()
    if recorded is None or sum(groups[: recorded[0]]) != recorded[1]:
        return None
    return recorded[0]


def seal_working(conn: duckdb.DuckDBPyConnection) -> int | None:
    """Seal the working database's reports (conn, with its work catalog) once
    FAZHI_SEAL_AFTER_ROWS rows were appended since it was last sealed, and checkpoint it.
    Returns its sealed row groups (None if it never was): what a byte copy of it holds sealed
    too."""
    (catalog,) = conn.execute("SELECT current_database()").fetchone()
    groups = row_groups(conn, catalog)
    sealed = sealed_in_working(conn, groups)
    if not needs_seal(groups, sealed):
        return sealed
    conn.execute("BEGIN")
    seal(conn, catalog)
    conn.execute("COMMIT")
    conn.execute(f"CHECKPOINT {sql_name(catalog)}")
    # Recorded after the checkpoint that seals: killed before, the next run seals again.
    groups = row_groups(conn, catalog)
    conn.execute("BEGIN")
    conn.execute(f"DELETE FROM {SEALED_GROUPS}")
    conn.execute(f"INSERT INTO {SEALED_GROUPS} VALUES (?, ?)", [len(groups), sum(groups)])
    conn.execute("COMMIT")
    return len(groups)
