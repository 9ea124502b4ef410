"""What the inbox (the corpus folder) holds now, in one fingerprint a sensor can compare."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Collection
from pathlib import Path

from pipelines.landing.listing import Listing, list_corpus, signature


def inbox_fingerprint(root: Path, leave_out: Collection[Path] = ()) -> tuple[str, int]:
    """(fingerprint, file count): the fingerprint changes when a file arrives, goes or changes
    (name, size, modification or change time), without reading any file; the files and
    folders of leave_out are not looked at."""
    digest = hashlib.sha256()
    listing = list_corpus(root, leave_out) if root.is_dir() else Listing([], [], [])
    for path, name in zip(listing.files, listing.names, strict=True):
        digest.update(f"{name}\t{signature(os.stat(path))}\n".encode())
    return digest.hexdigest()[:16], len(listing.files)
