"""Term statistics from segmented reports: per sentence (for search), per report, over the
corpus, and each report's keywords by TF-IDF against the warehouse's own corpus."""

from __future__ import annotations

import duckdb
import polars as pl

from pipelines.terms.dictionary import (
    DOMAIN_TAG,
    PLACE_TAG,
    contained_terms,
    place_names,
    stop_words,
)
from pipelines.warehouse.tables import table_ddl

KEYWORDS_PER_REPORT = 20
MIN_TERM_CHARS = 2
# Parts of speech a keyword may have: nouns, adjectival nouns, idioms, abbreviations and the
# dictionary's own terms. Not place names (the region is a column of its own), not verbal
# nouns (建设, 管理: every report is full of them), not verbs, adverbs or measure words.
KEYWORD_TAGS = ["n", "nr", "nt", "nz", "nw", "an", "l", "i", "j", DOMAIN_TAG]


def token_offsets(segmented: pl.DataFrame) -> pl.DataFrame:
    """segmented: report_id, tokens (list, concatenating to the report text), tags.

    Returns report_id, term, tag, char_start for every token that is a term (two or more
    characters with a Chinese one among them, not a stop word), and for every dictionary term
    inside a longer one (出庭应诉 inside 行政机关负责人出庭应诉率).
    """
    tokens = (
        segmented.select(
            "report_id",
            term=pl.col("tokens"),
            tag=pl.col("tags"),
            char_start=pl.col("tokens").list.eval(
                pl.element().str.len_chars().cum_sum() - pl.element().str.len_chars()
            ),
        )
        .explode("term", "tag", "char_start", empty_as_null=False)
        .drop_nulls("term")
        .with_columns(pl.col("char_start").cast(pl.Int64))
    )
    inside = tokens.join(contained_terms(), on="term").select(
        "report_id",
        term="part",
        tag=pl.lit(DOMAIN_TAG),
        char_start=pl.col("char_start") + pl.col("offset"),
    )
    return pl.concat([tokens, inside]).filter(
        (pl.col("term").str.len_chars() >= MIN_TERM_CHARS)
        & pl.col("term").str.contains(r"\p{Han}")
        & ~pl.col("term").is_in(list(stop_words()))
    )


def sentence_terms(tokens: pl.DataFrame, sentences: pl.DataFrame) -> pl.DataFrame:
    """report_id, sentence_no, term, tf and terms_in_sentence (the sentence's length in terms,
    which BM25 needs)."""
    # One integer position over the whole corpus (report number, then offset) lets a single
    # as-of join place every token in its sentence, far faster than joining by report_id.
    reports = pl.Enum(sentences["report_id"].unique().sort())
    position = pl.col("report_id").cast(reports).to_physical().cast(pl.Int64) * (1 << 32) + pl.col(
        "char_start"
    )
    starts = sentences.select("sentence_no", position=position).sort("position")
    placed = (
        tokens.filter(pl.col("report_id").is_in(reports.categories.implode()))
        .with_columns(position=position)
        .sort("position")
        .join_asof(starts, on="position", strategy="backward")
    )
    return (
        placed.drop_nulls("sentence_no")
        .group_by("report_id", "sentence_no", "term")
        .agg(tf=pl.len().cast(pl.Int32))
        .with_columns(terms_in_sentence=pl.col("tf").sum().over("report_id", "sentence_no"))
    )


def report_terms(tokens: pl.DataFrame) -> pl.DataFrame:
    """report_id, term, n, keyword_tag: how often each term occurs in each report, and whether
    it is ever tagged as a part of speech a keyword may have."""
    return tokens.group_by("report_id", "term").agg(
        n=pl.len().cast(pl.Int64),
        keyword_tag=pl.col("tag").is_in(KEYWORD_TAGS).any()
        & ~pl.col("tag").is_in([PLACE_TAG]).any()
        & ~pl.col("term").first().is_in(list(place_names())),
    )


def write_vocabulary(conn: duckdb.DuckDBPyConnection) -> int:
    """vocabulary from terms and sentence_terms: in how many reports and sentences each term
    occurs, and how often. Returns its row count."""
    conn.execute(table_ddl("vocabulary"))
    # terms has one row per report and term, so counting rows counts reports without the
    # far slower count(DISTINCT report_id) over sentence_terms.
    conn.execute(
        """
        INSERT INTO vocabulary BY NAME
        WITH in_reports AS (
            SELECT term, count(*) AS reports, sum(n) AS n FROM terms GROUP BY term
        ),
        in_sentences AS (
            SELECT term, count(*) AS sentences FROM sentence_terms GROUP BY term
        )
        SELECT term, reports, coalesce(sentences, 0) AS sentences, n
        FROM in_reports LEFT JOIN in_sentences USING (term)
        ORDER BY n DESC, term
        """
    )
    return conn.execute("SELECT count(*) FROM vocabulary").fetchone()[0]


def write_keywords(conn: duckdb.DuckDBPyConnection, top: int = KEYWORDS_PER_REPORT) -> int:
    """keywords: each report's top terms by TF-IDF, the document frequencies taken from terms.

    idf = ln(1 + (N - df + 0.5) / (df + 0.5)), as in BM25: a term every report uses scores near
    zero however often it occurs, and a corpus of one report still ranks by frequency. Only the
    terms work.keyword_terms lists (nouns and dictionary terms, with their n) are keywords.
    Returns the row count.
    """
    conn.execute(table_ddl("keywords"))
    # Each report's top scores are found first (max_by), so that only the few rows at or above
    # its cut-off are ranked in full, ties broken by n and then term.
    conn.execute(
        """
        INSERT INTO keywords BY NAME
        WITH df AS (SELECT term, count(*) AS df FROM terms GROUP BY term),
        totals AS (SELECT report_id, sum(n) AS total FROM terms GROUP BY report_id),
        corpus AS (SELECT count(*) AS n_reports FROM totals),
        scored AS (
            SELECT report_id, term, n, df,
                   n / total * ln(1 + (n_reports - df + 0.5) / (df + 0.5)) AS tfidf
            FROM work.keyword_terms JOIN df USING (term) JOIN totals USING (report_id), corpus
        ),
        cut_off AS (
            SELECT report_id, list_min(max_by(tfidf, tfidf, $top)) AS lowest
            FROM scored GROUP BY report_id
        )
        SELECT report_id, term, n, df, tfidf,
               row_number() OVER (
                   PARTITION BY report_id ORDER BY tfidf DESC, n DESC, term
               ) AS rank
        FROM scored JOIN cut_off USING (report_id)
        WHERE tfidf >= lowest
        QUALIFY rank <= $top
        ORDER BY report_id, rank
        """,
        {"top": top},
    )
    return conn.execute("SELECT count(*) FROM keywords").fetchone()[0]
