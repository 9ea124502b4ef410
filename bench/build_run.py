"""One build in a process of its own, as `fazhi build` runs it (the project's Dagster instance,
its storage in FAZHI_DAGSTER_STORAGE), so the benchmark sees its start-up and its peak memory
apart from everything else.

Run as `python -m bench.build_run` with FAZHI_SOURCES, FAZHI_WAREHOUSE, DAGSTER_HOME and
FAZHI_DAGSTER_STORAGE set; prints JSON: startup_seconds (imports, definitions, instance),
run_seconds and run_cpu_seconds (the job, its cutter process included), steps_seconds (each
step, from the run's own event log), stages_seconds (each per-report stage inside its step, and
the corpus-wide tables, from their materializations) and cutter_peak_rss_mb (the peak memory of
the run's word cutter process, pipelines/shared/word_cutter.py, if it started one).
"""

from __future__ import annotations

import time

STARTED = time.perf_counter()

import json  # noqa: E402
import os  # noqa: E402
import resource  # noqa: E402
from pathlib import Path  # noqa: E402

from pipelines.cli import dagster_instance  # noqa: E402
from pipelines.definitions import defs  # noqa: E402
from pipelines.shared.word_cutter import started_cutter  # noqa: E402


def cpu_seconds() -> float:
    """User and system time of this process and the workers it has waited for."""
    return sum(
        usage.ru_utime + usage.ru_stime
        for usage in (
            resource.getrusage(resource.RUSAGE_SELF),
            resource.getrusage(resource.RUSAGE_CHILDREN),
        )
    )


def main() -> None:
    job = defs().resolve_job_def("build_warehouse")
    # The instance `fazhi build` uses: the project's, its steps' output not captured.
    with dagster_instance() as instance:
        startup = time.perf_counter() - STARTED
        began, cpu_began = time.perf_counter(), cpu_seconds()
        result = job.execute_in_process(
            instance=instance,
            raise_on_error=False,
            run_config={"loggers": {"console": {"config": {"log_level": "ERROR"}}}},
        )
        seconds, cpu = time.perf_counter() - began, cpu_seconds() - cpu_began
        steps: dict[str, float] = {}
        begun: dict[str, float] = {}
        # Inside a step, the seconds each per-report stage or corpus-wide table took, as its
        # materialization says.
        stages: dict[str, float] = {}
        for entry in instance.all_logs(result.run_id):
            event = entry.dagster_event
            if event is None or event.step_key is None:
                continue
            if event.event_type_value == "ASSET_MATERIALIZATION":
                materialization = event.step_materialization_data.materialization
                for name, value in materialization.metadata.items():
                    if name.endswith("_seconds") and name != "segmentation_seconds":
                        asset = materialization.asset_key.to_user_string()
                        stages[f"{asset}/{name.removesuffix('_seconds')}"] = value.value
            elif event.event_type_value == "STEP_START":
                begun[event.step_key] = entry.timestamp
            elif event.event_type_value in ("STEP_SUCCESS", "STEP_FAILURE"):
                steps[event.step_key] = round(entry.timestamp - begun[event.step_key], 3)
    if not result.success:
        raise SystemExit("the benchmark build failed")
    # The cutter process, if the run started one, is not waited for (it ends with this
    # process): its CPU time and peak memory are read before it ends.
    cutter_peak_mb = 0.0
    if (cutter := started_cutter()) is not None:
        proc = Path(f"/proc/{cutter.process.pid}")
        user, system = proc.joinpath("stat").read_text().rsplit(")", 1)[1].split()[11:13]
        cpu += (int(user) + int(system)) / os.sysconf("SC_CLK_TCK")
        status = proc.joinpath("status").read_text().splitlines()
        (peak_kb,) = (line.split()[1] for line in status if line.startswith("VmHWM"))
        cutter_peak_mb = round(int(peak_kb) / 1024, 1)
    print(
        json.dumps(
            {
                "startup_seconds": round(startup, 3),
                "run_seconds": round(seconds, 3),
                "run_cpu_seconds": round(cpu, 3),
                "steps_seconds": dict(sorted(steps.items(), key=lambda item: -item[1])),
                "stages_seconds": dict(sorted(stages.items(), key=lambda item: -item[1])),
                "cutter_peak_rss_mb": cutter_peak_mb,
            }
        )
    )


if __name__ == "__main__":
    main()
