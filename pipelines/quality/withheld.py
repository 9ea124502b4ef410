"""Pipeline invariants: what must hold of every report whatever it says. A report that breaks
one is withheld from the published warehouse (listed in withheld_reports, with the reason);
the others are published.

The invariants: the stored bytes are intact, the report text is not empty, every character of
the source is in the clean text or in boilerplate, every row of a report's tables is unique on
its key, and every fact's surface is the report text at its offsets.

All but the first hold of a report's rows, which change only when the report's key in the
stages that made them changes: they are checked for the reports made in this run, a batch at a
time, and their findings kept per report like any stage's rows (work.broken_invariants), so
neither their time nor their memory grows with the corpus. The store is checked every run: it
can be damaged between two runs without any key changing.
"""

from __future__ import annotations

import duckdb
import polars as pl

from pipelines.landing.store import ContentStore
from pipelines.reading.normalize import WHITE_SPACE
from pipelines.shared.frames import query_frame
from pipelines.warehouse.incremental import Stage, stage_keys
from pipelines.warehouse.stages import CLEANING, FACTS, READING, REPORTS, STRUCTURE
from pipelines.warehouse.tables import query_with_rows, report_range, rows_visible

PATTERNS = {"visible": WHITE_SPACE.replace("[", "[^", 1), "white_space": WHITE_SPACE}
# A text longer than LONG_TEXT characters is cut into pieces of PIECE characters when its facts
# are checked at their offsets: a piece longer than a fact's surface, short enough for RE2 to
# cut fast (1.5 million characters into pieces of 256: 0.09 s; 150,000 into pieces of 1,000:
# 7.9 s, RE2 being slow at long counted repeats). Shorter texts,
# almost every report, are sliced as they are: cutting every text of 2,000 reports took 0.25 s
# more than slicing them.
LONG_TEXT = 50_000
PIECE = 256

# Each selects report_id and reason, one row per report of the batch (the report_id of
# incoming_rows) that breaks the invariant. A batch is a range of report_id, $first to $last,
# and the tables hold their rows in that order: filtered on the range too, a scan skips the
# other reports' blocks (10 batches of 10,000 reports: 1.75-2.08 -> 1.46-1.87 s).
INVARIANTS = {
    "report_text_not_empty": """
        SELECT report_id, 'its clean text is empty' AS reason
        FROM reports
        WHERE report_id BETWEEN $first AND $last
          AND report_id IN (SELECT report_id FROM incoming_rows)
          AND NOT regexp_matches(text, $visible)
    """,
    # Each document's and clean text's visible characters were counted as they were made; the
    # dropped lines are counted here, from the table users audit.
    "every_character_accounted_for": """
        WITH dropped AS (
            SELECT report_id, sum(length(regexp_replace(line, $white_space, '', 'g'))) AS n
            FROM boilerplate
            WHERE report_id BETWEEN $first AND $last
              AND report_id IN (SELECT report_id FROM incoming_rows)
            GROUP BY report_id
        )
        SELECT report_id,
               format('{} visible characters of the source are neither in its clean text nor '
                      'in boilerplate (negative: more than the source holds)', missing) AS reason
        FROM (
            SELECT d.report_id, d.visible_chars - c.visible_chars - coalesce(x.n, 0) AS missing
            FROM work.documents d
            JOIN work.clean_texts c USING (report_id)
            LEFT JOIN dropped x USING (report_id)
            WHERE d.report_id BETWEEN $first AND $last
              AND d.report_id IN (SELECT report_id FROM incoming_rows)
        )
        WHERE missing <> 0
    """,
    # The tables of a report's rows hold no primary key (DuckDB rewrites a whole row group of a
    # table with an index at every checkpoint after an append: 0.3 s for reports alone at
    # 10,000 reports), so each report's rows are checked to be unique on their key here.
    "rows_unique_on_their_keys": """
        WITH batch AS (SELECT report_id FROM incoming_rows),
        repeated AS (
            SELECT report_id, 'reports' AS first FROM reports
            WHERE report_id BETWEEN $first AND $last AND report_id IN (SELECT * FROM batch)
            GROUP BY ALL HAVING count(*) > 1
            UNION ALL
            SELECT report_id, 'sections.section_no ' || section_no FROM sections
            WHERE report_id BETWEEN $first AND $last AND report_id IN (SELECT * FROM batch)
            GROUP BY ALL HAVING count(*) > 1
            UNION ALL
            SELECT report_id, 'sentences.sentence_no ' || sentence_no FROM sentences
            WHERE report_id BETWEEN $first AND $last AND report_id IN (SELECT * FROM batch)
            GROUP BY ALL HAVING count(*) > 1
            UNION ALL
            SELECT report_id, 'facts.fact_no ' || fact_no FROM facts
            WHERE report_id BETWEEN $first AND $last AND report_id IN (SELECT * FROM batch)
            GROUP BY ALL HAVING count(*) > 1
        )
        SELECT report_id,
               format('{} keys are held by more than one row, first {}', count(*), min(first))
                   AS reason
        FROM repeated
        GROUP BY report_id
    """,
    # Facts meet their sentences first, and the report texts last, as the side the join builds
    # on: joined to the texts first, every fact would carry a copy of its report's whole text.
    # A slice finds its offset by a scan from the text's start, one per fact: in a long text
    # (over LONG_TEXT characters) a fact is compared with the piece of the text it starts in
    # and the next instead, the pieces cut in one pass (a report of 1.5 million characters
    # with 50,000 figures: ~30 s -> 0.1 s). A surface longer than a piece (none is, in
    # practice) is sliced from the whole text.
    "surfaces_match_offsets": f"""
        WITH placed AS MATERIALIZED (
            SELECT f.report_id, f.fact_no, f.surface, f.char_start, f.char_end,
                   s.char_start AS sentence_start, s.char_end AS sentence_end,
                   f.char_start // {PIECE} AS piece_no
            FROM facts f
            JOIN sentences s USING (report_id, sentence_no)
            WHERE f.report_id BETWEEN $first AND $last
              AND f.report_id IN (SELECT report_id FROM incoming_rows)
              AND s.report_id BETWEEN $first AND $last
              AND s.report_id IN (SELECT report_id FROM incoming_rows)
        ),
        -- Only the batch's texts: joined whole, every batch read every text of the corpus
        -- (10 batches at 10,000 reports: 2.2 -> 1.2 s).
        texts AS MATERIALIZED (
            SELECT report_id, text, length(text) > {LONG_TEXT} AS long FROM reports
            WHERE report_id BETWEEN $first AND $last
              AND report_id IN (SELECT report_id FROM incoming_rows)
        ),
        pieces AS MATERIALIZED (
            SELECT report_id, unnest(pieces) AS piece,
                   generate_subscripts(pieces, 1) - 1 AS piece_no
            FROM (
                SELECT report_id, regexp_extract_all(text, '(?s).{{1,{PIECE}}}') AS pieces
                FROM texts
                WHERE long
            )
        ),
        -- One CASE, not a union of the two ways: a filter on the union was pushed into both
        -- sides and sliced every fact out of its whole text before looking at the way.
        found AS (
            SELECT p.*,
                   CASE WHEN t.long AND p.char_end - p.char_start <= {PIECE}
                        THEN substr(coalesce(a.piece, '') || coalesce(b.piece, ''),
                                    p.char_start - p.piece_no * {PIECE} + 1,
                                    p.char_end - p.char_start)
                        ELSE substr(t.text, p.char_start + 1, p.char_end - p.char_start)
                   END AS there
            FROM placed p
            JOIN texts t USING (report_id)
            LEFT JOIN pieces a ON a.report_id = p.report_id AND a.piece_no = p.piece_no
            LEFT JOIN pieces b ON b.report_id = p.report_id AND b.piece_no = p.piece_no + 1
        )
        SELECT report_id,
               format('{{}} facts are not the report text at their offsets or lie outside their '
                      'sentence, first facts.fact_no {{}} ({{}})',
                      count(*), min(fact_no), arg_min(surface, fact_no)) AS reason
        FROM found
        WHERE there IS DISTINCT FROM surface
           OR char_start < sentence_start OR char_end > sentence_end
        GROUP BY report_id
    """,
}
INVARIANT_STAGE = Stage(
    "invariants", code=("quality", "reading", "landing"), tables=("work.broken_invariants",)
)
BROKEN_SCHEMA = {"report_id": pl.String, "check": pl.String, "reason": pl.String}
STAGES_READ = (READING, CLEANING, REPORTS, STRUCTURE, FACTS)


def invariant_keys(conn: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """report_id, key: the keys of every stage whose rows the invariants read, for every
    report of the reports table."""
    keys = query_frame(conn, "SELECT report_id FROM reports")
    for stage in STAGES_READ:
        keys = keys.join(stage_keys(conn, stage).rename({"key": stage.name}), on="report_id")
    return keys.select(
        "report_id", key=pl.concat_str([stage.name for stage in STAGES_READ], separator="|")
    )


def broken_invariants(conn: duckdb.DuckDBPyConnection, batch: pl.DataFrame) -> pl.DataFrame:
    """report_id, check, reason: one row per report of the batch (report_id) and invariant it
    breaks."""
    broken = []
    bounds = report_range(batch)
    for name, sql in INVARIANTS.items():
        parameters = {key: pattern for key, pattern in PATTERNS.items() if f"${key}" in sql}
        parameters |= bounds
        broken.append(
            query_with_rows(
                conn, f"SELECT report_id, '{name}' AS check, reason FROM ({sql})", batch, parameters
            )
        )
    return pl.concat(broken).cast(BROKEN_SCHEMA)


def damaged_objects(conn: duckdb.DuckDBPyConnection, store: ContentStore) -> pl.DataFrame:
    """sha256 and source_names of every object of source_files that is missing from the
    store or changed: each is checked for its size, and the bytes of the latest arrivals are
    rehashed (rehashing the whole store every run would read every PDF again; `fazhi verify`
    does that)."""
    # Files landed together share one arrival time: the latest are this run's, if any.
    objects = query_frame(
        conn,
        "SELECT sha256, any_value(size) AS size, "
        "bool_or(arrived_at = (SELECT max(arrived_at) FROM source_files)) AS latest, "
        "list(source_name ORDER BY source_name) AS source_names "
        "FROM source_files GROUP BY sha256 ORDER BY sha256",
    )
    # One object at a time: the check reads the object's bytes, and there is one file per row.
    intact = [
        store.intact(sha256, size, rehash=latest)
        for sha256, size, latest in objects.select("sha256", "size", "latest").iter_rows()
    ]
    return objects.filter(~pl.Series(intact, dtype=pl.Boolean)).select(
        "sha256",
        "source_names",
        message=pl.format(
            "stored object {} (from {}) is missing or no longer holds the bytes that arrived. "
            "Fix: remove {}/{}/{} (if it is there) and build again with the file in the corpus "
            "folder (a crawled page: `fazhi crawl` it again), or restore the object from a "
            "backup; `fazhi verify` rehashes the whole store",
            pl.col("sha256"),
            pl.col("source_names").list.join(", "),
            pl.lit(str(store.objects)),
            pl.col("sha256").str.slice(0, 2),
            pl.col("sha256"),
        ),
    )


def withheld_reports(conn: duckdb.DuckDBPyConnection, damaged: pl.DataFrame) -> pl.DataFrame:
    """One row per report and invariant it breaks: report_id, source_name, check, reason.
    damaged: the objects damaged_objects found; the other invariants are work.broken_invariants
    (broken_invariants, for the reports of this run, kept for the others)."""
    sql = """
        WITH broken AS (
            SELECT report_id, "check", reason FROM work.broken_invariants
            UNION ALL
            SELECT r.report_id, 'stored_bytes_intact' AS check, d.message AS reason
            FROM incoming_rows d JOIN reports r USING (sha256)
        )
        SELECT b.report_id, r.source_name, b.check, b.reason
        FROM broken b JOIN reports r USING (report_id)
        ORDER BY r.source_name, b.check
    """
    with rows_visible(conn, damaged.select("sha256", "message")):
        return query_frame(conn, sql)
