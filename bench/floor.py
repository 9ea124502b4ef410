"""The floor: the least a build of these texts could cost on this machine, measured on the same
corpus in the same benchmark run as the build.

Four steps, each the cheapest way to do one thing every build must do: read every file of the
corpus, one polars extract of the number grammar over every text, rjieba (the project
dictionary, HMM off, one process) over every text, and the result tables (texts, mentions,
term counts per report, counted by polars) written into a fresh DuckDB file. No cleaning, metadata, structure,
checks, caching, crash safety or Dagster: what the build spends beyond this is the price of
those.

Run as `python -m bench.floor CORPUS DATABASE`: prints what floor() returns as JSON.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import duckdb
import polars as pl

from pipelines.facts.extract import mention_pattern
from pipelines.shared.frames import ArrowStream
from pipelines.terms.segment import SEPARATOR, segmenter


def floor(corpus: Path, database: Path) -> dict:
    """steps_seconds (each step), seconds and cpu_seconds (all of them) of the floor over the
    corpus folder, its tables written to database (which must not exist)."""
    pattern = mention_pattern()
    tokenizer = segmenter()  # the dictionary is loaded before the clock starts, as start-up
    seconds: dict[str, float] = {}
    began = started = time.perf_counter()
    cpu_began = time.process_time()

    def lap(step: str) -> None:
        nonlocal started
        now = time.perf_counter()
        seconds[step] = round(now - started, 3)
        started = now

    paths = sorted(path for path in corpus.rglob("*") if path.is_file())
    texts = [path.read_bytes().decode("utf-8") for path in paths]
    reports = pl.DataFrame({"report_id": [path.name for path in paths], "text": texts})
    lap("read")
    mentions = reports.select("report_id", surface=pl.col("text").str.extract_all(pattern)).explode(
        "surface", empty_as_null=False
    )
    lap("extract")
    # Tokens joined into one string per text reach polars without a Python object per token.
    cut = [SEPARATOR.join(tokenizer.cut(text, False)) for text in texts]
    lap("segment")
    terms = (
        pl.DataFrame({"report_id": reports["report_id"], "term": cut})
        .select("report_id", pl.col("term").str.split(SEPARATOR))
        .explode("term", empty_as_null=False)
        .group_by("report_id", "term")
        .agg(n=pl.len())
    )
    with duckdb.connect(str(database)) as conn:
        for name, frame in (("reports", reports), ("facts", mentions), ("terms", terms)):
            conn.register("frame", ArrowStream(frame))
            conn.execute(f"CREATE TABLE {name} AS SELECT * FROM frame")
            conn.unregister("frame")
    lap("write")
    return {
        "steps_seconds": seconds,
        "seconds": round(time.perf_counter() - began, 3),
        "cpu_seconds": round(time.process_time() - cpu_began, 3),
    }


if __name__ == "__main__":
    print(json.dumps(floor(Path(sys.argv[1]), Path(sys.argv[2]))))
