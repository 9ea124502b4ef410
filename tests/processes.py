"""Real fazhi processes for the tests that stop, kill or make them wait: started in a group of
their own, paused at a named point (pipelines/fault_injection.py) and killed there with
SIGKILL, every wait synchronised on an event (a file appearing, a line printed)."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import pytest

from pipelines.settings import PROJECT_ROOT, Settings

# Only a guard against a hung test: every wait ends on an event long before.
HANG = 600


@dataclass(frozen=True)
class Deployment:
    """A fazhi deployment in a test folder, as an operator has one: its corpus folder
    (sources/), its warehouse and its persistent Dagster instance (dagster/)."""

    root: Path

    @property
    def sources(self) -> Path:
        return self.root / "sources"

    @property
    def warehouse(self) -> Path:
        return self.root / "warehouse" / "fazhi.duckdb"

    @property
    def staging(self) -> Path:
        return Settings(sources=self.sources, warehouse=self.warehouse).staging

    @property
    def paused(self) -> Path:
        """The file a process paused at a point writes (pipelines/fault_injection.py)."""
        return self.root / "paused"

    def env(self, pause_at: str | None = None) -> dict[str, str]:
        """The environment of a fazhi process on this deployment, paused at pause_at if given."""
        env = {
            **os.environ,
            "DAGSTER_HOME": str(PROJECT_ROOT),
            "FAZHI_SOURCES": str(self.sources),
            "FAZHI_WAREHOUSE": str(self.warehouse),
            "FAZHI_DAGSTER_STORAGE": str(self.root / "dagster"),
        }
        env.pop("FAZHI_PAUSE_AT", None)
        if pause_at:
            env |= {"FAZHI_PAUSE_AT": pause_at, "FAZHI_PAUSE_MARKER": str(self.paused)}
        return env

    @contextmanager
    def environment(self) -> Iterator[None]:
        """This process set up as a fazhi command on the deployment is, for a while."""
        with pytest.MonkeyPatch.context() as monkeypatch:
            for name, value in self.env().items():
                monkeypatch.setenv(name, value)
            yield

    @contextmanager
    def instance(self) -> Iterator[dg.DagsterInstance]:
        """The deployment's Dagster instance, opened in this process."""
        with self.environment(), dg.DagsterInstance.get() as instance:
            yield instance


def _as_a_terminal_starts_it() -> None:
    # Started from a script in the background, the tests run with SIGINT (and under nohup
    # SIGHUP) ignored, which a process inherits and fazhi leaves ignored: a command typed in a
    # terminal hears both.
    for heard in (signal.SIGINT, signal.SIGHUP):
        signal.signal(heard, signal.SIG_DFL)


def start(args: list[str], env: dict[str, str], stderr: Path | int) -> subprocess.Popen:
    """Start python with args in a process group of its own, as from a terminal, stderr to a
    file or a pipe."""
    target = stderr.open("w") if isinstance(stderr, Path) else stderr
    try:
        return subprocess.Popen(
            [sys.executable, *args],
            env=env,
            cwd=PROJECT_ROOT,
            stdout=subprocess.PIPE,
            stderr=target,
            text=True,
            start_new_session=True,
            preexec_fn=_as_a_terminal_starts_it,
        )
    finally:
        if isinstance(stderr, Path):
            target.close()


def wait_for_file(path: Path, process: subprocess.Popen, log: Path | None = None) -> None:
    """Wait until path appears; fail if the process ends first."""
    deadline = time.monotonic() + HANG
    while not path.exists():
        if process.poll() is not None:
            said = log.read_text(encoding="utf-8") if log else ""
            raise AssertionError(f"exited with {process.returncode} before {path.name}:\n{said}")
        assert time.monotonic() < deadline, f"no {path.name} after {HANG} s"
        time.sleep(0.02)


def wait_for_line(process: subprocess.Popen, text: str) -> str:
    """Read the process's stderr until a line holds text; fail if it ends first."""
    said = []
    for line in process.stderr:
        said.append(line)
        if text in line:
            return line
    raise AssertionError(f"exited without saying {text!r}:\n{''.join(said)}")


def kill_group(process: subprocess.Popen) -> None:
    """SIGKILL to the process and every process it started, as a container stop would."""
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=HANG)
    assert process.returncode == -signal.SIGKILL


@dataclass(frozen=True)
class Traced:
    """What a process printed and the system calls it made, one a line as strace writes them
    (with -y, each file descriptor followed by its path)."""

    calls: list[str]
    stdout: str

    def first(self, pattern: str, after: int = -1) -> int:
        """The index of the first call after the one at index after that matches pattern;
        fails the test if none does."""
        found = next(
            (i for i, call in enumerate(self.calls) if i > after and re.search(pattern, call)),
            None,
        )
        assert found is not None, f"no system call matches {pattern}"
        return found


def traced(code: str, args: list[str], syscalls: str, trace: Path) -> Traced:
    """Run python code (sys.argv[1:] = args) in the project under strace, tracing the system
    calls named (strace's -e trace=...); the test is skipped where strace is missing or may
    not trace."""
    strace = shutil.which("strace")
    if strace is None:
        pytest.skip("strace is not installed")
    done = subprocess.run(
        [
            *(strace, "-f", "-qq", "-y", "-e", f"trace={syscalls}", "-o", str(trace)),
            *(sys.executable, "-c", code, *args),
        ],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
    )
    if "ptrace" in done.stderr:
        pytest.skip(f"strace cannot trace here: {done.stderr.strip()}")
    assert done.returncode == 0, done.stderr
    return Traced(trace.read_text(encoding="utf-8").splitlines(), done.stdout)
