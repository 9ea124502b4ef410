"""`fazhi build` with nothing new publishes nothing and starts no Dagster run; anything a build
depends on, changed, makes it build."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipelines.up_to_date import code_key
from tests.conftest import SEEDS

FAZHI = Path(sys.executable).with_name("fazhi")
NOTHING_NEW = "nothing new since the build of"


def runs_recorded(storage: Path) -> int:
    """Dagster runs in the instance's storage: one event-log database each."""
    return len(
        [path for path in (storage / "history" / "runs").glob("*.db") if path.stem != "index"]
    )


@pytest.fixture
def fazhi_build(tmp_path: Path):
    sources = tmp_path / "sources"
    shutil.copytree(SEEDS, sources)
    warehouse = tmp_path / "warehouse" / "fazhi.duckdb"
    storage = tmp_path / "dagster"

    def build(*args: str, reports: int = 5, **env: str) -> tuple[str, int]:
        """(what it printed, Dagster runs recorded after it), with so many reports published."""
        done = subprocess.run(
            [str(FAZHI), "build", *args],
            capture_output=True,
            text=True,
            env=os.environ
            | {
                "FAZHI_SOURCES": str(sources),
                "FAZHI_WAREHOUSE": str(warehouse),
                "FAZHI_DAGSTER_STORAGE": str(storage),
            }
            | env,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        assert f"数据库 fazhi warehouse: {reports} reports" in done.stdout
        return done.stdout, runs_recorded(storage)

    build.sources = sources
    build.warehouse = warehouse
    return build


def test_a_build_with_nothing_new_starts_no_run_and_any_change_builds(fazhi_build) -> None:
    out, runs = fazhi_build()
    assert NOTHING_NEW not in out and runs == 1
    published = fazhi_build.warehouse.stat()

    out, runs = fazhi_build()
    assert NOTHING_NEW in out and runs == 1
    # The published file was not touched.
    assert fazhi_build.warehouse.stat().st_mtime_ns == published.st_mtime_ns

    # The same bytes written again: the file's change time moved, so it is landed again.
    seed = next(fazhi_build.sources.glob("*.txt"))
    seed.write_bytes(seed.read_bytes())
    out, runs = fazhi_build()
    assert NOTHING_NEW not in out and runs == 2
    out, runs = fazhi_build()
    assert NOTHING_NEW in out and runs == 2

    # Another setting, a warehouse removed by hand, or --force: each builds.
    out, runs = fazhi_build(FAZHI_CONVERT_TIMEOUT="99")
    assert NOTHING_NEW not in out and runs == 3
    fazhi_build.warehouse.unlink()
    out, runs = fazhi_build(FAZHI_CONVERT_TIMEOUT="99")
    assert NOTHING_NEW not in out and runs == 4
    out, runs = fazhi_build("--force", FAZHI_CONVERT_TIMEOUT="99")
    assert NOTHING_NEW not in out and runs == 5


def test_the_code_key_follows_every_file_of_the_code(tmp_path: Path) -> None:
    rules = tmp_path / "pipelines" / "rules"
    rules.mkdir(parents=True)
    (rules / "units.tsv").write_text("件\tcount\n", encoding="utf-8")
    (tmp_path / "sql").mkdir()
    (tmp_path / "sql" / "view.sql").write_text("SELECT 1;", encoding="utf-8")
    first = code_key(tmp_path)
    (rules / "units.tsv").write_text("件\tcount\n起\tcount\n", encoding="utf-8")
    second = code_key(tmp_path)
    (tmp_path / "sql" / "view.sql").write_text("SELECT 2;", encoding="utf-8")
    third = code_key(tmp_path)
    # Bytecode caches are not code.
    (tmp_path / "pipelines" / "__pycache__").mkdir()
    (tmp_path / "pipelines" / "__pycache__" / "x.pyc").write_bytes(b"\0")
    assert len({first, second, third}) == 3
    assert code_key(tmp_path) == third


def test_a_store_object_damaged_since_the_last_build_makes_the_next_one_run(fazhi_build) -> None:
    """Truncated or replaced since the last build, an object of the store made no build run
    ("nothing new"), and the damage stayed unseen until a build was forced."""
    fazhi_build()
    objects = sorted((fazhi_build.warehouse.parent / "store" / "objects").glob("*/*"))
    damaged = objects[0]
    damaged.chmod(0o644)
    damaged.write_bytes(damaged.read_bytes()[:10])
    # It runs, and withholds the report whose object the store check finds damaged.
    out, runs = fazhi_build(reports=4)
    assert NOTHING_NEW not in out and runs == 2
