"""What the corpus folder and the store hold, and each file's signature: light enough (no
polars) for the command line to ask before it starts a build whether anything changed."""

from __future__ import annotations

import os
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Listing:
    """What the corpus folder holds: its files (their paths, as strings: 10,000 Path objects
    took 0.11 s of a re-run at 10,000 reports), each file's name (its path below the folder,
    with /), and the folders that could not be listed."""

    files: list[str]
    names: list[str]
    unlistable: list[tuple[Path, OSError]]


def list_corpus(root: Path, leave_out: Collection[Path] = ()) -> Listing:
    """Every file below root (and whatever else is not a folder), recursively, skipping hidden
    files and folders and the files and folders of leave_out (what fazhi writes, when it writes inside the corpus)."""
    if not root.is_dir():
        raise FileNotFoundError(f"corpus folder {root} does not exist")
    skipped = {str(path) for path in leave_out}
    # Reached through a link too (the warehouse linked into the corpus was read back as an
    # input at every build, and the store grew by a copy of it each time).
    skipped_really = {os.path.realpath(path) for path in leave_out}
    found: list[str] = []
    unlistable: list[tuple[Path, OSError]] = []
    folders = [str(root)]
    # The folder's own entries say which are files: no stat per file (os.walk and Path.is_file
    # each took one, ~10,000 a build at 10,000 reports).
    while folders:
        folder = folders.pop()
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    if entry.name.startswith(".") or entry.path in skipped:
                        continue
                    if entry.is_symlink() and os.path.realpath(entry.path) in skipped_really:
                        continue
                    # Links to folders are not followed, as os.walk does not.
                    if entry.is_dir(follow_symlinks=False):
                        folders.append(entry.path)
                    elif _is_file(entry):
                        found.append(entry.path)
        except OSError as error:
            unlistable.append((Path(folder), error))
    # In the order of their paths' parts, as paths sort, without comparing paths (slow).
    found.sort(key=lambda path: path.split(os.sep))
    prefix = len(os.path.join(root, ""))
    return Listing(
        files=found,
        names=[readable_name(path[prefix:]) for path in found],
        unlistable=unlistable,
    )


def _is_file(entry: os.DirEntry[str]) -> bool:
    """Whether the entry is to be landed: anything but a link to a folder, so that what cannot
    be (a link that leads nowhere or in a loop, a named pipe, a device, a socket) is named by
    landing with the reason, not passed over without a word; and the entries after it in its
    folder are listed all the same."""
    try:
        return not entry.is_dir()
    except OSError:
        return True


def readable_name(relative: str) -> str:
    """A path below the corpus folder as a name with /, in text any table can hold. Linux names
    are bytes: one that is not UTF-8 (a name a Chinese Windows wrote in GBK, copied or unzipped
    as it was) reaches Python with its bytes escaped, which no file, table or digest takes.
    Each such part is read as GB18030, as the names in Chinese zips are (landing/archives.py),
    or else keeps its odd bytes as \\xNN."""
    parts = relative.split(os.sep)
    if relative.isascii():
        return "/".join(parts)
    return "/".join(_readable_part(part) for part in parts)


def _readable_part(part: str) -> str:
    try:
        part.encode("utf-8")
        return part
    except UnicodeEncodeError:
        raw = os.fsencode(part)
    try:
        return raw.decode("gb18030")
    except UnicodeDecodeError:
        return raw.decode("utf-8", "backslashreplace")


def signature(stat: os.stat_result) -> list[int]:
    """Size, modification and change times (ns) and inode, as git tells unchanged files: any
    write changes the change time, even one that keeps size and modification time."""
    return [stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino]


def stored_objects(objects: Path) -> Iterator[os.DirEntry[str]]:
    """The entries of the store's objects (objects/<first two hex>/<sha256>), from one listing
    per folder instead of a look-up per object."""
    if not objects.is_dir():
        return
    for folder in os.scandir(objects):
        if folder.is_dir():
            yield from (
                entry for entry in os.scandir(folder.path) if not entry.name.startswith(".")
            )
