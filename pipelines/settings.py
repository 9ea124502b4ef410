"""Where fazhi reads and writes, from environment variables with project defaults."""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SQL_DIR = PROJECT_ROOT / "sql"


# The longest file name a warehouse may have: 255 bytes, less what publishing adds around it.
LONGEST_WAREHOUSE_NAME = 255 - len(f".{'.standby.'}{'0' * 32}.building.wal")

# The name the working database's own catalog (intermediate tables, caches) is attached under.
WORK_CATALOG = "work"


class SettingsError(ValueError):
    """A setting fazhi cannot work with, told in one line."""


@dataclass(frozen=True)
class Settings:
    """Paths of one fazhi deployment.

    sources: the folder of report files, read recursively.
    warehouse: the published DuckDB file that users and BI tools open.
    The content-addressed store and the pipeline's working database live beside it.
    """

    sources: Path
    warehouse: Path

    def __post_init__(self) -> None:
        # DuckDB names a database after its file, whatever the case: a warehouse called
        # work.duckdb would be a catalog named like the work catalog, which then is never
        # attached, and every stage's tables would mix with the public ones.
        if self.warehouse.stem.lower() == WORK_CATALOG:
            raise SettingsError(
                f"the warehouse cannot be named {self.warehouse.name}: fazhi keeps its working "
                f"catalog under the name {WORK_CATALOG}; choose another file name "
                "(FAZHI_WAREHOUSE)"
            )
        # The search macro finds the tables of the database it is called in by that name, and
        # DuckDB's query_table() reads no quote inside a quoted name.
        if '"' in self.warehouse.stem:
            raise SettingsError(
                f"the warehouse cannot be named {self.warehouse.name}: DuckDB names the "
                "database after its file, and a database whose name holds a double quote "
                "cannot be searched; choose another file name (FAZHI_WAREHOUSE)"
            )
        # Publishing builds beside it files named after it (.NAME.standby.<32 hex>.building,
        # and DuckDB's .wal of that): each must fit in a file name.
        if len(os.fsencode(self.warehouse.name)) > LONGEST_WAREHOUSE_NAME:
            raise SettingsError(
                f"the warehouse's file name is {len(os.fsencode(self.warehouse.name))} bytes "
                f"long: publishing names files after it, and a name of more than "
                f"{LONGEST_WAREHOUSE_NAME} bytes would make them longer than a file system "
                "takes (255); choose a shorter one (FAZHI_WAREHOUSE)"
            )

    @property
    def store(self) -> Path:
        return self.warehouse.parent / "store"

    @property
    def report_page(self) -> Path:
        """The visual report, a self-contained HTML page beside the warehouse."""
        return self.warehouse.parent / "report" / "index.html"

    @property
    def outputs(self) -> tuple[Path, ...]:
        """What fazhi writes beside the warehouse, and its hidden files besides: never inputs,
        should the warehouse lie inside the corpus folder."""
        return (
            self.warehouse,
            Path(f"{self.warehouse}.wal"),
            self.store,
            self.report_page.parent,
            dagster_storage(),
        )

    @property
    def staging(self) -> Path:
        # The working database the assets write to; users only ever see published copies of it.
        return self.warehouse.parent / ".work" / self.warehouse.name

    @property
    def work_database(self) -> Path:
        # Intermediate tables and caches: never published, kept between runs.
        return self.staging.with_name("work.duckdb")


def _resolve(value: str) -> Path:
    path = Path(value).expanduser()
    return path if path.is_absolute() else (Path.cwd() / path).resolve()


def _setting(name: str, default: str) -> str:
    """A setting's value; set empty (FAZHI_SOURCES= in a script), it is unset, not the current
    folder."""
    return os.environ.get(name) or default


def dagster_storage() -> Path:
    """Where the Dagster instance keeps its runs and logs (FAZHI_DAGSTER_STORAGE)."""
    return _resolve(_setting("FAZHI_DAGSTER_STORAGE", str(PROJECT_ROOT / ".dagster")))


def load_settings() -> Settings:
    return Settings(
        sources=_resolve(_setting("FAZHI_SOURCES", str(PROJECT_ROOT / "seeds"))),
        warehouse=_resolve(
            _setting("FAZHI_WAREHOUSE", str(PROJECT_ROOT / "warehouse" / "fazhi.duckdb"))
        ),
    )


# Below this size a working database is published by copying it whole; above, by updating the
# file published before (pipelines/warehouse/publish.py), which costs ~0.5 s whatever the
# change (the corpus-wide tables written again, the checkpoint): measured on the bench corpora
# with one report added, a copy is cheaper at 2,000 reports (130 MB: 0.2-0.4 s against
# 0.6-0.7 s) and dearer at 10,000 (520 MB: 0.4-2.3 s, as the disk allows, against 0.5-0.8 s).
COPY_BELOW_MB = 256


def publish_copy_below() -> int:
    """FAZHI_COPY_BELOW_MB in bytes (0: always update the standby)."""
    megabytes = _number(
        "FAZHI_COPY_BELOW_MB",
        COPY_BELOW_MB,
        lambda megabytes: 0 <= megabytes < 2**40,
        "a size in megabytes (0 or more)",
    )
    return int(megabytes * 2**20)


# Reports appended to the reports table before it is written again in one go
# (pipelines/warehouse/sealing.py): each checkpoint rewrites what was appended since.
SEAL_AFTER_ROWS = 256


def seal_after_rows() -> int:
    """FAZHI_SEAL_AFTER_ROWS: rows appended to reports before it is sealed."""
    return int(
        _number(
            "FAZHI_SEAL_AFTER_ROWS",
            SEAL_AFTER_ROWS,
            lambda rows: 1 <= rows < 2**40 and rows == int(rows),
            "a whole number of rows (1 or more)",
        )
    )


# How long a legacy Word conversion may take before LibreOffice is killed and the file rejected.
CONVERT_TIMEOUT_SECONDS = 120.0


def convert_timeout() -> float:
    """FAZHI_CONVERT_TIMEOUT in seconds."""
    return _number(
        "FAZHI_CONVERT_TIMEOUT",
        CONVERT_TIMEOUT_SECONDS,
        lambda seconds: 0 < seconds <= 86_400,
        "a number of seconds from 0 to 86,400",
    )


def _number(name: str, default: float, within: Callable[[float], bool], what: str) -> float:
    """A setting that is a number within bounds, or SettingsError saying what it must be (NaN
    and infinity, which float() reads, are within none)."""
    text = _setting(name, str(default))
    try:
        number = float(text)
    except ValueError:
        number = math.nan
    if not within(number):
        raise SettingsError(f"{name} must be {what}, not {text!r}")
    return number
