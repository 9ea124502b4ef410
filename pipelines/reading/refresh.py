"""The reading stage over the working database: each distinct content of the corpus read to
text once (work.documents), the inputs that cannot be read set aside with the reason."""

from __future__ import annotations

from collections.abc import Mapping

import duckdb
import polars as pl

from pipelines.landing.store import ContentStore
from pipelines.reading.documents import read_documents
from pipelines.warehouse.incremental import Refreshed, Step, refreshed_metadata
from pipelines.warehouse.stages import READING


def reading_step(contents: pl.DataFrame, store: ContentStore) -> Step:
    """The reading of the contents (reading.documents.first_names of source_files): a content is
    read again when its bytes or the name it first arrived under (which tells its format)
    change. What cannot be read is told once, with every other rejection, by the reports
    stage."""
    keys = contents.select("report_id", key=pl.concat_str("sha256", "source_name", separator="|"))

    def read(batch: pl.DataFrame, _: Mapping[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
        docs, rejections = read_documents(contents.join(batch, on="report_id"), store)
        return {"work.documents": docs, "work.read_rejections": rejections}

    return Step(READING, keys, read)


def documents_metadata(conn: duckdb.DuckDBPyConnection, refreshed: Refreshed) -> dict[str, object]:
    """The documents asset's metadata, once the step has run."""
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
