"""Frames to and from DuckDB through the Arrow C stream (pipelines.shared.frames)."""

from __future__ import annotations

import datetime
import os
import subprocess
import sys

import duckdb
import polars as pl

from pipelines.shared.frames import ArrowStream, query_frame
from pipelines.warehouse.tables import query_with_rows

ROWS = pl.DataFrame(
    {
        "report_id": ["b2", "a1", "c3", None],
        "n": [3, 1, None, 7],
        "share": [0.5, None, 1.25, 2.0],
        "published": [datetime.date(2024, 3, 31), None, datetime.date(2025, 1, 2), None],
        "tokens": [["依法", "行政"], [], None, ["复议"]],
        "text": ["行政复议案件12件", "", None, "同比增长300%"],
    }
)


def test_a_frame_goes_to_duckdb_and_back_unchanged() -> None:
    with duckdb.connect() as conn:
        conn.register("incoming", ArrowStream(ROWS))
        conn.execute("CREATE TABLE kept AS SELECT * FROM incoming")
        back = query_frame(conn, "SELECT * FROM kept")
    assert back.schema == ROWS.schema
    assert back.equals(ROWS)


def test_a_query_reads_a_frame_twice_and_filters_its_strings() -> None:
    # A stream is read once: each scan must get one of its own. A filter on a string column
    # pushed down into pyarrow failed on the string_view columns polars exports.
    with duckdb.connect() as conn:
        found = query_with_rows(
            conn,
            "SELECT report_id, n FROM incoming_rows "
            "WHERE report_id BETWEEN $first AND $last "
            "AND report_id IN (SELECT report_id FROM incoming_rows WHERE text LIKE '%复议%') "
            "ORDER BY report_id",
            ROWS,
            {"first": "a", "last": "c"},
        )
    assert found.rows() == [("b2", 3)]


def test_query_frame_takes_parameters_and_keeps_the_types_of_an_empty_result() -> None:
    with duckdb.connect() as conn:
        conn.execute("CREATE TABLE t (report_id VARCHAR, n INTEGER, made DATE)")
        conn.execute("INSERT INTO t VALUES ('a', 1, DATE '2024-01-01'), ('b', 2, NULL)")
        assert query_frame(conn, "SELECT n FROM t WHERE report_id = ?", ["b"]).rows() == [(2,)]
        empty = query_frame(conn, "SELECT * FROM t WHERE n > $n", {"n": 5})
    assert empty.is_empty()
    assert empty.schema == pl.Schema({"report_id": pl.String, "n": pl.Int32, "made": pl.Date})


def test_a_query_with_parameters_gives_the_rows_in_the_order_it_asks_for() -> None:
    # Its result is read through a query over it (the result's own export is ~10x slower):
    # that query must keep every row, type and the ORDER BY of the one asked.
    with duckdb.connect() as conn:
        conn.execute(
            "CREATE TABLE t AS SELECT (i * 7919) % 100003 AS k, i::VARCHAR AS label, "
            "[i, i + 1] AS pair FROM range(50000) r(i)"
        )
        ordered = "SELECT * FROM t WHERE k >= {} ORDER BY k DESC, label"
        with_parameter = query_frame(conn, ordered.format("$least"), {"least": 10})
        written_out = query_frame(conn, ordered.format(10))
        (rows,) = conn.execute("SELECT count(*) FROM t WHERE k >= 10").fetchone()
        # The view the result was read through is gone, and the result with it.
        views = conn.execute("SELECT count(*) FROM duckdb_views() WHERE NOT internal").fetchone()
    assert views == (0,)
    assert with_parameter.height == rows > 40000
    assert with_parameter.equals(written_out)
    assert with_parameter["k"].is_sorted(descending=True)


def test_the_pipeline_runs_without_pyarrow() -> None:
    # Installed, pyarrow would be imported at the first exchange (~0.2 s a run) and DuckDB would
    # scan frames through it (the filter above fails there).
    probe = subprocess.run(
        [sys.executable, "-c", "import pyarrow"], capture_output=True, text=True, check=False
    )
    assert probe.returncode != 0
    assert "No module named 'pyarrow'" in probe.stderr


# Reads 400 MB of text from DuckDB, 100 MB at a time, and keeps each read's ids: prints how
# many MB the process gives back when the ids kept are let go (measured so, not as what it
# holds beyond its start, which counted what the allocators kept of the reads themselves: that
# moved by 100 MB and more with the machine's load). argv[1]: whether the ids are detached.
HOLDS = """
import gc, sys
import duckdb, polars as pl
from pipelines.shared.frames import detached, query_frame
def rss():
    return int(next(l for l in open("/proc/self/status") if l.startswith("VmRSS")).split()[1]) // 1024
conn = duckdb.connect()
kept = []
for read in range(4):
    texts = query_frame(conn, "SELECT printf('report-%012d', i + 1000 * $read) AS report_id, "
                        "repeat('依法行政', 8000) || i AS text FROM range(1000) t(i)", {"read": read})
    ids = texts.select("report_id").unique("report_id")
    kept.append(detached(ids) if sys.argv[1] == "detached" else ids)
    del texts, ids
    gc.collect()
assert pl.concat(kept)["report_id"].n_unique() == 4000
holding = rss()
del kept
gc.collect()
print(holding - rss())
"""


def test_rows_kept_detached_do_not_keep_what_they_were_read_with() -> None:
    """A few rows kept from each of four 100 MB reads: as views into the reads' strings, they
    keep all four alive; detached, none."""
    # polars' allocator (jemalloc) returns what is freed at once, not after a delay that
    # depends on how fast the machine runs: the memory held is the same at every run.
    at_once = {**os.environ, "_RJEM_MALLOC_CONF": "dirty_decay_ms:0,muzzy_decay_ms:0"}
    held = {
        how: int(
            subprocess.run(
                [sys.executable, "-c", HOLDS, how],
                capture_output=True,
                text=True,
                check=True,
                env=at_once,
            ).stdout
        )
        for how in ("views", "detached")
    }
    assert held["views"] > 300
    assert held["detached"] < 50
