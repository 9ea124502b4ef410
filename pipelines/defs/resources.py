"""Resources: where the corpus and the warehouse are, and the working DuckDB database, which
every run that uses it holds alone from its start to its end."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb as duckdb_client
from dagster_duckdb import DuckDBResource
from pydantic import PrivateAttr

from pipelines.defs.runs import sole_writer
from pipelines.fault_injection import pause_at
from pipelines.landing.store import ContentStore
from pipelines.settings import WORK_CATALOG, Settings, load_settings
from pipelines.warehouse.quoting import sql_name, sql_string


class CorpusResource(dg.ConfigurableResource):
    """The corpus folder and the published warehouse file (FAZHI_SOURCES, FAZHI_WAREHOUSE)."""

    sources: str
    warehouse: str

    @property
    def settings(self) -> Settings:
        return Settings(sources=Path(self.sources), warehouse=Path(self.warehouse))

    @property
    def store(self) -> ContentStore:
        return ContentStore(self.settings.store)


class WorkingDatabase(DuckDBResource):
    """The working database (the public tables, exactly as they will be published) with the
    pipeline's own tables and caches attached as catalog `work` from a file beside it, so that
    publishing is a copy of the working file and never carries the caches along.

    A run holds the build lock from the moment this resource is set up, before any step, to its
    end: whoever started it, it waits for the run writing (pipelines/defs/runs.py). It also
    holds the database open from start to end, and every step works on a connection of its own
    to that one open database: opening the files, and the checkpoint DuckDB makes when the last
    connection closes, would otherwise be paid at every step, and the pages one step wrote
    would be read from the disk again by the next. For the run, the objects made before it are
    frozen out of the garbage collector (gc.freeze).
    """

    work_database: str
    _open: duckdb_client.DuckDBPyConnection | None = PrivateAttr(default=None)

    @contextmanager
    def yield_for_execution(self, context: dg.InitResourceContext) -> Iterator[WorkingDatabase]:
        with (
            sole_writer(context, Path(self.database), Path(self.work_database)),
            self._connect() as opened,
        ):
            self._open = opened
            # What lives as long as the process (modules, the definitions, the instance) is
            # frozen out of the garbage collector for the run: each full collection walked its
            # ~200,000 objects (0.12-0.17 s, at least once a run); the run's own objects are
            # collected as before, and the frozen ones again once the run is over.
            gc.freeze()
            try:
                yield self
            finally:
                gc.unfreeze()
                self._open = None

    @contextmanager
    def _connect(self) -> Iterator[duckdb_client.DuckDBPyConnection]:
        # Opened once, not retried as DuckDBResource does for ~100 s: the build lock is held,
        # so a conflicting lock is another program's (a DuckDB shell, a notebook), which is
        # told at once, by DuckDB's own words, naming it and its pid.
        with duckdb_client.connect(
            self.database, config={"custom_user_agent": "dagster", **self.connection_config}
        ) as conn:
            # Older working databases kept these tables in a schema of the same name.
            (catalog,) = conn.execute("SELECT current_database()").fetchone()
            conn.execute(f"DROP SCHEMA IF EXISTS {sql_name(catalog)}.work CASCADE")
            conn.execute(f"ATTACH IF NOT EXISTS {sql_string(self.work_database)} AS {WORK_CATALOG}")
            yield conn
            # The run's last changes stay in the write-ahead log, for the next open to replay
            # (DuckDB checkpoints by itself once the log reaches 16 MB). A checkpoint at close
            # rewrites the last row group of every table appended to, whole: 0.5 s at 2,000
            # reports for a re-run whose log holds 70 KB.
            conn.execute("PRAGMA disable_checkpoint_on_shutdown")

    def fold_work_log(self, conn: duckdb_client.DuckDBPyConnection) -> bool:
        """Checkpoint the work catalog (conn: a connection to this database) when its
        write-ahead log has grown past WORK_LOG_FOLDED: every open of the working database
        replays it, before any step can start (~0.13 s a MB at 10,000 reports: a build leaves
        up to 16 MB, a re-run adds ~70 KB), while the checkpoint runs beside the page's
        rendering (~0.1 s after a few re-runs at 10,000 reports). Returns whether it did."""
        pause_at("publish.folding")
        log = Path(f"{self.work_database}.wal")
        if not log.exists() or log.stat().st_size <= WORK_LOG_FOLDED:
            return False
        conn.execute("CHECKPOINT work")
        return True

    @contextmanager
    def get_connection(self) -> Iterator[duckdb_client.DuckDBPyConnection]:
        if self._open is None:
            # Outside a run (a script, a notebook): the database is opened for this connection.
            with self._connect() as conn:
                yield conn
            return
        with self._open.cursor() as conn:
            yield conn


# The size of the work catalog's write-ahead log above which a run folds it into the file: a
# few re-runs' logs. At 2 MB the next open replayed 1 MB on average, ~0.13 s of every re-run at
# 10,000 reports.
WORK_LOG_FOLDED = 256 * 2**10

# What the working database may hold in memory, its cache of pages included, however large the
# corpus: it stays open for the whole run, and would otherwise keep every page it read. A query
# that needs more spills to a file beside it. The stages' batches need less than their cache
# would keep: a rebuild over 10,000 reports (a change of code) peaked at 1,155 MB with 300 MB,
# 1,017 MB with 200 MB, in the same time. Publishing takes more (PUBLISHING_MEMORY).
WORKING_MEMORY = "200MB"
# While publishing: the standby's update and the report page's rendering (60-100 MB at 10,000
# reports) share it.
PUBLISHING_MEMORY = "400MB"


@dg.definitions
def resources() -> dg.Definitions:
    settings = load_settings()
    settings.staging.parent.mkdir(parents=True, exist_ok=True)
    return dg.Definitions(
        # Every run in one process, the jobs' and those the UI starts for a selection alike: the
        # working DuckDB file takes one writer, and the build lock is held by the run's process.
        executor=dg.in_process_executor,
        resources={
            "corpus": CorpusResource(
                sources=str(settings.sources), warehouse=str(settings.warehouse)
            ),
            "duckdb": WorkingDatabase(
                database=str(settings.staging),
                work_database=str(settings.work_database),
                connection_config={"memory_limit": WORKING_MEMORY},
            ),
        },
    )
