"""Landing: find the report files of the corpus folder and put each into the store."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from pipelines.landing.archives import archive_members
from pipelines.landing.store import Arrival, ContentStore, utc_now


def corpus_files(root: Path) -> list[Path]:
    """Every regular file below root, recursively, skipping hidden files and folders."""
    if not root.is_dir():
        raise FileNotFoundError(f"corpus folder {root} does not exist")
    return sorted(
        path
        for path in root.rglob("*")
        if path.is_file() and not any(part.startswith(".") for part in path.relative_to(root).parts)
    )


def land_corpus(root: Path, store: ContentStore) -> pl.DataFrame:
    """Copy every file of the corpus into the store and log the names it has not seen.

    Returns one row per input now in the corpus: each file (source_name: its path relative to
    root) and each URL the crawler landed, at the version it last fetched (source_name: the
    URL); with sha256, size, arrived_at (when this name first brought these bytes), origin and
    is_new.
    """
    known_pairs = store.known_arrivals()
    now = utc_now()
    current: list[tuple[str, str]] = []
    arrivals: list[Arrival] = []
    with store.batch() as batch:
        for path in corpus_files(root):
            name = path.relative_to(root).as_posix()
            data = path.read_bytes()
            sha256 = batch.put(data)
            current.append((name, sha256))
            if (name, sha256) not in known_pairs:
                arrivals.append(Arrival(name, sha256, len(data), now, "file"))
    store.record(arrivals)
    crawled = store.latest_crawl()
    current += archive_members(store, [*current, *crawled.iter_rows()], now)
    first_arrivals = (
        store.arrivals()
        .group_by("source_name", "sha256")
        .agg(pl.col("size").first(), pl.col("arrived_at").min(), pl.col("origin").first())
    )
    files = pl.concat(
        [
            pl.DataFrame(
                current, schema={"source_name": pl.String, "sha256": pl.String}, orient="row"
            ),
            crawled,
        ]
    )
    arrived_now = pl.lit(now).str.to_datetime(time_zone="UTC", time_unit="us")
    return (
        files.join(first_arrivals, on=["source_name", "sha256"], how="left")
        .with_columns(is_new=pl.col("arrived_at") == arrived_now)
        .sort("source_name")
    )
