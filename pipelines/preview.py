"""Small text renderings of frames: markdown previews for Dagster, aligned tables for terminals."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

import polars as pl


def markdown_preview(frame: pl.DataFrame, rows: int = 5, width: int = 40) -> str:
    """The first rows of a frame as a markdown table, long cells cut to width characters."""
    head = frame.head(rows).select(
        pl.col(c).cast(pl.String).str.slice(0, width).fill_null("") for c in frame.columns
    )
    lines = [
        "| " + " | ".join(frame.columns) + " |",
        "|" + "---|" * len(frame.columns),
        *(
            "| " + " | ".join(str(v).replace("|", "\\|") for v in row) + " |"
            for row in head.iter_rows()
        ),
    ]
    return "\n".join(lines)


def display_width(text: str) -> int:
    """Terminal columns: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def aligned_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[object]],
    above: Sequence[str] | None = None,
) -> str:
    """A plain-text table whose columns line up in a terminal, Chinese text included; above is
    a second header line over the first (the Chinese labels of English column names)."""
    heads = [[str(h) for h in above]] if above else []
    heads.append([str(h) for h in headers])
    cells = heads + [["" if v is None else str(v) for v in row] for row in rows]
    widths = [max(display_width(row[i]) for row in cells) for i in range(len(headers))]

    def line(row: list[str]) -> str:
        return "  ".join(
            cell + " " * (w - display_width(cell)) for cell, w in zip(row, widths, strict=True)
        ).rstrip()

    rule = "  ".join("-" * w for w in widths)
    body = cells[len(heads) :]
    return "\n".join([*(line(head) for head in heads), rule, *(line(row) for row in body)])
