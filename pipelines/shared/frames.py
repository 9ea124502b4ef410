"""Polars frames to and from DuckDB through the Arrow C stream interface (PyCapsules), without
pyarrow. DuckDB's `.pl()` and a registered polars frame go through pyarrow, whose import (with
pyarrow.dataset and numpy) cost ~0.2 s at the first exchange of every run: a re-run with one new
report paid it as much as a full build. pyarrow is not installed at all, on purpose: where it
is, DuckDB scans any Arrow stream through a pyarrow dataset, pushing filters into pyarrow's
compute, which cannot filter the string_view columns polars exports. The stream is the same Arrow
data, handed over without a copy either way."""

from __future__ import annotations

import importlib.util
import sys
from typing import Any

import duckdb
import polars as pl

# DuckDB imports pandas and pyarrow, where they are installed, to tell whether a statement's
# parameters and results are theirs: where they are not, every statement with parameters tried
# again (a failed import is not remembered, and each try searches sys.path: 0.18 ms; ~1,300
# tries in a re-run at 10,000 reports, 0.16 s of them rendering the page). Marked missing once,
# each later import fails at once, as it would.
for _absent in ("pandas", "pyarrow"):
    if _absent not in sys.modules and importlib.util.find_spec(_absent) is None:
        sys.modules[_absent] = None  # type: ignore[assignment]


class ArrowStream:
    """A frame that DuckDB scans as an Arrow stream: each scan asks for a stream of its own (a
    stream is read once, and a query may read a registered frame twice)."""

    def __init__(self, frame: pl.DataFrame) -> None:
        self.frame = frame

    def __arrow_c_stream__(self, requested_schema: object | None = None) -> Any:
        return self.frame.__arrow_c_stream__(requested_schema)


# The name a parameterized query's kept result is read under (see query_frame).
MATERIALIZED = "parameterized_result"


def query_frame(
    conn: duckdb.DuckDBPyConnection, sql: str, parameters: list | dict | None = None
) -> pl.DataFrame:
    """The result of a query (one SELECT), as a polars frame."""
    relation = conn.sql(sql, params=parameters)
    if not parameters:
        return pl.DataFrame(relation)
    # With parameters, DuckDB runs the query at once and keeps its result, whose own Arrow
    # export is ~10x slower than a query's over it (a batch's 46,000 sentences: 0.15 s against
    # 0.015 s). The query keeps the result's order; the view it reads is dropped after, so the
    # result is not kept alive with it.
    frame = pl.DataFrame(relation.query(MATERIALIZED, f"SELECT * FROM {MATERIALIZED}"))
    conn.execute(f"DROP VIEW {MATERIALIZED}")
    return frame


def detached(frame: pl.DataFrame) -> pl.DataFrame:
    """The frame with strings of its own, to keep a few of a large frame's rows for long.
    polars keeps strings as views into the buffers they were read into, and what was read from
    DuckDB is freed only once none of its strings is left: a batch's report ids, kept, kept the
    batch's documents, texts and all (~10 MB a 1,000 documents)."""
    return frame.with_columns(
        pl.concat_str(pl.col(name), pl.lit(""))
        for name, kind in frame.schema.items()
        if kind == pl.String
    )
