"""marts.report_compliance over the seeds, and `fazhi compliance` printing it."""

from __future__ import annotations

import csv
import io

import pytest

from pipelines.cli import main
from pipelines.shared.frames import query_frame
from tests.conftest import Build


@pytest.fixture(scope="module")
def compliance(seeds_build: Build) -> dict[str, dict]:
    with seeds_build.connect() as conn:
        rows = query_frame(
            conn,
            "SELECT c.*, r.source_name FROM marts.report_compliance c JOIN reports r USING (report_id)",
        )
    return {row["source_name"][:3]: row for row in rows.iter_rows(named=True)}


@pytest.mark.parametrize("seed", ["000", "001", "004"])
def test_seeds_with_every_mandated_part(compliance: dict[str, dict], seed: str) -> None:
    row = compliance[seed]
    assert (row["mandated_parts"], row["missing_parts"]) == (4, None)
    assert all(row[f"has_{part}"] for part in ("measures", "leadership", "shortcomings", "plans"))


def test_seeds_that_lack_parts_name_them(compliance: dict[str, dict]) -> None:
    assert compliance["002"]["missing_parts"] == "leadership"
    assert compliance["003"]["missing_parts"] == "leadership, shortcomings, plans"
    assert compliance["003"]["mandated_parts"] == 1


def test_each_part_comes_with_the_heading_that_carries_it(compliance: dict[str, dict]) -> None:
    row = compliance["004"]
    assert row["measures_heading"] == "一、法治政府建设实施纲要落实情况"
    assert row["leadership_heading"] == "二、履行推进法治建设第一责任人职责情况"
    assert row["shortcomings_heading"] == "三、工作中存在的不足"
    assert row["plans_heading"] == "四、下一年度主要工作安排"
    assert compliance["003"]["measures_heading"].split("；")[:2] == [
        "一、抓好关键少数",
        "二、做好全面统筹",
    ]


def test_publication_by_1_april_where_a_date_is_known(compliance: dict[str, dict]) -> None:
    row = compliance["002"]
    assert (str(row["published_date"]), str(row["publish_by"]), row["published_on_time"]) == (
        "2021-03-30",
        "2021-04-01",
        True,
    )
    assert compliance["000"]["published_on_time"] is None


def test_length_and_figures(seeds_build: Build, compliance: dict[str, dict]) -> None:
    with seeds_build.connect() as conn:
        expected = dict(
            conn.execute(
                "SELECT left(r.source_name, 3), count(f.fact_no) FROM reports r "
                "LEFT JOIN facts f USING (report_id) GROUP BY ALL"
            ).fetchall()
        )
    assert {seed: row["n_figures"] for seed, row in compliance.items()} == expected
    assert all(row["n_figures"] > 0 and row["n_chars"] > 2000 for row in compliance.values())


def test_fazhi_compliance_prints_the_view(
    seeds_build: Build, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("FAZHI_WAREHOUSE", str(seeds_build.warehouse))
    assert main(["compliance", "--year", "2020"]) == 0
    printed = capsys.readouterr().out
    lines = printed.splitlines()
    # Chinese labels above the English column names.
    assert lines[0].split()[:2] == ["地区", "年度"]
    assert lines[1].split() == [
        "region",
        "year",
        "measures",
        "leadership",
        "shortcomings",
        "plans",
        "missing",
        "published",
        "by_1_april",
        "chars",
        "figures",
    ]
    rows = [line for line in lines[3:] if " 2020 " in line]
    assert len(rows) == 3
    assert any("leadership, shortcomings, plans" in line for line in rows)
    assert any("2021-03-30" in line and "✓" in line for line in rows)
    assert "2024" not in printed
    assert "1 of 3 reports contain all four mandated parts" in printed.splitlines()[-1]


def test_fazhi_compliance_as_csv_parses(
    seeds_build: Build, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("FAZHI_WAREHOUSE", str(seeds_build.warehouse))
    assert main(["compliance", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert len(rows) == 5
    assert {row["missing"] for row in rows} >= {"leadership", ""}
