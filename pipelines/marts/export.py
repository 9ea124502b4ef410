"""The marts as files, for tools and people that read files rather than databases: each mart as
Parquet (zstd) and as CSV, and all of them in one Excel workbook, a sheet per mart.

The rows are read over the confined connection and the files written from Python, so the
connection that reads never needs to reach the file system. Each file is written beside its
target and renamed over it, so a failed export never leaves half a file under a mart's name.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from pathlib import Path

import duckdb
import polars as pl
from lxml import etree
from openpyxl import Workbook

from pipelines.shared.frames import query_frame

WORKBOOK = "fazhi_marts.xlsx"
# Excel's limits: rows per sheet (the header takes one), characters per cell, sheet name length.
SHEET_ROWS = 1_048_576 - 1
CELL_CHARS = 32_767
SHEET_NAME = 31
# Control characters a worksheet cannot hold (openpyxl refuses them).
NOT_IN_EXCEL = r"[\x00-\x08\x0b\x0c\x0e-\x1f]"


class NotAFolder(Exception):
    """The export's target is a file."""


def mart_views(conn: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """(name, description) of every marts view, by name."""
    return conn.execute(
        "SELECT view_name, coalesce(comment, '') FROM duckdb_views() "
        "WHERE schema_name = 'marts' ORDER BY view_name"
    ).fetchall()


def _write_atomically(target: Path, write: Callable[[Path], None]) -> None:
    partial = target.with_name(f".{target.name}.part")
    try:
        write(partial)
        os.replace(partial, target)
    except pl.exceptions.ComputeError as error:
        # polars' Parquet writer tells a failed write (a full disk, a file size limit) so.
        raise OSError(f"{target.name} could not be written ({error})") from error
    finally:
        partial.unlink(missing_ok=True)


def for_excel(rows: pl.DataFrame) -> pl.DataFrame:
    """Text a worksheet can hold: no control characters, at most CELL_CHARS per cell (the
    Parquet and CSV files keep every character)."""
    text = [name for name, dtype in rows.schema.items() if dtype == pl.String]
    return rows.with_columns(
        pl.col(text).str.replace_all(NOT_IN_EXCEL, "").str.slice(0, CELL_CHARS)
    )


def sheet_names(view: str, rows: int) -> list[str]:
    """A sheet per mart, and more (name (2), name (3) ...) for a mart longer than a sheet."""
    parts = max(1, -(-rows // SHEET_ROWS))
    return [
        view[:SHEET_NAME] if i == 1 else f"{view[: SHEET_NAME - 6]} ({i})"
        for i in range(1, parts + 1)
    ]


def add_sheets(book: Workbook, view: str, rows: pl.DataFrame) -> list[str]:
    """The mart's rows as worksheets of book; returns their names."""
    names = sheet_names(view, rows.height)
    cells = for_excel(rows)
    for i, name in enumerate(names):
        sheet = book.create_sheet(name)
        sheet.append(rows.columns)
        for row in cells.slice(i * SHEET_ROWS, SHEET_ROWS).iter_rows():
            sheet.append(row)
    return names


def export_marts(conn: duckdb.DuckDBPyConnection, folder: Path) -> dict[str, int]:
    """Write every marts view to folder/<view>.parquet (zstd) and folder/<view>.csv (UTF-8
    with a byte-order mark, so spreadsheets read the Chinese right), and all of them to
    folder/fazhi_marts.xlsx; returns rows per view. Raises NotAFolder when folder is a file,
    OSError when it cannot be written."""
    if folder.exists() and not folder.is_dir():
        raise NotAFolder(f"{folder} is a file, not a folder")
    folder.mkdir(parents=True, exist_ok=True)
    # A write-only workbook streams each sheet to disk, so no mart is held longer than it is
    # written; the first sheet says what each mart is.
    book = Workbook(write_only=True)
    try:
        return _export(conn, folder, book)
    except etree.SerialisationError as error:
        # The worksheets' XML writer tells a failed write (a full disk, a file size limit) by
        # the name of the system's error: IO_ENOSPC, IO_EFBIG.
        _abandon(book)
        raise OSError(f"the workbook could not be written ({error})") from error
    except BaseException:
        _abandon(book)
        raise


def _abandon(book: Workbook) -> None:
    """Close the streams of a write-only workbook that failed half-written (a full disk):
    left open, each raised again as it was collected, printing a trace after the command's
    line."""
    for sheet in book.worksheets:
        writer = getattr(sheet, "_writer", None)
        for stream in (getattr(sheet, "_rows", None), getattr(writer, "xf", None)):
            with contextlib.suppress(Exception):
                if stream is not None:
                    stream.close()


def _export(conn: duckdb.DuckDBPyConnection, folder: Path, book: Workbook) -> dict[str, int]:
    about = book.create_sheet("说明 about")
    about.append(["mart", "rows", "sheets", "description"])
    counts = {}
    for view, description in mart_views(conn):
        # Views do not sort (a BI tool sorts for itself); files are read top to bottom.
        rows = query_frame(conn, f'SELECT * FROM marts."{view}" ORDER BY ALL')
        _write_atomically(
            folder / f"{view}.parquet",
            lambda path, rows=rows: rows.write_parquet(path, compression="zstd"),
        )
        _write_atomically(
            folder / f"{view}.csv", lambda path, rows=rows: rows.write_csv(path, include_bom=True)
        )
        sheets = add_sheets(book, view, rows)
        about.append([view, rows.height, ", ".join(sheets), description])
        counts[view] = rows.height
    _write_atomically(folder / WORKBOOK, book.save)
    return counts
