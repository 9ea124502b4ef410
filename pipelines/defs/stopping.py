"""A run started from the command line, stopped by Ctrl-C, SIGTERM or a closed terminal at any
moment: promptly, in one line, and leaving nothing behind for the next run to wait on.

Dagster hears SIGINT only inside a step, raises it there as an error that every frame of the
step prints (a hundred lines and more), and in between keeps it for later or drops it: a
signal heard while a run set up its resources was lost and the build went on to the end, and
one heard as a thread was being handed work left the process hanging. So the run goes in a
thread of its own, where Dagster leaves signals alone, and the main thread waits on it: a
signal ends the process there and then, as a kill would. Every stage is built to be killed at
any moment (tests/test_kills.py): readers keep a whole warehouse and the next build goes on
from what this one stored. Before it ends, the process marks its run canceled, frees the
run's pool slots and kills the document converters it started, so nothing waits on a run that
is gone, nor a converter on a process that is gone.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import TypeVar

import dagster as dg
from dagster._core.utils import make_new_run_id

from pipelines.defs.runs import IN_PROGRESS, alive_folder
from pipelines.reading.legacy_word import stop_conversions
from pipelines.signals import before_ending, take_back_signals
from pipelines.warehouse.build_lock import forget_run

Result = TypeVar("Result")


def run_until_stopped(execute: Callable[[str], Result], instance: dg.DagsterInstance) -> Result:
    """execute(run_id) in a thread of its own, waited on by this one; a stopping signal
    (pipelines/signals.py) meanwhile marks the run canceled, frees its slots and kills its
    converters before the process ends."""
    run_id = make_new_run_id()
    if threading.current_thread() is not threading.main_thread():
        # Only the main thread hears signals: a caller in another has nothing to stop.
        return execute(run_id)
    outcome: list[Result] = []
    failure: list[BaseException] = []
    done = threading.Event()

    def run() -> None:
        try:
            outcome.append(execute(run_id))
        except BaseException as error:  # handed to the main thread, which raises it
            failure.append(error)
        finally:
            done.set()

    def cancel() -> None:
        stop_conversions()
        cancel_run(instance, run_id, f"Stopped by a signal to fazhi (pid {os.getpid()}).")

    with before_ending(
        cancel,
        "the run is marked canceled; readers keep a whole warehouse, and the next build goes "
        "on from the work this one stored",
    ):
        take_back_signals()
        threading.Thread(target=run, name="run", daemon=True).start()
        done.wait()
    if failure:
        raise failure[0]
    return outcome[0]


def cancel_run(instance: dg.DagsterInstance, run_id: str, message: str) -> None:
    """Mark the run canceled if it is in progress, and free whatever it holds."""
    run = instance.get_run_by_id(run_id)
    if run is not None and run.status in IN_PROGRESS:
        instance.report_run_canceled(run, message=message)
    storage = instance.event_log_storage
    if storage.supports_global_concurrency_limits:
        storage.free_concurrency_slots_for_run(run_id)
    forget_run(alive_folder(instance), run_id)
