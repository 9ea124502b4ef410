"""The kill harness: a real `fazhi build` killed hard (SIGKILL to its process group) at every
stage, each time at a named point (pipelines/fault_injection.py) the test waits for. After
each kill the published warehouse is the one before, byte for byte, and the next build, with no
flag and no help, completes and publishes exactly what a build from scratch publishes.

The killed build takes in a changed corpus (a report gone, one renamed, one new), so every
stage has rows to delete, to replace and to make when it dies. The module prints a table of
kill point and outcome at its end. (A kill between forgetting stale keys and deleting their
rows is tested on refresh itself, in tests/test_incremental.py.)
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest

from pipelines.cli import main as fazhi
from pipelines.defs.runs import alive_folder
from pipelines.warehouse.publish import standby_path
from tests.conftest import SEEDS, comparable_tables, run_build
from tests.processes import HANG, Deployment, kill_group, start, wait_for_file
from tests.report_files import as_doc, as_docx

POINTS = {
    "landing.stored": "landing: inputs in the store, their arrivals not yet logged",
    "chrome_candidates.rows_written": (
        "reading: a batch's candidate chrome, found beside the next batch's reading, keys not in"
    ),
    "cleaning.rows_written": "cleaning: a batch's boilerplate rows in, its work rows and keys not",
    "reports.rows_written": "metadata: a batch's reports, made beside the next cleaning, keys not in",
    "structure.rows_written": "structure: a batch's sections and sentences in, their keys not",
    "facts.rows_written": "facts: a batch's facts in, their keys not",
    "terms.rows_written": "terms: a batch's terms in, their work rows and keys not",
    "invariants.rows_written": "quality: a batch's invariants checked, findings and keys not in",
    "seal.rewritten": "publish: the working reports table written again, not committed",
    "publish.standby_changing": "publish: the standby half brought up to date, not committed",
    "publish.copied": "publish: the standby complete and synced, not yet swapped in",
    "publish.folding": "publish: swapped in, the page being drawn, the work log not folded",
}
# Points after the new warehouse is swapped in: readers see it, whole, from then on.
SWAPPED_IN = {"publish.folding"}


@pytest.fixture(scope="module", autouse=True)
def publish_by_update() -> Iterator[None]:
    """Every build here publishes by updating the standby, as a large warehouse does (the seeds'
    would be copied whole), so that a kill can find it half updated; and seals the reports
    table of the working file and of the standby at every build (sealing.py), as a large
    warehouse does once 256 reports were added, so that a kill can find that half done too."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("FAZHI_COPY_BELOW_MB", "0")
        monkeypatch.setenv("FAZHI_SEAL_AFTER_ROWS", "1")
        yield


def change_corpus(sources: Path) -> None:
    """A report taken away, one renamed (same report, another key), one new."""
    (sources / "000_39ca0c9c455ce9cc.txt").unlink()
    (sources / "002_0d1779802d6e58b2.txt").rename(sources / "002_renamed.txt")
    shutil.copy(SEEDS / "004_67f9df3a2b388bff.txt", sources)


def kill_build_at(deployment: Deployment, point: str, log: Path) -> None:
    """Start `fazhi build` on the deployment, wait until it pauses at point, and kill its whole
    process group (SIGKILL); its output goes to log."""
    killed = start(["-m", "pipelines.cli", "build"], deployment.env(pause_at=point), log)
    wait_for_file(deployment.paused, killed, log)
    kill_group(killed)


def build_by_hand_here(deployment: Deployment) -> int:
    """`fazhi build` on the deployment, run in this process, which has loaded the definitions
    already, and in a thread of its own, so a build that never ends fails the test instead of
    hanging it (a run blocked by Dagster's pool does not hear signals)."""
    outcome: list[int | BaseException] = []

    def build() -> None:
        try:
            outcome.append(fazhi(["build"]))
        except BaseException as error:
            outcome.append(error)

    with deployment.environment():
        thread = threading.Thread(target=build, daemon=True)
        thread.start()
        thread.join(HANG)
    assert outcome, f"the build after the killed one still runs after {HANG} s"
    if isinstance(outcome[0], BaseException):
        raise outcome[0]
    return outcome[0]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Deployment:
    """A deployment that has built four seeds by hand: the state every kill starts from."""
    deployment = Deployment(tmp_path_factory.mktemp("kills") / "built")
    deployment.sources.mkdir(parents=True)
    for seed in sorted(SEEDS.glob("*.txt"))[:4]:
        shutil.copy(seed, deployment.sources)
    with deployment.environment():
        assert fazhi(["build"]) == 0
    return deployment


@pytest.fixture(scope="module")
def from_scratch(tmp_path_factory: pytest.TempPathFactory, built: Deployment) -> dict:
    """What a build from scratch of the changed corpus publishes."""
    root = tmp_path_factory.mktemp("from_scratch")
    shutil.copytree(built.sources, root / "sources")
    change_corpus(root / "sources")
    warehouse = root / "warehouse" / "fazhi.duckdb"
    with pytest.MonkeyPatch.context() as monkeypatch:
        assert run_build(root / "sources", warehouse, monkeypatch).result.success
    return comparable_tables(warehouse)


@pytest.fixture(scope="module")
def outcomes(request: pytest.FixtureRequest) -> Iterator[dict[str, str]]:
    """Kill point → outcome, printed as a table once every point has been tried."""
    table: dict[str, str] = {}
    yield table
    plugins = request.config.pluginmanager
    reporter, capture = plugins.get_plugin("terminalreporter"), plugins.get_plugin("capturemanager")
    if reporter and capture and table:
        with capture.global_and_fixture_disabled():
            reporter.write_line("")
            reporter.write_line(f"{'kill point':<24} {'in flight':<68} outcome")
            for point, outcome in table.items():
                reporter.write_line(f"{point:<24} {POINTS[point]:<68} {outcome}")


@pytest.mark.parametrize("point", POINTS)
def test_a_build_killed_at_any_point_is_completed_by_the_next_as_if_never_killed(
    point: str,
    built: Deployment,
    from_scratch: dict,
    outcomes: dict[str, str],
    tmp_path: Path,
    capfd: pytest.CaptureFixture[str],
) -> None:
    outcomes[point] = "failed"
    deployment = Deployment(tmp_path / "deployment")
    shutil.copytree(built.root, deployment.root)
    published = digest(deployment.warehouse)
    change_corpus(deployment.sources)

    kill_build_at(deployment, point, tmp_path / "killed.log")
    if point in SWAPPED_IN:
        assert comparable_tables(deployment.warehouse) == from_scratch
    else:
        # Readers still see the warehouse of the build before, untouched.
        assert digest(deployment.warehouse) == published

    capfd.readouterr()
    started = time.monotonic()
    assert build_by_hand_here(deployment) == 0
    seconds = time.monotonic() - started
    err = capfd.readouterr().err
    assert comparable_tables(deployment.warehouse) == from_scratch
    assert not list(deployment.warehouse.parent.glob("*.building*"))
    with deployment.instance() as instance:
        runs = instance.get_runs()
        dead = runs[1]
        assert dead.status == dg.DagsterRunStatus.FAILURE
        assert runs[0].status == dg.DagsterRunStatus.SUCCESS
        assert instance.event_log_storage.get_concurrency_run_ids() == set()
    assert f"freed pool slot of run {dead.run_id}, whose process is gone" in err
    outcomes[point] = (
        f"{'new one published' if point in SWAPPED_IN else 'published kept'}; next build freed the dead run's slot, completed in {seconds:.0f} s, "
        "equals a build from scratch"
    )


def test_a_build_killed_after_copying_the_standby_anew_is_completed_by_the_next(
    built: Deployment, from_scratch: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When more reports changed than an update is worth (publish.UPDATE_AT_MOST), the standby
    is copied anew instead: killed once that copy is complete and synced, before the swap,
    readers keep the warehouse of before, and the next build completes and equals a build from
    scratch."""
    # Large enough to be updated, as far as its size goes: the share of changes decides.
    monkeypatch.setenv("FAZHI_COPY_BELOW_MB", "0.0001")
    deployment = Deployment(tmp_path / "deployment")
    shutil.copytree(built.root, deployment.root)
    published = digest(deployment.warehouse)
    standby = standby_path(deployment.warehouse)
    updated_in_place = standby.stat().st_ino
    change_corpus(deployment.sources)

    kill_build_at(deployment, "publish.copied", tmp_path / "killed.log")
    assert standby.stat().st_ino != updated_in_place
    assert digest(deployment.warehouse) == published

    assert build_by_hand_here(deployment) == 0
    assert comparable_tables(deployment.warehouse) == from_scratch
    assert not list(deployment.warehouse.parent.glob("*.building*"))


def test_a_first_build_killed_after_putting_its_small_warehouse_in_place_is_completed(
    built: Deployment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first publication of a small warehouse renames its standby into place (no second
    copy): killed before the record of what it holds is written, the file there is whole and
    the next build publishes what a build from scratch does."""
    monkeypatch.setenv("FAZHI_COPY_BELOW_MB", "256")
    deployment = Deployment(tmp_path / "deployment")
    shutil.copytree(built.sources, deployment.sources)

    kill_build_at(deployment, "publish.first_renamed", tmp_path / "killed.log")
    assert not standby_path(deployment.warehouse).exists()
    assert comparable_tables(deployment.warehouse) == comparable_tables(built.warehouse)

    assert build_by_hand_here(deployment) == 0
    assert comparable_tables(deployment.warehouse) == comparable_tables(built.warehouse)
    assert not list(deployment.warehouse.parent.glob("*.building*"))


STOPPING = [signal.SIGINT, signal.SIGTERM, signal.SIGHUP]


@pytest.mark.parametrize("stop", STOPPING, ids=["ctrl-c", "sigterm", "terminal-closed"])
def test_a_build_told_to_stop_ends_at_once_in_one_line_and_the_next_completes_it(
    stop: signal.Signals,
    built: Deployment,
    from_scratch: dict,
    tmp_path: Path,
    capfd: pytest.CaptureFixture[str],
) -> None:
    """Ctrl-C, SIGTERM or the terminal closing in the middle of a build (its facts being
    written) ends it at once: one line, the shell's code for the signal, its run marked
    canceled and its pool slot freed by itself; readers keep the warehouse of before, and the
    next build has nothing to free and publishes what a build from scratch does."""
    deployment = Deployment(tmp_path / "deployment")
    shutil.copytree(built.root, deployment.root)
    published = digest(deployment.warehouse)
    change_corpus(deployment.sources)

    build = start(
        ["-m", "pipelines.cli", "build"],
        deployment.env(pause_at="facts.rows_written"),
        subprocess.PIPE,
    )
    wait_for_file(deployment.paused, build)
    build.send_signal(stop)
    _, err = build.communicate(timeout=HANG)
    assert build.returncode == 128 + stop
    how = {signal.SIGINT: "Ctrl-C", signal.SIGTERM: "SIGTERM", signal.SIGHUP: "the terminal"}
    (line,) = err.splitlines()
    assert line.startswith(f"fazhi build: stopped by {how[stop]}"), err
    assert "the run is marked canceled" in line
    assert digest(deployment.warehouse) == published
    with deployment.instance() as instance:
        (stopped,) = instance.get_runs(limit=1)
        assert stopped.status == dg.DagsterRunStatus.CANCELED
        assert instance.event_log_storage.get_concurrency_run_ids() == set()
        assert not list(alive_folder(instance).glob(f"{stopped.run_id}*"))

    capfd.readouterr()
    assert build_by_hand_here(deployment) == 0
    err = capfd.readouterr().err
    assert "freed pool slot" not in err and "marked run" not in err, err
    assert comparable_tables(deployment.warehouse) == from_scratch


def converter_groups() -> set[int]:
    """The process groups of the LibreOffice conversions running on this machine (each has a
    folder of its own, named fazhi-convert-..., in its command line)."""
    groups = set()
    for process in Path("/proc").glob("[0-9]*"):
        try:
            command = (process / "cmdline").read_bytes()
            fields = (process / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # After the command's name: state, parent, process group.
        if b"fazhi-convert-" in command and fields[0] != "Z":
            groups.add(int(fields[2]))
    return groups


def test_a_build_stopped_while_converting_a_document_ends_the_conversion_too(
    built: Deployment, tmp_path: Path
) -> None:
    """LibreOffice runs in a session of its own (so that its whole group can be killed at its
    time limit): a build stopped while it converts must kill it, or it runs on, orphaned."""
    deployment = Deployment(tmp_path / "deployment")
    shutil.copytree(built.root, deployment.root)
    text = (SEEDS / "004_67f9df3a2b388bff.txt").read_text(encoding="utf-8")
    (deployment.sources / "report.doc").write_bytes(
        as_doc(as_docx([line for line in text.split("\n") if line.strip()]))
    )
    before = converter_groups()

    build = start(
        ["-m", "pipelines.cli", "build"],
        deployment.env(pause_at="convert.started"),
        subprocess.PIPE,
    )
    wait_for_file(deployment.paused, build)
    (group,) = converter_groups() - before
    # Held still, so that only a kill can end it before the build does.
    os.killpg(group, signal.SIGSTOP)
    try:
        build.send_signal(signal.SIGTERM)
        _, err = build.communicate(timeout=HANG)
        assert build.returncode == 128 + signal.SIGTERM, err
        deadline = time.monotonic() + HANG
        while group in converter_groups():
            assert time.monotonic() < deadline, "the conversion outlived the build stopped"
            time.sleep(0.02)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(group, signal.SIGKILL)
