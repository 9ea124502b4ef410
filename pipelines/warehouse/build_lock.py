"""One writer per warehouse, whoever starts it, and a sure way to tell a dead run from a waiting one.

Every run that writes the working database (a build by hand, the inbox sensor's, a schedule's,
a crawl) takes the build lock beside that database inside the run, waits for the run holding
it, and says which: the holder writes who it is into the lock file.

Each run also locks a file of its own (<run id>.alive) from before it waits for the build lock
until it ends. The operating system releases a lock when its process ends, however it ends
(kill -9, out of memory, a container stop), so a run whose file can be locked by someone else
has no process any more, and a run that waits is never taken for a dead one.
"""

from __future__ import annotations

import fcntl
import json
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from enum import Enum
from pathlib import Path

LOCK_NAME = "build.lock"
ALIVE_SUFFIX = ".alive"


@dataclass(frozen=True)
class Holder:
    """Who holds a lock: the run, its process and how the run was started."""

    run_id: str
    pid: int
    started_by: str
    since: str

    @classmethod
    def this_process(cls, run_id: str, started_by: str) -> Holder:
        return cls(run_id, os.getpid(), started_by, datetime.now(UTC).isoformat(timespec="seconds"))

    def describe(self) -> str:
        return f"build {self.run_id} (pid {self.pid}, started {self.started_by} at {self.since})"


def _holder_in(path: Path) -> Holder | None:
    """The holder a lock file names; None while it names nobody (just taken or released)."""
    try:
        return Holder(**json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None


def print_to_stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


@contextmanager
def build_lock(
    staging: Path, holder: Holder, on_wait: Callable[[str], None] = print_to_stderr
) -> Iterator[None]:
    """Hold the build lock of the working database at staging, waiting for it if need be and
    telling on_wait for whom."""
    path = staging.parent / LOCK_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    # Opened without truncating: the file names the build that holds the lock.
    with os.fdopen(os.open(path, os.O_RDWR | os.O_CREAT, 0o644), "r+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            running = _holder_in(path)
            whom = running.describe() if running else "it"
            on_wait(f"another build of this warehouse is running; waiting for {whom}")
            fcntl.flock(handle, fcntl.LOCK_EX)
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps(asdict(holder)))
        handle.flush()
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            handle.flush()
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def run_alive(folder: Path, holder: Holder) -> Iterator[None]:
    """Hold the file of holder's run for as long as this process runs it."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{holder.run_id}{ALIVE_SUFFIX}"
    with tempfile.NamedTemporaryFile(
        "w", dir=folder, prefix=".", suffix=ALIVE_SUFFIX, delete=False, encoding="utf-8"
    ) as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        handle.write(json.dumps(asdict(holder)))
        handle.flush()
        # Locked before it takes its name, so nobody ever sees it unlocked while the run lives.
        os.replace(handle.name, path)
        try:
            yield
        finally:
            # Removed before it is unlocked: a finished run is never taken for a dead one.
            path.unlink(missing_ok=True)


class RunProcess(Enum):
    ALIVE = "alive"  # a process holds the run's file: it runs or waits
    GONE = "gone"  # the run's file is there and nobody holds it: its process ended mid-run
    UNKNOWN = "unknown"  # the run has no file: it has not reached the lock, or has finished


def run_process(folder: Path, run_id: str) -> tuple[RunProcess, Holder | None]:
    """Whether the process of run_id is alive, with what its file says about it."""
    path = folder / f"{run_id}{ALIVE_SUFFIX}"
    try:
        handle = path.open(encoding="utf-8")
    except FileNotFoundError:
        return RunProcess.UNKNOWN, None
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return RunProcess.ALIVE, None
        if not path.exists():
            # Its run removed it and let go of it while we waited to look: the run has ended.
            return RunProcess.UNKNOWN, None
        return RunProcess.GONE, _holder_in(path)


def forget_run(folder: Path, run_id: str) -> None:
    """Remove the file a dead run left."""
    (folder / f"{run_id}{ALIVE_SUFFIX}").unlink(missing_ok=True)


@contextmanager
def sweeping(folder: Path) -> Iterator[None]:
    """One look for dead runs at a time, so two never report the same run."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".sweep.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


# What every DuckDB database file holds at bytes 8-11.
DUCKDB_MAGIC = b"DUCK"


class FolderShared(RuntimeError):
    """The working folder of a warehouse holds another warehouse's working database."""


def check_sole_warehouse(staging: Path, work_database: Path) -> None:
    """Raise FolderShared if the folder of the working database at staging holds another
    warehouse's (two warehouses in one folder): they would share the work catalog
    (work_database) and its caches, each taking the other's cached rows for its own."""
    if not staging.parent.is_dir():
        return
    others = []
    for entry in os.scandir(staging.parent):
        if entry.name in (staging.name, work_database.name) or not entry.is_file():
            continue
        with open(entry.path, "rb") as handle:
            if handle.read(12)[8:] == DUCKDB_MAGIC:
                others.append(entry.name)
    if others:
        other = sorted(others)[0]
        raise FolderShared(
            f"{staging.parent} keeps the working files of the warehouse {other}, which "
            f"{staging.name} cannot share: build {staging.name} in a folder of its own "
            f"(FAZHI_WAREHOUSE), or, if {other} is built no more, remove {staging.parent / other}"
        )
