"""One build at a time per warehouse: an advisory lock beside the working database.

Runs launched by the Dagster daemon are serialised by the instance's run queue; a build run by
hand (`fazhi build`, `make run`, cron) executes in its own process and takes this lock first,
so it waits for any other build of the same warehouse instead of racing it for the working
DuckDB file. The operating system releases the lock when its process ends, even when killed.
"""

from __future__ import annotations

import fcntl
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def build_lock(staging: Path) -> Iterator[None]:
    """Hold the build lock of the working database at staging, waiting for it if need be."""
    staging.parent.mkdir(parents=True, exist_ok=True)
    with open(staging.parent / "build.lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print("another build of this warehouse is running; waiting for it", file=sys.stderr)
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
