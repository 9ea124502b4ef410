"""What the corpus folder holds, and each file's signature: light enough (no polars) for the
command line to ask before it starts a build whether anything changed."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


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


def signature(stat: os.stat_result) -> list[int]:
    """Size, modification and change times (ns) and inode, as git tells unchanged files: any
    write changes the change time, even one that keeps size and modification time."""
    return [stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino]
