"""The reports table's appended rows sealed (pipelines/warehouse/sealing.py): DuckDB appends to
a table's last row group and rewrites it whole at every checkpoint, so rows appended run after
run are written again in one go, after which the next appends start a row group of their own.
These tests hold the DuckDB in use to that, and the working database and the standby to when
they are sealed."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from pipelines.warehouse.publish import publish
from pipelines.warehouse.sealing import row_groups, seal_working, sealed_in_working
from pipelines.warehouse.tables import public_tables, table_ddl


def append_reports(conn: duckdb.DuckDBPyConnection, first: int, count: int) -> None:
    """count reports, as one run appends them, checkpointed."""
    conn.execute(
        "INSERT INTO reports BY NAME SELECT printf('r%06d', i) AS report_id, "
        "printf('r%06d.txt', i) AS source_name, 'txt' AS source_format, md5(i::VARCHAR) AS sha256, "
        "2023 AS report_year, repeat('法治政府建设' || i::VARCHAR, 20) AS text, 160 AS n_chars "
        "FROM range(?, ?) AS t(i)",
        [first, first + count],
    )
    conn.execute("CHECKPOINT")


def three_runs(conn: duckdb.DuckDBPyConnection) -> None:
    """3,000 reports appended by three runs, each checkpointed."""
    for run in range(3):
        append_reports(conn, run * 1000, 1000)


@pytest.fixture
def working(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    conn = duckdb.connect(str(tmp_path / "fazhi.duckdb"))
    conn.execute(f"ATTACH '{tmp_path / 'work.duckdb'}' AS work")
    for table in public_tables():
        conn.execute(table_ddl(table))
    return conn


def test_rows_appended_run_after_run_are_sealed_and_later_ones_start_anew(
    working: duckdb.DuckDBPyConnection, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAZHI_SEAL_AFTER_ROWS", "2000")
    three_runs(working)
    before = working.execute("SELECT * FROM reports ORDER BY report_id").fetchall()
    sealed = seal_working(working)
    assert sealed is not None
    assert sealed_in_working(working, row_groups(working, "fazhi")) == sealed
    assert working.execute("SELECT * FROM reports ORDER BY report_id").fetchall() == before
    groups = row_groups(working, "fazhi")
    assert len(groups) == sealed and sum(groups) == 3000
    # The next run's rows start a row group of their own: a checkpoint rewrites them alone.
    append_reports(working, 3000, 1)
    assert row_groups(working, "fazhi") == [*groups, 1]
    # Too few appended since to seal again; enough, and they are sealed with the rest.
    assert seal_working(working) == sealed
    append_reports(working, 3001, 1999)
    assert sum(row_groups(working, "fazhi")[sealed:]) == 2000
    sealed = seal_working(working)
    assert sum(row_groups(working, "fazhi")[:sealed]) == 5000
    append_reports(working, 5000, 1)
    assert row_groups(working, "fazhi")[sealed:] == [1]


def test_a_working_file_made_anew_beside_its_work_catalog_is_sealed_again(
    working: duckdb.DuckDBPyConnection, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAZHI_SEAL_AFTER_ROWS", "2000")
    three_runs(working)
    assert seal_working(working) is not None
    # The reports written anew run after run (a working file made again), the record kept.
    working.execute(table_ddl("reports"))
    three_runs(working)
    assert sealed_in_working(working, row_groups(working, "fazhi")) is None
    sealed = seal_working(working)
    append_reports(working, 3000, 1)
    assert row_groups(working, "fazhi")[sealed:] == [1]


def test_a_small_table_is_never_sealed(working: duckdb.DuckDBPyConnection) -> None:
    append_reports(working, 0, 5)
    assert seal_working(working) is None
    assert row_groups(working, "fazhi") == [5]


def test_the_standby_is_sealed_once_enough_rows_were_appended_to_it(
    working: duckdb.DuckDBPyConnection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAZHI_SEAL_AFTER_ROWS", "150")
    conn = working
    conn.execute("CREATE TABLE work.stage_keys (stage VARCHAR, report_id VARCHAR, key VARCHAR)")
    target = tmp_path / "published" / "fazhi.duckdb"
    standby = target.with_name(f".{target.name}.standby")

    def build(first: int, count: int) -> None:
        """A run that adds count reports, published as fazhi does."""
        append_reports(conn, first, count)
        conn.execute(
            "INSERT INTO work.stage_keys SELECT 'reports', printf('r%06d', i), 'k1' "
            "FROM range(?, ?) AS t(i)",
            [first, first + count],
        )
        sealed = seal_working(conn)
        conn.execute("CHECKPOINT")
        publish(conn, tmp_path / "fazhi.duckdb", target, 0, sealed)

    def standby_groups() -> list[int]:
        with duckdb.connect(str(standby), read_only=True) as reader:
            return row_groups(reader, reader.execute("SELECT current_database()").fetchone()[0])

    # The first publication copies the sealed working file; then each build updates the
    # standby, the two published files taking turns.
    build(0, 3000)
    build(3000, 50)
    build(3050, 50)
    assert standby_groups() == [3000, 50]
    for first in range(3100, 3400, 50):
        build(first, 50)
    # Each file was sealed as it reached 150 appended rows: neither holds more than that
    # beyond its sealed rows, and both hold every report.
    with duckdb.connect(str(target), read_only=True) as reader:
        published = row_groups(reader, "fazhi")
        assert reader.execute("SELECT count(*) FROM reports").fetchone() == (3400,)
    for groups in (published, standby_groups()):
        assert groups[0] > 3000
        assert sum(groups[1:]) < 150
