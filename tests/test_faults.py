"""Faults: a build killed hard leaves the published warehouse intact and the next build
completes; two builds over the same inputs give identical tables."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from pipelines.settings import Settings
from pipelines.warehouse.tables import public_tables
from tests.conftest import SEEDS, comparable_tables, run_build
from tests.report_files import as_docx, as_pdf
from tests.site_pages import Page, portal


def table_contents(warehouse: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        return {
            name: conn.execute(f"SELECT * FROM {name} ORDER BY ALL").fetchall()
            for name in public_tables()
        }


def test_two_builds_over_the_same_inputs_give_identical_tables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sources = tmp_path / "sources"
    shutil.copytree(SEEDS, sources)
    warehouse = tmp_path / "warehouse" / "fazhi.duckdb"
    assert run_build(sources, warehouse, monkeypatch).result.success
    first = table_contents(warehouse)
    assert run_build(sources, warehouse, monkeypatch).result.success
    second = table_contents(warehouse)
    assert first.keys() == second.keys()
    for name in first:
        assert first[name] == second[name], name


def test_a_build_killed_hard_leaves_the_published_warehouse_and_the_next_build_completes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sources = tmp_path / "sources"
    sources.mkdir()
    shutil.copy(SEEDS / "003_38f8238b59c0effd.txt", sources)
    warehouse = tmp_path / "warehouse" / "fazhi.duckdb"
    assert run_build(sources, warehouse, monkeypatch).result.success
    for seed in SEEDS.glob("*.txt"):
        shutil.copy(seed, sources)
    staging = Settings(sources=sources, warehouse=warehouse).staging
    before = staging.stat().st_mtime_ns
    build = subprocess.Popen(
        [sys.executable, "-m", "pipelines.cli", "build"],
        env={
            **os.environ,
            "FAZHI_SOURCES": str(sources),
            "FAZHI_WAREHOUSE": str(warehouse),
            "FAZHI_DAGSTER_STORAGE": str(tmp_path / "dagster"),
        },
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    # Kill it once it has begun writing the working database, mid-run.
    deadline = time.monotonic() + 60
    while staging.stat().st_mtime_ns == before and build.poll() is None:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    os.kill(build.pid, signal.SIGKILL)
    build.wait(timeout=30)
    assert build.returncode == -signal.SIGKILL
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        assert conn.execute("SELECT count(*) FROM reports").fetchone() == (1,)
        assert conn.execute("SELECT count(*) FROM marts.indicator_matrix").fetchone() == (1,)
    # As if a build had been killed while publishing, too.
    (warehouse.parent / f".{warehouse.name}.0123abcd.building").write_bytes(b"half a file")
    rerun = run_build(sources, warehouse, monkeypatch)
    assert rerun.result.success
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        assert conn.execute("SELECT count(*) FROM reports").fetchone() == (5,)
    assert not list(warehouse.parent.glob("*.building*"))
    # What the killed run had cached is sound: the result equals a build from scratch.
    fresh = tmp_path / "fresh" / "fazhi.duckdb"
    assert run_build(sources, fresh, monkeypatch).result.success
    assert comparable_tables(warehouse) == comparable_tables(fresh)


def test_each_bad_input_gets_its_outcome_and_the_rest_is_published(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sources = tmp_path / "sources"
    shutil.copytree(SEEDS, sources)
    bad = sources / "bad"
    bad.mkdir()
    report = (SEEDS / "002_0d1779802d6e58b2.txt").read_text(encoding="utf-8")
    lines = [line for line in report.splitlines() if line.strip()]
    docx, pdf = as_docx(lines), as_pdf(lines)
    (bad / "truncated.docx").write_bytes(docx[: len(docx) // 2])
    (bad / "truncated.pdf").write_bytes(pdf[: len(pdf) // 2])
    page = portal(Page(lines[0], "2021-03-30", "天津高新区", "http://x.gov.cn/a.html", lines))
    (bad / "truncated.html").write_bytes(page.encode()[: len(page.encode()) // 2])
    (bad / "empty.txt").write_bytes(b"")
    (bad / "binary.txt").write_bytes(bytes(range(256)) * 64)
    (bad / "gb18030.txt").write_bytes(report.replace("2020年", "2019年").encode("gb18030"))
    shutil.copy(SEEDS / "000_39ca0c9c455ce9cc.txt", bad / "same_as_000.txt")
    with open(bad / "huge.txt", "wb") as huge:
        huge.truncate(50 * 1024 * 1024)
    build = run_build(sources, tmp_path / "warehouse" / "fazhi.duckdb", monkeypatch)
    assert build.result.success
    with build.connect() as conn:
        rejected = dict(conn.execute("SELECT source_name, reason FROM rejected_sources").fetchall())
        reports = dict(conn.execute("SELECT source_name, encoding FROM reports").fetchall())
        names_of_000 = conn.execute(
            "SELECT list(source_name ORDER BY source_name) FROM source_files "
            "WHERE sha256 = (SELECT sha256 FROM reports WHERE source_name LIKE '000_%')"
        ).fetchone()[0]
    assert rejected["bad/truncated.docx"].startswith("corrupt Word (.docx) file")
    assert rejected["bad/truncated.pdf"].startswith("corrupt PDF")
    assert rejected["bad/truncated.html"].startswith("truncated web page")
    assert rejected["bad/empty.txt"] == "empty file"
    assert rejected["bad/binary.txt"].startswith("binary file")
    assert rejected["bad/huge.txt"].startswith("too large: 52,428,800 bytes")
    assert reports["bad/gb18030.txt"] == "gb18030"
    assert names_of_000 == ["000_39ca0c9c455ce9cc.txt", "bad/same_as_000.txt"]
    assert {seed.name for seed in SEEDS.glob("*.txt")} <= reports.keys()
