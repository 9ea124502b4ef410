"""Landing: find the report files of the corpus folder and put each into the store."""

from __future__ import annotations

import json
import os
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import polars as pl

from pipelines.fault_injection import pause_at
from pipelines.landing.archives import ZIP_STARTS, archive_members
from pipelines.landing.listing import Listing, list_corpus, readable_name, signature
from pipelines.landing.store import (
    Arrival,
    ContentStore,
    arrivals_frame,
    latest_crawl,
    utc_now,
)

# Threads landing files at once: two did as well as four here, with less processor time.
LANDING_THREADS = 2
LANDING_REJECTION_SCHEMA = {
    "source_name": pl.String,
    "size": pl.Int64,
    "stage": pl.String,
    "reason": pl.String,
}


class HashIndex:
    """The sha256 of each corpus file as of the last landing, with the file's signature then:
    size, modification and change times (ns) and inode, as git tells unchanged files, and
    whether its bytes start as a zip's do. A file whose signature is the same is not read and
    hashed again, nor opened to see whether it is an archive; any write changes its change
    time, even one that keeps size and modification time. Kept beside the working database;
    lost, every file is read once more. Entries are saved only after the objects they name are
    stored and their arrivals logged."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.known: dict[str, list] = {}
        if path is not None and path.exists():
            try:
                self.known = json.loads(path.read_text(encoding="utf-8"))
            except ValueError:
                self.known = {}
        self.seen: dict[str, list] = {}

    def lookup(self, name: str, signature: list[int]) -> tuple[str, bool] | None:
        """(sha256, starts like a zip) of the file if its signature is the one last seen."""
        entry = self.known.get(name)
        if entry is None or len(entry) != len(signature) + 2 or entry[:-2] != signature:
            return None
        return entry[-2], entry[-1]

    def saw(self, name: str, signature: list[int], sha256: str, zip_like: bool) -> None:
        self.seen[name] = [*signature, sha256, zip_like]

    def save(self) -> None:
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_name(f".{self.path.name}.part")
        partial.write_text(json.dumps(self.seen, ensure_ascii=False), encoding="utf-8")
        partial.replace(self.path)


def cannot_read(error: OSError) -> str:
    """Why a file or folder could not be read, in words a person can act on."""
    if isinstance(error, PermissionError):
        return "permission denied"
    if isinstance(error, FileNotFoundError):
        if error.filename and os.path.islink(error.filename):
            return f"a link that leads nowhere ({os.readlink(error.filename)})"
        return "it vanished while it was being landed (moved or deleted)"
    return (error.strerror or str(error)).lower()


def land_corpus(
    root: Path, store: ContentStore, listing: Listing | None = None, hashes: Path | None = None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Copy every file of the corpus (as listed, by default now) into the store and log the
    names it has not seen. hashes: the file of a HashIndex, so that files unchanged since the
    last landing, whose objects are in the store, are not read again.

    Returns (files, rejected). files: one row per input now in the corpus: each file
    (source_name: its path relative to root) and each URL the crawler landed, at the version it
    last fetched (source_name: the URL); with sha256, size, arrived_at (when this name first
    brought these bytes), origin and is_new. rejected: each file or folder that could not be
    read (source_name, size, stage, reason); it stops nothing else.
    """
    if listing is None:
        listing = list_corpus(root)
    # The arrivals log, read once: what landing adds to it is kept beside.
    logged = store.arrivals()
    known_pairs = set(zip(logged["source_name"], logged["sha256"], strict=True))
    stored = store.stored()
    now = utc_now()
    current: list[tuple[str, str]] = []
    # Inputs whose bytes start as a zip's: only these can be archives to unpack.
    zip_like: list[tuple[str, str]] = []
    arrivals: list[Arrival] = []
    rejected = [
        (
            f"{readable_name(str(folder.relative_to(root)))}/",
            None,
            "landing",
            f"cannot read folder: {cannot_read(error)}",
        )
        for folder, error in listing.unlistable
    ]
    index = HashIndex(hashes)
    # The files the index cannot vouch for are read and stored by threads at once: the time
    # goes to the file system's calls, which release the GIL (2,000 new files of the benchmark,
    # alternated: one thread 2.35-2.78 s, two 1.47-1.81 s). Outcomes are taken in the
    # listing's order.
    with store.batch() as batch, ThreadPoolExecutor(LANDING_THREADS) as landing:

        def put(path: str) -> tuple[str, int, bool]:
            sha256, size, head = batch.put_file(path)
            return sha256, size, head.startswith(ZIP_STARTS)

        landed: list[tuple[str, list[int] | None, Future | tuple[str, int, bool] | OSError]] = []
        for path, name in zip(listing.files, listing.names, strict=True):
            try:
                # Taken before the bytes are read: a write after it shows at the next landing.
                seen = signature(os.stat(path))
            except OSError as error:
                landed.append((name, None, error))
                continue
            known = index.lookup(name, seen)
            if known is not None and known[0] in stored:
                landed.append((name, seen, (known[0], seen[0], known[1])))
            else:
                landed.append((name, seen, landing.submit(put, path)))
        for name, seen, outcome in landed:
            if isinstance(outcome, Future):
                try:
                    outcome = outcome.result()
                except OSError as error:
                    outcome = error
            if isinstance(outcome, OSError):
                rejected.append((name, None, "landing", f"cannot read: {cannot_read(outcome)}"))
                continue
            sha256, size, starts_zip = outcome
            index.saw(name, seen, sha256, starts_zip)
            current.append((name, sha256))
            if starts_zip:
                zip_like.append((name, sha256))
            if (name, sha256) not in known_pairs:
                arrivals.append(Arrival(name, sha256, size, now, "file"))
    pause_at("landing.stored")
    store.record(arrivals)
    index.save()
    crawled = latest_crawl(logged)
    members, member_arrivals = archive_members(
        store, [*zip_like, *crawled.iter_rows()], now, known_pairs
    )
    current += members
    first_arrivals = (
        pl.concat([logged, arrivals_frame([*arrivals, *member_arrivals])])
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
