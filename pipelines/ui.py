"""`make ui`: say what will run by itself, then start Dagster's web UI and daemon so that Ctrl-C
and SIGTERM stop them.

Before it starts, it prints every sensor and schedule with whether it is on (its default, or
what was set in the UI or with `dagster sensor|schedule start|stop`) and, for the inbox sensor,
whether it will start a build as soon as the daemon is up: it does when the corpus folder is not
as it was at the last build it started, which is always the case the first time.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import NoReturn

import dagster as dg
from dagster._core.scheduler.instigation import InstigatorState, InstigatorStatus

from pipelines.landing.inbox import inbox_fingerprint
from pipelines.settings import load_settings

MODULE = "pipelines.definitions"
INBOX_SENSOR = "inbox_sensor"
TURN_ON_OFF = (
    "Turn one on or off in the UI (Automation, then its name and the toggle), or before "
    "starting: DAGSTER_HOME=$PWD FAZHI_DAGSTER_STORAGE=.dagster .venv/bin/dagster "
    f"sensor|schedule start|stop NAME -m {MODULE}"
)


def is_on(default_running: bool, state: InstigatorState | None) -> bool:
    """Whether a sensor or schedule runs: as set in the instance (UI or CLI), else its default."""
    if state is not None and state.status in (InstigatorStatus.RUNNING, InstigatorStatus.STOPPED):
        return state.status == InstigatorStatus.RUNNING
    return default_running


def inbox_line(
    on: bool, cursor: str | None, fingerprint: str, files: int, sources: Path, interval: int
) -> str:
    """When the inbox sensor will start a build, in words."""
    if not on:
        return (
            f"off: no build starts when files arrive in {sources}; "
            "`fazhi build` or the UI's Materialize builds by hand"
        )
    if cursor is None:
        why = f"it has never run here, so the {files} files of {sources} are all new to it"
    elif cursor != fingerprint:
        why = f"{sources} ({files} files) has changed since the last build it started"
    else:
        return (
            f"on: no build now ({sources} is as it was at the last build it started); it "
            f"starts one within {interval} s of a file arriving, leaving or changing there"
        )
    return f"on: it WILL START A BUILD as soon as the daemon is up, seconds from now: {why}"


def sensor_cursor(state: InstigatorState | None) -> str | None:
    data = state.instigator_data if state is not None else None
    return getattr(data, "cursor", None)


def automation_lines(
    definitions: dg.Definitions, states: Iterable[InstigatorState], sources: Path
) -> list[str]:
    """One line per sensor and schedule: on or off, and what it does."""
    stored = {state.instigator_name: state for state in states}
    lines = ["What runs by itself (sensors and schedules):"]
    for sensor in sorted(definitions.sensors or [], key=lambda sensor: sensor.name):
        state = stored.get(sensor.name)
        on = is_on(sensor.default_status == dg.DefaultSensorStatus.RUNNING, state)
        if sensor.name == INBOX_SENSOR:
            fingerprint, files = inbox_fingerprint(sources)
            what = inbox_line(
                on,
                sensor_cursor(state),
                fingerprint,
                files,
                sources,
                sensor.minimum_interval_seconds,
            )
        else:
            what = f"{'on' if on else 'off'}: {sensor.description}"
        lines.append(f"  sensor   {sensor.name}: {what}")
    for schedule in sorted(definitions.schedules or [], key=lambda schedule: schedule.name):
        on = is_on(
            schedule.default_status == dg.DefaultScheduleStatus.RUNNING,
            stored.get(schedule.name),
        )
        lines.append(
            f"  schedule {schedule.name}: {'on' if on else 'off'}, runs job {schedule.job_name} "
            f"({schedule.cron_schedule}, {schedule.execution_timezone}): {schedule.description}"
        )
    lines.append(TURN_ON_OFF)
    return lines


def main(argv: list[str] | None = None) -> NoReturn:
    parser = argparse.ArgumentParser(prog="make ui", description=__doc__)
    parser.add_argument("--port", default="3000", help="the web UI's port (3000)")
    args = parser.parse_args(argv)
    from pipelines.definitions import defs

    with dg.DagsterInstance.get() as instance:
        states = instance.all_instigator_state()
    lines = automation_lines(defs(), states, load_settings().sources)
    print(
        f"fazhi: the Dagster web UI on http://127.0.0.1:{args.port} and its daemon; "
        "Ctrl-C or SIGTERM stops both",
        *lines,
        sep="\n",
        flush=True,
    )
    # A script that starts `make ui &` (no job control) starts it with SIGINT ignored, and
    # dagster dev makes SIGTERM do whatever SIGINT does: it would ignore SIGTERM too. With the
    # default restored, Python turns SIGINT into KeyboardInterrupt, and so dagster dev's SIGTERM.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    dagster = str(Path(sys.executable).with_name("dagster"))
    os.execv(dagster, [dagster, "dev", "-m", MODULE, "-h", "127.0.0.1", "-p", args.port])


if __name__ == "__main__":
    main()
