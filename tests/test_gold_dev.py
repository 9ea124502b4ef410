"""Score the fact extractor against the hand-labelled development set (all five seeds), with
the same code as `fazhi eval`, and print the scores per report and the mismatches by category.

The product is measured on labelled reports it has never seen; these thresholds only keep the
development set from slipping.
"""

from __future__ import annotations

import os
import subprocess
import sys

import polars as pl
import pytest

from pipelines.evaluation.score import (
    SCORE_HEADERS,
    Evaluation,
    evaluate,
    load_gold,
    match,
    mismatches,
    score_line,
)
from pipelines.preview import aligned_table
from tests.conftest import DATA, Build

GOLD = sorted((DATA / "gold-dev").glob("quantities_*.tsv"))


@pytest.fixture(scope="module")
def evaluation(seeds_build: Build) -> Evaluation:
    with seeds_build.connect() as conn:
        result = evaluate(conn, load_gold(GOLD))
    rows = [score_line(doc[:3], scores) for doc, scores in result.per_report.items()]
    print("\n" + aligned_table(SCORE_HEADERS, [*rows, score_line("all", result.overall)]))
    print(aligned_table(result.mismatches.columns, result.mismatches.rows()))
    return result


def test_every_seed_is_scored(evaluation: Evaluation) -> None:
    assert len(evaluation.per_report) == 5
    assert evaluation.overall.gold == 181


def test_value_and_unit_precision_and_recall(evaluation: Evaluation) -> None:
    assert evaluation.overall.precision >= 0.97
    assert evaluation.overall.recall >= 0.97


def test_qualifiers_agree(evaluation: Evaluation) -> None:
    assert evaluation.overall.qualifier_agreement >= 0.97


def test_indicator_precision_and_recall(evaluation: Evaluation) -> None:
    assert evaluation.overall.indicator_precision >= 0.9
    assert evaluation.overall.indicator_recall >= 0.9


def test_the_scorer_counts_misses_false_alarms_and_categories() -> None:
    gold = pl.DataFrame(
        {
            "doc": ["d", "d", "d"],
            "line": [1, 2, 3],
            "surface": ["3件", "5名", "4次"],
            "value": [3.0, 5.0, 4.0],
            "unit": ["件", "名", "次"],
            "qualifier": ["exact", "exact", "exact"],
            "subject": ["", "", ""],
            "indicator": ["x", "", "z"],
        }
    )
    found = pl.DataFrame(
        {
            "doc": ["d", "d", "d"],
            "line": [1, 9, 3],
            "surface": ["3件", "7次", "4次"],
            "value": [3.0, 7.0, 4.0],
            "unit": ["件", "次", "次"],
            "qualifier": ["approx", "exact", "exact"],
            "subject": ["", "", ""],
            "indicator": ["x", "y", ""],
        }
    )
    pairs = match(gold, found)
    categories = sorted(mismatches(pairs)["category"])
    assert categories == ["indicator missed", "qualifier", "quantity missed", "quantity spurious"]


def test_fazhi_eval_prints_scores_per_report(seeds_build: Build) -> None:
    env = {**os.environ, "FAZHI_WAREHOUSE": str(seeds_build.warehouse)}
    done = subprocess.run(
        [sys.executable, "-m", "pipelines.cli", "eval", *map(str, GOLD)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    lines = done.stdout.splitlines()
    assert lines[0].split()[:3] == ["report", "gold", "found"]
    assert sum(line.startswith("00") for line in lines) >= 5
    assert any(line.startswith("all ") for line in lines)
    missing = subprocess.run(
        [sys.executable, "-m", "pipelines.cli", "eval", "no/such.tsv"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert missing.returncode == 2
    assert "no such gold file" in missing.stderr


def test_issue_figures_for_admin_reconsideration_received(seeds_build: Build) -> None:
    with seeds_build.connect() as conn:
        rows = conn.execute(
            "SELECT region, report_year, value FROM marts.headline_figures "
            "WHERE indicator = 'admin_reconsideration_received' ORDER BY value"
        ).fetchall()
    assert rows == [
        ("天津滨海高新区", 2020, 6.0),
        ("天津经济技术开发区", 2020, 19.0),
        ("滨海新区", 2024, 1423.0),
    ]


def test_no_headline_is_a_part_or_a_change(seeds_build: Build) -> None:
    with seeds_build.connect() as conn:
        bad = conn.execute(
            "SELECT f.surface FROM marts.headline_figures h JOIN facts f USING (report_id, fact_no) "
            "WHERE f.role = 'part' OR f.kind = 'change'"
        ).fetchall()
        parts = conn.execute("SELECT count(*) FROM facts WHERE role = 'part'").fetchone()[0]
    assert bad == []
    assert parts > 0
