"""`make ui` as an operator runs it: it says what will run by itself and when the inbox sensor
will start a build, serves the UI, and stops, daemon and all, on SIGTERM, even when started in
the background by a script (which starts it with SIGINT ignored)."""

from __future__ import annotations

import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from pipelines.settings import PROJECT_ROOT
from pipelines.ui import inbox_line

DAGSTER = Path(sys.executable).with_name("dagster")
# Bounds on a hung process, never waits for something to happen: the test goes on as soon as
# the line it waits for is printed or the process has exited.
HANG = 600


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def living(group: int) -> list[str]:
    """The processes of a process group that have not ended (a zombie has ended: init reaps
    it, or in a container without one, nobody does)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            state, _, pgid = (entry / "stat").read_text().rsplit(")", 1)[1].split()[:3]
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if int(pgid) == group and state != "Z":
            found.append(f"{entry.name} {command[:80]}")
    return found


def serves(url: str) -> bool:
    """Whether url answers 200; the webserver says it serves just before it listens."""
    deadline = time.monotonic() + HANG
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=HANG) as response:
                return response.status == 200
        except urllib.error.URLError:
            time.sleep(0.2)
    return False


def test_the_inbox_sensor_says_when_it_will_start_a_build(tmp_path: Path) -> None:
    never = inbox_line(True, None, "abc", 5, tmp_path, 60)
    assert "WILL START A BUILD as soon as the daemon is up" in never
    assert "never run" in never and "5 files" in never
    changed = inbox_line(True, "old", "new", 6, tmp_path, 60)
    assert "WILL START A BUILD" in changed and "has changed since the last build" in changed
    quiet = inbox_line(True, "same", "same", 6, tmp_path, 60)
    assert quiet.startswith("on: no build now") and "within 60 s" in quiet
    assert inbox_line(False, None, "abc", 5, tmp_path, 60).startswith("off: no build starts")


def test_make_ui_says_what_runs_and_stops_on_sigterm(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    env = os.environ | {
        "FAZHI_DAGSTER_STORAGE": str(tmp_path / "dagster"),
        "FAZHI_SOURCES": str(corpus),
        "FAZHI_WAREHOUSE": str(tmp_path / "warehouse" / "fazhi.duckdb"),
        "DAGSTER_HOME": str(PROJECT_ROOT),
    }
    # As the README says: turn the inbox sensor off before starting, so the daemon starts no
    # build in this test.
    stop = subprocess.run(
        [str(DAGSTER), "sensor", "stop", "inbox_sensor", "-m", "pipelines.definitions"],
        env=env,
        capture_output=True,
        text=True,
        timeout=HANG,
        check=False,
    )
    assert stop.returncode == 0, stop.stderr
    port = free_port()
    ui = subprocess.Popen(
        ["make", "--no-print-directory", "-s", "ui", f"UI_PORT={port}"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
        # What `make ui &` in a script gets: SIGINT ignored.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
    )
    lines: queue.Queue[str | None] = queue.Queue()
    threading.Thread(
        target=lambda: [*map(lines.put, ui.stdout), lines.put(None)], daemon=True
    ).start()
    printed = []
    try:
        ready = f"Serving dagster-webserver on http://127.0.0.1:{port}"
        while not printed or ready not in printed[-1]:
            line = lines.get(timeout=HANG)
            assert line is not None, "make ui ended before serving:\n" + "".join(printed)
            printed.append(line)
        assert serves(f"http://127.0.0.1:{port}/server_info")
        os.kill(ui.pid, signal.SIGTERM)
        while (line := lines.get(timeout=HANG)) is not None:
            printed.append(line)
        ui.wait(timeout=HANG)
        # Every process it started has ended: the webserver, the daemon, the code servers.
        deadline = time.monotonic() + HANG
        while living(ui.pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert living(ui.pid) == []
    finally:
        if living(ui.pid):
            os.killpg(ui.pid, signal.SIGKILL)
    out = "".join(printed)
    assert f"the Dagster web UI on http://127.0.0.1:{port}" in out
    assert "sensor   inbox_sensor: off: no build starts when files arrive in" in out
    assert "schedule nightly_rebuild: off, runs job build_warehouse" in out
    assert "schedule weekly_crawl: off, runs job crawl_sources" in out
    assert "Dagster services shut down." in out


def test_the_readme_names_the_schedules_and_sensors_as_they_are() -> None:
    from pipelines.definitions import defs

    text = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    definitions = defs()
    for automation in [*(definitions.sensors or []), *(definitions.schedules or [])]:
        assert f"`{automation.name}`" in text, automation.name
    assert "`crawl_sources` job" in text
    assert "start stopped" in text
