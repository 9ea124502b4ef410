"""The tables a build makes are exactly those of the reference code (tests/table_digests.py):
for the seeds and for a synthetic corpus, every public table has the same rows."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.terms import refresh as terms_refresh
from tests.conftest import Build, run_build
from tests.table_digests import bench_sources, stored_digests, table_digests


def test_the_seeds_tables_are_the_reference_tables(seeds_build: Build) -> None:
    assert seeds_build.result.success
    assert table_digests(seeds_build.warehouse) == stored_digests()["seeds"]


def test_a_synthetic_corpus_gives_the_reference_tables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Its texts cut ahead, as a large build's are (the seeds' few are not).
    monkeypatch.setattr(terms_refresh, "CUT_AHEAD_FROM", 1)
    build = run_build(
        bench_sources(tmp_path / "sources"), tmp_path / "warehouse" / "fazhi.duckdb", monkeypatch
    )
    assert build.result.success
    assert table_digests(build.warehouse) == stored_digests()["bench"]
