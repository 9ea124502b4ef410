"""Shared fixtures: real Dagster runs of the real asset graph into temporary warehouses."""

from __future__ import annotations

import shutil
import signal
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from pipelines.settings import PROJECT_ROOT
from pipelines.warehouse.tables import public_tables

SEEDS = PROJECT_ROOT / "seeds"
DATA = Path(__file__).parent / "data"


def pytest_configure() -> None:
    # Started in the background of a script, the tests inherit SIGINT ignored. A Dagster run
    # gives SIGTERM whatever handler SIGINT has once it is over, so every later run's log
    # tails would ignore SIGTERM too, and Dagster waits 30 s for each one it cannot stop (a kill
    # test took 65 s instead of 5). Python's own handler is what a terminal gives the tests.
    if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


@dataclass
class Build:
    sources: Path
    warehouse: Path
    result: dg.ExecuteInProcessResult

    def connect(self) -> duckdb.DuckDBPyConnection:
        return duckdb.connect(str(self.warehouse), read_only=True)


# Columns that differ between two warehouses by design: when and where a file was stored.
PER_WAREHOUSE = ("arrived_at", "is_new", "stored_path")
# Tables that became views (sql/keywords.sql), compared as the tables were.
TABLES_NOW_VIEWS = ("keywords",)


def comparable_tables(warehouse: Path) -> dict[str, list[tuple]]:
    """Every public table's rows, and those of the views that replaced tables, in order,
    without the columns that differ by design."""
    excluded = ", ".join(f"'{column}'" for column in PER_WAREHOUSE)
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        return {
            name: conn.execute(
                f"SELECT COLUMNS(c -> c NOT IN ({excluded})) FROM {name} ORDER BY ALL"
            ).fetchall()
            for name in [*public_tables(), *TABLES_NOW_VIEWS]
        }


def run_build(sources: Path, warehouse: Path, monkeypatch: pytest.MonkeyPatch) -> Build:
    """Materialize the whole asset graph with the project's own definitions."""
    monkeypatch.setenv("FAZHI_SOURCES", str(sources))
    monkeypatch.setenv("FAZHI_WAREHOUSE", str(warehouse))
    from pipelines.definitions import defs

    job = defs().resolve_job_def("build_warehouse")
    with dg.DagsterInstance.ephemeral() as instance:
        result = job.execute_in_process(
            instance=instance,
            raise_on_error=False,
            run_config={"loggers": {"console": {"config": {"log_level": "WARNING"}}}},
        )
    return Build(sources, warehouse, result)


@pytest.fixture(scope="session")
def seeds_build(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Build]:
    """The five seeds plus inputs that must be rejected, built once for the session."""
    root = tmp_path_factory.mktemp("seeds_build")
    sources = root / "sources"
    shutil.copytree(SEEDS, sources)
    (sources / "bad").mkdir()
    (sources / "bad" / "empty.txt").write_bytes(b"")
    (sources / "bad" / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    # The same bytes under another name are one report, not two.
    shutil.copy(SEEDS / "001_d9e95e2a48e67257.txt", sources / "bad" / "copy_of_001.txt")
    with pytest.MonkeyPatch.context() as monkeypatch:
        yield run_build(sources, root / "warehouse" / "fazhi.duckdb", monkeypatch)


@pytest.fixture
def project_instance(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[dg.DagsterInstance]:
    """The project's Dagster instance (dagster.yaml), its storage in a folder of the test's."""
    monkeypatch.setenv("DAGSTER_HOME", str(PROJECT_ROOT))
    monkeypatch.setenv("FAZHI_DAGSTER_STORAGE", str(tmp_path / "dagster"))
    with dg.DagsterInstance.get() as instance:
        yield instance
