"""What the inbox (the corpus folder) holds now, in one fingerprint a sensor can compare."""

from __future__ import annotations

import hashlib
from pathlib import Path

from pipelines.landing.listing import corpus_files, signature


def inbox_fingerprint(root: Path) -> tuple[str, int]:
    """(fingerprint, file count): the fingerprint changes when a file arrives, goes or changes
    (name, size, modification or change time), without reading any file."""
    digest = hashlib.sha256()
    files = corpus_files(root) if root.is_dir() else []
    for path in files:
        digest.update(f"{path.relative_to(root).as_posix()}\t{signature(path.stat())}\n".encode())
    return digest.hexdigest()[:16], len(files)
