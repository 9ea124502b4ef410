"""Unattended operation: the inbox sensor starts a build when report files arrive, and the
project's instance runs one build at a time."""

from __future__ import annotations

import shutil
from pathlib import Path

import dagster as dg
import pytest
import yaml

from pipelines.defs.landing.sensors import inbox_sensor
from pipelines.settings import PROJECT_ROOT
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
