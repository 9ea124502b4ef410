"""Whether a build would change anything: the command line asks before it starts one.

A build's result depends on the corpus folder's files and the crawler's landings, on fazhi's
code, rules, SQL and locked packages, on its FAZHI_* settings and on the day (a report year may
not lie in the future). After each successful `fazhi build` these are recorded, with the
signatures of the files the build left (the published warehouse, its report page, the working
databases). When none of them has changed, a build would publish the same warehouse again: the
command says so and prints the summary of the one published, without starting Dagster, whose
start-up and event log cost seconds a build with nothing new should not pay. Anything else,
including a warehouse written, moved or deleted by anyone since, starts a build.
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import date, datetime
from pathlib import Path

from pipelines.landing.listing import list_corpus, signature, stored_objects
from pipelines.settings import PROJECT_ROOT, Settings

# What fazhi is made of: a change to any of these may change what a build makes.
CODE = ("pipelines", "sql", "dagster.yaml", "pyproject.toml", "uv.lock")


def _digest(lines: list[str]) -> str:
    # A path that is not UTF-8 (its bytes escaped) is digested as the bytes it is.
    return hashlib.sha256("\n".join(lines).encode("utf-8", "surrogateescape")).hexdigest()[:16]


def _signed(path: str | Path) -> str:
    try:
        return f"{path}\t{signature(os.stat(path))}"
    except OSError:
        return f"{path}\tmissing"


def inputs_key(settings: Settings) -> str:
    """The corpus folder's files and unreadable folders, and the crawler's log of what it
    fetched, by name and signature; no file is read."""
    listing = list_corpus(settings.sources, settings.outputs)
    return _digest(
        [_signed(path) for path in listing.files]
        + [f"{folder}\t{error}" for folder, error in listing.unlistable]
        + [_signed(settings.store / "crawl" / "log.jsonl")]
    )


def code_key(root: Path = PROJECT_ROOT) -> str:
    """fazhi's code, rules, SQL, Dagster settings and locked packages, by content."""
    digest = hashlib.sha256()
    for name in CODE:
        top = root / name
        files = sorted(top.rglob("*")) if top.is_dir() else [top]
        for path in files:
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(path.relative_to(root).as_posix().encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def settings_key() -> str:
    return _digest(sorted(f"{k}={v}" for k, v in os.environ.items() if k.startswith("FAZHI_")))


def outputs_key(settings: Settings) -> str:
    """The files a build leaves (its landing logs what arrived, and keeps every input in the
    store): changed by anyone but a build, they make the next one run (an object of the store
    damaged or gone made no build run, and the damage stayed unseen until one was forced)."""
    staging = settings.staging
    return _digest(
        [
            _signed(path)
            for path in (
                settings.warehouse,
                settings.report_page,
                staging,
                settings.work_database,
                settings.store / "arrivals.jsonl",
                Path(f"{staging}.wal"),
                Path(f"{settings.work_database}.wal"),
            )
        ]
        + [
            # Its kind and size, what a build's store check looks at (rehashing is verify's).
            f"{entry.name}\t{seen.st_mode}\t{seen.st_size}"
            for entry in stored_objects(settings.store / "objects")
            for seen in (entry.stat(follow_symlinks=False),)
        ]
    )


def before_build(settings: Settings) -> dict[str, str]:
    """What a build about to start depends on. Taken before it starts: a file that changes
    while it runs makes the next build run again rather than be taken as built."""
    return {
        "inputs": inputs_key(settings),
        "code": code_key(),
        "settings": settings_key(),
        "day": date.today().isoformat(),
    }


def _record(settings: Settings) -> Path:
    return settings.staging.with_name("last_build.json")


def record_build(settings: Settings, before: dict[str, str], run_id: str) -> None:
    """After a successful build: what it was made from, and the files it left."""
    record = before | {
        "outputs": outputs_key(settings),
        "run_id": run_id,
        "finished_at": datetime.now().astimezone().isoformat(timespec="seconds"),
    }
    path = _record(settings)
    partial = path.with_name(f".{path.name}.part")
    partial.write_text(json.dumps(record, indent=1), encoding="utf-8")
    partial.replace(path)


def forget_build(settings: Settings) -> None:
    """Before a build starts: until it succeeds, no record says the warehouse is current."""
    _record(settings).unlink(missing_ok=True)


def current_build(settings: Settings, before: dict[str, str]) -> dict[str, str] | None:
    """The record of the last build when nothing it depends on has changed since, else None."""
    try:
        record = json.loads(_record(settings).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    unchanged = all(record.get(name) == value for name, value in before.items())
    if unchanged and record.get("outputs") == outputs_key(settings):
        return record
    return None
