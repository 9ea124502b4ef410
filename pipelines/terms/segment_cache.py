"""The segmentation cache: each distinct report text is segmented once per vocabulary.

Kept in the working database (work.segmentations), keyed by the text's key and the vocabulary
key, so a run with one new report segments that report only, a change of the
term counting reuses every segmentation, and a change of dictionary, segmenter or cleaning
segments again exactly what it changed. A text's key is its report's structure key (an MD5 of the
text and its year, made with the report: work.structure_keys), so no run hashes the corpus's
texts a second time. Tokens are stored as one string per text, apart by
segment.SEPARATOR: writing and reading millions of list elements would cost more than
segmenting again. A text holding that character is not cached.
"""

from __future__ import annotations

import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import duckdb
import polars as pl

from pipelines.shared.word_cutter import word_cutter
from pipelines.terms.dictionary import domain_words, term_classes, vocabulary_key
from pipelines.terms.segment import (
    IN_PROCESS_FROM,
    SEGMENTER,
    SEPARATOR,
    segment,
    segment_joined,
    segmenter,
    split_tokens,
)
from pipelines.warehouse.tables import query_with_rows, run_with_rows

CACHE_COLUMNS = ["text_key", "vocabulary_key", "tokens"]
CACHE_DDL = """
CREATE OR REPLACE TABLE work.segmentations (
    text_key VARCHAR NOT NULL,
    vocabulary_key VARCHAR NOT NULL,
    tokens VARCHAR NOT NULL
);
"""


def ensure_cache(conn: duckdb.DuckDBPyConnection) -> None:
    """Create the cache, or recreate it when an older fazhi left it in another layout."""
    columns = conn.execute(
        "SELECT column_name, data_type FROM duckdb_columns() WHERE database_name = 'work' "
        "AND table_name = 'segmentations' ORDER BY column_index"
    ).fetchall()
    if [name for name, _ in columns] != CACHE_COLUMNS or columns[-1][1] != "VARCHAR":
        conn.execute(CACHE_DDL)


def prune_cache(conn: duckdb.DuckDBPyConnection, texts: str) -> None:
    """Keep what the current vocabulary and the texts of table `texts` (text_key) need,
    nothing older."""
    ensure_cache(conn)
    conn.execute(
        "DELETE FROM work.segmentations WHERE vocabulary_key <> ? "
        f"OR text_key NOT IN (SELECT text_key FROM {texts})",
        [vocabulary_key(SEGMENTER)],
    )


# Segmentation runs in this thread while the stages before terms work on the same batch:
# rjieba releases the GIL while it cuts (and the thread waits for the cutter process without
# it), and polars and DuckDB release it while they compute, so on two cores the segmenter's time
# is hidden behind theirs. One thread: batches are cut in order.
_SEGMENTING = ThreadPoolExecutor(1, thread_name_prefix="segmenting")


@dataclass(frozen=True)
class Segmenting:
    """A batch's texts (report_id, text, text_key: the report's structure key) and, being cut
    in the segmenting thread, those no cache or earlier batch of the run holds: (text_key,
    tokens joined by SEPARATOR) and the segmenter's seconds."""

    texts: pl.DataFrame
    cut: Future[tuple[pl.DataFrame, float]]


@dataclass(frozen=True)
class Segmented:
    tokens: pl.DataFrame  # report_id, tokens (a list)
    text_keys: pl.DataFrame  # report_id, text_key
    texts_cut: int  # distinct texts segmented for this batch, not taken from the cache
    seconds: float  # the segmenter's


def _cut(missing: pl.DataFrame) -> tuple[pl.DataFrame, float]:
    started = time.perf_counter()
    tokens = pl.Series(segment_joined(missing["text"].to_list()), dtype=pl.String)
    return missing.select("text_key", tokens=tokens), time.perf_counter() - started


def _make_segmenter(in_process: bool) -> None:
    if in_process:
        segmenter()
    else:
        word_cutter().cut_joined([], domain_words(), False)
    term_classes()


def prepare_segmenting(texts: int) -> None:
    """Make ready, in the segmenting thread, the segmenter that will cut about this many
    texts (segment.segment_joined: in this process for many, in its own for few), and read its
    dictionary's tags, while the main thread works in DuckDB and polars: the first cut finds
    both ready. In this process, rjieba holds the GIL while it builds its dictionaries
    (~0.3 s), which stalls whatever the main thread does meanwhile; that is paid once for a
    build, where it is small beside the cutting, and a re-run's few texts go to the cutter
    process, which builds its own beside the run."""
    _SEGMENTING.submit(_make_segmenter, texts >= IN_PROCESS_FROM)


def _store(conn: duckdb.DuckDBPyConnection, fresh: pl.DataFrame) -> None:
    """Keep fresh segmentations (text_key, tokens joined) in the cache."""
    run_with_rows(
        conn,
        "INSERT INTO work.segmentations SELECT text_key, ?, tokens FROM incoming_rows",
        fresh,
        [vocabulary_key(SEGMENTER)],
    )


def _missing(conn: duckdb.DuckDBPyConnection, texts: pl.DataFrame, begun: set[str]) -> pl.DataFrame:
    """text_key, text: the texts (text, text_key) that neither the cache nor begun holds, and
    that the cache can hold; their keys are added to begun."""
    cached = query_with_rows(
        conn,
        "SELECT DISTINCT text_key FROM work.segmentations WHERE vocabulary_key = ? "
        "AND text_key IN (SELECT text_key FROM incoming_rows)",
        texts.select("text_key"),
        [vocabulary_key(SEGMENTER)],
    )
    missing = (
        texts.join(cached, on="text_key", how="anti")
        .filter(
            ~pl.col("text_key").is_in(list(begun)),
            ~pl.col("text").str.contains(SEPARATOR, literal=True),
        )
        .unique("text_key")
        .select("text_key", "text")
    )
    begun.update(missing["text_key"])
    return missing


def start_segmenting(
    conn: duckdb.DuckDBPyConnection, texts: pl.DataFrame, begun: set[str]
) -> Segmenting:
    """Start cutting, in the segmenting thread, the texts given (report_id, text, text_key)
    that the cache does not hold and whose key is not in begun (texts an earlier batch of the
    run cuts already: it stores them before this batch looks in the cache again); their keys
    are added to begun. The cache is looked in from the segmenting thread too, on a connection
    of its own: after every cut ahead (cut_ahead) is stored."""
    ensure_cache(conn)
    cursor = conn.cursor()

    def look_and_cut() -> tuple[pl.DataFrame, float]:
        with cursor:
            return _cut(_missing(cursor, texts, begun))

    return Segmenting(texts, _SEGMENTING.submit(look_and_cut))


def cut_ahead(conn: duckdb.DuckDBPyConnection, texts: pl.DataFrame) -> Future[tuple[int, float]]:
    """Cut the texts (text, text_key) that the cache does not hold, in the segmenting thread,
    and store them in the cache from there, on a connection of its own: texts whose terms are
    counted later in the run (start_segmenting, which looks in the cache after), cut while a
    core is idle (the reports' chain keeps ~1.3 of two busy, the terms' both). They wait in
    the cache, not in memory, which stays bounded however many reports the run makes. The
    future gives how many texts were cut, and the segmenter's seconds. conn is used in the
    caller's thread only to open the segmenting thread's connection: it must be one no other
    thread uses meanwhile (DuckDB's connections are not shared between threads). The cache
    must exist (ensure_cache) before: made here, its creation could conflict with another's."""
    cursor = conn.cursor()

    def cut_and_store() -> tuple[int, float]:
        with cursor:
            fresh, seconds = _cut(_missing(cursor, texts, set()))
            _store(cursor, fresh)
        return fresh.height, seconds

    return _SEGMENTING.submit(cut_and_store)


def segmented_reports(conn: duckdb.DuckDBPyConnection, segmenting: Segmenting) -> Segmented:
    """The texts start_segmenting was given, segmented, once per content (the same report as
    HTML and as text is cut once); the fresh segmentations are stored in the cache, where the
    rest came from (stored by an earlier run, or an earlier batch of this one)."""
    texts = segmenting.texts
    fresh, seconds = segmenting.cut.result()
    key = vocabulary_key(SEGMENTER)
    _store(conn, fresh)
    stored = texts.join(fresh, on="text_key", how="anti").select("text_key").unique()
    # Not looked up when every text was cut now (a re-run's new report): the query would
    # read the whole cache's keys for nothing (0.07 s at 10,000 reports).
    cached = (
        query_with_rows(
            conn,
            "SELECT text_key, tokens FROM work.segmentations WHERE vocabulary_key = ? "
            "AND text_key IN (SELECT text_key FROM incoming_rows)",
            stored,
            [key],
        )
        if stored.height
        else pl.DataFrame(schema={"text_key": pl.String, "tokens": pl.String})
    )
    # A text holding the separator is segmented on its own, its tokens a list from the start.
    uncacheable = (
        texts.filter(pl.col("text").str.contains(SEPARATOR, literal=True))
        .unique("text_key")
        .select("text_key", "text")
    )
    alone = uncacheable.select(
        "text_key",
        tokens=pl.Series([segment(text) for text in uncacheable["text"]], dtype=pl.List(pl.String)),
    )
    segmented = texts.join(
        pl.concat(
            [pl.concat([cached, fresh]).with_columns(tokens=split_tokens(pl.col("tokens"))), alone]
        ),
        on="text_key",
    ).select("report_id", "tokens")
    return Segmented(
        segmented, texts.select("report_id", "text_key"), fresh.height + alone.height, seconds
    )
