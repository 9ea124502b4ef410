"""Sentences and sections on report shapes beyond the seeds."""

from __future__ import annotations

import polars as pl

from pipelines.structure.sections import find_sections, place_sentences
from pipelines.structure.sentences import split_sentences


def reports(**texts: str) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "report_id": list(texts),
            "text": list(texts.values()),
            "report_year": [2022] * len(texts),
            "n_chars": [len(t) for t in texts.values()],
        }
    )


def test_sentences_keep_numbers_quotes_and_brackets_whole() -> None:
    text = "办结率达99.28%。提出“依法行政。严格执法。”的要求。依据《纲要（2021。2025）》推进！完成了吗？是\n新的一行"
    sentences = split_sentences(reports(r=text))
    assert sentences["text"].to_list() == [
        "办结率达99.28%。",
        "提出“依法行政。严格执法。”的要求。",
        "依据《纲要（2021。2025）》推进！",
        "完成了吗？",
        "是",
        "新的一行",
    ]
    for row in sentences.iter_rows(named=True):
        assert text[row["char_start"] : row["char_end"]] == row["text"]


def test_headings_of_a_report_that_lost_its_line_breaks() -> None:
    text = (
        "2022年，某区推进法治政府建设。一、主要举措和成效。（一）深化改革。全年受理行政复议案件12件。"
        "（二）严格执法。开展检查30次。二、存在的不足。执法力量薄弱。三、2023年工作安排。继续深化改革。"
    )
    frame = reports(r=text)
    sections = find_sections(split_sentences(frame), frame)
    assert sections.select("label", "heading", "level", "parent_no", "part").rows() == [
        ("一、", "主要举措和成效", 1, None, "measures"),
        ("（一）", "深化改革", 2, 1, "measures"),
        ("（二）", "严格执法", 2, 1, "measures"),
        ("二、", "存在的不足", 1, None, "shortcomings"),
        ("三、", "2023年工作安排", 1, None, "plans"),
    ]
    first = sections.row(0, named=True)
    assert text[first["char_start"] :].startswith("一、主要举措")
    assert first["char_end"] == text.index("二、存在")


def test_sentences_take_the_part_of_their_section() -> None:
    text = "前言。\n一、工作成效\n受理案件12件。\n二、下一步工作打算\n力争办结率达到100%。"
    frame = reports(r=text)
    sentences = split_sentences(frame)
    placed = place_sentences(sentences, find_sections(sentences, frame))
    assert placed.select("text", "part").rows() == [
        ("前言。", "other"),
        ("一、工作成效", "measures"),
        ("受理案件12件。", "measures"),
        ("二、下一步工作打算", "plans"),
        ("力争办结率达到100%。", "plans"),
    ]
