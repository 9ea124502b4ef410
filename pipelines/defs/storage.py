"""The project's Dagster storage: Dagster's own SQLite storage, with one change to its event log.

Dagster's SQLite event log makes a new SQLAlchemy engine and SQLite connection for every event it
writes and closes them after: ~120 events per build (asset, check and step events; asset events
are written twice, in the run's file and the cross-run index). Closing a file's last connection
makes SQLite checkpoint its write-ahead log and sync it to the disk, and each new engine compiles
its INSERT again: ~1 s of a re-run with one new report, more than the new report's own stages.
Here each file keeps its engine and one open connection. Commits go to the write-ahead log
without a sync of their own (synchronous=NORMAL, which SQLite documents as safe from corruption
in WAL mode): a power cut may lose a build's last events, a crash of the process none. The
webserver and the daemon still read each event once it is committed. A run's own file starts as
a copy of an empty one Dagster set up (its tables, indexes and Alembic stamp: ~0.06 s a run to
make anew), kept per Dagster version.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy
from dagster._core.storage.base_storage import DagsterStorage
from dagster._core.storage.event_log.schema import AssetKeyTable
from dagster._core.storage.event_log.sqlite.sqlite_event_log import (
    INDEX_SHARD_NAME,
    SqliteEventLogStorage,
)
from dagster._core.storage.runs.sqlite.sqlite_run_storage import SqliteRunStorage
from dagster._core.storage.schedules.sqlite.sqlite_schedule_storage import SqliteScheduleStorage
from dagster._core.storage.sql import create_engine
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS
from dagster._core.storage.sqlite_storage import (
    DagsterSqliteStorage,
    SqliteStorageConfig,
    _event_logs_directory,
    _runs_directory,
    _schedule_directory,
)
from dagster._serdes import ConfigurableClassData
from dagster.version import __version__ as DAGSTER_VERSION
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import NullPool, SingletonThreadPool

# Files kept open at most: a run writes two (its own and the index); the webserver reads many
# runs' files over its life.
KEPT_ENGINES = 8
# Beside the runs' files, in a folder of its own: Dagster takes every *.db of its folder for a run.
TEMPLATES = "templates"


def _no_sync_per_commit(connection: sqlite3.Connection, _: object) -> None:
    connection.execute("PRAGMA synchronous = NORMAL")


class KeptEngineEventLogStorage(SqliteEventLogStorage):
    """SqliteEventLogStorage that keeps one engine and connection per file instead of making
    them for each event."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None) -> None:
        self._engines: dict[str, Engine] = {}
        self._asset_key_columns: frozenset[str] | None = None
        super().__init__(base_dir, inst_data)

    def _has_asset_key_col_on_connection(self, conn: Connection, column_name: str) -> bool:
        # Dagster asks the asset index for its columns (a new SQLAlchemy inspector, PRAGMA
        # table_info) at every asset event and look-up, ~0.2 s of a re-run: they are read once
        # per setup or migration of the index.
        if self._asset_key_columns is None:
            self._asset_key_columns = frozenset(
                column["name"]
                for column in sqlalchemy.inspect(conn).get_columns(AssetKeyTable.name)
            )
        return column_name in self._asset_key_columns

    def upgrade(self) -> None:
        super().upgrade()
        self._asset_key_columns = None

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        with self._db_lock:
            engine = self._engines.pop(shard, None)
            if engine is None:
                engine = create_engine(
                    self.conn_string_for_shard(shard),
                    poolclass=SingletonThreadPool,
                    connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS},
                )
                sqlalchemy.event.listen(engine, "connect", _no_sync_per_commit)
            # Dagster forgets which files it set up when it wipes them: set up again then.
            if shard not in self._initialized_dbs:
                if not self._run_file_from_template(shard):
                    self._initdb(engine)
                self._initialized_dbs.add(shard)
                self._asset_key_columns = None
            self._engines[shard] = engine  # last used last: the oldest goes first
            while len(self._engines) > KEPT_ENGINES:
                self._engines.pop(next(iter(self._engines))).dispose()
            with engine.connect() as conn, conn.begin():
                yield conn

    def _run_file_from_template(self, shard: str) -> bool:
        """A new run's file, copied from the template: False if the shard is the index or its
        file exists (another process may have begun it), which Dagster sets up itself."""
        path = self.path_for_shard(shard)
        if shard == INDEX_SHARD_NAME or os.path.exists(path):
            return False
        template = self._run_template()
        partial = f"{template}.{shard}.{os.getpid()}-{threading.get_ident()}.part"
        shutil.copyfile(template, partial)
        try:
            # A link, not a rename: it never replaces a file another process has begun.
            os.link(partial, path)
        except OSError:
            # Begun by another process, or a file system without hard links.
            return False
        finally:
            os.unlink(partial)
        return True

    def _run_template(self) -> str:
        """An empty run file as Dagster sets one up, made once per Dagster version."""
        folder = os.path.join(self._base_dir, TEMPLATES)
        template = os.path.join(folder, f"run-{DAGSTER_VERSION}.db")
        if not os.path.exists(template):
            os.makedirs(folder, exist_ok=True)
            partial = f"{template}.{os.getpid()}-{threading.get_ident()}.part"
            engine = create_engine(f"sqlite:///{partial}", poolclass=NullPool)
            try:
                self._initdb(engine)
            finally:
                # Its last connection closed, SQLite folds the write-ahead log into the file.
                engine.dispose()
            os.replace(partial, template)
        return template


class FazhiSqliteStorage(DagsterSqliteStorage):
    """Dagster's SQLite storage (runs, events, schedules under base_dir, as `storage: sqlite`
    lays them out) with the event log above. Processes the daemon starts for a run are given
    this class too: an instance made from dagster.yaml's `storage: custom` refers them to it."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None) -> None:
        # DagsterSqliteStorage.__init__ with the event log swapped (calling it would set up
        # the stock event log first).
        self.base_dir = base_dir
        self._run_storage = SqliteRunStorage.from_local(_runs_directory(base_dir))
        self._event_log_storage = KeptEngineEventLogStorage(_event_logs_directory(base_dir))
        self._schedule_storage = SqliteScheduleStorage.from_local(_schedule_directory(base_dir))
        self._inst_data = inst_data
        DagsterStorage.__init__(self)

    @classmethod
    def from_config_value(
        cls, inst_data: ConfigurableClassData, config_value: SqliteStorageConfig
    ) -> FazhiSqliteStorage:
        return cls.from_local(inst_data=inst_data, **config_value)
