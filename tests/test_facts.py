"""Quantity mentions on sentences written for these tests (the spec's own examples)."""

from __future__ import annotations

import polars as pl
import pytest

from pipelines.facts.extract import extract_facts
from pipelines.facts.indicators import map_indicators


def mentions(text: str) -> list[tuple]:
    sentences = pl.DataFrame(
        {"report_id": ["r"], "sentence_no": [0], "text": [text], "char_start": [0]}
    )
    facts = map_indicators(extract_facts(sentences))
    for row in facts.iter_rows(named=True):
        assert text[row["char_start"] : row["char_end"]] == row["surface"]
    return facts.select("surface", "value", "unit", "qualifier", "indicator").rows()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("设立1.33亿元专项资金", [("1.33亿元", 133_000_000.0, "元", "exact", None)]),
        ("完成近15.6万人的核酸检测", [("近15.6万人", 156_000.0, "人", "approx", None)]),
        ("组织百余名机关干部下沉社区", [("百余名", 100.0, "名", "approx", None)]),
        (
            "使用电子检查证1万余次",
            [("1万余次", 10_000.0, "次", "approx", "enforcement_inspections")],
        ),
        ("考试合格率达到百分之百", [("百分之百", 100.0, "%", "exact", "law_exam_pass_rate")]),
        ("组织为期七天半的读书班", [("七天半", 7.5, "天", "exact", None)]),
        ("培训不少于 40 学时", [("不少于 40 学时", 40.0, "学时", "at_least", "training_hours")]),
        ("服务满意率达99.28%", [("99.28%", 99.28, "%", "exact", None)]),
        ("每集20分钟左右", [("20分钟左右", 20.0, "分钟", "approx", None)]),
        ("向1000家以上民营企业宣讲", [("1000家以上", 1000.0, "家", "at_least", None)]),
        ("每年至少举办2次培训班", [("2次", 2.0, "次", "at_least", None)]),
        ("成立指挥部，组成十个工作组", [("十个", 10.0, "个", "exact", None)]),
        # A percentage spelled out to 万: its 万 is part of it, not left behind.
        (
            "罚没款较上年增长百分之一千二百万",
            [("百分之一千二百万", 12_000_000.0, "%", "exact", None)],
        ),
        ("覆盖率提升百分之十二万三千", [("百分之十二万三千", 123_000.0, "%", "exact", None)]),
    ],
)
def test_values_units_and_qualifiers(text: str, expected: list[tuple]) -> None:
    assert mentions(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "2020年5月18日挂牌成立，截至2020年9月5日",
        "印发通知（津开办发〔2020〕11号），依据国务院令711号",
        "一是深化改革，二是强化监督",
        "落实行政执法“三项制度”和三项制度，推动“一制三化”改革2.0版",
        "开启“八五”普法，落实“双随机、一公开”，深入贯彻十九大和二十届三中全会精神",
        "落实津21条、中小微27条",
        "入选全国第三批典型案例，位列全国第2家",
        "确保不漏一企、不漏一户、不漏一人",
        "统一部署，进一步加强，考试一次合格率高",
    ],
)
def test_dates_numbers_slogans_and_ordinals_are_not_quantities(text: str) -> None:
    assert [m for m in mentions(text) if m[2] != "%"] == []


def test_a_run_of_more_digits_than_a_figure_has_is_no_quantity() -> None:
    """Sixteen digits and more are an identifier or table cells run together (a double would
    not even hold them: 400 of them were stored as inf); fifteen are still a figure."""
    text = f"受理案件{'4' * 16}件，罚没{'7' * 400}万元，预算{'9' * 15}元"
    assert mentions(text) == [(f"{'9' * 15}元", 999_999_999_999_999.0, "元", "exact", None)]


def test_a_count_of_measures_is_a_quantity() -> None:
    assert mentions("制定帮扶企业8条“硬核”举措") == [("8条", 8.0, "条", "exact", None)]


def test_indicators_follow_the_topic_into_later_clauses() -> None:
    found = mentions("2024年受理行政复议案件1423件，办结1006件；行政应诉一审案件216件、二审140件。")
    assert [(m[1], m[4]) for m in found] == [
        (1423.0, "admin_reconsideration_received"),
        (1006.0, "admin_reconsideration_closed"),
        (216.0, "admin_litigation_cases"),
        (140.0, "admin_litigation_cases"),
    ]


def test_quotes_are_counted_within_each_sentence_and_offsets_stay_the_reports() -> None:
    # A title left open in one sentence does not hide the next sentence's figures; a figure
    # inside a title is not a quantity; sentences with no figure at all are passed over.
    texts = [
        "印发《关于深化依法行政工作的实施意见",
        "全年办理行政复议案件37件。",
        "开展“百名律师进百村”活动，",
        "组织《3个专项行动方案》宣讲，培训执法人员120人次。",
    ]
    starts = [0, 40, 60, 80]
    report = "".join(
        text.ljust(end - start)
        for text, start, end in zip(texts, starts, [*starts[1:], 120], strict=True)
    )
    sentences = pl.DataFrame(
        {"report_id": ["r"] * 4, "sentence_no": [0, 1, 2, 3], "text": texts, "char_start": starts}
    )
    found = extract_facts(sentences).select("sentence_no", "surface", "char_start", "char_end")
    assert found.rows() == [(1, "37件", 50, 53), (3, "120人次", 101, 106)]
    assert [report[start:end] for _, _, start, end in found.rows()] == ["37件", "120人次"]
