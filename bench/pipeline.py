"""The whole pipeline at scale, against its floor on the same texts.

A synthetic corpus is made by recombining the seeds' sentences with varied numbers and region
names. For each corpus size, in its own process each: the floor (bench/floor.py: read, one
extract of the number grammar, rjieba, the result tables into DuckDB), the build by the real
asset graph with the project's Dagster instance, the floor again, three re-runs with one new
report each (the median quoted), the floor a third time (its median is the floor quoted), and
plain jieba.lcut on the same text.
Then `fazhi build` on the seeds with nothing new, as a user runs it, and with --force (a Dagster
run that finds every report done). Every build's peak RSS is the operating system's count for
its process (or its largest worker).

Run with `make bench` (2,000 and 10,000 reports) or `make bench REPORTS=2000`; the figures are
printed and written to bench/results/pipeline-<N>.json and bench/results/no-change-seeds.json.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import jieba

from pipelines.reports.regions import region_aliases
from pipelines.settings import PROJECT_ROOT
from pipelines.shared.patterns import HAN_HEADING_LABEL

BENCH = Path(__file__).parent
RESULTS = BENCH / "results"
WORK = PROJECT_ROOT / "warehouse" / "bench"
SEED_REGIONS = [
    "滨海新区",
    "天津经济技术开发区",
    "经开区",
    "东疆综合保税区",
    "东疆",
    "滨海高新区",
    "高新区",
]
PLACE_HEADS = "东西南北安宁平和兴丰清河临泉江海山川华春"
PLACE_TAILS = "城阳林源川州德溪桥原"
UNIT = ["区", "县", "市"]
# Re-runs with one new report each, of which the median is quoted.
RERUNS = 3


def seed_lines() -> tuple[list[str], list[str]]:
    """(headings, sentences of the body) of the seeds."""
    headings, body = [], []
    for path in sorted((PROJECT_ROOT / "seeds").glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if len(line) < 12:
                continue
            if re.match(rf"^{HAN_HEADING_LABEL}", line) and len(line) < 40:
                headings.append(line)
            elif "。" in line:
                body.extend(part + "。" for part in line.split("。") if len(part) > 8)
    return headings, body


def varied(rng: random.Random, figure: re.Match[str]) -> str:
    """Another number of the same magnitude (19 -> 10..99); years stay years, rates stay rates."""
    digits = figure[0]
    if digits.endswith("%"):
        return f"{rng.randint(50, 100)}%"
    if len(digits) == 4 and digits.startswith("20"):
        return digits
    return str(rng.randint(10 ** (len(digits) - 1), 10 ** len(digits) - 1))


def synthetic_report(rng: random.Random, headings: list[str], body: list[str]) -> str:
    place = (
        rng.choice(PLACE_HEADS)
        + rng.choice(PLACE_TAILS)
        + rng.choice(PLACE_HEADS)
        + rng.choice(UNIT)
    )
    region = place
    year = rng.randint(2019, 2024)
    lines = [f"{region}{year}年法治政府建设情况报告"]
    lines.append(
        f"{year}年，{region}坚持以习近平法治思想为指导，全面推进法治政府建设，现将有关情况报告如下。"
    )
    for heading in rng.sample(headings, k=min(9, len(headings))):
        lines.append(heading)
        paragraph = "".join(rng.sample(body, k=rng.randint(6, 12)))
        lines.append(paragraph)
    text = "\n".join(lines)
    # Every spelling of the seeds' regions (longest first) becomes the new place.
    for alias, _, _ in region_aliases():
        text = text.replace(alias, region)
    return re.sub(r"\d+%?", lambda figure: varied(rng, figure), text)


def write_corpus(folder: Path, reports: int, seed: int = 7) -> int:
    headings, body = seed_lines()
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    chars = 0
    for number in range(reports):
        text = synthetic_report(rng, headings, body)
        (folder / f"report_{number:05d}.txt").write_text(text, encoding="utf-8")
        chars += len(text)
    return chars


@dataclass(frozen=True)
class Finished:
    """What one process cost, as the operating system counted it: wall and CPU seconds, and
    the peak RSS of the process or of its largest worker."""

    wall_seconds: float
    cpu_seconds: float
    peak_rss_mb: float
    output: str


def run_process(args: list[str], env: dict[str, str]) -> Finished:
    """Run args to its end in a process of its own; SystemExit with its stderr if it fails."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(args, env=env, stdout=out, stderr=err, cwd=PROJECT_ROOT)
        # wait4, not wait: it hands back the process's own resource usage.
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if process.returncode:
            raise SystemExit(f"{' '.join(args)} failed:\n{err.read().decode()[-4000:]}")
        return Finished(
            wall_seconds=round(wall, 3),
            cpu_seconds=round(usage.ru_utime + usage.ru_stime, 3),
            peak_rss_mb=round(usage.ru_maxrss / 1024, 1),
            output=out.read().decode(),
        )


def build_env(sources: Path, root: Path) -> dict[str, str]:
    """A build of sources into root/warehouse, with the project's Dagster instance keeping its
    run history in root/dagster, as `fazhi build` does with .dagster/."""
    (root / "dagster").mkdir(parents=True, exist_ok=True)
    return dict(
        os.environ,
        FAZHI_SOURCES=str(sources),
        FAZHI_WAREHOUSE=str(root / "warehouse" / "fazhi.duckdb"),
        DAGSTER_HOME=str(PROJECT_ROOT),
        FAZHI_DAGSTER_STORAGE=str(root / "dagster"),
    )


def build(sources: Path, root: Path) -> dict:
    """One build in its own process: start-up, run and step seconds, CPU seconds and peak RSS
    (the build's and its cutter process's added: they run side by side)."""
    finished = run_process([sys.executable, "-m", "bench.build_run"], build_env(sources, root))
    figures = json.loads(finished.output.strip().splitlines()[-1])
    return figures | {
        "process_seconds": finished.wall_seconds,
        "process_cpu_seconds": finished.cpu_seconds,
        "peak_rss_mb": round(finished.peak_rss_mb + figures["cutter_peak_rss_mb"], 1),
    }


def floor(sources: Path, root: Path) -> dict:
    """The floor (bench/floor.py) on the same corpus, in its own process."""
    database = root / "floor.duckdb"
    database.unlink(missing_ok=True)
    finished = run_process(
        [sys.executable, "-m", "bench.floor", str(sources), str(database)], dict(os.environ)
    )
    return json.loads(finished.output) | {"peak_rss_mb": finished.peak_rss_mb}


def plain_jieba_seconds(texts: list[str]) -> float:
    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    started = time.perf_counter()
    for text in texts:
        jieba.lcut(text)
    return time.perf_counter() - started


def measure(reports: int, with_jieba: bool) -> dict:
    """Floor, build and re-run with one new report on a synthetic corpus of this many reports.

    The floor runs before the build, between build and re-run and after the re-run, and its
    median is taken: the machine is shared, and this spreads its noise over both sides.
    """
    root = WORK / str(reports)
    shutil.rmtree(root, ignore_errors=True)
    sources = root / "corpus"
    corpus_chars = write_corpus(sources, reports)
    load = os.getloadavg()[0]

    floors = [floor(sources, root)]
    built = build(sources, root)
    floors.append(floor(sources, root))
    warehouse = root / "warehouse" / "fazhi.duckdb"
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        n_reports, chars = conn.execute("SELECT count(*), sum(n_chars) FROM reports").fetchone()
        texts = [text for (text,) in conn.execute("SELECT text FROM reports").fetchall()]
    # Each re-run adds one new report to what the one before left; the median run is quoted
    # (a single run moved by a third with the machine's minute).
    reruns = []
    for number in range(RERUNS):
        new_report = sources / f"report_new_{number}.txt"
        new_report.write_text(write_one(reports + number), encoding="utf-8")
        reruns.append(build(sources, root))
    for number in range(RERUNS):
        (sources / f"report_new_{number}.txt").unlink()
    rerun = sorted(reruns, key=lambda run: run["run_seconds"])[len(reruns) // 2]
    floors.append(floor(sources, root))
    the_floor = sorted(floors, key=lambda run: run["seconds"])[len(floors) // 2]
    jieba_seconds = plain_jieba_seconds(texts) if with_jieba else None
    seconds = built["run_seconds"]
    return {
        "reports": n_reports,
        "corpus_chars": corpus_chars,
        "report_chars": int(chars),
        "build_seconds": seconds,
        "build_chars_per_second": round(chars / seconds),
        "steps_seconds": built["steps_seconds"],
        "stages_seconds": built["stages_seconds"],
        "peak_rss_mb": built["peak_rss_mb"],
        "cutter_peak_rss_mb": built["cutter_peak_rss_mb"],
        "jieba_lcut_seconds": round(jieba_seconds, 2) if jieba_seconds else None,
        "jieba_lcut_chars_per_second": round(chars / jieba_seconds) if jieba_seconds else None,
        "pipeline_vs_jieba": round(jieba_seconds / seconds, 2) if jieba_seconds else None,
        "rerun_with_one_new_report_seconds": rerun["run_seconds"],
        "rerun_runs_seconds": [run["run_seconds"] for run in reruns],
        "rerun_steps_seconds": rerun["steps_seconds"],
        "rerun_stages_seconds": rerun["stages_seconds"],
        "cores": os.cpu_count(),
        "floor_seconds": the_floor["seconds"],
        "build_vs_floor": round(seconds / the_floor["seconds"], 2),
        "floor_steps_seconds": the_floor["steps_seconds"],
        "floor_runs_seconds": [run["seconds"] for run in floors],
        "floor_cpu_seconds": the_floor["cpu_seconds"],
        "floor_peak_rss_mb": the_floor["peak_rss_mb"],
        "build_cpu_seconds": built["run_cpu_seconds"],
        "build_vs_floor_cpu": round(built["run_cpu_seconds"] / the_floor["cpu_seconds"], 2),
        "startup_seconds": built["startup_seconds"],
        "build_process_seconds": built["process_seconds"],
        "rerun_startup_seconds": rerun["startup_seconds"],
        "rerun_process_seconds": rerun["process_seconds"],
        "rerun_cpu_seconds": rerun["run_cpu_seconds"],
        "rerun_peak_rss_mb": rerun["peak_rss_mb"],
        "load_average_at_start": round(load, 2),
    }


def no_change_on_seeds(runs: int = 3) -> dict:
    """`fazhi build` on the seeds with nothing new since the build before, as a user runs it:
    the whole process, start-up, check and printed summary, median of runs. Then the same with
    --force: a Dagster run that finds every report's work done (what the nightly schedule pays)."""
    root = WORK / "seeds"
    shutil.rmtree(root, ignore_errors=True)
    env = build_env(PROJECT_ROOT / "seeds", root)
    command = [sys.executable, "-m", "pipelines.cli", "build"]
    run_process(command, env)

    def median(args: list[str]) -> tuple[Finished, list[float]]:
        finished = sorted(
            (run_process(args, env) for _ in range(runs)), key=lambda run: run.wall_seconds
        )
        return finished[len(finished) // 2], [run.wall_seconds for run in finished]

    middle, walls = median(command)
    forced, forced_walls = median([*command, "--force"])
    return {
        "no_change_build_seconds": middle.wall_seconds,
        "no_change_build_cpu_seconds": middle.cpu_seconds,
        "no_change_build_runs_seconds": walls,
        "peak_rss_mb": middle.peak_rss_mb,
        "forced_build_seconds": forced.wall_seconds,
        "forced_build_cpu_seconds": forced.cpu_seconds,
        "forced_build_runs_seconds": forced_walls,
        "load_average_at_start": round(os.getloadavg()[0], 2),
        "cores": os.cpu_count(),
    }


def write_figures(name: str, figures: dict) -> Path:
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"{name}.json"
    out.write_text(json.dumps(figures, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return out


def print_size(figures: dict) -> None:
    chars, seconds = figures["report_chars"], figures["build_seconds"]
    print(
        f"pipeline on {figures['reports']:,} reports, {chars:,} characters "
        f"({figures['cores']} cores, load average {figures['load_average_at_start']} at start):"
    )
    print(
        f"  build            {seconds:8.2f} s  {chars / seconds:12,.0f} chars/s  "
        f"peak RSS {figures['peak_rss_mb']} MB  (+{figures['startup_seconds']:.2f} s start-up)"
    )
    print(
        f"  floor            {figures['floor_seconds']:8.2f} s  "
        f"({', '.join(f'{k} {v}' for k, v in figures['floor_steps_seconds'].items())})  "
        f"peak RSS {figures['floor_peak_rss_mb']} MB"
    )
    print(
        f"  build vs floor   {figures['build_vs_floor']:8.2f}x   "
        f"(CPU seconds {figures['build_cpu_seconds']:.2f} vs {figures['floor_cpu_seconds']:.2f}: "
        f"{figures['build_vs_floor_cpu']}x)"
    )
    if figures["jieba_lcut_seconds"]:
        print(
            f"  plain jieba.lcut {figures['jieba_lcut_seconds']:8.2f} s  "
            f"{figures['jieba_lcut_chars_per_second']:12,} chars/s (same text)"
        )
    print(
        f"  re-run with one new report: {figures['rerun_with_one_new_report_seconds']:.2f} s "
        f"(+{figures['rerun_startup_seconds']:.2f} s start-up; median of "
        f"{', '.join(f'{run:.2f}' for run in figures['rerun_runs_seconds'])} s), "
        f"peak RSS {figures['rerun_peak_rss_mb']} MB"
    )
    print(
        "  slowest steps: "
        + ", ".join(f"{k} {v}s" for k, v in list(figures["steps_seconds"].items())[:6])
    )
    print(
        "  inside them: "
        + ", ".join(f"{k} {v}s" for k, v in list(figures["stages_seconds"].items())[:8])
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reports", type=int, nargs="+", default=[2000, 10000])
    parser.add_argument(
        "--no-jieba", action="store_true", help="leave out plain jieba.lcut on the same text"
    )
    parser.add_argument(
        "--no-seeds", action="store_true", help="leave out the no-change build on the seeds"
    )
    args = parser.parse_args()
    measured = []
    for reports in args.reports:
        figures = measure(reports, with_jieba=not args.no_jieba)
        out = write_figures(f"pipeline-{reports}", figures)
        print_size(figures)
        print(f"written to {out.relative_to(PROJECT_ROOT)}")
        measured.append(figures)
    if len(measured) > 1:
        first, last = measured[0], measured[-1]
        growth = (last["peak_rss_mb"] - first["peak_rss_mb"]) / (last["reports"] - first["reports"])
        print(
            f"peak RSS {first['peak_rss_mb']} MB at {first['reports']:,} reports, "
            f"{last['peak_rss_mb']} MB at {last['reports']:,}: {growth * 1024:+.1f} KB per report"
        )
    if not args.no_seeds:
        figures = no_change_on_seeds()
        out = write_figures("no-change-seeds", figures)
        print(
            f"fazhi build on the seeds with nothing new: {figures['no_change_build_seconds']:.2f} s "
            f"whole process ({figures['no_change_build_cpu_seconds']:.2f} CPU seconds); "
            f"with --force, a Dagster run that finds everything done: "
            f"{figures['forced_build_seconds']:.2f} s; written to {out.relative_to(PROJECT_ROOT)}"
        )


def write_one(number: int) -> str:
    headings, body = seed_lines()
    return synthetic_report(random.Random(number), headings, body)


if __name__ == "__main__":
    main()
