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

from tests.conftest import SEEDS, run_build

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


def test_a_run_publishes_while_a_reader_holds_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sources = tmp_path / "sources"
    sources.mkdir()
    for name in ["000_39ca0c9c455ce9cc.txt", "001_d9e95e2a48e67257.txt"]:
        shutil.copy(SEEDS / name, sources / name)
    warehouse = tmp_path / "warehouse" / "fazhi.duckdb"
    assert run_build(sources, warehouse, monkeypatch).result.success

    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(warehouse)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        reader.stdin.write("count\n")
        reader.stdin.flush()
        assert reader.stdout.readline().strip() == "2"

        shutil.copy(SEEDS / "004_67f9df3a2b388bff.txt", sources)
        second = run_build(sources, warehouse, monkeypatch)
        assert second.result.success

        reader.stdin.write("count\n")
        reader.stdin.flush()
        assert reader.stdout.readline().strip() == "2"
        reader.stdin.write("reconnect\n")
        reader.stdin.flush()
        assert reader.stdout.readline().strip() == "3"
    finally:
        reader.stdin.close()
        reader.wait(timeout=30)
    leftovers = [p.name for p in warehouse.parent.iterdir() if p.name.endswith(".building")]
    assert leftovers == []
