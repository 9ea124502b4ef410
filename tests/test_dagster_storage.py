"""The project's Dagster storage (pipelines/defs/storage.py): the event log keeps its SQLite
files open between events, and still every other process (the webserver, the daemon, the next
build) reads each event a run wrote, also after the storage was wiped."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage
from dagster.version import __version__ as DAGSTER_VERSION

from pipelines.defs.storage import KEPT_ENGINES, TEMPLATES, KeptEngineEventLogStorage
from pipelines.settings import PROJECT_ROOT

EVENTS_LOGGED = 40


@dg.op
def chatty(context: dg.OpExecutionContext) -> None:
    for number in range(EVENTS_LOGGED):
        context.log.info(f"event {number}")


@dg.job
def chatty_job() -> None:
    chatty()


# As the webserver reads a run: a process of its own, with the project's instance.
COUNT_EVENTS = """
import sys
import dagster as dg
with dg.DagsterInstance.get() as instance:
    print(len(instance.all_logs(sys.argv[1])))
"""


def events_seen_elsewhere(run_id: str) -> int:
    done = subprocess.run(
        [sys.executable, "-c", COUNT_EVENTS, run_id],
        env=dict(os.environ),
        capture_output=True,
        text=True,
        check=True,
        cwd=PROJECT_ROOT,
    )
    return int(done.stdout.strip().splitlines()[-1])


@pytest.fixture
def instance(project_instance: dg.DagsterInstance) -> dg.DagsterInstance:
    assert isinstance(project_instance.event_log_storage, KeptEngineEventLogStorage)
    return project_instance


def test_every_event_a_run_writes_is_read_by_another_process(
    instance: dg.DagsterInstance,
) -> None:
    storage = instance.event_log_storage
    runs = []
    for _ in range(KEPT_ENGINES + 2):
        result = chatty_job.execute_in_process(instance=instance)
        assert result.success
        runs.append(result.run_id)
    written = len(instance.all_logs(runs[-1]))
    assert written > EVENTS_LOGGED
    # Read while this process still holds the run's file open.
    assert events_seen_elsewhere(runs[-1]) == written
    # Runs older than the files kept open are read again from their files.
    assert len(storage._engines) <= KEPT_ENGINES
    assert len(instance.all_logs(runs[0])) == written
    # Wiped, the storage sets its files up again for the next run.
    instance.wipe()
    after = chatty_job.execute_in_process(instance=instance)
    assert len(instance.all_logs(after.run_id)) == written
    assert events_seen_elsewhere(after.run_id) == written


def test_the_asset_index_columns_read_once_are_those_dagster_reads(
    instance: dg.DagsterInstance,
) -> None:
    storage = instance.event_log_storage
    stock = SqliteEventLogStorage(storage._base_dir)
    for column in ("last_materialization_timestamp", "cached_status_data", "no_such_column"):
        assert storage.has_asset_key_col(column) == stock.has_asset_key_col(column)
    assert storage.has_asset_key_index_cols() and storage.can_read_asset_status_cache()


def sqlite_layout(path: Path) -> tuple[list[tuple], list[tuple]]:
    """A SQLite file's tables and indexes (their SQL) and its Alembic revision."""
    with sqlite3.connect(path) as conn:
        schema = conn.execute(
            "SELECT type, name, sql FROM sqlite_master ORDER BY type, name"
        ).fetchall()
        revision = conn.execute("SELECT version_num FROM alembic_version").fetchall()
    return schema, revision


def test_a_run_file_starts_as_a_copy_of_one_dagster_set_up(
    instance: dg.DagsterInstance, tmp_path: Path
) -> None:
    storage = instance.event_log_storage
    first = chatty_job.execute_in_process(instance=instance)
    second = chatty_job.execute_in_process(instance=instance)
    templates = list((Path(storage._base_dir) / TEMPLATES).iterdir())
    assert [path.name for path in templates] == [f"run-{DAGSTER_VERSION}.db"]
    # The same tables, indexes and revision as a run file Dagster sets up itself.
    stock = SqliteEventLogStorage(str(tmp_path / "stock"))
    with stock.run_connection("made_by_dagster"):
        pass
    made_by_dagster = sqlite_layout(Path(stock.path_for_shard("made_by_dagster")))
    for result in (first, second):
        assert sqlite_layout(Path(storage.path_for_shard(result.run_id))) == made_by_dagster
        assert events_seen_elsewhere(result.run_id) == len(instance.all_logs(result.run_id))
