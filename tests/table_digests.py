"""Digests of every public table, so that a change meant to make the build faster can be held
to the tables it made before: the same rows, to the last character and float.

tests/data/table_digests.json holds the digests of two builds: the seeds (with the inputs the
seeds_build fixture adds) and a synthetic corpus made by the benchmark's generator. Write it
again, from the code whose tables are the reference, with `python -m tests.table_digests`.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from pathlib import Path

import pytest

from tests.conftest import DATA, SEEDS, comparable_tables, run_build

DIGESTS = DATA / "table_digests.json"
BENCH_REPORTS = 60


def table_digests(warehouse: Path) -> dict[str, dict[str, int | str]]:
    """Per public table: its row count and the SHA-256 of its rows in order (without the
    columns that differ between warehouses by design)."""
    return {
        name: {"rows": len(rows), "sha256": hashlib.sha256(repr(rows).encode()).hexdigest()}
        for name, rows in comparable_tables(warehouse).items()
    }


def seed_sources(folder: Path) -> Path:
    """The seeds and the inputs the seeds_build fixture adds, in folder."""
    shutil.copytree(SEEDS, folder)
    (folder / "bad").mkdir()
    (folder / "bad" / "empty.txt").write_bytes(b"")
    (folder / "bad" / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    shutil.copy(SEEDS / "001_d9e95e2a48e67257.txt", folder / "bad" / "copy_of_001.txt")
    return folder


def bench_sources(folder: Path) -> Path:
    """A synthetic corpus of BENCH_REPORTS reports by the benchmark's generator."""
    from bench.pipeline import write_corpus

    write_corpus(folder, BENCH_REPORTS)
    return folder


def stored_digests() -> dict[str, dict[str, dict[str, int | str]]]:
    return json.loads(DIGESTS.read_text(encoding="utf-8"))


def main() -> None:
    digests = {}
    with tempfile.TemporaryDirectory() as root, pytest.MonkeyPatch.context() as monkeypatch:
        for corpus, make in (("seeds", seed_sources), ("bench", bench_sources)):
            folder = Path(root) / corpus
            build = run_build(
                make(folder / "sources"), folder / "warehouse" / "fazhi.duckdb", monkeypatch
            )
            if not build.result.success:
                raise SystemExit(f"the build of {corpus} failed")
            digests[corpus] = table_digests(build.warehouse)
    DIGESTS.write_text(json.dumps(digests, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(f"written to {DIGESTS}")


if __name__ == "__main__":
    main()
