"""Page furniture: the running header and footer a PDF prints on most of its pages (the title
again, the issuing body, 第3页 共10页). The PDF reader finds them by their place and repetition
(reading/pdf.py) and names their lines; here they get their reason, so they land in
boilerplate and never in the report's text, while the same words printed once as the title
stay."""

from __future__ import annotations

import polars as pl

FURNITURE = "page furniture: a running header or footer the PDF prints on most pages"


def mark_furniture(lines: pl.DataFrame, documents: pl.DataFrame) -> pl.DataFrame:
    """Fill reason for the lines (report_id, line_no 1-based) the reader named as furniture
    (documents.furniture_lines, 0-based), where no other reason took them."""
    furniture = (
        documents.select("report_id", line_no=pl.col("furniture_lines"))
        .explode("line_no", empty_as_null=False)
        .drop_nulls()
        .select("report_id", (pl.col("line_no") + 1).cast(pl.Int64), furniture=pl.lit(True))
    )
    return (
        lines.join(furniture, on=["report_id", "line_no"], how="left")
        .with_columns(
            reason=pl.when(pl.col("reason").is_null() & pl.col("furniture").fill_null(False))
            .then(pl.lit(FURNITURE))
            .otherwise(pl.col("reason"))
        )
        .drop("furniture")
    )
