"""A read-only reader (a BI tool, `duckdb -readonly`) holding the warehouse open while a run
publishes: the run does not fail, the reader keeps its snapshot, and sees the new data when it
reconnects."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from pipelines.warehouse.publish import UPDATE_AT_MOST, share_rewritten, standby_path
from tests.conftest import SEEDS, comparable_tables, run_build

READER = textwrap.dedent(
    """
    import sys, duckdb
    path = sys.argv[1]
    conn = duckdb.connect(path, read_only=True)
    for command in sys.stdin:
        command = command.strip()
        if command == "reconnect":
            conn.close()
            conn = duckdb.connect(path, read_only=True)
        count = conn.execute("SELECT count(*) FROM reports").fetchone()[0]
        print(count, flush=True)
    """
)


class Reader:
    """A read-only DuckDB reader in a process of its own, holding the warehouse open."""

    def __init__(self, warehouse: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", READER, str(warehouse)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def ask(self, command: str) -> int:
        """The count of reports the reader sees after command (count, or reconnect first)."""
        self.process.stdin.write(f"{command}\n")
        self.process.stdin.flush()
        return int(self.process.stdout.readline())

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=30)


def sources_of_two_seeds(tmp_path: Path) -> tuple[Path, list[Path]]:
    """A sources folder holding the first two seeds; and every seed, in order."""
    sources = tmp_path / "sources"
    sources.mkdir()
    seeds = sorted(SEEDS.glob("*.txt"))
    for seed in seeds[:2]:
        shutil.copy(seed, sources)
    return sources, seeds


def test_a_run_publishes_while_a_reader_holds_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sources = tmp_path / "sources"
    sources.mkdir()
    for name in ["000_39ca0c9c455ce9cc.txt", "001_d9e95e2a48e67257.txt"]:
        shutil.copy(SEEDS / name, sources / name)
    warehouse = tmp_path / "warehouse" / "fazhi.duckdb"
    assert run_build(sources, warehouse, monkeypatch).result.success

    reader = Reader(warehouse)
    try:
        assert reader.ask("count") == 2
        shutil.copy(SEEDS / "004_67f9df3a2b388bff.txt", sources)
        second = run_build(sources, warehouse, monkeypatch)
        assert second.result.success
        assert reader.ask("count") == 2
        assert reader.ask("reconnect") == 3
    finally:
        reader.close()
    leftovers = [p.name for p in warehouse.parent.iterdir() if p.name.endswith(".building")]
    assert leftovers == []


def test_a_reader_holding_the_file_to_be_updated_makes_the_run_copy_a_new_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Publishing updates the file published before the current one (the standby) and swaps
    the two names; a reader still holding that file keeps it, and the run copies a new one."""
    # Published by updating the standby, as a large warehouse is.
    monkeypatch.setenv("FAZHI_COPY_BELOW_MB", "0")
    sources, seeds = sources_of_two_seeds(tmp_path)
    warehouse = tmp_path / "warehouse" / "fazhi.duckdb"
    standby = standby_path(warehouse)
    assert run_build(sources, warehouse, monkeypatch).result.success
    held = warehouse.stat().st_ino
    reader = Reader(warehouse)
    try:
        assert reader.ask("count") == 2
        # Updated in place and swapped in: the file published is the standby of before, and
        # the one the reader holds is the standby now.
        shutil.copy(seeds[2], sources)
        updated = standby.stat().st_ino
        assert run_build(sources, warehouse, monkeypatch).result.success
        assert (warehouse.stat().st_ino, standby.stat().st_ino) == (updated, held)
        # The reader holds the standby: it is not touched, a new copy is published.
        shutil.copy(seeds[3], sources)
        assert run_build(sources, warehouse, monkeypatch).result.success
        assert warehouse.stat().st_ino not in (updated, held)
        assert reader.ask("count") == 2
        assert reader.ask("reconnect") == 4
    finally:
        reader.close()
    # Once the reader is gone, the next build updates the standby again.
    shutil.copy(seeds[4], sources)
    updated = standby.stat().st_ino
    assert run_build(sources, warehouse, monkeypatch).result.success
    assert warehouse.stat().st_ino == updated
    from_scratch = tmp_path / "from_scratch" / "fazhi.duckdb"
    assert run_build(sources, from_scratch, monkeypatch).result.success
    assert comparable_tables(warehouse) == comparable_tables(from_scratch)


def test_a_damaged_standby_is_copied_anew(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A standby DuckDB cannot open (overwritten by something else) does not stop publishing:
    the run copies a new one from the working database."""
    # Published by updating the standby, as a large warehouse is.
    monkeypatch.setenv("FAZHI_COPY_BELOW_MB", "0")
    sources = tmp_path / "sources"
    sources.mkdir()
    seeds = sorted(SEEDS.glob("*.txt"))
    shutil.copy(seeds[0], sources)
    warehouse = tmp_path / "warehouse" / "fazhi.duckdb"
    assert run_build(sources, warehouse, monkeypatch).result.success
    standby = standby_path(warehouse)
    standby.write_bytes(b"not a database" * 1000)
    shutil.copy(seeds[1], sources)
    assert run_build(sources, warehouse, monkeypatch).result.success
    from_scratch = tmp_path / "from_scratch" / "fazhi.duckdb"
    assert run_build(sources, from_scratch, monkeypatch).result.success
    assert comparable_tables(warehouse) == comparable_tables(from_scratch)


def test_the_share_of_reports_an_update_would_rewrite() -> None:
    held = {f"r{n}": "k" for n in range(100)}
    assert share_rewritten(held, held) == 0
    one_new = held | {"r100": "k"}
    one_changed = held | {"r7": "other"}
    one_gone = {report: key for report, key in held.items() if report != "r7"}
    assert share_rewritten(held, one_new) == pytest.approx(1 / 101)
    assert share_rewritten(held, one_changed) == share_rewritten(held, one_gone) == 0.01
    every_key_new = {report: "upgraded" for report in held}
    assert share_rewritten(held, every_key_new) == 1
    assert share_rewritten({}, {}) == 0
    assert (
        share_rewritten(held, one_changed) <= UPDATE_AT_MOST < share_rewritten(held, every_key_new)
    )


def test_a_standby_most_of_whose_reports_changed_is_copied_anew(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An update rewrites the rows of every report that changed: when most did (an upgrade of
    fazhi changes them all), the standby is copied anew from the working database instead."""
    # Large enough to be updated, as far as its size goes.
    monkeypatch.setenv("FAZHI_COPY_BELOW_MB", "0.0001")
    sources, seeds = sources_of_two_seeds(tmp_path)
    warehouse = tmp_path / "warehouse" / "fazhi.duckdb"
    assert run_build(sources, warehouse, monkeypatch).result.success
    before = {warehouse.stat().st_ino, standby_path(warehouse).stat().st_ino}
    for seed in seeds[:2]:
        (sources / seed.name).unlink()
    for seed in seeds[2:4]:
        shutil.copy(seed, sources)
    assert run_build(sources, warehouse, monkeypatch).result.success
    assert warehouse.stat().st_ino not in before
    from_scratch = tmp_path / "from_scratch" / "fazhi.duckdb"
    assert run_build(sources, from_scratch, monkeypatch).result.success
    assert comparable_tables(warehouse) == comparable_tables(from_scratch)


def test_a_small_warehouse_is_published_first_without_a_second_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A warehouse under FAZHI_COPY_BELOW_MB gets a standby copied anew at every build, so its
    first publication renames the copy it made into place rather than copying it again; the
    next build, finding no standby, copies one, and publishes what a build from scratch does."""
    monkeypatch.setenv("FAZHI_COPY_BELOW_MB", "256")
    sources, seeds = sources_of_two_seeds(tmp_path)
    warehouse = tmp_path / "warehouse" / "fazhi.duckdb"
    assert run_build(sources, warehouse, monkeypatch).result.success
    assert warehouse.is_file()
    assert not standby_path(warehouse).exists()
    assert not list(warehouse.parent.glob("*building*"))
    reader = Reader(warehouse)
    try:
        assert reader.ask("count") == 2
        shutil.copy(seeds[2], sources)
        assert run_build(sources, warehouse, monkeypatch).result.success
        assert reader.ask("count") == 2
        assert reader.ask("reconnect") == 3
    finally:
        reader.close()
    # The file published first is the standby now, replaced by a copy of its own.
    assert standby_path(warehouse).is_file()
    from_scratch = tmp_path / "from_scratch" / "fazhi.duckdb"
    assert run_build(sources, from_scratch, monkeypatch).result.success
    assert comparable_tables(warehouse) == comparable_tables(from_scratch)
