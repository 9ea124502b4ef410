"""The terms stage over the working database: term counts per report and per sentence for the
reports whose text or sentences changed, then the corpus-wide vocabulary (the keywords are a
view over both: sql/keywords.sql)."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from dataclasses import dataclass, field, replace

import duckdb
import polars as pl

from pipelines.preview import markdown_preview
from pipelines.shared.frames import query_frame
from pipelines.terms.counts import (
    report_terms,
    sentence_terms,
    token_offsets,
    write_vocabulary,
)
from pipelines.terms.segment import IN_PROCESS_FROM
from pipelines.terms.segment_cache import (
    Segmenting,
    cut_ahead,
    ensure_cache,
    prune_cache,
    segmented_reports,
    start_segmenting,
)
from pipelines.warehouse.incremental import Refreshed, Step, refreshed_metadata, versioned
from pipelines.warehouse.stages import STRUCTURE, TERMS
from pipelines.warehouse.tables import rows_made_or_stored, rows_of_reports


@dataclass
class Segmentation:
    """What the terms step segmented, and how long it took."""

    texts: int = 0
    seconds: float = 0.0


@dataclass(frozen=True)
class Terms:
    step: Step
    # The connection the counts are made on, beside the chain's (terms_tables closes it).
    counting: duckdb.DuckDBPyConnection
    # The texts cut ahead into the cache: how many, and the segmenter's time.
    cut: CutAhead
    segmentation: Segmentation = field(default_factory=Segmentation)


def terms_step(
    conn: duckdb.DuckDBPyConnection,
    structure_keys: pl.DataFrame,
    cut: CutAhead,
) -> Terms:
    """The term counts of every report, made again when its text or where its sentences end
    changes: its structure's key (report_id, key, as the structure step takes them), which
    also keys its cached segmentation. cut: the texts being cut into the cache ahead
    (cutting_ahead), whose failure terms_tables tells."""
    segmentation = Segmentation()
    # The counts are made beside the chain (Step.beside): on a connection of their own.
    counting = conn.cursor()
    # Batches whose texts are being cut, by their first report; the keys of the texts cut.
    segmenting: dict[str, Segmenting] = {}
    begun: set[str] = set()

    def texts_of(reports: pl.DataFrame) -> pl.DataFrame:
        return reports.join(structure_keys, on="report_id").select(
            "report_id", "text", text_key="key"
        )

    def ahead(batch: pl.DataFrame) -> dict[str, pl.DataFrame]:
        # The reports as an earlier chain stored them (the reports stage is never in this
        # one), handed on to the stages before terms in the chain.
        reports = rows_of_reports(conn, "reports", batch)
        segmenting[batch["report_id"][0]] = start_segmenting(conn, texts_of(reports), begun)
        return {"reports": reports}

    def count(batch: pl.DataFrame, made: Mapping[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
        # An empty batch (no report to make: the tables are made empty) has no first report.
        first = batch["report_id"].first()
        started = segmenting.pop(first, None) or start_segmenting(
            counting, texts_of(rows_made_or_stored(counting, "reports", batch, made)), begun
        )
        segmented = segmented_reports(counting, started)
        segmentation.seconds += segmented.seconds
        segmentation.texts += segmented.texts_cut
        tokens = token_offsets(segmented.tokens)
        per_report = report_terms(tokens)
        sentences = rows_made_or_stored(
            counting, "sentences", batch, made, "report_id, sentence_no"
        )
        return {
            "terms": per_report,
            "sentence_terms": sentence_terms(tokens, sentences),
            "work.term_texts": segmented.text_keys,
        }

    step = Step(TERMS, versioned(STRUCTURE, structure_keys), count, ahead, beside=True)
    return Terms(step, counting, cut, segmentation)


# Reports in a batch from which their texts are cut ahead: as many as the segmenter cuts in this
# process rather than in the cutter's.
CUT_AHEAD_FROM = IN_PROCESS_FROM


@dataclass(frozen=True)
class CutAhead:
    """The reports step, handing its texts to the segmenter (cutting_ahead); the futures of
    those cuts; and the connection theirs are opened from (terms_tables closes it)."""

    step: Step
    cuts: list[Future[tuple[int, float]]]
    connection: duckdb.DuckDBPyConnection


def cutting_ahead(conn: duckdb.DuckDBPyConnection, step: Step) -> CutAhead:
    """The reports step, which also hands the texts of the reports it makes to the segmenter
    (segment_cache.cut_ahead), so that they are cut while the reports' chain leaves a core
    idle rather than in the terms' chain, which keeps both busy (2,000-report builds
    alternated: report step ~0.5 s shorter in five pairs of seven)."""
    ensure_cache(conn)
    # The step is computed beside the chain, whose own connection is not to be touched from
    # its thread: the cuts' connections are opened from one of the step's own.
    ahead = conn.cursor()
    cuts: list[Future[tuple[int, float]]] = []

    def compute(
        batch: pl.DataFrame, made: Mapping[str, pl.DataFrame]
    ) -> Mapping[str, pl.DataFrame]:
        outputs = step.compute(batch, made)
        # A re-run's few texts are left to the terms step: the reports' chain is short then,
        # and a look in the cache more (~0.07 s at 10,000 reports) would cost more than it saves.
        if outputs["reports"].height >= CUT_AHEAD_FROM:
            texts = outputs["reports"].join(outputs["work.structure_keys"], on="report_id")
            cuts.append(cut_ahead(ahead, texts.select("text", text_key="key")))
        return outputs

    return CutAhead(replace(step, compute=compute), cuts, ahead)


def terms_tables(
    conn: duckdb.DuckDBPyConnection,
    terms: Terms,
    refreshed: Refreshed,
    log: Callable[[str], None],
) -> dict[str, dict[str, object]]:
    """Once the step has run: the cache pruned and the vocabulary redone; returns the metadata
    of the terms, sentence_terms and vocabulary assets."""
    terms.counting.close()
    segmentation = terms.segmentation
    for each in terms.cut.cuts:
        texts, seconds = each.result()
        segmentation.texts += texts
        segmentation.seconds += seconds
    terms.cut.connection.close()
    started = time.perf_counter()
    prune_cache(conn, "work.term_texts")
    # The vocabulary follows every change of the corpus, and is quick to redo.
    n_vocabulary = write_vocabulary(conn)
    corpus_wide = time.perf_counter() - started
    # Keywords were a table an older fazhi made here, from two work tables; the view that
    # replaces it is made with the other views of sql/ as the warehouse is published.
    conn.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() "
        "AND schema_name = 'main' AND table_name = 'keywords'"
    )
    if conn.fetchone()[0]:
        conn.execute("DROP TABLE main.keywords")
    conn.execute("DROP TABLE IF EXISTS work.keyword_terms")
    conn.execute("DROP TABLE IF EXISTS work.term_totals")
    n_terms, n_sentence_terms = conn.execute(
        "SELECT (SELECT count(*) FROM terms), (SELECT count(*) FROM sentence_terms)"
    ).fetchone()
    vocabulary_preview = query_frame(conn, "SELECT * FROM vocabulary LIMIT 15")
    log(
        f"segmented {segmentation.texts} texts in {segmentation.seconds:.2f}s; "
        f"{refreshed.reused} reports from cache"
    )
    return {
        "terms": {
            "dagster/row_count": n_terms,
            "texts_segmented": segmentation.texts,
            "segmentation_seconds": round(segmentation.seconds, 3),
            **refreshed_metadata(refreshed),
        },
        "sentence_terms": {"dagster/row_count": n_sentence_terms},
        "vocabulary": {
            "dagster/row_count": n_vocabulary,
            # Made again over the whole corpus at every change.
            "corpus_wide_seconds": round(corpus_wide, 3),
            "preview": markdown_preview(vocabulary_preview, rows=15),
        },
    }
