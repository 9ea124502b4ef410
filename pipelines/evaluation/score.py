"""Score the warehouse's facts against hand-labelled quantities (the gold TSV format of
spec/quantities.md: doc, line, surface, value, unit, qualifier, subject, indicator).

A gold mention and an extracted one match when they are in the same report and line and have
the same value and unit; each gold mention matches at most one extracted mention. The line of
an extracted mention is the line of the source file its clean line came from (cleaning drops
lines but never reorders them); for sources that are not plain text, the line is not compared.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from pipelines.reading.decoding import UnreadableSource, decode_text
from pipelines.reading.normalize import normalize_line_ends, normalize_width
from pipelines.shared.frames import query_frame

GOLD_COLUMNS = ["doc", "line", "surface", "value", "unit", "qualifier", "subject", "indicator"]


@dataclass(frozen=True)
class Scores:
    gold: int
    found: int
    matched: int
    qualifiers_agreeing: int
    indicator_gold: int
    indicator_found: int
    indicator_hits: int

    @property
    def precision(self) -> float:
        return self.matched / self.found if self.found else 1.0

    @property
    def recall(self) -> float:
        return self.matched / self.gold if self.gold else 1.0

    @property
    def qualifier_agreement(self) -> float:
        return self.qualifiers_agreeing / self.matched if self.matched else 1.0

    @property
    def indicator_precision(self) -> float:
        return self.indicator_hits / self.indicator_found if self.indicator_found else 1.0

    @property
    def indicator_recall(self) -> float:
        return self.indicator_hits / self.indicator_gold if self.indicator_gold else 1.0


@dataclass(frozen=True)
class Evaluation:
    overall: Scores
    per_report: dict[str, Scores]
    # category, doc, line, gold surface/indicator, found surface/indicator
    mismatches: pl.DataFrame


def load_gold(paths: Iterable[Path]) -> pl.DataFrame:
    frames = [
        pl.read_csv(path, separator="\t", quote_char=None, infer_schema=False).select(GOLD_COLUMNS)
        for path in paths
    ]
    return pl.concat(frames).with_columns(
        pl.col("line").cast(pl.Int64),
        pl.col("value").cast(pl.Float64),
        pl.col("qualifier").fill_null("exact"),
        pl.col("subject").fill_null(""),
        pl.col("indicator").fill_null(""),
    )


def _source_lines(raw: str, clean_text: str) -> list[int] | None:
    """The 1-based line of the raw text each clean line came from, or None when the clean
    lines cannot be found in order (a source that is not plain text)."""
    raw_text = pl.select(normalize_width(normalize_line_ends(pl.lit(raw)))).item()
    raw_lines = raw_text.split("\n")
    numbers, cursor = [], 0
    for line in clean_text.split("\n"):
        while cursor < len(raw_lines) and line not in raw_lines[cursor]:
            cursor += 1
        if cursor == len(raw_lines):
            return None
        numbers.append(cursor + 1)
    return numbers


def extracted_facts(conn: duckdb.DuckDBPyConnection, docs: list[str]) -> pl.DataFrame:
    """The facts of the reports named in docs (reports.source_name), with the source line
    each came from (null where the source is not plain text)."""
    facts = query_frame(
        conn,
        """
        SELECT r.source_name AS doc, f.fact_no, f.surface, f.value, f.unit, f.qualifier,
               coalesce(f.subject, '') AS subject, coalesce(f.indicator, '') AS indicator,
               length(substr(r.text, 1, f.char_start))
               - length(replace(substr(r.text, 1, f.char_start), chr(10), '')) AS clean_line
        FROM facts f JOIN reports r USING (report_id)
        WHERE r.source_name IN (SELECT unnest($docs))
        """,
        {"docs": docs},
    )
    sources = conn.execute(
        """
        SELECT r.source_name, r.text, s.stored_path
        FROM reports r JOIN source_files s USING (report_id, source_name)
        WHERE r.source_name IN (SELECT unnest($docs))
        """,
        {"docs": docs},
    ).fetchall()
    line_maps = []
    for doc, text, stored_path in sources:
        try:
            raw, _ = decode_text(Path(stored_path).read_bytes())
        except (OSError, UnreadableSource):
            continue
        numbers = _source_lines(raw, text)
        if numbers is not None:
            line_maps.append(
                pl.DataFrame(
                    {"doc": doc, "clean_line": range(len(numbers)), "line": numbers},
                    schema={"doc": pl.String, "clean_line": pl.Int64, "line": pl.Int64},
                )
            )
    lines = (
        pl.concat(line_maps)
        if line_maps
        else pl.DataFrame(schema={"doc": pl.String, "clean_line": pl.Int64, "line": pl.Int64})
    )
    return facts.with_columns(pl.col("clean_line").cast(pl.Int64)).join(
        lines, on=["doc", "clean_line"], how="left"
    )


def match(gold: pl.DataFrame, found: pl.DataFrame) -> pl.DataFrame:
    """Pairs gold and found mentions: the n-th gold mention of a (doc, line, value, unit) with
    the n-th found one. Returns an outer join with gold_* and found_* columns."""

    def numbered(frame: pl.DataFrame, prefix: str) -> pl.DataFrame:
        keyed = frame.with_columns(
            _value=pl.col("value").round(4),
            _line=pl.col("line").fill_null(-1),
        ).with_columns(_n=pl.int_range(pl.len()).over("doc", "_line", "_value", "unit"))
        return keyed.select(
            "doc",
            "_line",
            "_value",
            pl.col("unit").alias("_unit"),
            "_n",
            *[
                pl.col(c).alias(f"{prefix}{c}")
                for c in ("line", "surface", "qualifier", "subject", "indicator")
            ],
        )

    keys = ["doc", "_line", "_value", "_unit", "_n"]
    gold_keyed = numbered(gold, "gold_")
    found_keyed = numbered(found, "found_")
    # Sources without line numbers are matched on doc, value and unit alone.
    unlined = found_keyed.filter(pl.col("found_line").is_null())["doc"].unique()
    gold_keyed = gold_keyed.with_columns(
        pl.when(pl.col("doc").is_in(unlined.implode())).then(-1).otherwise("_line").alias("_line")
    ).with_columns(_n=pl.int_range(pl.len()).over("doc", "_line", "_value", "_unit"))
    return gold_keyed.join(found_keyed, on=keys, how="full", coalesce=True)


def _scores(pairs: pl.DataFrame) -> Scores:
    gold = pairs["gold_surface"].is_not_null()
    found = pairs["found_surface"].is_not_null()
    both = gold & found
    gold_indicator = pairs["gold_indicator"].fill_null("")
    found_indicator = pairs["found_indicator"].fill_null("")
    return Scores(
        gold=int(gold.sum()),
        found=int(found.sum()),
        matched=int(both.sum()),
        qualifiers_agreeing=int(
            (both & (pairs["gold_qualifier"] == pairs["found_qualifier"])).sum()
        ),
        indicator_gold=int((gold_indicator != "").sum()),
        indicator_found=int((found_indicator != "").sum()),
        indicator_hits=int(
            (both & (gold_indicator != "") & (gold_indicator == found_indicator)).sum()
        ),
    )


def mismatches(pairs: pl.DataFrame) -> pl.DataFrame:
    """Every disagreement, by category: quantity missed or spurious, qualifier, indicator
    missed, spurious or wrong."""
    gold_indicator = pl.col("gold_indicator").fill_null("")
    found_indicator = pl.col("found_indicator").fill_null("")
    category = (
        pl.when(pl.col("found_surface").is_null())
        .then(pl.lit("quantity missed"))
        .when(pl.col("gold_surface").is_null())
        .then(pl.lit("quantity spurious"))
        .when((gold_indicator != "") & (found_indicator == ""))
        .then(pl.lit("indicator missed"))
        .when((gold_indicator == "") & (found_indicator != ""))
        .then(pl.lit("indicator spurious"))
        .when(gold_indicator != found_indicator)
        .then(pl.lit("indicator wrong"))
        .when(pl.col("gold_qualifier") != pl.col("found_qualifier"))
        .then(pl.lit("qualifier"))
    )
    return (
        pairs.with_columns(category=category)
        .filter(pl.col("category").is_not_null())
        .select(
            "category",
            "doc",
            line=pl.coalesce("gold_line", "found_line"),
            gold=pl.concat_str(
                "gold_surface", "gold_qualifier", "gold_indicator", separator=" ", ignore_nulls=True
            ),
            found=pl.concat_str(
                "found_surface",
                "found_qualifier",
                "found_indicator",
                "found_subject",
                separator=" ",
                ignore_nulls=True,
            ),
        )
        .sort("category", "doc", "line")
    )


def evaluate(conn: duckdb.DuckDBPyConnection, gold: pl.DataFrame) -> Evaluation:
    docs = gold["doc"].unique().sort().to_list()
    pairs = match(gold, extracted_facts(conn, docs))
    return Evaluation(
        overall=_scores(pairs),
        per_report={doc: _scores(pairs.filter(pl.col("doc") == doc)) for doc in docs},
        mismatches=mismatches(pairs),
    )


def score_line(name: str, scores: Scores) -> tuple:
    return (
        name,
        scores.gold,
        scores.found,
        f"{scores.precision:.3f}",
        f"{scores.recall:.3f}",
        f"{scores.qualifier_agreement:.3f}",
        f"{scores.indicator_precision:.3f}",
        f"{scores.indicator_recall:.3f}",
    )


SCORE_HEADERS = ["report", "gold", "found", "P", "R", "qualifier", "indicator P", "indicator R"]
