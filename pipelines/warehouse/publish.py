"""Publishing: copy the working database to a fresh warehouse file and swap it in atomically.

Readers (BI tools, `duckdb -readonly`) never see a half-built warehouse: the new file is
complete and verified before one rename puts it in place. A reader holding the old file keeps
its snapshot until it reconnects, and does not block the run.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import duckdb

from pipelines.fault_injection import pause_at
from pipelines.settings import SQL_DIR
from pipelines.warehouse.tables import public_tables


def create_views(conn: duckdb.DuckDBPyConnection, folder: Path = SQL_DIR) -> list[str]:
    """Run every sql/*.sql view file; a view that reads another is retried once that exists."""
    pending = sorted(folder.glob("*.sql"))
    created: list[str] = []
    while pending:
        failed: list[Path] = []
        errors: list[str] = []
        for path in pending:
            try:
                conn.execute(path.read_text(encoding="utf-8"))
                created.append(path.stem)
            except duckdb.CatalogException as error:
                failed.append(path)
                errors.append(f"{path.name}: {error}")
        if len(failed) == len(pending):
            raise RuntimeError("views that cannot be created:\n" + "\n".join(errors))
        pending = failed
    return created


# Tables that list inputs, whether or not they became published reports.
LIST_EVERY_INPUT = ("source_files", "withheld_reports")


def withhold_reports(database: Path) -> None:
    """Delete the rows of the reports listed in withheld_reports from every public table of
    database (a copy about to be published) but the tables that list every input."""
    with duckdb.connect(str(database)) as conn:
        (listed,) = conn.execute(
            "SELECT count(*) FROM duckdb_tables() "
            "WHERE schema_name = 'main' AND table_name = 'withheld_reports'"
        ).fetchone()
        # A working database made before the table existed withholds nothing.
        if not listed or not conn.execute("SELECT count(*) FROM withheld_reports").fetchone()[0]:
            return
        tables = [
            name
            for (name,) in conn.execute(
                "SELECT table_name FROM duckdb_columns() "
                "WHERE schema_name = 'main' AND column_name = 'report_id' ORDER BY table_name"
            ).fetchall()
            if name in public_tables() and name not in LIST_EVERY_INPUT
        ]
        conn.execute("BEGIN")
        for name in tables:
            conn.execute(
                f"DELETE FROM {name} WHERE report_id IN (SELECT report_id FROM withheld_reports)"
            )
        conn.execute("COMMIT")
        conn.execute("CHECKPOINT")


def _fsync(path: Path) -> None:
    """Force a file's bytes, or a folder's entries, to the disk: a power cut after the rename
    must find the new warehouse whole, not an empty or half-written file under its name."""
    handle = os.open(path, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def publish(staging: Path, target: Path) -> dict[str, int]:
    """Copy the working database, which holds exactly the public tables and views, to a new
    file beside target, check that it opens, then rename it over target.

    The caller has checkpointed the working database and closed it. Returns the row count of
    each published table.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    # A build killed while publishing leaves its half-built file; builds run one at a time, so
    # any such file is stale.
    for stale in target.parent.glob(f".{target.name}.*.building*"):
        stale.unlink()
    building = target.with_name(f".{target.name}.{uuid.uuid4().hex}.building")
    try:
        shutil.copyfile(staging, building)
        withhold_reports(building)
        with duckdb.connect(str(building), read_only=True) as check:
            counts = {
                name: check.execute(f"SELECT count(*) FROM {name}").fetchone()[0]
                for name in public_tables()
            }
        # A WAL left by someone who opened the published file read-write belongs to the old file.
        Path(f"{target}.wal").unlink(missing_ok=True)
        # Last thing before the rename, so whatever was done to the copy is on the disk.
        _fsync(building)
        pause_at("publish.copied")
        os.replace(building, target)
        # The rename itself reaches the disk only with its folder.
        _fsync(target.parent)
    finally:
        building.unlink(missing_ok=True)
        Path(f"{building}.wal").unlink(missing_ok=True)
    return counts
