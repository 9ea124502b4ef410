"""Term statistics from segmented reports: per sentence (for search), per report (with what
may be a keyword: sql/keywords.sql ranks them), and over the corpus."""

from __future__ import annotations

import duckdb
import polars as pl

from pipelines.terms.dictionary import contained_terms, place_names, stop_words, term_classes
from pipelines.warehouse.tables import table_ddl

MIN_TERM_CHARS = 2


def _is_term(term: pl.Expr) -> pl.Expr:
    return (
        (term.str.len_chars() >= MIN_TERM_CHARS)
        & term.str.contains(r"\p{Han}")
        & ~term.is_in(list(stop_words()))
    )


def token_offsets(segmented: pl.DataFrame) -> pl.DataFrame:
    """segmented: report_id, tokens (list, concatenating to the report text).

    Returns report_id, term, char_start, inside for every token that is a term (two or more
    characters with a Chinese one among them, not a stop word), and for every dictionary term
    inside a longer one (出庭应诉 inside 行政机关负责人出庭应诉率, inside true). report_id is an
    enum of the reports' ids in order, made before the tokens are spread out, and term is
    categorical: the counts group by integer codes, not by the strings of every token.
    """
    reports = pl.Enum(segmented["report_id"].unique().sort())
    tokens = (
        segmented.select(
            pl.col("report_id").cast(reports),
            term=pl.col("tokens"),
            char_start=pl.col("tokens").list.eval(
                pl.element().str.len_chars().cum_sum() - pl.element().str.len_chars()
            ),
        )
        .explode("term", "char_start", empty_as_null=False)
        .drop_nulls("term")
        .with_columns(pl.col("char_start").cast(pl.Int64))
    )
    # A term with another inside it is at least one character longer than that one.
    inside = (
        tokens.filter(pl.col("term").str.len_chars() > MIN_TERM_CHARS)
        .join(contained_terms(), on="term")
        .select(
            "report_id",
            term="part",
            char_start=pl.col("char_start") + pl.col("offset"),
            inside=pl.lit(True),
        )
    )
    is_term = _is_term(pl.col("term"))
    return pl.concat(
        [tokens.filter(is_term).with_columns(inside=pl.lit(False)), inside.filter(is_term)]
    ).with_columns(pl.col("term").cast(pl.Categorical))


# Counts are made over one integer per token, sorted, then run-length encoded: the high half
# says where (the report, or the sentence), the low half which term (its categorical code).
HALF = 1 << 32


def _pair(high: pl.Expr, term: pl.Expr) -> pl.Expr:
    return high.cast(pl.UInt64) * HALF + term.to_physical().cast(pl.UInt64)


def _high(pair: pl.Expr) -> pl.Expr:
    return (pair // HALF).cast(pl.UInt32)


def _terms_of(tokens: pl.DataFrame, pairs: pl.DataFrame) -> pl.DataFrame:
    """pairs with the term (a string) of its pair's low half."""
    vocabulary = (
        tokens.select(pl.col("term").unique())
        .with_columns(code=pl.col("term").to_physical())
        .select("code", word=pl.col("term").cast(pl.String))
    )
    return pairs.with_columns(code=(pl.col("pair") % HALF).cast(vocabulary["code"].dtype)).join(
        vocabulary, on="code"
    )


def _counted(pairs: pl.Expr) -> pl.Expr:
    """pair and how often it occurs, in order of pair."""
    return pairs.sort().rle().struct.rename_fields(["n", "pair"]).alias("counted")


def sentence_terms(tokens: pl.DataFrame, sentences: pl.DataFrame) -> pl.DataFrame:
    """report_id, sentence_no, term, tf and terms_in_sentence (the sentence's length in terms,
    which BM25 needs); tokens as token_offsets gives them."""
    # One integer position over the whole corpus (report number, then offset) lets a single
    # as-of join place every token in its sentence, far faster than joining by report_id. The
    # report number is the code of the tokens' report_id enum; only the reports with both
    # tokens and sentences are placed.
    reports = tokens.schema["report_id"]
    position = pl.col("report").cast(pl.Int64) * HALF + pl.col("char_start")
    starts = (
        sentences.with_columns(report=pl.col("report_id").cast(reports, strict=False).to_physical())
        .drop_nulls("report")
        .select("report_id", "sentence_no", "report", position=position)
        .sort("position")
        .with_row_index("sentence")
    )
    placed = (
        tokens.with_columns(report=pl.col("report_id").to_physical())
        .filter(pl.col("report").is_in(starts["report"].unique().implode()))
        .select("term", position=position)
        .sort("position")
        .join_asof(starts.select("sentence", "position"), on="position", strategy="backward")
        .drop_nulls("sentence")
    )
    counted = placed.select(_counted(_pair(pl.col("sentence"), pl.col("term")))).unnest("counted")
    # Pairs come sorted by sentence, so each sentence's terms are together.
    return (
        _terms_of(tokens, counted.with_columns(sentence=_high(pl.col("pair"))))
        .with_columns(terms_in_sentence=pl.col("n").sum().over("sentence").cast(pl.Int32))
        .join(starts.select("sentence", "report_id", "sentence_no"), on="sentence")
        .select(
            "report_id",
            "sentence_no",
            term="word",
            tf=pl.col("n").cast(pl.Int32),
            terms_in_sentence="terms_in_sentence",
        )
    )


def report_terms(tokens: pl.DataFrame) -> pl.DataFrame:
    """report_id, term, n, keyword_candidate: how often each term occurs in each report, and
    whether it is ever tagged as a part of speech a keyword may have (and never as a place
    name).

    A token's part of speech is its word's in the dictionary (dictionary.term_classes); a term
    found inside a longer dictionary term is a dictionary term, which a keyword may be.
    """
    reports = tokens.schema["report_id"]
    pair = _pair(pl.col("report_id").to_physical(), pl.col("term"))
    counted = tokens.select(_counted(pair)).unnest("counted")
    # Few tokens are terms inside a longer one: count them apart.
    inside = tokens.filter("inside").group_by(pair=pair).agg(n_inside=pl.len())
    per_report = _terms_of(
        tokens,
        counted.join(inside, on="pair", how="left").with_columns(pl.col("n_inside").fill_null(0)),
    )
    # Each distinct term is looked up once.
    classes = (
        per_report.select("word")
        .unique()
        .join(term_classes().rename({"term": "word"}), on="word", how="left")
        .select(
            "word",
            pl.col("keyword_tag", "place_tag").fill_null(False),
            place_name=pl.col("word").is_in(list(place_names())),
        )
    )
    alone = pl.col("n") > pl.col("n_inside")
    return per_report.join(classes, on="word").select(
        report_id=pl.lit(reports.categories).gather(_high(pl.col("pair"))),
        term="word",
        n=pl.col("n").cast(pl.Int64),
        keyword_candidate=((alone & pl.col("keyword_tag")) | (pl.col("n_inside") > 0))
        & ~(alone & pl.col("place_tag"))
        & ~pl.col("place_name"),
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
