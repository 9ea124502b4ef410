"""Publishing: bring a second warehouse file up to the working database and swap it in
atomically.

Readers (BI tools, `duckdb -readonly`) never see a half-built warehouse: the new file is
complete, checked and on the disk before one atomic exchange of names puts it in place. A reader
holding the old file keeps its snapshot until it reconnects, and does not block the run.

The file published is not copied anew at every build (a copy costs as much as the whole
warehouse, ~500 MB at 10,000 reports): beside the published file lies the one published before
it, the standby (.fazhi.duckdb.standby). A build brings the standby up to the working database
(the rows of the reports whose key changed, and the corpus-wide tables whole), and exchanges
the two names: the standby is published, the file published until then is the next standby.
What each standby holds is recorded beside it (the key of each report it holds, with the
layout of the tables) after it is complete, and the record is removed before it is changed: a
standby without one, or one a reader still holds open, or of another layout, is replaced by a
full copy of the working database. So is the standby of a small warehouse at every build
(under FAZHI_COPY_BELOW_MB): an update costs ~0.5 s whatever the change, more than such a copy;
and so is the standby when most of what it holds would be rewritten (UPDATE_AT_MOST).
"""

from __future__ import annotations

import ctypes
import errno
import hashlib
import json
import os
import shutil
import uuid
from pathlib import Path

import duckdb

from pipelines.fault_injection import pause_at
from pipelines.settings import SQL_DIR
from pipelines.warehouse.incremental import is_work_table
from pipelines.warehouse.quoting import sql_name, sql_string
from pipelines.warehouse.sealing import SEALED, needs_seal, row_groups
from pipelines.warehouse.stages import PUBLISHED_STAGES
from pipelines.warehouse.tables import public_tables, table_ddl


def create_views(conn: duckdb.DuckDBPyConnection, folder: Path = SQL_DIR) -> list[str]:
    """Run every sql/*.sql view file; a view that reads another is retried once that exists,
    or once it has its new columns (a warehouse an older fazhi built holds the old views)."""
    pending = sorted(folder.glob("*.sql"))
    created: list[str] = []
    while pending:
        failed: list[Path] = []
        errors: list[str] = []
        for path in pending:
            try:
                conn.execute(path.read_text(encoding="utf-8"))
                created.append(path.stem)
            except (duckdb.CatalogException, duckdb.BinderException) as error:
                failed.append(path)
                errors.append(f"{path.name}: {error}")
        if len(failed) == len(pending):
            raise RuntimeError("views that cannot be created:\n" + "\n".join(errors))
        pending = failed
    return created


# The layout (layout_key) whose views the working database holds; in the work catalog, so it
# is never published, and gone with the views if the working file is made anew.
VIEWS_MADE = "work.views_made"
# What sql/ makes in the working database: its views (marts' and main.keywords) and its table
# macros (search_sentences).
SQL_MADE = """
SELECT view_name FROM duckdb_views()
WHERE database_name = current_database() AND NOT internal
UNION
SELECT function_name FROM duckdb_functions()
WHERE database_name = current_database() AND schema_name = 'marts' AND NOT internal
"""


def ensure_views(conn: duckdb.DuckDBPyConnection, folder: Path = SQL_DIR) -> bool:
    """The sql/ views in the working database (conn, with its work catalog): created unless
    it holds them already, made from the same files. Each view created is a commit to the file
    (~0.1 s a run at 2,000 reports, for nothing when sql/ did not change). Returns whether they
    were created."""
    key = layout_key(folder)
    conn.execute(f"CREATE TABLE IF NOT EXISTS {VIEWS_MADE} (layout VARCHAR)")
    made = conn.execute(f"SELECT layout FROM {VIEWS_MADE}").fetchall()
    present = {name for (name,) in conn.execute(SQL_MADE).fetchall()}
    if made == [(key,)] and present >= {path.stem for path in folder.glob("*.sql")}:
        return False
    create_views(conn, folder)
    conn.execute("BEGIN")
    conn.execute(f"DELETE FROM {VIEWS_MADE}")
    conn.execute(f"INSERT INTO {VIEWS_MADE} VALUES (?)", [key])
    conn.execute("COMMIT")
    return True


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


def standby_path(target: Path) -> Path:
    return target.with_name(f".{target.name}.standby")


def _records_path(target: Path) -> Path:
    return target.with_name(f".{target.name}.holds.json")


def identity(database: Path) -> str:
    """A file's size and modification time (ns): any write changes them, and they stay with the
    file through the exchange of names and through a copy that keeps times (cp -p, backups)."""
    stat = database.stat()
    return f"{stat.st_size}-{stat.st_mtime_ns}"


def layout_key(folder: Path = SQL_DIR) -> str:
    """The tables' and views' definitions and the DuckDB that writes them: a standby made
    under other ones is not updated, but copied anew."""
    digest = hashlib.sha256(duckdb.__version__.encode())
    for path in sorted(folder.rglob("*.sql")):
        digest.update(path.relative_to(folder).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


# The public tables the per-report stages write, a report's rows made again only when its key
# changes; every other public table is written whole at every build.
PER_REPORT_TABLES = tuple(
    sorted(
        table for stage in PUBLISHED_STAGES for table in stage.tables if not is_work_table(table)
    )
)

# Each published report's key: what its rows of PER_REPORT_TABLES were made from. A report
# withheld is not published, and has none. Its stages' keys hashed and combined in any order
# (10,000 reports: 0.09 -> 0.016 s, against an MD5 of them joined in order); DuckDB's hash may
# change with its version, which changes the layout too, and a standby of another layout is
# copied anew, whatever keys it holds.
REPORT_KEYS = f"""
SELECT report_id, bit_xor(hash(stage, key)) AS key
FROM work.stage_keys
WHERE list_contains({[stage.name for stage in PUBLISHED_STAGES]}, stage)
  AND report_id NOT IN (SELECT report_id FROM main.withheld_reports)
GROUP BY report_id
"""


def _read_records(target: Path) -> dict[str, dict]:
    """What the published file and its standby hold, each under its identity: the layout and
    each report's key."""
    try:
        return json.loads(_records_path(target).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _write_records(target: Path, records: dict[str, dict]) -> None:
    path = _records_path(target)
    partial = path.with_name(f"{path.name}.part")
    partial.write_text(json.dumps(records), encoding="utf-8")
    _fsync(partial)
    os.replace(partial, path)


def _counts(conn: duckdb.DuckDBPyConnection, catalog: str) -> dict[str, int]:
    return {
        name: conn.execute(f"SELECT count(*) FROM {sql_name(catalog)}.main.{name}").fetchone()[0]
        for name in public_tables()
    }


def _whole_table_rows(conn: duckdb.DuckDBPyConnection, name: str) -> str:
    """The rows of a table written whole that are published: a withheld report's are not,
    but in the tables that list every input."""
    (has_report_id,) = conn.execute(
        "SELECT count(*) FROM pragma_table_info(?) WHERE name = 'report_id'", [name]
    ).fetchone()
    if has_report_id and name not in LIST_EVERY_INPUT:
        return (
            f"SELECT * FROM main.{name} "
            "WHERE report_id NOT IN (SELECT report_id FROM main.withheld_reports)"
        )
    return f"SELECT * FROM main.{name}"


def update_standby(
    conn: duckdb.DuckDBPyConnection,
    standby: Path,
    held: dict[str, str],
    keys: dict[str, str],
    sealed: int | None = None,
) -> tuple[dict[str, int], int | None] | None:
    """Bring the standby, which holds the reports held (report_id: key) and whose reports
    table has its first `sealed` row groups sealed (sealing.py), up to the working database
    (conn, with its work catalog): the reports whose key differs are deleted and copied again,
    the tables written whole are replaced, in one transaction; the reports table is written
    whole too once FAZHI_SEAL_AFTER_ROWS rows were appended to it since it was sealed.
    Returns the row count of each table and the row groups now sealed, or None if the standby
    cannot be opened for writing (a reader holds it)."""
    (working,) = conn.execute("SELECT current_database()").fetchone()
    try:
        conn.execute(f"ATTACH {sql_string(str(standby))} AS standby")
    except duckdb.Error:
        # Held open by a reader (its lock), or not a database DuckDB can open any more.
        return None
    try:
        gone = [report for report, key in held.items() if keys.get(report) != key]
        made = [report for report, key in keys.items() if held.get(report) != key]
        sealing = needs_seal(row_groups(conn, "standby"), sealed)
        per_report = [name for name in PER_REPORT_TABLES if not (sealing and name == SEALED)]
        whole = {
            name: _whole_table_rows(conn, name)
            for name in public_tables()
            if name not in per_report
        }
        conn.execute("BEGIN")
        try:
            # The reports are joined, not looked up in the list row by row, so DuckDB skips
            # the blocks of other reports (one report of sentence_terms at 10,000 reports:
            # 0.017 -> 0.003 s); and an empty list is not run at all.
            for name in per_report:
                if gone:
                    conn.execute(
                        f"DELETE FROM standby.main.{name} "
                        "WHERE report_id IN (SELECT unnest($gone))",
                        {"gone": gone},
                    )
                if made:
                    conn.execute(
                        f"INSERT INTO standby.main.{name} BY NAME "
                        f"SELECT * FROM main.{name} WHERE report_id IN (SELECT unnest($made))",
                        {"made": made},
                    )
            for name, rows in whole.items():
                # Made anew from its DDL, not emptied: deleting every row of a table with a
                # primary key costs more than writing it (200,000 rows: 0.6 s against 0.2 s at
                # 10,000 reports).
                conn.execute("USE standby")
                conn.execute(table_ddl(name))
                conn.execute(f"USE {sql_name(working)}")
                conn.execute(f"INSERT INTO standby.main.{name} BY NAME {rows}")
            pause_at("publish.standby_changing")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        conn.execute("CHECKPOINT standby")
        return _counts(conn, "standby"), len(row_groups(conn, "standby")) if sealing else sealed
    finally:
        conn.execute(f"USE {sql_name(working)}")
        conn.execute("DETACH standby")


def copy_to_standby(staging: Path, standby: Path) -> dict[str, int]:
    """A new standby: the working database copied whole, the withheld reports deleted from
    the copy. Built beside and renamed over the old standby, which a reader may hold."""
    building = standby.with_name(f"{standby.name}.{uuid.uuid4().hex}.building")
    try:
        shutil.copyfile(staging, building)
        withhold_reports(building)
        with duckdb.connect(str(building), read_only=True) as check:
            counts = _counts(check, check.execute("SELECT current_database()").fetchone()[0])
        os.replace(building, standby)
    finally:
        building.unlink(missing_ok=True)
        Path(f"{building}.wal").unlink(missing_ok=True)
    return counts


def exchange(first: Path, second: Path) -> bool:
    """Swap the names of two files in one step (Linux renameat2 RENAME_EXCHANGE): a reader
    opening either name finds one file or the other, never none. Returns False, having changed
    nothing, where the file system cannot (NFS and SMB shares) or the C library has no
    renameat2."""
    if _renameat2 is None:
        return False
    if _renameat2(AT_FDCWD, os.fsencode(first), AT_FDCWD, os.fsencode(second), RENAME_EXCHANGE):
        error = ctypes.get_errno()
        if error in CANNOT_EXCHANGE:
            return False
        raise OSError(error, f"cannot exchange {first} and {second}: {os.strerror(error)}")
    return True


AT_FDCWD = -100
RENAME_EXCHANGE = 2
# What renameat2 says where the file system does not exchange names.
CANNOT_EXCHANGE = {errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP}
_renameat2 = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)


# An update rewrites the rows of every report whose key changed: ~2.4 ms a report against a
# copy's ~0.1 ms a report of the file (10,000 reports: every report changed, as after an
# upgrade of fazhi, 24.5 s to update against 0.8-1.1 s to copy), so past one report in 20 the
# standby is copied anew, which also leaves it without the space the rows rewritten freed.
UPDATE_AT_MOST = 0.05


def share_rewritten(held: dict[str, str], keys: dict[str, str]) -> float:
    """The share of the reports, held by the standby or to be published (report_id: key),
    whose rows an update of the standby would delete or write."""
    rewritten = {report for report, _ in held.items() ^ keys.items()}
    return len(rewritten) / max(len(held.keys() | keys.keys()), 1)


class NotOurs(RuntimeError):
    """FAZHI_WAREHOUSE names a folder, or a database fazhi did not make, which publishing would
    swap aside and later replace."""


# Tables every warehouse fazhi made holds.
OUR_TABLES = {"reports", "source_files"}


def check_target(target: Path, records: dict[str, dict] | None = None) -> None:
    """Raise NotOurs if what lies at target is a folder or a DuckDB database of someone else's:
    publishing swaps the file there aside as the standby, and a later build replaces it.
    records: what fazhi published there, if read already. Files of fazhi's own beside it that
    are folders are refused too: publishing would fail on them after the whole build."""
    for own in (standby_path(target), _records_path(target)):
        if own.is_dir():
            raise NotOurs(
                f"{own} is a folder, where publishing keeps a file of its own beside the "
                "warehouse: move it"
            )
    if target.is_dir():
        why = "a folder"
    elif not target.is_file() or identity(target) in (
        records if records is not None else _read_records(target)
    ):
        return
    else:
        try:
            with duckdb.connect(str(target), read_only=True) as conn:
                tables = {
                    name
                    for (name,) in conn.execute(
                        "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main'"
                    ).fetchall()
                }
        # Not a database anyone can open (a damaged warehouse): replaced, as before.
        except duckdb.Error:
            return
        if tables >= OUR_TABLES:
            return
        why = f"a DuckDB database fazhi did not make (no {' or '.join(sorted(OUR_TABLES))} table)"
    raise NotOurs(
        f"the warehouse {target} is {why}, which publishing would put aside and later replace: "
        "choose another name (FAZHI_WAREHOUSE), or move it"
    )


def publish(
    conn: duckdb.DuckDBPyConnection,
    staging: Path,
    target: Path,
    copy_below: int = 0,
    sealed: int | None = None,
) -> dict[str, int]:
    """Publish the working database (staging, open as conn with its work catalog, checkpointed,
    holding exactly the public tables and views, its reports' first `sealed` row groups sealed)
    as target: the standby brought up to it, or copied from it anew when it is smaller than
    copy_below bytes or when more than UPDATE_AT_MOST of its reports changed (a copy is cheaper
    then; copy_below 0 always updates), then swapped in. Returns the row count of each
    published table.
    """
    # Before anything is touched; the record of what fazhi published there is read once.
    records = _read_records(target)
    check_target(target, records)
    target.parent.mkdir(parents=True, exist_ok=True)
    # A build killed while publishing leaves its half-built file; builds run one at a time, so
    # any such file is stale.
    for stale in [
        *target.parent.glob(f".{target.name}.*building*"),
        *target.parent.glob(f".{target.name}.holds.json.part"),
    ]:
        stale.unlink()
    standby, layout = standby_path(target), layout_key()
    keys = dict(conn.execute(REPORT_KEYS).fetchall())
    counts = None
    if standby.exists() and staging.stat().st_size >= copy_below:
        held = records.pop(identity(standby), {})
        if held.get("layout") == layout and (
            not copy_below or share_rewritten(held["reports"], keys) <= UPDATE_AT_MOST
        ):
            # From here until it is recorded again, what the standby holds is unknown.
            _write_records(target, records)
            updated = update_standby(
                conn, standby, held["reports"], keys, held.get("sealed_row_groups")
            )
            if updated is not None:
                counts, sealed = updated
    if counts is None:
        # A copy of the working file holds what it holds sealed.
        counts = copy_to_standby(staging, standby)
    Path(f"{standby}.wal").unlink(missing_ok=True)
    # Last thing before the exchange, so whatever was done to the standby is on the disk.
    _fsync(standby)
    made = {"layout": layout, "reports": keys, "sealed_row_groups": sealed}
    records[identity(standby)] = made
    # A WAL left by someone who opened the published file read-write belongs to the old file.
    Path(f"{target}.wal").unlink(missing_ok=True)
    if not target.exists() and copy_below and staging.stat().st_size < copy_below:
        # The first publication of a warehouse small enough to be copied at every build: the
        # standby itself is published, as the next build copies one anew anyway (a second copy
        # and its sync cost ~0.3 s of a 2,000-report build, 100 MB).
        # Its record is the target's now: a file's identity stays with it through a rename.
        os.replace(standby, target)
        pause_at("publish.first_renamed")
        _write_records(target, records)
    elif not target.exists():
        # The first publication: the standby is copied to be published, so that the next build
        # has one to update.
        building = target.with_name(f".{target.name}.{uuid.uuid4().hex}.building")
        shutil.copyfile(standby, building)
        _fsync(building)
        os.replace(building, target)
        records[identity(target)] = made
        _write_records(target, records)
    else:
        _write_records(target, records)
        pause_at("publish.copied")
        if not exchange(standby, target):
            # Renamed over the file published, in one step all the same: without a standby,
            # the next build copies one anew.
            os.replace(standby, target)
    # The exchange or rename itself reaches the disk only with its folder.
    _fsync(target.parent)
    # Only the files there are are recorded (a standby copied anew replaced another).
    current = {identity(path) for path in (target, standby) if path.exists()}
    if set(records) - current:
        _write_records(target, {name: records[name] for name in current & set(records)})
    return counts
