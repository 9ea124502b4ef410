"""The crawl log: every crawl's outcomes, appended beside the store, from which each build makes
the crawl_log table. Apart from the crawl itself, so a build reads it without loading the
fetcher and the page parsers."""

from __future__ import annotations

import os
from pathlib import Path

import polars as pl

from pipelines.landing.store import ContentStore, read_log

OUTCOME_SCHEMA = {
    "crawl_started_at": pl.String,
    "started_by": pl.String,
    "url": pl.String,
    "kind": pl.String,
    "outcome": pl.String,
    "reason": pl.String,
    "sha256": pl.String,
    "found_on": pl.String,
    "fetched_at": pl.String,
}


class CrawlLog:
    """The outcomes of every crawl, by hand or scheduled, appended to crawl/log.jsonl beside
    the store and never rewritten: what the warehouse's crawl_log table is made from."""

    def __init__(self, store: ContentStore) -> None:
        self.path: Path = store.root / "crawl" / "log.jsonl"

    def append(self, rows: pl.DataFrame) -> None:
        """Rows of a crawl (one at a time, as they happen), in one write that reaches the disk
        before this returns."""
        if rows.is_empty():
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(rows.write_ndjson())
            handle.flush()
            os.fsync(handle.fileno())

    def read(self) -> pl.DataFrame:
        """Every row logged; a line cut short by a killed crawl is skipped."""
        return read_log(self.path, OUTCOME_SCHEMA)
