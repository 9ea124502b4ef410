"""What the inbox (the corpus folder) holds now, in one fingerprint a sensor can compare."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from pipelines.landing.listing import Listing, list_corpus, signature


def inbox_fingerprint(root: Path) -> tuple[str, int]:
    """(fingerprint, file count): the fingerprint changes when a file arrives, goes or changes
    (name, size, modification or change time), without reading any file."""
    digest = hashlib.sha256()
    listing = list_corpus(root) if root.is_dir() else Listing([], [], [])
    for path, name in zip(listing.files, listing.names, strict=True):
        digest.update(f"{name}\t{signature(os.stat(path))}\n".encode())
    return digest.hexdigest()[:16], len(listing.files)
