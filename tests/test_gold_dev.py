"""Score the fact extractor against the hand-labelled development set (seeds 000 and 003).

Mentions are matched on (document, line, value, unit); each gold mention matches at most one
extracted mention. Prints precision and recall of value+unit, qualifier agreement on matches,
and indicator precision and recall.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pytest

from pipelines.reading.normalize import normalize_line_ends, normalize_width
from tests.conftest import DATA, Build

GOLD = DATA / "gold-dev" / "quantities_000_003.tsv"


@dataclass
class Scores:
    precision: float
    recall: float
    qualifier_agreement: float
    indicator_precision: float
    indicator_recall: float
    misses: list[tuple]
    false_alarms: list[tuple]


def load_gold() -> pl.DataFrame:
    return pl.read_csv(GOLD, separator="\t", quote_char=None, infer_schema=False).with_columns(
        pl.col("line").cast(pl.Int64),
        pl.col("value").cast(pl.Float64),
        pl.col("indicator").fill_null(""),
    )


def source_line_numbers(source: Path, clean_text: str) -> list[int]:
    """The 1-based line of the source file each line of the clean text came from: cleaning
    drops blank lines and chrome, never reorders, so the lines align in one forward pass."""
    raw = pl.Series([source.read_text(encoding="utf-8")]).to_frame("text")
    raw_lines = raw.select(normalize_width(normalize_line_ends(pl.col("text")))).item().split("\n")
    numbers, cursor = [], 0
    for line in clean_text.split("\n"):
        while line not in raw_lines[cursor]:
            cursor += 1
        numbers.append(cursor + 1)
    return numbers


def extracted(build: Build, docs: list[str]) -> pl.DataFrame:
    with build.connect() as conn:
        rows = conn.execute(
            """
            SELECT r.source_name AS doc, f.surface, f.value, f.unit, f.qualifier,
                   coalesce(f.indicator, '') AS indicator,
                   length(substr(r.text, 1, f.char_start))
                   - length(replace(substr(r.text, 1, f.char_start), chr(10), '')) AS clean_line
            FROM facts f JOIN reports r USING (report_id)
            """
        ).pl()
        texts = dict(conn.execute("SELECT source_name, text FROM reports").fetchall())
    lines = {doc: source_line_numbers(build.sources / doc, texts[doc]) for doc in docs}
    return rows.filter(pl.col("doc").is_in(docs)).with_columns(
        line=pl.struct("doc", "clean_line").map_elements(
            lambda row: lines[row["doc"]][row["clean_line"]], return_dtype=pl.Int64
        )
    )


def score(gold: pl.DataFrame, found: pl.DataFrame) -> Scores:
    def key(row: dict) -> tuple:
        return (row["doc"], row["line"], round(row["value"], 4), row["unit"])

    pool: dict[tuple, list[dict]] = {}
    for row in found.iter_rows(named=True):
        pool.setdefault(key(row), []).append(row)
    pairs, misses = [], []
    for row in gold.iter_rows(named=True):
        candidates = pool.get(key(row))
        if candidates:
            pairs.append((row, candidates.pop(0)))
        else:
            misses.append((row["doc"][:3], row["line"], row["surface"]))
    false_alarms = [(r["doc"][:3], r["line"], r["surface"]) for rows in pool.values() for r in rows]
    qualifiers = sum(g["qualifier"] == f["qualifier"] for g, f in pairs)
    indicator_hits = sum(
        g["indicator"] != "" and g["indicator"] == f["indicator"] for g, f in pairs
    )
    return Scores(
        precision=len(pairs) / max(found.height, 1),
        recall=len(pairs) / max(gold.height, 1),
        qualifier_agreement=qualifiers / max(len(pairs), 1),
        indicator_precision=indicator_hits / max((found["indicator"] != "").sum(), 1),
        indicator_recall=indicator_hits / max((gold["indicator"] != "").sum(), 1),
        misses=misses,
        false_alarms=false_alarms,
    )


@pytest.fixture(scope="module")
def scores(seeds_build: Build) -> Scores:
    gold = load_gold()
    result = score(gold, extracted(seeds_build, gold["doc"].unique().to_list()))
    print(
        f"\ndev set: precision {result.precision:.3f} recall {result.recall:.3f} "
        f"qualifier {result.qualifier_agreement:.3f} indicator precision "
        f"{result.indicator_precision:.3f} recall {result.indicator_recall:.3f}"
        f"\nmisses: {result.misses}\nfalse alarms: {result.false_alarms}"
    )
    return result


def test_value_and_unit_precision_and_recall(scores: Scores) -> None:
    assert scores.precision >= 0.97, scores.false_alarms
    assert scores.recall >= 0.97, scores.misses


def test_qualifiers_agree(scores: Scores) -> None:
    assert scores.qualifier_agreement >= 0.97


def test_indicator_precision_and_recall(scores: Scores) -> None:
    assert scores.indicator_precision >= 0.9
    assert scores.indicator_recall >= 0.9


def test_the_scorer_counts_misses_and_false_alarms() -> None:
    gold = pl.DataFrame(
        {
            "doc": ["d", "d"],
            "line": [1, 2],
            "surface": ["3件", "5名"],
            "value": [3.0, 5.0],
            "unit": ["件", "名"],
            "qualifier": ["exact", "exact"],
            "indicator": ["x", ""],
        }
    )
    found = pl.DataFrame(
        {
            "doc": ["d", "d"],
            "line": [1, 9],
            "surface": ["3件", "7次"],
            "value": [3.0, 7.0],
            "unit": ["件", "次"],
            "qualifier": ["approx", "exact"],
            "indicator": ["x", "y"],
        }
    )
    result = score(gold, found)
    assert (result.precision, result.recall, result.qualifier_agreement) == (0.5, 0.5, 0.0)
    assert (result.indicator_precision, result.indicator_recall) == (0.5, 1.0)
    assert Counter(m[2] for m in result.misses) == Counter(["5名"])


def test_issue_figures_for_admin_reconsideration_received(seeds_build: Build) -> None:
    with seeds_build.connect() as conn:
        rows = conn.execute(
            "SELECT region, report_year, value FROM facts JOIN reports USING (report_id) "
            "WHERE indicator = 'admin_reconsideration_received' ORDER BY value"
        ).fetchall()
    assert rows == [
        ("天津滨海高新区", 2020, 6.0),
        ("天津经济技术开发区", 2020, 19.0),
        ("滨海新区", 2024, 1423.0),
    ]
