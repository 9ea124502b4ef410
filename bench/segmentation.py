"""Segmentation throughput: the project's segmenter on one core and in a thread per core, against plain
jieba.lcut, all on the same text of at least 5 MB made from the seeds.

Run with `make bench`; the figures are printed and written to bench/results/segmentation.json.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import jieba

from pipelines.settings import PROJECT_ROOT
from pipelines.terms.segment import (
    reference_segmenter,
    segment_joined,
    segmenter,
)

RESULTS = Path(__file__).parent / "results" / "segmentation.json"


def corpus(min_bytes: int) -> list[str]:
    """Seed reports over and over, one text per report, until there are min_bytes of UTF-8."""
    seeds = [
        path.read_text(encoding="utf-8") for path in sorted((PROJECT_ROOT / "seeds").glob("*.txt"))
    ]
    texts: list[str] = []
    size = 0
    while size < min_bytes:
        text = seeds[len(texts) % len(seeds)]
        texts.append(text)
        size += len(text.encode("utf-8"))
    return texts


def in_threads(texts: list[str], threads: int) -> list[str]:
    """The texts cut in interleaved slices, one per thread."""
    with ThreadPoolExecutor(threads) as pool:
        return [
            joined
            for part in pool.map(
                segment_joined, [texts[start::threads] for start in range(threads)]
            )
            for joined in part
        ]


def measure(name: str, run, texts: list[str]) -> dict:
    chars = sum(map(len, texts))
    started = time.perf_counter()
    run(texts)
    seconds = time.perf_counter() - started
    return {
        "segmenter": name,
        "seconds": round(seconds, 3),
        "chars_per_second": round(chars / seconds),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--megabytes", type=float, default=5.0)
    args = parser.parse_args()
    jieba.setLogLevel(logging.WARNING)
    texts = corpus(int(args.megabytes * 1024 * 1024))
    # Load every dictionary before the clock starts: start-up is not throughput.
    jieba.initialize()
    reference_segmenter().initialize()
    segmenter()
    cores = os.cpu_count() or 1
    rows = [
        measure(
            "jieba.lcut (plain jieba, default dictionary, HMM on)",
            lambda t: [jieba.lcut(x) for x in t],
            texts,
        ),
        measure(
            "jieba with the project dictionary, HMM off (the reference)",
            lambda t: [reference_segmenter().lcut(x, HMM=False) for x in t],
            texts,
        ),
        measure(
            "fazhi segmenter (rjieba, joined tokens), 1 core",
            segment_joined,
            texts,
        ),
        measure(
            f"fazhi segmenter (rjieba, joined tokens), {cores} threads (it releases the GIL)",
            lambda t: in_threads(t, cores),
            texts,
        ),
    ]
    baseline = rows[0]["chars_per_second"]
    for row in rows:
        row["times_plain_jieba"] = round(row["chars_per_second"] / baseline, 1)
    report = {
        "corpus": {
            "texts": len(texts),
            "chars": sum(map(len, texts)),
            "utf8_bytes": sum(len(t.encode("utf-8")) for t in texts),
        },
        "machine": {
            "cores": cores,
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "results": rows,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(
        f"segmentation of {report['corpus']['chars']:,} characters ({report['corpus']['utf8_bytes']:,} bytes):"
    )
    for row in rows:
        print(
            f"  {row['chars_per_second']:>12,} chars/s  {row['times_plain_jieba']:>5}x  {row['segmenter']}"
        )
    print(f"written to {RESULTS.relative_to(PROJECT_ROOT)}")


if __name__ == "__main__":
    main()
