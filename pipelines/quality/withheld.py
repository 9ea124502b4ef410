"""Pipeline invariants: what must hold of every report whatever it says. A report that breaks
one is withheld from the published warehouse (listed in withheld_reports, with the reason);
the others are published.

The invariants: the stored bytes are intact, the report text is not empty, every character of
the source is in the clean text or in boilerplate, and every fact's surface is the report text
at its offsets.
"""

from __future__ import annotations

import duckdb
import polars as pl

from pipelines.landing.store import ContentStore
from pipelines.reading.normalize import WHITE_SPACE
from pipelines.warehouse.tables import rows_visible

PATTERNS = {"visible": WHITE_SPACE.replace("[", "[^", 1), "white_space": WHITE_SPACE}

# Each selects report_id and reason, one row per report that breaks the invariant.
INVARIANTS = {
    "report_text_not_empty": """
        SELECT report_id, 'its clean text is empty' AS reason
        FROM reports
        WHERE NOT regexp_matches(text, $visible)
    """,
    # Each document's and clean text's visible characters were counted as they were made; the
    # dropped lines are counted here, from the table users audit.
    "every_character_accounted_for": """
        WITH dropped AS (
            SELECT report_id, sum(length(regexp_replace(line, $white_space, '', 'g'))) AS n
            FROM boilerplate GROUP BY report_id
        )
        SELECT report_id,
               format('{} visible characters of the source are neither in its clean text nor '
                      'in boilerplate (negative: more than the source holds)', missing) AS reason
        FROM (
            SELECT d.report_id, d.visible_chars - c.visible_chars - coalesce(x.n, 0) AS missing
            FROM work.documents d
            JOIN work.clean_texts c USING (report_id)
            LEFT JOIN dropped x USING (report_id)
            WHERE d.report_id IN (SELECT report_id FROM reports)
        )
        WHERE missing <> 0
    """,
    "surfaces_match_offsets": """
        SELECT f.report_id,
               format('{} facts are not the report text at their offsets or lie outside their '
                      'sentence, first facts.fact_no {} ({})',
                      count(*), min(f.fact_no), arg_min(f.surface, f.fact_no)) AS reason
        FROM facts f
        JOIN reports r USING (report_id)
        JOIN sentences s USING (report_id, sentence_no)
        WHERE substr(r.text, f.char_start + 1, f.char_end - f.char_start) <> f.surface
           OR f.char_start < s.char_start OR f.char_end > s.char_end
        GROUP BY f.report_id
    """,
}


def damaged_objects(conn: duckdb.DuckDBPyConnection, store: ContentStore) -> pl.DataFrame:
    """sha256 and source_names of every object of source_files that is missing from the
    store or changed: each is checked for its size, and the bytes of the latest arrivals are
    rehashed (rehashing the whole store every run would read every PDF again; `fazhi verify`
    does that)."""
    # Files landed together share one arrival time: the latest are this run's, if any.
    objects = conn.execute(
        "SELECT sha256, any_value(size) AS size, "
        "bool_or(arrived_at = (SELECT max(arrived_at) FROM source_files)) AS latest, "
        "list(source_name ORDER BY source_name) AS source_names "
        "FROM source_files GROUP BY sha256 ORDER BY sha256"
    ).pl()
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
    damaged: the objects damaged_objects found."""
    invariants = "\nUNION ALL\n".join(
        f"SELECT report_id, '{name}' AS check, reason FROM ({sql})"
        for name, sql in INVARIANTS.items()
    )
    sql = f"""
        WITH broken AS (
            {invariants}
            UNION ALL
            SELECT r.report_id, 'stored_bytes_intact' AS check, d.message AS reason
            FROM incoming_rows d JOIN reports r USING (sha256)
        )
        SELECT b.report_id, r.source_name, b.check, b.reason
        FROM broken b JOIN reports r USING (report_id)
        ORDER BY r.source_name, b.check
    """
    with rows_visible(conn, damaged.select("sha256", "message")):
        return conn.execute(sql, PATTERNS).pl()
