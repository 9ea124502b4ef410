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

Stages whose keys are known before any of them runs go as a chain (refresh_chain): a batch of
reports passes through all of them in turn, each taking what the ones before made of the batch
in memory, so a run reads back nothing it has just written and writes each table once per
batch.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import hashlib
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from importlib.metadata import version as package_version

import duckdb
import polars as pl

from pipelines.fault_injection import pause_at
from pipelines.settings import PROJECT_ROOT, WORK_CATALOG
from pipelines.shared.frames import query_frame
from pipelines.shared.rule_files import RULES_DIR
from pipelines.warehouse.quoting import sql_string
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
WORK_PREFIX = f"{WORK_CATALOG}."
# Reports computed together: enough for polars to run at full speed (at 2,000 reports, batches
# of 500 make the build 10% slower), few enough that memory stays bounded however large the
# corpus. The terms stage, whose batches take the most memory, takes half as many.
BATCH_REPORTS = 1000
# Code every stage runs: the shared patterns of report text and the loader of its rule files.
SHARED_CODE = ("shared",)


@dataclass(frozen=True)
class Stage:
    """A per-report stage: its name, the folders of pipelines/ whose code it runs (SHARED_CODE
    besides, which every stage runs), the rule files it reads, the packages whose data or
    behaviour its results depend on (an upgrade of the division table must place regions again)
    and the tables it writes (public ones by name, its own as work.<name>); every table has a
    report_id column."""

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
            for folder in dict.fromkeys((*SHARED_CODE, *self.code))
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
    seconds: float = 0.0  # spent on the stage: its keys, its deletions, making and storing rows


def refreshed_metadata(refreshed: Refreshed) -> dict[str, int | float]:
    """How a stage's run went, for its materialization's metadata."""
    return {
        "reports_computed": refreshed.computed,
        "reports_from_cache": refreshed.reused,
        "reports_removed": refreshed.removed,
        "stage_seconds": round(refreshed.seconds, 3),
    }


def is_work_table(table: str) -> bool:
    return table.startswith(WORK_PREFIX)


def existing_tables(conn: duckdb.DuckDBPyConnection) -> set[str]:
    """The tables of the working database and of its work catalog, named as stages name them
    (work.<name> for the latter): one look at the catalog, not one per table."""
    rows = conn.execute(
        "SELECT database_name = $work, table_name FROM duckdb_tables() "
        "WHERE schema_name = 'main' AND database_name IN (current_database(), $work)",
        {"work": WORK_CATALOG},
    ).fetchall()
    return {WORK_PREFIX + name if in_work else name for in_work, name in rows}


def stage_keys(conn: duckdb.DuckDBPyConnection, stage: Stage) -> pl.DataFrame:
    """report_id, key: what each report's rows of the stage were made from, for the next stage
    to build its keys on."""
    conn.execute(STATE_DDL)
    # The name spelled in, not a parameter: a query with parameters keeps its whole result
    # before handing it over (10,000 keys: 9 -> 5 ms, ~14 reads a run).
    return query_frame(
        conn, f"SELECT report_id, key FROM work.stage_keys WHERE stage = {sql_string(stage.name)}"
    )


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


def _make_work_tables(
    conn: duckdb.DuckDBPyConnection, stage: Stage, outputs: Mapping[str, pl.DataFrame]
) -> None:
    """The stage's work tables that do not exist yet, empty, in the layout of the frames it
    made: made before their rows are stored, so a later stage can read their layout then."""
    for table in _work(stage):
        run_with_rows(
            conn,
            f"CREATE TABLE IF NOT EXISTS {table} AS SELECT * FROM incoming_rows LIMIT 0",
            outputs[table],
        )


def _write(conn: duckdb.DuckDBPyConnection, table: str, rows: pl.DataFrame) -> None:
    if not is_work_table(table):
        insert_rows(conn, table, rows)
    elif rows.height:
        run_with_rows(conn, f"INSERT INTO {table} BY NAME SELECT * FROM incoming_rows", rows)


def _delete_rows(
    conn: duckdb.DuckDBPyConnection, tables: list[str], reports: pl.DataFrame, *, of: bool
) -> None:
    """Delete every row of tables whose report is among reports (report_id) if of, or not
    among them if not of."""
    among = "IN" if of else "NOT IN"
    existing = existing_tables(conn)
    for table in tables:
        if table in existing:
            run_with_rows(
                conn,
                f"DELETE FROM {table} WHERE report_id {among} (SELECT report_id FROM incoming_rows)",
                reports,
            )


Compute = Callable[[pl.DataFrame, Mapping[str, pl.DataFrame]], Mapping[str, pl.DataFrame]]


@dataclass(frozen=True)
class Step:
    """A stage to bring up to date: keys (report_id, key) of every report it should hold, and
    compute, which gets the reports to make (a frame of report_id) and what the stages before
    it in a chain made of them (frames by table name), and returns their rows for each of the
    stage's tables, and any other frame a later stage may take instead of reading it back.

    ahead, if given, is handed each batch's reports (report_id) before the chain starts on
    that batch, while it still works on the batch before: a stage may start on work that
    needs only what earlier runs or chains stored (in a thread), for compute to take up. The
    rows it reads to do so it returns (frames by table name), and every stage of that batch
    finds them with what the stages before it made, instead of reading them again.

    beside, for one step of a chain, computes each batch in a thread of its own while the
    stages after it go on with the batch and those before it start on the next one; compute
    must then do its DuckDB work on a connection of its own (a cursor opened beforehand in the
    chain's thread: a connection used by two threads at once can deadlock), not the chain's, and
    no later stage may take what it makes (they do not get its frames, and it stores them
    whenever it is done)."""

    stage: Stage
    keys: pl.DataFrame
    compute: Compute
    ahead: Callable[[pl.DataFrame], Mapping[str, pl.DataFrame]] | None = None
    beside: bool = False


@dataclass(frozen=True)
class _Plan:
    stage: Stage
    stored: pl.DataFrame  # report_id, key: what the stage held when the run began
    wanted: pl.DataFrame  # report_id, key: what it should hold
    todo: pl.DataFrame  # report_id, key: what it makes in this run
    kept: pl.DataFrame  # report_id: what it keeps


def versioned(stage: Stage, keys: pl.DataFrame) -> pl.DataFrame:
    """The keys (report_id, key) as the stage records them: mixed with its version, so that a
    later stage building its keys on them follows every change of this one."""
    return keys.select(
        "report_id", key=pl.concat_str(pl.lit(f"{stage.version}:"), pl.col("key"))
    ).unique("report_id")


def reports_to_make(conn: duckdb.DuckDBPyConnection, step: Step) -> int:
    """How many reports a refresh of the step would make now: those whose key it does not hold."""
    return (
        versioned(step.stage, step.keys)
        .join(stage_keys(conn, step.stage), on=["report_id", "key"], how="anti")
        .height
    )


def _prepare(conn: duckdb.DuckDBPyConnection, stage: Stage, keys: pl.DataFrame) -> _Plan:
    """Forget what the stage must make again, and delete the rows no key vouches for."""
    (stored_version,) = conn.execute(
        "SELECT coalesce(max(version), '') FROM work.stage_versions WHERE stage = ?", [stage.name]
    ).fetchone()
    # A table gone (a work table too: a killed first run may not have made it) makes all again.
    if stored_version != stage.version or not existing_tables(conn) >= set(stage.tables):
        _reset(conn, stage)
    wanted = versioned(stage, keys)
    stored = stage_keys(conn, stage)
    kept = wanted.join(stored, on=["report_id", "key"], how="semi").select("report_id")
    todo = wanted.join(stored, on=["report_id", "key"], how="anti").sort("report_id")
    # Rows no key vouches for are those of reports whose key is forgotten below, and those a
    # killed run wrote without their keys. A stage whose last refresh ended (work.stages_complete)
    # has none of the latter: with no key to forget, its tables are not even scanned. The mark
    # goes before anything is forgotten or written, so a run killed from then on leaves none.
    (complete,) = conn.execute(
        "SELECT count(*) > 0 FROM work.stages_complete WHERE stage = ?", [stage.name]
    ).fetchone()
    forgetting = kept.height < stored.height
    if forgetting or todo.height or not complete:
        conn.execute("DELETE FROM work.stages_complete WHERE stage = ?", [stage.name])
    # Keys first: a report without its key is made again, whatever rows it still has.
    if forgetting:
        run_with_rows(
            conn,
            "DELETE FROM work.stage_keys WHERE stage = ? "
            "AND report_id NOT IN (SELECT report_id FROM incoming_rows)",
            kept,
            [stage.name],
        )
    pause_at(f"{stage.name}.keys_forgotten")
    if forgetting or not complete:
        # After a complete refresh only the forgotten reports' rows lack a key: they are
        # looked up, which skips the blocks of other reports, rather than every row checked
        # against the reports kept (one report changed at 10,000: the terms stage's tables
        # 0.35 -> 0.01 s).
        if complete:
            reports, of = stored.join(kept, on="report_id", how="anti").select("report_id"), True
        else:
            reports, of = kept, False
        for tables in _public(stage), _work(stage):
            with _transaction(conn):
                _delete_rows(conn, tables, reports, of=of)
    return _Plan(stage, stored, wanted, todo, kept)


def _public(stage: Stage) -> list[str]:
    return [table for table in stage.tables if not is_work_table(table)]


def _work(stage: Stage) -> list[str]:
    return [table for table in stage.tables if is_work_table(table)]


def _store(
    conn: duckdb.DuckDBPyConnection,
    stage: Stage,
    batch: pl.DataFrame,
    outputs: Mapping[str, pl.DataFrame],
) -> None:
    """A batch's rows: the public tables' in one transaction, then the work tables' with the
    batch's keys in another, so a key is recorded only once all its report's rows are in."""
    with _transaction(conn):
        for table in _public(stage):
            _write(conn, table, outputs[table])
    pause_at(f"{stage.name}.rows_written")
    with _transaction(conn):
        for table in _work(stage):
            _write(conn, table, outputs[table])
        run_with_rows(
            conn,
            "INSERT INTO work.stage_keys SELECT ?, report_id, key FROM incoming_rows",
            batch,
            [stage.name],
        )


def _make_and_store(
    conn: duckdb.DuckDBPyConnection,
    stage: Stage,
    batch: pl.DataFrame,
    outputs: Mapping[str, pl.DataFrame],
) -> None:
    """A batch computed beside the chain: its work tables made if need be, and stored."""
    _make_work_tables(conn, stage, outputs)
    _store(conn, stage, batch, outputs)


# glibc's malloc keeps what DuckDB's and the segmenter's threads free in arenas of their own and
# gives it back to the system only when asked. Asked once per batch, the peak of a build of
# 10,000 reports fell by ~70 MB. Without glibc (macOS) there is nothing to ask.
_LIBC = ctypes.CDLL(ctypes.util.find_library("c"))


def _return_freed_memory() -> None:
    trim = getattr(_LIBC, "malloc_trim", None)
    if trim is not None:
        trim(0)


@contextmanager
def _one_duckdb_thread(conn: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """DuckDB on one thread of its own while a chain runs: the stages' thread, the storing
    thread and the segmenting thread keep both cores busy already, and DuckDB's threads only
    contended with them, each with memory of its own. Alternated builds: at 2,000 reports 8%
    less CPU, at 10,000 8-13% less and a peak ~100 MB lower. The corpus-wide queries between
    and after the chains (the vocabulary, the content flags) get DuckDB's threads back."""
    (threads,) = conn.execute("SELECT current_setting('threads')").fetchone()
    conn.execute("SET threads = 1")
    try:
        yield
    finally:
        conn.execute(f"SET threads = {threads}")


def refresh_chain(
    conn: duckdb.DuckDBPyConnection,
    steps: list[Step],
    batch_reports: int = BATCH_REPORTS,
    *,
    computed_in_duckdb: bool = False,
) -> list[Refreshed]:
    """Bring the stages of steps up to date, a batch of reports at a time through all of them
    in order: each stage gets the frames the stages before it made of the batch, so nothing
    the run has just written is read back, and each table is written once per batch.

    Every step's keys must be known before any stage runs (a later stage's keys built on an
    earlier one's with versioned()). computed_in_duckdb: the steps compute by DuckDB queries,
    which keep DuckDB's threads (the invariants of 2,000 reports: 0.6 s on one, 0.33 on two).
    """
    if sum(step.beside for step in steps) > 1:
        raise ValueError("only one step of a chain can be computed beside it")
    if computed_in_duckdb:
        return _run_chain(conn, steps, batch_reports)
    with _one_duckdb_thread(conn):
        return _run_chain(conn, steps, batch_reports)


def _run_chain(
    conn: duckdb.DuckDBPyConnection, steps: list[Step], batch_reports: int
) -> list[Refreshed]:
    conn.execute(STATE_DDL)
    seconds = [0.0] * len(steps)

    def timed(index: int, started: float) -> None:
        seconds[index] += time.perf_counter() - started

    plans = []
    for index, step in enumerate(steps):
        started = time.perf_counter()
        plans.append(_prepare(conn, step.stage, step.keys))
        timed(index, started)
    reports = pl.concat([plan.todo.select("report_id") for plan in plans]).unique()
    batches = list(reports.sort("report_id").iter_slices(batch_reports))

    # What stages read ahead for a batch, by the batch's number.
    read_ahead: dict[int, dict[str, pl.DataFrame]] = {}

    def look_ahead(number: int) -> None:
        if number == len(batches):
            return
        read_ahead[number] = {}
        for index, (plan, step) in enumerate(zip(plans, steps, strict=True)):
            if step.ahead is None:
                continue
            started = time.perf_counter()
            mine = plan.todo.join(batches[number], on="report_id", how="semi")
            if mine.height:
                read_ahead[number] |= step.ahead(mine.select("report_id"))
            timed(index, started)

    look_ahead(0)
    # Rows are stored by a connection of their own in a thread, in the order they are made,
    # while the next stages compute: DuckDB, like polars, releases the GIL while it works. Two
    # stages' rows may wait to be stored (with one, compute waited on the writer whenever a
    # small stage followed a large one: ~1 s of a 2,000-report build), and all are in before
    # the chain returns.
    with (
        conn.cursor() as writer,
        ThreadPoolExecutor(1, thread_name_prefix="storing") as storing,
        ThreadPoolExecutor(1, thread_name_prefix="beside") as computing,
    ):
        stored: list[Future[None]] = []

        def compute_beside(
            index: int, plan: _Plan, step: Step, mine: pl.DataFrame, made: dict
        ) -> Future[None]:
            started = time.perf_counter()
            outputs = step.compute(mine.select("report_id"), made)
            timed(index, started)
            return storing.submit(_make_and_store, writer, plan.stage, mine, outputs)

        # The beside step's batch being computed beside the stages after it and the next
        # batch's: one at a time, so that no more than two batches are in memory.
        beside: Future[Future[None]] | None = None
        for number, batch in enumerate(batches):
            look_ahead(number + 1)
            made = read_ahead.pop(number)
            for index, (plan, step) in enumerate(zip(plans, steps, strict=True)):
                started = time.perf_counter()
                mine = plan.todo.join(batch, on="report_id", how="semi")
                if mine.height and step.beside:
                    # Its seconds are counted where it computes.
                    if beside is not None:
                        stored.append(beside.result())
                    beside = computing.submit(compute_beside, index, plan, step, mine, dict(made))
                    continue
                if mine.height:
                    outputs = step.compute(mine.select("report_id"), made)
                    _make_work_tables(conn, plan.stage, outputs)
                    if len(stored) >= 2:
                        stored.pop(0).result()
                    stored.append(storing.submit(_store, writer, plan.stage, mine, outputs))
                    made |= outputs
                timed(index, started)
            _return_freed_memory()
        if beside is not None:
            stored.append(beside.result())
        for each in stored:
            each.result()
    for index, (plan, step) in enumerate(zip(plans, steps, strict=True)):
        started = time.perf_counter()
        # Nothing to make, but the next stage reads these tables: make them, empty.
        if not existing_tables(conn) >= set(plan.stage.tables):
            outputs = step.compute(plan.todo.select("report_id"), {})
            _make_work_tables(conn, plan.stage, outputs)
            _store(conn, plan.stage, plan.todo, outputs)
        conn.execute("DELETE FROM work.stages_complete WHERE stage = ?", [plan.stage.name])
        conn.execute("INSERT INTO work.stages_complete VALUES (?)", [plan.stage.name])
        timed(index, started)
    return [
        Refreshed(
            computed=plan.todo.height,
            reused=plan.kept.height,
            removed=plan.stored.join(plan.wanted, on="report_id", how="anti").height,
            seconds=spent,
        )
        for plan, spent in zip(plans, seconds, strict=True)
    ]


def refresh(
    conn: duckdb.DuckDBPyConnection,
    stage: Stage,
    keys: pl.DataFrame,
    compute: Callable[[pl.DataFrame], Mapping[str, pl.DataFrame]],
    batch_reports: int = BATCH_REPORTS,
    *,
    computed_in_duckdb: bool = False,
) -> Refreshed:
    """Bring the stage's tables up to date with keys (report_id, key: every report the stage
    should hold, and what its rows depend on).

    compute gets the reports to make (a frame of report_id), a batch at a time, and returns
    their rows for each of the stage's tables (computed_in_duckdb: as refresh_chain says).
    """
    step = Step(stage, keys, lambda batch, _: compute(batch))
    return refresh_chain(conn, [step], batch_reports, computed_in_duckdb=computed_in_duckdb)[0]
