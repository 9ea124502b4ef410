"""The runs of the instance that write the warehouse: one at a time, whoever starts them, and
none left blocking the others after its process died.

Every run that opens the working database holds the build lock for its whole length (the
`duckdb` resource takes it, pipelines/warehouse/build_lock.py), so hand builds, the inbox
sensor's runs, the schedules' and a crawl wait for each other. A run killed hard (kill -9, out
of memory, a container stop) keeps its status STARTED and its slot in the `warehouse` pool in
the instance, and the next run would wait for that slot forever: each run, once it holds the
build lock, and the dead_runs sensor every minute, mark such runs failed and free their slots.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg

from pipelines.defs.policy import WAREHOUSE_POOL
from pipelines.warehouse.build_lock import (
    Holder,
    RunProcess,
    build_lock,
    check_sole_warehouse,
    forget_run,
    print_to_stderr,
    run_alive,
    run_process,
    sweeping,
)

# Tags the fazhi command puts on its runs: how it was started, and whether to forget every
# cached result first (which only the run holding the build lock may do).
STARTED_BY_TAG = "fazhi/started_by"
FROM_SCRATCH_TAG = "fazhi/from_scratch"
IN_PROGRESS = [
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
    dg.DagsterRunStatus.CANCELING,
]


def started_by(run: dg.DagsterRun) -> str:
    tags = run.tags
    if STARTED_BY_TAG in tags:
        return tags[STARTED_BY_TAG]
    if "dagster/sensor_name" in tags:
        return f"by sensor {tags['dagster/sensor_name']}"
    if "dagster/schedule_name" in tags:
        return f"by schedule {tags['dagster/schedule_name']}"
    return "from Dagster (UI or API)"


def alive_folder(instance: dg.DagsterInstance) -> Path:
    """Where the runs of the instance keep the files that tell whether their process lives."""
    return Path(instance.root_directory) / "fazhi_runs"


def free_dead_runs(instance: dg.DagsterInstance, this_run: str | None = None) -> list[str]:
    """Mark failed every run in progress whose process is gone, free the pool slots it held,
    and free the slots of runs that ended still holding some; one line for each run freed."""
    folder = alive_folder(instance)
    storage = instance.event_log_storage
    lines: list[str] = []
    with sweeping(folder):
        # Who holds slots, read before the runs: a run that holds one has started by then.
        holding = (
            storage.get_concurrency_run_ids()
            if storage.supports_global_concurrency_limits
            else set()
        )
        in_progress = instance.get_runs(filters=dg.RunsFilter(statuses=IN_PROGRESS))
        for run in in_progress:
            if run.run_id == this_run:
                continue
            process, holder = run_process(folder, run.run_id)
            # A run takes its file before it can claim a slot (the resource is set up before any
            # step runs), so a run holding a slot without a file has died too.
            if process is RunProcess.ALIVE or (
                process is RunProcess.UNKNOWN and run.run_id not in holding
            ):
                continue
            who = f"pid {holder.pid}, started {holder.started_by}" if holder else started_by(run)
            instance.report_run_failed(
                run, message=f"The process of this run ({who}) is gone: marked failed by fazhi."
            )
            if run.run_id in holding:
                storage.free_concurrency_slots_for_run(run.run_id)
                lines.append(
                    f"freed pool slot of run {run.run_id}, whose process is gone ({who}); "
                    "marked it failed"
                )
            else:
                lines.append(f"marked run {run.run_id} failed: its process is gone ({who})")
            forget_run(folder, run.run_id)
        running = {run.run_id for run in in_progress}
        for run_id in sorted(holding - running - {this_run}):
            storage.free_concurrency_slots_for_run(run_id)
            lines.append(f"freed pool slot of run {run_id}, which had ended")
    return lines


def forget_working_databases(*databases: Path) -> None:
    """Every cached row and intermediate table goes; the store and the published file stay."""
    for database in databases:
        database.unlink(missing_ok=True)
        Path(f"{database}.wal").unlink(missing_ok=True)


@contextmanager
def sole_writer(
    context: dg.InitResourceContext, staging: Path, work_database: Path
) -> Iterator[None]:
    """Hold the build lock of the working database for the run being set up and, once it is
    held, free what runs that died left behind and forget the caches if the run asks to."""
    run, instance = context.run, context.instance
    warn: Callable[[str], None] = context.log.warning if context.log else print_to_stderr
    if run is None or instance is None:
        # A resource built outside any run (a script, a notebook) still writes alone.
        with build_lock(staging, Holder.this_process("outside a run", "outside Dagster"), warn):
            yield
        return
    holder = Holder.this_process(run.run_id, started_by(run))
    with run_alive(alive_folder(instance), holder), build_lock(staging, holder, warn):
        check_sole_warehouse(staging, work_database)
        for line in free_dead_runs(instance, run.run_id):
            warn(line)
        if run.tags.get(FROM_SCRATCH_TAG) == "true":
            forget_working_databases(staging, work_database)
        with sweeping_while_running(instance, run.run_id, warn):
            wait_for_the_pool(instance, run.run_id)
            yield


# How often a run waiting for the warehouse pool's slot asks whether it is free.
POOL_CHECK_SECONDS = 0.5


def wait_for_the_pool(instance: dg.DagsterInstance, run_id: str) -> None:
    """Wait until no other run holds the warehouse pool's slot (a build of another warehouse
    on the same instance), before any step asks for it: Dagster's in-process executor asks
    again and again without pausing (1.13's wait before the next claim is min(0, ...), never
    above 0), which kept a core busy for as long as the other build ran. The sweeper frees
    the slot of a run that dies meanwhile and says for which run this one waits."""
    if not instance.event_log_storage.supports_global_concurrency_limits:
        return
    while pool_holders(instance) - {run_id}:
        time.sleep(POOL_CHECK_SECONDS)


def pool_holders(instance: dg.DagsterInstance) -> set[str]:
    """The runs holding a slot of the warehouse pool."""
    claims = instance.event_log_storage.get_concurrency_info(WAREHOUSE_POOL).claimed_slots
    return {claim.run_id for claim in claims}


# How often a run looks for runs that died while it runs or waits.
SWEEP_SECONDS = 2.0


@contextmanager
def sweeping_while_running(
    instance: dg.DagsterInstance, run_id: str, warn: Callable[[str], None]
) -> Iterator[None]:
    """For as long as the run lasts, every SWEEP_SECONDS in a thread of its own: free what runs
    that died since it started hold (a build of another warehouse on the same instance, killed
    while this one waited for the warehouse pool's one slot, held it for ever), and say once
    for which run it waits, if it waits."""
    stop = threading.Event()

    def sweep() -> None:
        told = False
        while not stop.wait(SWEEP_SECONDS):
            for line in free_dead_runs(instance, run_id):
                warn(line)
            if told:
                continue
            holding = pool_holders(instance)
            if holding and run_id not in holding:
                warn(f"waiting for the warehouse pool's slot, held by run {min(holding)}")
                told = True

    sweeper = threading.Thread(target=sweep, name="sweeping", daemon=True)
    sweeper.start()
    try:
        yield
    finally:
        stop.set()
        sweeper.join()


@dg.sensor(
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description=(
        "Marks failed the runs whose process died (kill -9, out of memory, a container stop) "
        "and frees the warehouse pool slots they held, so the run queue and the next build "
        "never wait for them. Each run that writes does the same when it starts."
    ),
)
def dead_runs(context: dg.SensorEvaluationContext) -> dg.SkipReason:
    lines = free_dead_runs(context.instance)
    for line in lines:
        context.log.warning(line)
    return dg.SkipReason("; ".join(lines) or "no run died unfinished")
