"""Named points where a test freezes a build to kill it there: a no-op unless FAZHI_PAUSE_AT
names the point.

At that point the process writes its pid to the file FAZHI_PAUSE_MARKER and blocks for good,
so a test waits for the file, not for a guessed time, and then kills the process.
"""

from __future__ import annotations

import os
import time
from pathlib import Path


def pause_at(point: str) -> None:
    """Block here for good when FAZHI_PAUSE_AT is point, after saying so in FAZHI_PAUSE_MARKER."""
    if os.environ.get("FAZHI_PAUSE_AT") != point:
        return
    marker = Path(os.environ["FAZHI_PAUSE_MARKER"])
    written = marker.with_name(f".{marker.name}.writing")
    written.write_text(str(os.getpid()), encoding="utf-8")
    # Renamed into place, so the marker never appears empty.
    written.replace(marker)
    while True:
        time.sleep(3600)
