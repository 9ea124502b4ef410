"""The reading stage over the working database: each distinct content of the corpus read to
text once (work.documents), the inputs that cannot be read set aside with the reason."""

from __future__ import annotations

import duckdb
import polars as pl

from pipelines.landing.store import ContentStore
from pipelines.reading.documents import read_documents
from pipelines.warehouse.incremental import refresh, refreshed_metadata
from pipelines.warehouse.stages import READING


def refresh_documents(
    conn: duckdb.DuckDBPyConnection,
    contents: pl.DataFrame,
    store: ContentStore,
) -> dict[str, object]:
    """Read what is new since the last run of the contents (reading.documents.first_names of
    source_files); returns the documents asset's metadata. What cannot be read is told once,
    with every other rejection, by the reports stage."""
    # The format is told by the name as well as the bytes.
    keys = contents.select("report_id", key=pl.concat_str("sha256", "source_name", separator="|"))

    def read(batch: pl.DataFrame) -> dict[str, pl.DataFrame]:
        docs, rejections = read_documents(contents.join(batch, on="report_id"), store)
        return {"work.documents": docs, "work.read_rejections": rejections}

    refreshed = refresh(conn, READING, keys, read)
    documents_read, unreadable = conn.execute(
        "SELECT (SELECT count(*) FROM work.documents), (SELECT count(*) FROM work.read_rejections)"
    ).fetchone()
    encodings = dict(
        conn.execute("SELECT encoding, count(*) FROM work.documents GROUP BY ALL").fetchall()
    )
    return {
        "dagster/row_count": documents_read,
        "unreadable": unreadable,
        "encodings": encodings,
        **refreshed_metadata(refreshed),
    }
