"""Unattended operation: the inbox sensor starts a build when report files arrive, the
project's instance runs one build at a time, and every run that writes, whoever started it,
waits for the one running and says for whom."""

from __future__ import annotations

import shutil
import signal
import subprocess
from pathlib import Path

import dagster as dg
import duckdb
import pytest
import yaml

from pipelines.defs.landing.sensors import inbox_sensor
from pipelines.defs.runs import free_dead_runs
from pipelines.settings import PROJECT_ROOT, Settings
from pipelines.warehouse.build_lock import Holder, build_lock
from tests.conftest import SEEDS, run_build
from tests.processes import HANG, Deployment, start, wait_for_line


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


def test_a_run_of_a_warehouse_whose_folder_holds_another_fails_before_writing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A run the UI, a schedule or a sensor starts is refused like a build by hand (whose
    # command refuses it before any run, tests/test_cli.py).
    warehouse = tmp_path / "w" / "b.duckdb"
    other = Settings(SEEDS, warehouse.with_name("a.duckdb")).staging
    other.parent.mkdir(parents=True)
    duckdb.connect(str(other)).close()
    built = run_build(SEEDS, warehouse, monkeypatch)
    assert not built.result.success
    failure = next(event for event in built.result.all_events if event.is_failure)
    assert f"{other.parent} keeps the working files of the warehouse a.duckdb" in str(
        failure.event_specific_data.error
    )
    assert not Settings(SEEDS, warehouse).staging.exists()
    assert not warehouse.exists()


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


@pytest.fixture
def deployment(tmp_path: Path) -> Deployment:
    (tmp_path / "sources").mkdir()
    shutil.copy(SEEDS / "003_38f8238b59c0effd.txt", tmp_path / "sources")
    return Deployment(tmp_path)


# A run started as the daemon starts one: the job executed in a process of its own, with the
# tags of the sensor that asked for it, and no fazhi command around it.
SENSOR_RUN = """
import sys
import dagster as dg
from pipelines.definitions import defs
with dg.DagsterInstance.get() as instance:
    result = defs().resolve_job_def("build_warehouse").execute_in_process(
        instance=instance, raise_on_error=False, tags={"dagster/sensor_name": "inbox_sensor"}
    )
sys.exit(0 if result.success else 1)
"""


def test_a_build_by_hand_waits_for_the_build_running(deployment: Deployment) -> None:
    nightly = Holder.this_process("the-nightly-build", "by schedule nightly_rebuild")
    with build_lock(deployment.staging, nightly):
        build = start(["-m", "pipelines.cli", "build"], deployment.env(), subprocess.PIPE)
        waiting = wait_for_line(build, "waiting for")
        # It says for whom it waits, and writes nothing meanwhile.
        assert f"another build of this warehouse is running; waiting for {nightly.describe()}" in (
            waiting
        )
        assert not deployment.staging.exists()
        assert not deployment.warehouse.exists()
    out, err = build.communicate(timeout=HANG)
    assert build.returncode == 0, err
    assert "1 reports from 1 regions" in out
    assert deployment.warehouse.exists()


def test_a_run_the_daemon_starts_waits_for_the_build_running(deployment: Deployment) -> None:
    by_hand = Holder.this_process("a-build-by-hand", "by hand (fazhi build)")
    with build_lock(deployment.staging, by_hand):
        run = start(["-c", SENSOR_RUN], deployment.env(), subprocess.PIPE)
        assert by_hand.describe() in wait_for_line(run, "waiting for")
        assert not deployment.staging.exists()
        with deployment.instance() as instance:
            (waiting,) = instance.get_runs()
            assert waiting.tags["dagster/sensor_name"] == "inbox_sensor"
            # A run that waits is alive: nobody marks it failed.
            assert free_dead_runs(instance) == []
            assert instance.get_run_by_id(waiting.run_id).status == dg.DagsterRunStatus.STARTED
    _, err = run.communicate(timeout=HANG)
    assert run.returncode == 0, err[-3000:]
    with deployment.instance() as instance:
        assert instance.get_run_by_id(waiting.run_id).status == dg.DagsterRunStatus.SUCCESS
    with duckdb.connect(str(deployment.warehouse), read_only=True) as conn:
        assert conn.execute("SELECT count(*) FROM reports").fetchone() == (1,)


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_a_build_waiting_for_another_stops_when_told_to(
    deployment: Deployment, stop: signal.Signals
) -> None:
    running = Holder.this_process("the-running-build", "by sensor inbox_sensor")
    with build_lock(deployment.staging, running):
        build = start(["-m", "pipelines.cli", "build"], deployment.env(), subprocess.PIPE)
        wait_for_line(build, "waiting for")
        build.send_signal(stop)
        _, err = build.communicate(timeout=HANG)
    assert build.returncode == 128 + stop, err
    assert err.splitlines()[-1].startswith("fazhi build: stopped by"), err
    assert "Traceback" not in err
    assert not deployment.staging.exists()
    with deployment.instance() as instance:
        (stopped,) = instance.get_runs()
        assert stopped.status == dg.DagsterRunStatus.CANCELED
        assert instance.event_log_storage.get_concurrency_run_ids() == set()
