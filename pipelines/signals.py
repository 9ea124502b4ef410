"""The signals that ask a fazhi command to stop (Ctrl-C, SIGTERM, a closed terminal): each ends
the command at once, in one line, with the code a shell gives a process the signal ended.

The process ends inside the signal handler, as a kill would end it, rather than by an exception
unwinding the command: an exception raised by a handler is lost when the signal lands in a
garbage collector's callback (a build went on to its end), and one unwinding a run meets
Dagster's own handling and its hundred lines of trace. Ending at once is safe because every
stage of a build is made to be killed at any moment (tests/test_kills.py); what a command must
do before it ends (mark its run canceled, kill the converters it started) it registers with
`before_ending`.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType

# The signals that ask a command to stop, and how a user gives each.
STOPPING = {
    signal.SIGINT: "Ctrl-C",
    signal.SIGTERM: "SIGTERM",
    signal.SIGHUP: "the terminal closing",
}

# The command being run, what it does before it ends and what it says then.
_command: list[str] = []
_before_ending: list[tuple[Callable[[], None], str]] = []


def _end(signum: int, _: FrameType | None) -> None:
    _ending.append(time.monotonic())
    for stopping in STOPPING:
        if signal.getsignal(stopping) is _end:
            signal.signal(stopping, _again)
    said = []
    for action, saying in reversed(_before_ending):
        try:
            action()
            said.append(saying)
        except Exception as error:  # the process ends all the same: say what was left undone
            said.append(f"could not finish stopping ({error})")
    how = STOPPING.get(signal.Signals(signum), signal.Signals(signum).name)
    line = f"fazhi {_command[-1]}: stopped by {how}{''.join(f'; {s}' for s in said if s)}\n"
    # Straight to the file: the main thread may be inside a write to sys.stderr.
    os.write(2, line.encode("utf-8", "replace"))
    os._exit(128 + signum)


# When the first stopping signal came.
_ending: list[float] = []
# A signal within this many seconds of the first is the same stop said twice: `timeout` sends
# SIGTERM to the command and then to its process group, and the second, ending the process
# as signals do, cut the line saying why it stopped.
SAME_STOP_SECONDS = 1.0


def _again(signum: int, _: FrameType | None) -> None:
    # A second signal while the first is seen to (a second Ctrl-C) ends the process at once.
    if time.monotonic() - _ending[0] > SAME_STOP_SECONDS:
        os._exit(128 + signum)


@contextmanager
def ending_on_signals(command: str) -> Iterator[None]:
    """While inside, a stopping signal ends the process at once, saying so on one line; a
    signal the process was started to ignore (a script's `command &` ignores SIGINT, nohup
    SIGHUP) stays ignored. Only the main thread can set handlers: elsewhere nothing changes."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    before = {signum: signal.getsignal(signum) for signum in STOPPING}
    _command.append(command)
    try:
        for signum, handler in before.items():
            if handler is not signal.SIG_IGN:
                signal.signal(signum, _end)
        yield
    finally:
        for signum, handler in before.items():
            signal.signal(signum, handler)
        _command.pop()


def take_back_signals() -> None:
    """Hear the stopping signals again first, ahead of any library that hooked into them since
    (polars, once imported, turns Ctrl-C into a KeyboardInterrupt in whichever thread collects,
    which fails a run with a hundred lines of trace before this process hears the signal)."""
    for signum in STOPPING:
        if signal.getsignal(signum) is _end:
            signal.signal(signum, _end)


@contextmanager
def before_ending(action: Callable[[], None], saying: str = "") -> Iterator[None]:
    """While inside, a stopping signal does action before the process ends, and adds saying to
    the line it prints."""
    _before_ending.append((action, saying))
    try:
        yield
    finally:
        _before_ending.remove((action, saying))
