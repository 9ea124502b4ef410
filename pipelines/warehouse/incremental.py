"""Per-report work done once: content-hash caching for every per-report stage.

Each stage says, for every report, the key of everything its result depends on (a content
hash, the key of the stage before, the site's repeated lines, ...). The stage's rows live in
its tables between runs, and work.stage_keys records the key each report's rows were made
from, mixed with the stage's version: the code of its folders, its rule files and its tables'
DDL. A run computes only the reports whose key is new, deletes the rows of reports that are
gone or changed, and keeps every other row as it is. A change of code, rules or DDL makes
every key new, and the stage's tables are recreated.

A run killed at any point resumes to exactly what a build from scratch makes: a report's rows
are kept only while its current key is recorded. A run first forgets every key that is not
current, then deletes every row that no recorded key vouches for (of reports gone or changed,
and rows a killed run wrote without their key), and then writes each batch: the rows of the
public tables in one transaction, then those of the work tables with the batch's keys in
another (DuckDB writes one attached database per transaction), so a key is recorded only once
all its report's rows are in.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from importlib.metadata import version as package_version

import duckdb
import polars as pl

from pipelines.fault_injection import pause_at
from pipelines.settings import PROJECT_ROOT, RULES_DIR
from pipelines.warehouse.tables import TABLES_DIR, insert_rows, run_with_rows, table_ddl

STATE_DDL = """
CREATE TABLE IF NOT EXISTS work.stage_keys (
    stage VARCHAR NOT NULL,
    report_id VARCHAR NOT NULL,
    key VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS work.stage_versions (
    stage VARCHAR NOT NULL,
    version VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS work.stages_complete (
    stage VARCHAR NOT NULL
);
"""
WORK_PREFIX = "work."
# Reports computed together: enough for polars to run at full speed (at 2,000 reports, batches
# of 500 make the build 10% slower), few enough that memory stays bounded however large the
# corpus. The terms stage, whose batches take the most memory, takes half as many.
BATCH_REPORTS = 1000


@dataclass(frozen=True)
class Stage:
    """A per-report stage: its name, the folders of pipelines/ whose code it runs, the rule
    files it reads, the packages whose data or behaviour its results depend on (an upgrade of
    the division table must place regions again) and the tables it writes (public ones by
    name, its own as work.<name>); every table has a report_id column."""

    name: str
    code: tuple[str, ...]
    tables: tuple[str, ...]
    rules: tuple[str, ...] = field(default=())
    packages: tuple[str, ...] = field(default=())

    @cached_property
    def version(self) -> str:
        # The tables it writes by name too: a work table added makes every report's rows again.
        digest = hashlib.sha256("|".join((self.name, *self.tables)).encode())
        sources = [
            path
            for folder in self.code
            for path in sorted((PROJECT_ROOT / "pipelines" / folder).glob("*.py"))
        ]
        sources += [RULES_DIR / name for name in self.rules]
        sources += [
            TABLES_DIR / f"{table}.sql" for table in self.tables if not is_work_table(table)
        ]
        for path in sources:
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
        for package in self.packages:
            digest.update(f"{package}=={package_version(package)}".encode())
        return digest.hexdigest()[:16]


@dataclass(frozen=True)
class Refreshed:
    computed: int  # reports whose rows were made in this run
    reused: int  # reports whose rows were kept from an earlier run
    removed: int  # reports whose rows were deleted and not made again


def refreshed_metadata(refreshed: Refreshed) -> dict[str, int]:
    """How a stage's run went, for its materialization's metadata."""
    return {
        "reports_computed": refreshed.computed,
        "reports_from_cache": refreshed.reused,
        "reports_removed": refreshed.removed,
    }


def is_work_table(table: str) -> bool:
    return table.startswith(WORK_PREFIX)


def table_exists(conn: duckdb.DuckDBPyConnection, table: str) -> bool:
    database = "work" if is_work_table(table) else None
    name = table.removeprefix(WORK_PREFIX)
    return bool(
        conn.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE table_name = ? AND schema_name = 'main' "
            "AND database_name = coalesce(?, current_database())",
            [name, database],
        ).fetchone()[0]
    )


def stage_keys(conn: duckdb.DuckDBPyConnection, stage: Stage) -> pl.DataFrame:
    """report_id, key: what each report's rows of the stage were made from, for the next stage
    to build its keys on."""
    conn.execute(STATE_DDL)
    return conn.execute(
        "SELECT report_id, key FROM work.stage_keys WHERE stage = ?", [stage.name]
    ).pl()


def _reset(conn: duckdb.DuckDBPyConnection, stage: Stage) -> None:
    """Forget the stage's rows: its code, rules or tables changed, or a table went missing."""
    conn.execute("DELETE FROM work.stage_keys WHERE stage = ?", [stage.name])
    for table in stage.tables:
        if is_work_table(table):
            conn.execute(f"DROP TABLE IF EXISTS {table}")
        else:
            conn.execute(table_ddl(table))
    conn.execute("DELETE FROM work.stage_versions WHERE stage = ?", [stage.name])
    conn.execute("INSERT INTO work.stage_versions VALUES (?, ?)", [stage.name, stage.version])


@contextmanager
def _transaction(conn: duckdb.DuckDBPyConnection) -> Iterator[None]:
    conn.begin()
    try:
        yield
    except BaseException:
        conn.rollback()
        raise
    conn.commit()


def _write(conn: duckdb.DuckDBPyConnection, table: str, rows: pl.DataFrame) -> None:
    if not is_work_table(table):
        insert_rows(conn, table, rows)
        return
    # A work table takes the layout of the frames the stage makes.
    run_with_rows(
        conn, f"CREATE TABLE IF NOT EXISTS {table} AS SELECT * FROM incoming_rows LIMIT 0", rows
    )
    if rows.height:
        run_with_rows(conn, f"INSERT INTO {table} BY NAME SELECT * FROM incoming_rows", rows)


def _delete_rows_not_of(
    conn: duckdb.DuckDBPyConnection, tables: list[str], kept: pl.DataFrame
) -> None:
    """Delete every row of tables whose report is not among kept (report_id)."""
    for table in tables:
        if table_exists(conn, table):
            run_with_rows(
                conn,
                f"DELETE FROM {table} WHERE report_id NOT IN (SELECT report_id FROM incoming_rows)",
                kept,
            )


def refresh(
    conn: duckdb.DuckDBPyConnection,
    stage: Stage,
    keys: pl.DataFrame,
    compute: Callable[[pl.DataFrame], Mapping[str, pl.DataFrame]],
    batch_reports: int = BATCH_REPORTS,
) -> Refreshed:
    """Bring the stage's tables up to date with keys (report_id, key: every report the stage
    should hold, and what its rows depend on).

    compute gets the reports to make (a frame of report_id), a batch at a time, and returns
    their rows for each of the stage's tables.
    """
    conn.execute(STATE_DDL)
    (stored_version,) = conn.execute(
        "SELECT coalesce(max(version), '') FROM work.stage_versions WHERE stage = ?", [stage.name]
    ).fetchone()
    # A table gone (a work table too: a killed first run may not have made it) makes all again.
    if stored_version != stage.version or not all(
        table_exists(conn, table) for table in stage.tables
    ):
        _reset(conn, stage)
    wanted = keys.select(
        "report_id", key=pl.concat_str(pl.lit(f"{stage.version}:"), pl.col("key"))
    ).unique("report_id")
    stored = stage_keys(conn, stage)
    kept = wanted.join(stored, on=["report_id", "key"], how="semi").select("report_id")
    todo = wanted.join(stored, on=["report_id", "key"], how="anti").sort("report_id")
    public = [table for table in stage.tables if not is_work_table(table)]
    work = [table for table in stage.tables if is_work_table(table)]
    # Rows no key vouches for are those of reports whose key is forgotten below, and those a
    # killed run wrote without their keys. A stage whose last refresh ended (work.stages_complete)
    # has none of the latter: with no key to forget, its tables are not even scanned. The mark
    # goes before anything is forgotten or written, so a run killed from then on leaves none.
    (complete,) = conn.execute(
        "SELECT count(*) > 0 FROM work.stages_complete WHERE stage = ?", [stage.name]
    ).fetchone()
    forgetting = kept.height < stored.height
    if forgetting or todo.height:
        conn.execute("DELETE FROM work.stages_complete WHERE stage = ?", [stage.name])
    # Keys first: a report without its key is made again, whatever rows it still has.
    run_with_rows(
        conn,
        "DELETE FROM work.stage_keys WHERE stage = ? "
        "AND report_id NOT IN (SELECT report_id FROM incoming_rows)",
        kept,
        [stage.name],
    )
    pause_at(f"{stage.name}.keys_forgotten")
    if forgetting or not complete:
        with _transaction(conn):
            _delete_rows_not_of(conn, public, kept)
        with _transaction(conn):
            _delete_rows_not_of(conn, work, kept)
    batches = list(todo.iter_slices(batch_reports))
    if not batches and not all(table_exists(conn, table) for table in stage.tables):
        # Nothing to make, but the next stage reads these tables: make them, empty.
        batches = [todo]
    for batch in batches:
        outputs = compute(batch.select("report_id"))
        with _transaction(conn):
            for table in public:
                _write(conn, table, outputs[table])
        pause_at(f"{stage.name}.rows_written")
        with _transaction(conn):
            for table in work:
                _write(conn, table, outputs[table])
            run_with_rows(
                conn,
                "INSERT INTO work.stage_keys SELECT ?, report_id, key FROM incoming_rows",
                batch,
                [stage.name],
            )
    if forgetting or todo.height or not complete:
        conn.execute("INSERT INTO work.stages_complete VALUES (?)", [stage.name])
    return Refreshed(
        computed=todo.height,
        reused=kept.height,
        removed=stored.join(wanted, on="report_id", how="anti").height,
    )
