"""Pipeline invariants are checked a batch of reports at a time, for the reports given only:
each report's rows change only with its keys, so a run checks what it made."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import polars as pl
import pytest

from pipelines.quality.withheld import INVARIANTS, LONG_TEXT, PIECE, broken_invariants
from pipelines.settings import Settings
from pipelines.warehouse.tables import run_with_rows
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


def offsets_broken(text: str, facts: list[tuple[str, int, int]]) -> list[tuple[str, str]]:
    """What surfaces_match_offsets finds of facts (surface, char_start, char_end) of one report
    whose one sentence is its whole text."""
    with duckdb.connect() as conn:
        conn.execute("CREATE TABLE reports AS SELECT 'r' AS report_id, ? AS text", [text])
        conn.execute(
            "CREATE TABLE sentences AS SELECT 'r' AS report_id, 0 AS sentence_no, "
            "0 AS char_start, ? AS char_end",
            [len(text)],
        )
        rows = pl.DataFrame(facts, schema=["surface", "char_start", "char_end"], orient="row")
        run_with_rows(
            conn,
            "CREATE TABLE facts AS SELECT 'r' AS report_id, fact_no::INTEGER AS fact_no, "
            "0 AS sentence_no, surface, char_start, char_end FROM incoming_rows",
            rows.with_row_index("fact_no"),
        )
        conn.execute("CREATE VIEW incoming_rows AS SELECT 'r' AS report_id")
        return conn.execute(
            INVARIANTS["surfaces_match_offsets"], {"first": "r", "last": "r"}
        ).fetchall()


# Texts whose facts are found where a piece of the text ends (two characters before): a short
# text, sliced as it is, and a long one, cut into pieces.
PIECE_ENDS = [PIECE - 2, (LONG_TEXT // PIECE + 1) * PIECE - 2]


@pytest.mark.parametrize("before", PIECE_ENDS, ids=["short text", "long text"])
def test_surfaces_are_found_at_their_offsets_in_pieces_of_the_text(before: int) -> None:
    """A fact is compared with the pieces of its text it lies in: across the end of a piece,
    at the end of the text, and longer than a piece (compared with the whole text)."""
    across = "12件"
    long = "共" + "计" * PIECE + "5次"
    text = "甲" * before + across + "办理3人" + long + "累计7项"
    assert (len(text) > LONG_TEXT) == (before > LONG_TEXT)
    at = {
        "across": (across, before, before + 3),
        "inside": ("3人", before + 5, before + 7),
        "long": (long, before + 7, before + 7 + len(long)),
        "last": ("7项", len(text) - 2, len(text)),
    }
    assert all(text[start:end] == surface for surface, start, end in at.values())
    assert offsets_broken(text, list(at.values())) == []
    for name, (surface, start, end) in at.items():
        for wrong in (
            (surface, start + 1, end + 1),  # a character off
            (surface[:-1] + "余", start, end),  # another surface
            (surface, start, end + 5),  # past its end, or the text's
        ):
            found = offsets_broken(text, [at[other] for other in at if other != name] + [wrong])
            assert len(found) == 1 and found[0][1].startswith("1 facts"), (name, wrong)


def test_offsets_are_checked_in_one_pass_over_a_long_report() -> None:
    """50,000 figures in a text of 1.5 million characters: each compared with its piece, none
    found the text's start again (the check took ~60 s on such a report, now well under one)."""
    sentence = "全区依法办理行政复议案件{}件，持续推进法治政府建设。"
    parts, facts, start = [], [], 0
    for number in range(50_000):
        written = sentence.format(number % 97 + 1)
        surface = f"{number % 97 + 1}件"
        at = start + written.index(surface)
        facts.append((surface, at, at + len(surface)))
        parts.append(written)
        start += len(written)
    facts[-1] = ("9件", facts[-1][1], facts[-1][2])
    found = offsets_broken("".join(parts), facts)
    assert len(found) == 1 and "first facts.fact_no 49999" in found[0][1]
