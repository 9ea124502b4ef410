"""The whole pipeline at scale: a synthetic corpus made by recombining the seeds' sentences with
varied numbers and region names, built by the real asset graph, then built again with one new
report; plain jieba.lcut on the same text for comparison.

Run with `make bench` (2,000 reports) or `make bench REPORTS=10000`; the figures are printed and
written to bench/results/pipeline-<N>.json.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import re
import resource
import shutil
import time
from pathlib import Path

import dagster as dg
import duckdb
import jieba

from pipelines.reports.regions import region_aliases
from pipelines.settings import PROJECT_ROOT

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


def seed_lines() -> tuple[list[str], list[str]]:
    """(headings, sentences of the body) of the seeds."""
    headings, body = [], []
    for path in sorted((PROJECT_ROOT / "seeds").glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if len(line) < 12:
                continue
            if (
                re.match(r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)])", line)
                and len(line) < 40
            ):
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


def run_pipeline(sources: Path, warehouse: Path) -> tuple[float, dict[str, float]]:
    """Wall seconds of one build, and seconds per step from the run's own event log."""
    os.environ["FAZHI_SOURCES"] = str(sources)
    os.environ["FAZHI_WAREHOUSE"] = str(warehouse)
    from pipelines.definitions import defs

    job = defs().resolve_job_def("build_warehouse")
    with dg.DagsterInstance.ephemeral() as instance:
        started = time.perf_counter()
        result = job.execute_in_process(
            instance=instance,
            run_config={"loggers": {"console": {"config": {"log_level": "ERROR"}}}},
        )
        seconds = time.perf_counter() - started
        steps: dict[str, float] = {}
        begun: dict[str, float] = {}
        for entry in instance.all_logs(result.run_id):
            event = entry.dagster_event
            if event is None or event.step_key is None:
                continue
            if event.event_type_value == "STEP_START":
                begun[event.step_key] = entry.timestamp
            elif event.event_type_value in ("STEP_SUCCESS", "STEP_FAILURE"):
                steps[event.step_key] = round(entry.timestamp - begun[event.step_key], 3)
    if not result.success:
        raise SystemExit("the benchmark build failed")
    return seconds, steps


def peak_rss_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return round(max(own, children) / 1024, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reports", type=int, default=2000)
    args = parser.parse_args()
    root = WORK / str(args.reports)
    shutil.rmtree(root, ignore_errors=True)
    sources, warehouse = root / "corpus", root / "warehouse" / "fazhi.duckdb"
    corpus_chars = write_corpus(sources, args.reports)

    seconds, steps = run_pipeline(sources, warehouse)
    peak = peak_rss_mb()
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        reports, chars = conn.execute("SELECT count(*), sum(n_chars) FROM reports").fetchone()
        texts = [text for (text,) in conn.execute("SELECT text FROM reports").fetchall()]

    (sources / "report_new.txt").write_text(write_one(args.reports), encoding="utf-8")
    rerun_seconds, rerun_steps = run_pipeline(sources, warehouse)

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    started = time.perf_counter()
    for text in texts:
        jieba.lcut(text)
    jieba_seconds = time.perf_counter() - started

    figures = {
        "reports": reports,
        "corpus_chars": corpus_chars,
        "report_chars": int(chars),
        "build_seconds": round(seconds, 2),
        "build_chars_per_second": round(chars / seconds),
        "steps_seconds": dict(sorted(steps.items(), key=lambda item: -item[1])),
        "peak_rss_mb": peak,
        "jieba_lcut_seconds": round(jieba_seconds, 2),
        "jieba_lcut_chars_per_second": round(chars / jieba_seconds),
        "pipeline_vs_jieba": round(jieba_seconds / seconds, 2),
        "rerun_with_one_new_report_seconds": round(rerun_seconds, 2),
        "rerun_steps_seconds": dict(sorted(rerun_steps.items(), key=lambda item: -item[1])),
        "cores": os.cpu_count(),
    }
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"pipeline-{args.reports}.json"
    out.write_text(json.dumps(figures, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"pipeline on {reports:,} reports, {int(chars):,} characters ({os.cpu_count()} cores):")
    print(
        f"  build            {seconds:8.2f} s  {chars / seconds:12,.0f} chars/s  peak RSS {peak} MB"
    )
    print(
        f"  plain jieba.lcut {jieba_seconds:8.2f} s  {chars / jieba_seconds:12,.0f} chars/s (same text)"
    )
    print(f"  re-run with one new report: {rerun_seconds:.2f} s")
    print(
        "  slowest steps: "
        + ", ".join(f"{k} {v}s" for k, v in list(figures["steps_seconds"].items())[:6])
    )
    print(f"written to {out.relative_to(PROJECT_ROOT)}")


def write_one(number: int) -> str:
    headings, body = seed_lines()
    return synthetic_report(random.Random(number), headings, body)


if __name__ == "__main__":
    main()
