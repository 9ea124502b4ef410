"""The grammar of counted things, on sentences written for these tests in other words than
the seeds: each class of wording the unseen reports showed, one test each."""

from __future__ import annotations

import polars as pl
import pytest

from pipelines.facts.build import build_facts
from pipelines.facts.roles import MAX_FIGURES_SUMMED


def facts_of(*sentences: str) -> pl.DataFrame:
    frame = pl.DataFrame(
        {
            "report_id": "r",
            "sentence_no": range(len(sentences)),
            "text": list(sentences),
            "char_start": [sum(len(s) + 1 for s in sentences[:i]) for i in range(len(sentences))],
            "section_no": pl.Series([None] * len(sentences), dtype=pl.Int32),
            "part": "measures",
        }
    )
    facts = build_facts(frame)
    text = "\n".join(sentences)
    for row in facts.iter_rows(named=True):
        assert text[row["char_start"] : row["char_end"]] == row["surface"]
    return facts


def indicators(*sentences: str) -> list[tuple[str, str | None]]:
    return facts_of(*sentences).select("surface", "indicator").rows()


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        # Cases come as 件, 宗, 起; people as 名, 人, 位; firms as 家.
        ("区信访局全年接收群众来信来访件212宗。", [("212宗", "petitions_handled")]),
        ("市场监管局查处无证经营案件33起。", [("33起", "penalty_cases")]),
        ("区政府聘请4家律师事务所担任法律顾问。", [("4家", "legal_advisers")]),
        ("各街道配备法律顾问25名。", [("25名", "legal_advisers")]),
        ("全区现有公职律师17位。", [("17位", "public_lawyers")]),
    ],
)
def test_units_of_a_kind(sentence: str, expected: list) -> None:
    assert indicators(sentence) == expected


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("区政府审结行政复议案件14件。", "admin_reconsideration_closed"),
        ("全年完成行政复议案件5件。", "admin_reconsideration_closed"),
        ("司法局承办行政复议案件27件。", "admin_reconsideration_received"),
        ("新收行政复议案件9件。", "admin_reconsideration_received"),
        ("审查各类协议58份。", "legality_reviews"),
        ("出具法律意见书22件。", "legal_opinions"),
        ("提出书面审查意见47条。", "legal_opinions"),
    ],
)
def test_verbs_of_a_kind(sentence: str, expected: str) -> None:
    assert indicators(sentence)[0][1] == expected


def test_refusals_are_not_received_and_zero_is_a_count() -> None:
    found = indicators("行政复议申请中，对6宗决定不予受理，申请人撤回申请2件，驳回3件。")
    assert ("2件", None) in found
    assert all(indicator is None for _, indicator in found)
    zero = facts_of("全年发生重大行政执法过错零起。").row(0, named=True)
    assert (zero["value"], zero["unit"]) == (0.0, "起")


def test_a_total_its_parts_and_what_is_received() -> None:
    facts = facts_of("区复议机构全年共收到行政复议申请64宗，不予受理6宗（其中转送4宗），受理58宗。")
    rows = {r["surface"]: r for r in facts.iter_rows(named=True)}
    assert rows["64宗"]["role"] == "total"
    assert rows["64宗"]["indicator"] == "admin_reconsideration_received"
    assert rows["6宗"]["indicator"] is None
    assert rows["4宗"]["parent_fact_no"] == rows["6宗"]["fact_no"]
    assert rows["58宗"]["parent_fact_no"] == rows["64宗"]["fact_no"]
    assert rows["58宗"]["role"] == "part"


def test_figures_that_add_up_are_parts_of_the_figure_before_them() -> None:
    facts = facts_of("全年调处各类矛盾纠纷120件，调解成功113件，正在调解7件。")
    roles = dict(facts.select("surface", "role").rows())
    assert roles == {"120件": "total", "113件": "part", "7件": "part"}
    assert set(facts["indicator"]) == {"mediation_cases"}


def test_a_table_run_into_one_sentence_is_not_searched_for_sums() -> None:
    # Every figure was paired with every other of its unit in its sentence to find the runs
    # that add up: 60,000 figures in one line (a table flattened) took the machine's memory.
    # Past MAX_FIGURES_SUMMED of one unit no sums are looked for; a sentence of prose keeps them.
    flattened = "受理案件3件，办结1件，在办2件，" * 40
    facts = facts_of(flattened + "。", "全年调处各类矛盾纠纷120件，调解成功113件，正在调解7件。")
    table = facts.filter(pl.col("sentence_no") == 0)
    assert table.height == 120 > MAX_FIGURES_SUMMED
    assert set(table["role"]) == {"single"}
    prose = facts.filter(pl.col("sentence_no") == 1)
    assert prose["role"].to_list() == ["total", "part", "part"]
    # Below the limit the same run is found.
    few = facts_of("受理案件3件，办结1件，在办2件。")
    assert few["role"].to_list() == ["total", "part", "part"]


def test_a_count_of_aspects_is_not_a_count_of_audits() -> None:
    assert indicators("围绕5个方面开展专项审计项目31个。") == [
        ("5个", None),
        ("31个", "audit_projects"),
    ]
    assert indicators("对6个单位8名领导干部开展经济责任审计。") == [("6个", None), ("8名", None)]


def test_the_topic_carries_along_a_list_until_another_kind_of_thing() -> None:
    assert indicators("2023年林业行政案件立案52宗，已处罚47宗，已结案40宗。") == [
        ("52宗", "penalty_cases"),
        ("47宗", "penalty_cases"),
        ("40宗", "penalty_cases"),
    ]
    assert indicators("全年实施行政检查36项、行政奖励4项、其他7项。") == [
        ("36项", "enforcement_inspections"),
        ("4项", None),
        ("7项", None),
    ]
    # A negated object is another kind of thing: 非许可类 items are not licensing items.
    assert indicators("梳理行政许可事项88项，非许可类服务事项40项。") == [
        ("88项", "licensing_items"),
        ("40项", None),
    ]


def test_wording_variants() -> None:
    assert indicators("公布权利清单事项2031项。") == [("2031项", "power_list_items")]
    assert indicators("全年把关各类合同协议96份，审核制度文件9份。") == [
        ("96份", "legality_reviews"),
        ("9份", "legality_reviews"),
    ]


def test_subjects_are_whole_words_and_start_after_any_number() -> None:
    facts = facts_of("23年林业行政案件立案52宗，通过12345平台答复群众诉求3210件。")
    subjects = facts["subject"].to_list()
    assert subjects[0].startswith("林业")
    assert not any(ch.isdigit() for subject in subjects for ch in subject)


@pytest.mark.parametrize(
    ("sentence", "surface", "value", "unit", "qualifier", "kind"),
    [
        ("清理证明事项一万二千件", "一万二千件", 12_000.0, "件", "exact", "count"),
        ("惠及群众十二万三千人", "十二万三千人", 123_000.0, "人", "exact", "count"),
        ("发放补贴三千二百万元", "三千二百万元", 32_000_000.0, "元", "exact", "amount"),
        ("覆盖三千二户", "三千二户", 3_200.0, "户", "exact", "count"),
        ("满意度达百分之九十五点五", "百分之九十五点五", 95.5, "%", "exact", "rate"),
        ("带动投资1.2万亿元", "1.2万亿元", 1.2e12, "元", "exact", "amount"),
        ("该活动已连续举办9年", "9年", 9.0, "年", "exact", "period"),
        ("公示期不少于15日", "不少于15日", 15.0, "日", "at_least", "period"),
        ("须在7个工作日内办结", "7个工作日", 7.0, "工作日", "at_most", "period"),
        ("参与人数突破18万人次", "突破18万人次", 180_000.0, "人次", "at_least", "count"),
        ("依申请公开数量同比增长约280%", "约280%", 280.0, "%", "approx", "change"),
        ("案件结案率92.5%", "92.5%", 92.5, "%", "exact", "rate"),
    ],
)
def test_numbers_units_qualifiers_and_kinds(
    sentence: str, surface: str, value: float, unit: str, qualifier: str, kind: str
) -> None:
    row = facts_of(sentence).row(0, named=True)
    assert (row["surface"], row["value"], row["unit"], row["qualifier"], row["kind"]) == (
        surface,
        value,
        unit,
        qualifier,
        kind,
    )


def test_a_range_is_one_figure_with_both_ends() -> None:
    row = facts_of("每期集中培训3至5天。").row(0, named=True)
    assert (row["value"], row["value_high"], row["unit"]) == (3.0, 5.0, "天")


@pytest.mark.parametrize(
    "sentence",
    [
        "传达学习区委八届五次全会和十次全会精神。",
        "这是一项惠及全区群众的民生活动。",
        "对经12345所转办的事项及时答复。",
        "2021年5月20日前完成，2022年底前到位，近三年来成效明显。",
        "深入开展安全生产三年行动，开通24小时热线。",
    ],
)
def test_ordinals_hotlines_articles_and_dates_are_not_quantities(sentence: str) -> None:
    assert facts_of(sentence).is_empty()


def test_a_new_named_thing_or_a_screening_verb_does_not_carry() -> None:
    # What follows the number names what is counted: the topic before does not reach it.
    assert indicators("开展专项执法检查，检查门店312家次，约谈20余家门店负责人。") == [
        ("312家次", "enforcement_inspections"),
        ("20余家", None),
    ]
    # A screening verb stays with its own clause.
    assert indicators("全年排查矛盾纠纷960次，调解纠纷874件。") == [
        ("960次", None),
        ("874件", "mediation_cases"),
    ]


def test_a_level_reached_is_not_a_change_and_a_rate_needs_its_own_words() -> None:
    facts = facts_of(
        "行政许可事项精简至118项，网上可办率提高至98%，学法考试参考率100%，合格率99%。"
    )
    rows = {r["surface"]: r for r in facts.iter_rows(named=True)}
    assert rows["118项"]["indicator"] == "licensing_items"
    assert rows["98%"]["kind"] == "rate"
    assert rows["100%"]["indicator"] is None
    assert rows["99%"]["indicator"] == "law_exam_pass_rate"
