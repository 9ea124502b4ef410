"""Unattended operation: the inbox sensor starts a build when report files arrive, the
project's instance runs one build at a time, and a build by hand waits for the one running."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest
import yaml

from pipelines.defs.landing.sensors import inbox_sensor
from pipelines.settings import PROJECT_ROOT, Settings
from pipelines.warehouse.build_lock import build_lock
from tests.conftest import SEEDS


def evaluate(cursor: str | None) -> dg.SensorResult:
    return inbox_sensor(dg.build_sensor_context(cursor=cursor))


def test_the_inbox_sensor_starts_one_build_per_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    monkeypatch.setenv("FAZHI_SOURCES", str(inbox))
    shutil.copy(SEEDS / "000_39ca0c9c455ce9cc.txt", inbox)
    first = evaluate(None)
    assert len(first.run_requests) == 1
    assert first.run_requests[0].job_name in (None, "build_warehouse")
    # Nothing new: no run.
    quiet = evaluate(first.cursor)
    assert not quiet.run_requests
    assert "no change among 1 files" in quiet.skip_reason.skip_message
    # A new report arrives: one more run, with a key of its own.
    shutil.copy(SEEDS / "002_0d1779802d6e58b2.txt", inbox)
    second = evaluate(first.cursor)
    assert len(second.run_requests) == 1
    assert second.run_requests[0].run_key != first.run_requests[0].run_key


def test_the_instance_runs_one_build_at_a_time() -> None:
    config = yaml.safe_load((PROJECT_ROOT / "dagster.yaml").read_text(encoding="utf-8"))
    assert config["concurrency"]["runs"]["max_concurrent_runs"] == 1
    assert config["concurrency"]["pools"]["default_limit"] == 1
    from pipelines.definitions import defs

    pools = {
        node.name: node.definition.pool
        for node in defs().resolve_job_def("build_warehouse").graph.nodes
    }
    assert set(pools.values()) == {"warehouse"}


def test_a_build_by_hand_waits_for_the_build_running(tmp_path: Path) -> None:
    sources = tmp_path / "sources"
    sources.mkdir()
    shutil.copy(SEEDS / "003_38f8238b59c0effd.txt", sources)
    warehouse = tmp_path / "warehouse" / "fazhi.duckdb"
    env = {
        **os.environ,
        "FAZHI_SOURCES": str(sources),
        "FAZHI_WAREHOUSE": str(warehouse),
        "FAZHI_DAGSTER_STORAGE": str(tmp_path / "dagster"),
    }
    staging = Settings(sources=sources, warehouse=warehouse).staging
    with build_lock(staging):
        build = subprocess.Popen(
            [sys.executable, "-m", "pipelines.cli", "build"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        # While another build holds the warehouse, this one waits and writes nothing.
        with pytest.raises(subprocess.TimeoutExpired):
            build.wait(timeout=4)
        assert not warehouse.exists()
    out, err = build.communicate(timeout=120)
    assert build.returncode == 0, err
    assert "another build of this warehouse is running; waiting for it" in err
    assert "1 reports from 1 regions" in out
    assert warehouse.exists()
