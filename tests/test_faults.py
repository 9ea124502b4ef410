"""Faults: a build killed hard leaves the published warehouse intact and the next build
completes; two builds over the same inputs give identical tables."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from pipelines.settings import Settings
from pipelines.warehouse.tables import public_tables
from tests.conftest import SEEDS, run_build


def table_contents(warehouse: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        return {
            name: conn.execute(f"SELECT * FROM {name} ORDER BY ALL").fetchall()
            for name in public_tables()
        }


def test_two_builds_over_the_same_inputs_give_identical_tables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sources = tmp_path / "sources"
    shutil.copytree(SEEDS, sources)
    warehouse = tmp_path / "warehouse" / "fazhi.duckdb"
    assert run_build(sources, warehouse, monkeypatch).result.success
    first = table_contents(warehouse)
    assert run_build(sources, warehouse, monkeypatch).result.success
    second = table_contents(warehouse)
    assert first.keys() == second.keys()
    for name in first:
        assert first[name] == second[name], name


def test_a_build_killed_hard_leaves_the_published_warehouse_and_the_next_build_completes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sources = tmp_path / "sources"
    sources.mkdir()
    shutil.copy(SEEDS / "003_38f8238b59c0effd.txt", sources)
    warehouse = tmp_path / "warehouse" / "fazhi.duckdb"
    assert run_build(sources, warehouse, monkeypatch).result.success
    for seed in SEEDS.glob("*.txt"):
        shutil.copy(seed, sources)
    staging = Settings(sources=sources, warehouse=warehouse).staging
    before = staging.stat().st_mtime_ns
    build = subprocess.Popen(
        [sys.executable, "-m", "pipelines.cli", "build"],
        env={
            **os.environ,
            "FAZHI_SOURCES": str(sources),
            "FAZHI_WAREHOUSE": str(warehouse),
            "FAZHI_DAGSTER_STORAGE": str(tmp_path / "dagster"),
        },
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    # Kill it once it has begun writing the working database, mid-run.
    deadline = time.monotonic() + 60
    while staging.stat().st_mtime_ns == before and build.poll() is None:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    os.kill(build.pid, signal.SIGKILL)
    build.wait(timeout=30)
    assert build.returncode == -signal.SIGKILL
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        assert conn.execute("SELECT count(*) FROM reports").fetchone() == (1,)
        assert conn.execute("SELECT count(*) FROM marts.indicator_matrix").fetchone() == (1,)
    # As if a build had been killed while publishing, too.
    (warehouse.parent / f".{warehouse.name}.0123abcd.building").write_bytes(b"half a file")
    rerun = run_build(sources, warehouse, monkeypatch)
    assert rerun.result.success
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        assert conn.execute("SELECT count(*) FROM reports").fetchone() == (5,)
    assert not list(warehouse.parent.glob("*.building*"))
