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


def outline(text: str, year: int = 2022) -> list[tuple[str, str, str]]:
    frame = reports(r=text).with_columns(report_year=pl.lit(year))
    sections = find_sections(split_sentences(frame), frame)
    return sections.filter(pl.col("level") == 1).select("label", "heading", "part").rows()


def test_parts_by_their_words_with_modifiers_and_by_the_years_they_name() -> None:
    text = (
        "一、2023年工作开展情况\n全年受理行政复议案件12件。\n"
        "二、党政主要负责人履行推进法治建设第一责任人职责情况\n主要负责人带头学法。\n"
        "三、存在的主要问题\n执法力量薄弱。\n"
        "四、2024年法治政府建设工作初步安排\n继续深化改革。\n"
        "五、其他需要报告的情况\n无。"
    )
    assert [part for _, _, part in outline(text, 2023)] == [
        "measures",
        "leadership",
        "shortcomings",
        "plans",
        "other",
    ]
    # A heading that names only the next year is the plans; one naming the report year is not.
    assert outline(
        "一、2023年法治政府建设\n成效明显。\n二、2024年法治政府建设\n继续推进。", 2023
    ) == [
        ("一、", "2023年法治政府建设", "measures"),
        ("二、", "2024年法治政府建设", "plans"),
    ]


def test_parts_by_position() -> None:
    # What follows the shortcomings is the plans; after the plans, other.
    text = (
        "一、主要举措和成效\n成效明显。\n二、存在的不足\n执法力量薄弱。\n"
        "三、持续深化依法行政\n继续深化改革。\n四、附表说明\n见附表。"
    )
    assert [part for _, _, part in outline(text)] == ["measures", "shortcomings", "plans", "other"]
    # Before the later parts an unknown heading is one of the measures, even after the
    # leadership part when it comes first.
    text = "一、党政主要负责人履行第一责任人职责\n带头学法。\n二、深化体制改革\n调整事项55项。"
    assert [part for _, _, part in outline(text)] == ["leadership", "measures"]


def test_an_unknown_heading_after_the_leadership_part_is_not_taken_for_measures() -> None:
    text = (
        "一、主要举措和成效\n成效明显。\n二、党政主要负责人履行第一责任人职责\n带头学法。\n"
        "三、法治队伍\n法治队伍建设仍存在短板，专业人员不足。\n四、队伍建设\n加强培训。"
    )
    assert [part for _, _, part in outline(text)] == [
        "measures",
        "leadership",
        "shortcomings",
        "plans",
    ]
    text = "一、主要举措和成效\n成效明显。\n二、党政主要负责人履行第一责任人职责\n带头学法。\n三、附件\n见附表。"
    assert [part for _, _, part in outline(text)] == ["measures", "leadership", "other"]


def test_an_unheaded_closing_paragraph_about_next_year_is_the_plans() -> None:
    text = (
        "一、主要举措和成效\n全年受理行政复议案件12件。\n二、存在的不足\n执法力量薄弱。\n"
        "下一步，我们将继续深化改革，提升依法行政水平。"
    )
    frame = reports(r=text)
    sentences = split_sentences(frame)
    sections = find_sections(sentences, frame)
    assert sections.select("label", "heading", "level", "part").rows() == [
        ("一、", "主要举措和成效", 1, "measures"),
        ("二、", "存在的不足", 1, "shortcomings"),
        ("", "下一步", 1, "plans"),
    ]
    closing = sections.row(2, named=True)
    assert text[closing["char_start"] : closing["char_end"]].startswith("下一步，我们将")
    placed = place_sentences(sentences, sections)
    assert placed.filter(pl.col("text").str.starts_with("下一步"))["part"].to_list() == ["plans"]
    # Where a heading opens the plans, a closing 下一步 paragraph is part of them.
    text = "一、主要成效\n成效明显。\n二、2023年工作安排\n继续深化改革。\n下一步，我们将继续努力。"
    assert [part for _, _, part in outline(text)] == ["measures", "plans"]


def test_a_heading_run_into_its_paragraph_ends_where_the_paragraph_begins() -> None:
    text = (
        "一、主要举措和成效\n（一）强化组织领导，始终坚持高位推动 区委高度重视，将法治政府建设纳入年度要点。\n"
        "（二）抓好关键少数一是协助主要负责同志学法，二是组织旁听庭审。\n"
        "（三）加强学习，树立 法治理念"
    )
    frame = reports(r=text)
    sections = find_sections(split_sentences(frame), frame)
    assert sections["heading"].to_list() == [
        "主要举措和成效",
        "强化组织领导，始终坚持高位推动",
        "抓好关键少数",
        "加强学习，树立 法治理念",
    ]
