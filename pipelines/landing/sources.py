"""Landing: find the report files of the corpus folder and put each into the store."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from pipelines.fault_injection import pause_at
from pipelines.landing.archives import archive_members
from pipelines.landing.store import Arrival, ContentStore, utc_now

LANDING_REJECTION_SCHEMA = {
    "source_name": pl.String,
    "size": pl.Int64,
    "stage": pl.String,
    "reason": pl.String,
}


@dataclass(frozen=True)
class Listing:
    """What the corpus folder holds: its files, and the folders that could not be listed."""

    files: list[Path]
    unlistable: list[tuple[Path, OSError]]


def list_corpus(root: Path) -> Listing:
    """Every regular file below root, recursively, skipping hidden files and folders."""
    if not root.is_dir():
        raise FileNotFoundError(f"corpus folder {root} does not exist")
    found: list[Path] = []
    unlistable: list[OSError] = []
    for folder, folders, names in os.walk(root, onerror=unlistable.append):
        folders[:] = [name for name in folders if not name.startswith(".")]
        found += [Path(folder) / name for name in names if not name.startswith(".")]
    return Listing(
        files=sorted(path for path in found if path.is_file()),
        unlistable=[(Path(error.filename), error) for error in unlistable],
    )


def corpus_files(root: Path) -> list[Path]:
    return list_corpus(root).files


def cannot_read(error: OSError) -> str:
    """Why a file or folder could not be read, in words a person can act on."""
    if isinstance(error, PermissionError):
        return "permission denied"
    if isinstance(error, FileNotFoundError):
        return "it vanished while it was being landed (moved or deleted)"
    return (error.strerror or str(error)).lower()


def land_corpus(
    root: Path, store: ContentStore, listing: Listing | None = None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Copy every file of the corpus (as listed, by default now) into the store and log the
    names it has not seen.

    Returns (files, rejected). files: one row per input now in the corpus: each file
    (source_name: its path relative to root) and each URL the crawler landed, at the version it
    last fetched (source_name: the URL); with sha256, size, arrived_at (when this name first
    brought these bytes), origin and is_new. rejected: each file or folder that could not be
    read (source_name, size, stage, reason); it stops nothing else.
    """
    if listing is None:
        listing = list_corpus(root)
    known_pairs = store.known_arrivals()
    now = utc_now()
    current: list[tuple[str, str]] = []
    arrivals: list[Arrival] = []
    rejected = [
        (
            f"{folder.relative_to(root).as_posix()}/",
            None,
            "landing",
            f"cannot read folder: {cannot_read(error)}",
        )
        for folder, error in listing.unlistable
    ]
    with store.batch() as batch:
        for path in listing.files:
            name = path.relative_to(root).as_posix()
            try:
                data = path.read_bytes()
            except OSError as error:
                rejected.append((name, None, "landing", f"cannot read: {cannot_read(error)}"))
                continue
            sha256 = batch.put(data)
            current.append((name, sha256))
            if (name, sha256) not in known_pairs:
                arrivals.append(Arrival(name, sha256, len(data), now, "file"))
    pause_at("landing.stored")
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
        .sort("source_name"),
        pl.DataFrame(rejected, schema=LANDING_REJECTION_SCHEMA, orient="row"),
    )
