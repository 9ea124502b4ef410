"""What a build by hand prints on the terminal: each warning and each error on one line, saying
where (the step, or the resource being set up) and what, with an error's deepest cause, the
one that names the file, the input or the lock. Dagster's own console logger prints a failure
with the trace of every exception in its chain (a hundred lines and more for one locked file);
the traces stay in the run's event log, which the UI shows."""

from __future__ import annotations

import logging
import sys

import dagster as dg
from dagster._utils.error import SerializableErrorInfo


def _deepest(error: SerializableErrorInfo) -> SerializableErrorInfo:
    """The first cause of a chain of errors: what really failed."""
    while (inner := error.cause or error.context) is not None:
        error = inner
    return error


class OneLine(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        meta = getattr(record, "dagster_meta", None)
        if meta is None:
            return " ".join(record.getMessage().split())
        where = meta["step_key"] or (
            f"resource {meta['resource_name']}" if meta["resource_name"] else "run"
        )
        text = meta["orig_message"]
        event = meta["dagster_event"]
        error = getattr(event.event_specific_data, "error", None) if event else None
        if error is not None:
            cause = _deepest(error)
            text = f"{text} {cause.cls_name}: {cause.message.split(': ', 1)[-1]}"
        return f"{record.levelname.lower()} in {where}: {' '.join(text.split())}"


class OnlyCauses(logging.Filter):
    """Leaves out what only follows from an error told already: each step not run because one
    before it failed, and the run's own failure, which the command's last line names (a full
    disk printed seven lines for one cause)."""

    def filter(self, record: logging.LogRecord) -> bool:
        meta = getattr(record, "dagster_meta", None)
        if meta is None:
            return True
        event = meta["dagster_event"]
        if event is not None and event.event_type == dg.DagsterEventType.RUN_FAILURE:
            return False
        return not (event is None and meta["orig_message"].startswith("Dependencies for step"))


@dg.logger(
    description="Warnings and errors on stderr, one line each (the console of `fazhi build`)."
)
def one_line_console(_: dg.InitLoggerContext) -> logging.Logger:
    logger = logging.Logger("fazhi", level=logging.WARNING)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(OneLine())
    handler.addFilter(OnlyCauses())
    logger.addHandler(handler)
    return logger


@dg.definitions
def console() -> dg.Definitions:
    # Dagster's own console logger stays, under its name, for every other run and the tests.
    return dg.Definitions(
        loggers={"console": dg.colored_console_logger, "one_line_console": one_line_console}
    )
