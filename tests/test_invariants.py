"""Pipeline invariants are checked a batch of reports at a time, for the reports given only:
each report's rows change only with its keys, so a run checks what it made."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import polars as pl
import pytest

from pipelines.quality.withheld import broken_invariants
from pipelines.settings import Settings
from tests.conftest import SEEDS, run_build


def test_a_batch_is_checked_and_the_reports_outside_it_are_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sources = tmp_path / "sources"
    sources.mkdir()
    for name in ("002_0d1779802d6e58b2.txt", "003_38f8238b59c0effd.txt"):
        shutil.copy(SEEDS / name, sources)
    settings = Settings(sources=sources, warehouse=tmp_path / "warehouse" / "fazhi.duckdb")
    assert run_build(settings.sources, settings.warehouse, monkeypatch).result.success
    with duckdb.connect(str(settings.staging)) as conn:
        conn.execute(f"ATTACH '{settings.work_database}' AS work")
        moved, kept = [
            pl.DataFrame({"report_id": [report_id]})
            for (report_id,) in conn.execute(
                "SELECT report_id FROM reports ORDER BY source_name"
            ).fetchall()
        ]
        assert broken_invariants(conn, moved).is_empty()
        # A figure whose surface is not the text at its offsets any more, and a document one
        # of whose characters went nowhere.
        conn.execute(
            "UPDATE facts SET surface = surface || '余' WHERE report_id = ? AND fact_no = 2",
            [moved["report_id"][0]],
        )
        conn.execute(
            "UPDATE work.documents SET visible_chars = visible_chars + 1 WHERE report_id = ?",
            [moved["report_id"][0]],
        )
        # And a section written twice (the tables enforce no key).
        conn.execute(
            "INSERT INTO sections SELECT * FROM sections WHERE report_id = ? AND section_no = 2",
            [moved["report_id"][0]],
        )
        found = broken_invariants(conn, moved)
        outside = broken_invariants(conn, kept)
        both = broken_invariants(conn, pl.concat([moved, kept]))
    assert found.sort("check").select("report_id", "check").rows() == [
        (moved["report_id"][0], "every_character_accounted_for"),
        (moved["report_id"][0], "rows_unique_on_their_keys"),
        (moved["report_id"][0], "surfaces_match_offsets"),
    ]
    reasons = dict(zip(found["check"], found["reason"], strict=True))
    assert reasons["surfaces_match_offsets"].startswith(
        "1 facts are not the report text at their offsets or lie outside their sentence, "
        "first facts.fact_no 2"
    )
    assert reasons["every_character_accounted_for"].startswith("1 visible characters")
    assert reasons["rows_unique_on_their_keys"] == (
        "1 keys are held by more than one row, first sections.section_no 2"
    )
    assert outside.is_empty()
    assert both.sort("check").equals(found.sort("check"))
