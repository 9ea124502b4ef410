"""The content-addressed store: every input is kept exactly as it arrived, never rewritten.

Objects live under ``objects/<first two hex>/<sha256>``; ``arrivals.jsonl`` is an append-only
log of which name (a path below the corpus folder, or a URL) brought which bytes, and when.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import hashlib
import io
import json
import os
import stat
import threading
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

import polars as pl

from pipelines.landing.listing import stored_objects

ARRIVAL_SCHEMA = {
    "source_name": pl.String,
    "sha256": pl.String,
    "size": pl.Int64,
    "arrived_at": pl.Datetime("us", "UTC"),
    "origin": pl.String,
}


@dataclass(frozen=True)
class Arrival:
    source_name: str
    sha256: str
    size: int
    arrived_at: str
    origin: str


def read_log(path: Path, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """The rows of an append-only log of JSON lines (empty if there is none yet); a last line
    cut short by a killed run is skipped, and so is any line that is no record of the log
    (damaged on the disk, or written by hand), which `fazhi verify` names."""
    lines = path.read_bytes().splitlines() if path.exists() else []
    complete = [line for line in lines if line.endswith(b"}")]
    if not complete:
        return pl.DataFrame(schema=schema)
    try:
        return pl.read_ndjson(io.BytesIO(b"\n".join(complete)), schema=schema)
    except (pl.exceptions.PolarsError, OSError):
        good = [line for line in complete if _is_record(line, schema)]
        return (
            pl.read_ndjson(io.BytesIO(b"\n".join(good)), schema=schema)
            if good
            else (pl.DataFrame(schema=schema))
        )


def _is_record(line: bytes, schema: dict[str, pl.DataType]) -> bool:
    """Whether a line of a log is a JSON object with every field of the log's records."""
    try:
        record = json.loads(line)
    except ValueError:
        return False
    if not isinstance(record, dict) or not set(schema) <= set(record):
        return False
    try:
        pl.DataFrame([record], schema=schema)
    except (pl.exceptions.PolarsError, TypeError, ValueError, OverflowError):
        return False
    return True


def damaged_log_lines(path: Path, schema: dict[str, pl.DataType]) -> list[int]:
    """The numbers of the lines of a log that are no record of it, but for a last line cut
    short by a killed run."""
    lines = path.read_bytes().split(b"\n") if path.exists() else []
    last = max((number for number, line in enumerate(lines, 1) if line.strip()), default=0)
    return [
        number
        for number, line in enumerate(lines, 1)
        if line.strip()
        and not _is_record(line, schema)
        and not (number == last and not line.rstrip().endswith(b"}"))
    ]


def _with_times(raw: pl.DataFrame) -> pl.DataFrame:
    return raw.with_columns(pl.col("arrived_at").str.to_datetime(time_zone="UTC", time_unit="us"))


def arrivals_frame(arrivals: Iterable[Arrival]) -> pl.DataFrame:
    """Arrivals as the log's rows read back would be."""
    return _with_times(
        pl.DataFrame(
            [vars(arrival) for arrival in arrivals],
            schema=ARRIVAL_SCHEMA | {"arrived_at": pl.String},
        )
    )


def latest_crawl(arrivals: pl.DataFrame) -> pl.DataFrame:
    """source_name, sha256: every URL the crawler landed, at the version it last fetched."""
    return (
        arrivals.filter(pl.col("origin") == "crawl")
        .sort("arrived_at")
        .group_by("source_name")
        .agg(pl.col("sha256").last())
    )


class ContentStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.objects = root / "objects"
        self.log = root / "arrivals.jsonl"

    def object_file(self, sha256: str) -> str:
        """Where the object lies, as a plain string: landing stats every object at every run,
        and two Path joins per object took 0.05 s of 0.09 s at 10,000 objects."""
        return f"{self.objects}/{sha256[:2]}/{sha256}"

    def object_path(self, sha256: str) -> Path:
        return Path(self.object_file(sha256))

    def stored(self) -> set[str]:
        """The sha256 of every object in the store, from its folders' entries: one listing per
        folder instead of a look-up per object."""
        return {entry.name for entry in stored_objects(self.objects)}

    def read(self, sha256: str) -> bytes:
        with open_regular(self.object_file(sha256)) as stored:
            return stored.read()

    def put(self, data: bytes) -> str:
        """Keep these bytes unless the store has them already; return their sha256."""
        with self.batch() as batch:
            return batch.put(data)

    def batch(self) -> StoreBatch:
        """Puts that reach the disk together: their bytes synced together before any is named."""
        return StoreBatch(self)

    def arrivals(self) -> pl.DataFrame:
        """Every arrival ever logged; a line cut short by a killed run is skipped."""
        return _with_times(read_log(self.log, ARRIVAL_SCHEMA | {"arrived_at": pl.String}))

    def known_arrivals(self) -> set[tuple[str, str]]:
        """Every (source_name, sha256) pair logged so far: a name bringing bytes it brought
        before is not a new arrival."""
        known = self.arrivals()
        return set(zip(known["source_name"], known["sha256"], strict=True))

    def intact(self, sha256: str, size: int | None = None, rehash: bool = True) -> bool:
        """Whether the object is there (with this size, if given) and, when rehash, whether its
        bytes still hash to its name."""
        path = self.object_file(sha256)
        try:
            if not rehash:
                # One call, not an open: every run looks at every object this way.
                seen = os.stat(path)
                return stat.S_ISREG(seen.st_mode) and size in (None, seen.st_size)
            # A piece at a time: an object may be larger than memory.
            with open_regular(path) as stored:
                stored_size = os.fstat(stored.fileno()).st_size
                if size is not None and stored_size != size:
                    return False
                return not rehash or hashlib.file_digest(stored, "sha256").hexdigest() == sha256
        # Gone, or something else in its place (a folder, a named pipe): not intact.
        except OSError:
            return False

    def damaged_log_lines(self) -> list[int]:
        """The lines of the arrivals log that are no arrival (a last line cut short by a killed
        run is not one of them)."""
        return damaged_log_lines(self.log, ARRIVAL_SCHEMA | {"arrived_at": pl.String})

    def damaged_objects(self) -> tuple[int, list[str]]:
        """Rehash the whole store: (objects checked, the sha256 of every object logged as
        arrived that is missing or whose bytes no longer hash to its name)."""
        logged = sorted(set(self.arrivals()["sha256"]))
        return len(logged), [sha256 for sha256 in logged if not self.intact(sha256)]

    def record(self, arrivals: Iterable[Arrival]) -> None:
        lines = [json.dumps(vars(a), ensure_ascii=False) for a in arrivals]
        if not lines:
            return
        self.root.mkdir(parents=True, exist_ok=True)
        with self.log.open("a", encoding="utf-8") as handle:
            handle.write("\n".join(lines) + "\n")
            handle.flush()
            os.fsync(handle.fileno())


# Syncs wait on the disk, not the processor: a few at once let it take them together.
SYNC_THREADS = 8


# What a path that is no regular file is, for the reason told.
NOT_REGULAR = {
    stat.S_IFDIR: "a folder",
    stat.S_IFIFO: "a named pipe",
    stat.S_IFCHR: "a device",
    stat.S_IFBLK: "a device",
    stat.S_IFSOCK: "a socket",
}


def open_regular(path: str | Path) -> BinaryIO:
    """The file at path, opened to read, if it is a regular file; else OSError saying what it
    is. Opened without blocking first: a named pipe put in a file's place between the listing
    and the read (or in the store) waited for a writer for ever, and the build with it."""
    handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY)
    try:
        kind = stat.S_IFMT(os.fstat(handle).st_mode)
        if kind != stat.S_IFREG:
            raise OSError(
                errno.EINVAL, f"not a file but {NOT_REGULAR.get(kind, 'no regular file')}", path
            )
        os.set_blocking(handle, True)
        return os.fdopen(handle, "rb")
    except BaseException:
        os.close(handle)
        raise


def fsync(path: Path) -> None:
    """Force a file's bytes, or a folder's entries, to the disk."""
    handle = os.open(path, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


# Linux flushes one file system at once (syncfs); elsewhere every object is synced in turn.
_SYNCFS = getattr(ctypes.CDLL(None, use_errno=True), "syncfs", None)
# From this many new objects, one flush of the store's file system costs less than a sync of
# each (2,000 objects: 0.02-0.03 s against 0.16-0.2 s in eight threads); below it, syncs of
# the objects alone never wait on what other programs wrote to the same file system.
SYNC_FILE_SYSTEM_FROM = 64


def sync_file_system(path: Path) -> None:
    """Force everything written to the file system that holds path to the disk."""
    handle = os.open(path, os.O_RDONLY)
    try:
        if _SYNCFS(handle) != 0:
            error = ctypes.get_errno()
            raise OSError(error, os.strerror(error), str(path))
    finally:
        os.close(handle)


# Files above this size are copied into the store a piece at a time, and hashed as they go.
STREAMED_ABOVE = 16 * 2**20
PIECE_BYTES = 2**20
# What put_file hands back of a file's start: enough to tell an archive.
HEAD_BYTES = 8


def _new_read_only(path: str) -> BinaryIO:
    """A new file to write, read-only from the start: its own descriptor still writes, and no
    chmod is needed after."""
    return os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o444), "wb")


class StoreBatch:
    """Objects are written beside their targets, synced, and only then renamed into place, so a
    killed run or a power cut never leaves a half-written object under a hash's name; their
    folders are synced after the renames, so an object the arrivals log names is on the disk
    under its name. Only the new objects and their folders are synced, or, for many objects,
    the one file system that holds the store: never every disk."""

    def __init__(self, store: ContentStore) -> None:
        self.store = store
        self.pending: dict[Path, str] = {}
        self.folders: set[Path] = set()
        # Threads may put files at once (landing does): an object is claimed by one of them.
        self._claiming = threading.Lock()

    def __enter__(self) -> StoreBatch:
        return self

    def put(self, data: bytes) -> str:
        sha256 = hashlib.sha256(data).hexdigest()
        target = self.store.object_path(sha256)
        partial = self._claim(target, sha256)
        if partial is not None:
            try:
                with _new_read_only(partial) as out:
                    out.write(data)
            except BaseException:
                self._unclaim(target, partial)
                raise
        return sha256

    def _claim(self, target: Path, sha256: str) -> str | None:
        """Where this thread writes the object, or None if the store has it or another
        thread of the batch writes it."""
        with self._claiming:
            if target in self.pending or target.exists():
                return None
            partial = self._partial_name(target.parent, sha256)
            self.pending[target] = partial
            return partial

    def _unclaim(self, target: Path, partial: str) -> None:
        with self._claiming:
            del self.pending[target]
        Path(partial).unlink(missing_ok=True)

    def put_file(self, path: str | Path) -> tuple[str, int, bytes]:
        """Keep the file's bytes unless the store has them already; return their sha256, size
        and first bytes. A file over STREAMED_ABOVE goes a piece at a time, never whole in
        memory: a disk image dropped in the corpus is kept like any input, and stops nothing."""
        with open_regular(path) as source:
            if os.fstat(source.fileno()).st_size <= STREAMED_ABOVE:
                data = source.read()
                return self.put(data), len(data), data[:HEAD_BYTES]
            incoming = self._partial_name(self.store.objects, "incoming")
            digest, size, head = hashlib.sha256(), 0, b""
            try:
                with _new_read_only(incoming) as out:
                    while piece := source.read(PIECE_BYTES):
                        head = head or piece[:HEAD_BYTES]
                        digest.update(piece)
                        out.write(piece)
                        size += len(piece)
            except BaseException:
                os.unlink(incoming)
                raise
        sha256 = digest.hexdigest()
        target = self.store.object_path(sha256)
        partial = self._claim(target, sha256)
        if partial is None:
            os.unlink(incoming)
            return sha256, size, head
        try:
            os.replace(incoming, partial)
        except BaseException:
            self._unclaim(target, partial)
            os.unlink(incoming)
            raise
        return sha256, size, head

    def _partial_name(self, folder: Path, name: str) -> str:
        """Where a writer puts an object's bytes until they are synced: named after the object
        and its writer (a crawl may land the same bytes at the same time) in its folder, made
        if need be. A file of that name is a killed writer's, left half-written: it goes."""
        if folder not in self.folders:
            folder.mkdir(parents=True, exist_ok=True)
            self.folders.add(folder)
        partial = f"{folder}/.{name}.{os.getpid()}-{threading.get_ident()}.part"
        with contextlib.suppress(FileNotFoundError):
            os.unlink(partial)
        return partial

    def __exit__(self, error_type: type[BaseException] | None, *_: object) -> None:
        if error_type is not None:
            for written in self.pending.values():
                Path(written).unlink(missing_ok=True)
            return
        if not self.pending:
            return
        whole = _SYNCFS is not None and len(self.pending) >= SYNC_FILE_SYSTEM_FROM
        if whole:
            sync_file_system(self.store.root)
        else:
            with ThreadPoolExecutor(SYNC_THREADS) as pool:
                list(pool.map(fsync, map(Path, self.pending.values())))
        for target, written in self.pending.items():
            os.replace(written, target)
        if whole:
            sync_file_system(self.store.root)
            return
        # The object folders hold the new names; the folders above, any folder made new.
        folders = {target.parent for target in self.pending} | {self.store.objects, self.store.root}
        with ThreadPoolExecutor(SYNC_THREADS) as pool:
            list(pool.map(fsync, folders))


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")
