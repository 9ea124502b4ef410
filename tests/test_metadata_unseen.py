"""Report metadata on reports the project has not seen: titles, years and bodies in other shapes."""

from __future__ import annotations

import polars as pl
import pytest

from pipelines.cleaning.clean import clean_documents
from pipelines.reports.build import build_reports
from pipelines.reports.regions import canonical_region
from tests.report_shapes import documents

REPORTS = {
    "org_line_then_title_and_dated_signature": (
        "杭州市西湖区人民政府\n关于2022年度法治政府建设工作情况的报告\n\n"
        "2022年，西湖区坚持以习近平法治思想为指导，全面推进依法行政，现将有关情况报告如下。\n"
        "一、主要举措和成效\n全年共受理行政复议案件120件，办结115件。\n"
        "二、存在的不足\n法治队伍建设仍需加强。\n\n杭州市西湖区人民政府\n2023年3月20日\n"
    ),
    "one_line_with_chinese_numeral_year": (
        "二〇二一年度某某县法治政府建设情况报告 二〇二一年，某某县深入贯彻习近平法治思想，"
        "推进法治政府建设取得新成效。一、主要举措 全年受理行政复议案件12件。二、存在问题 基层执法力量薄弱。"
        "三、2022年工作安排 继续加强行政复议工作。"
    ),
    "department_signed_with_city": (
        "市司法局2023年法治政府建设年度报告\n\n今年以来，市司法局在市委市政府坚强领导下，"
        "认真贯彻落实法治政府建设各项部署，现将2023年工作报告如下：\n一、工作开展情况\n"
        "（一）强化合法性审核。全年审核规范性文件45件。\n\n苏州市司法局\n2024年1月10日\n"
    ),
    "no_title_year_only_in_signature": (
        "今年以来，我区认真贯彻落实党中央关于法治政府建设的决策部署，依法行政水平不断提升。\n"
        "一、主要做法\n持续推进严格规范公正文明执法。\n\n上海市浦东新区人民政府\n2022年2月8日\n"
    ),
    "not_a_report": "这是一篇关于春季旅游的新闻报道，介绍了本市的公园和景点，欢迎市民游客前往参观游览。"
    * 3,
}

EXPECTED = {
    "org_line_then_title_and_dated_signature": (
        "杭州市西湖区人民政府关于2022年度法治政府建设工作情况的报告",
        2022,
        "杭州市西湖区人民政府",
        "西湖区",
        "杭州市",
        "2023-03-20",
    ),
    "one_line_with_chinese_numeral_year": (
        "二〇二一年度某某县法治政府建设情况报告",
        2021,
        "某某县",
        "某某县",
        None,
        None,
    ),
    "department_signed_with_city": (
        "市司法局2023年法治政府建设年度报告",
        2023,
        "苏州市司法局",
        "苏州市",
        "江苏省",
        "2024-01-10",
    ),
    "no_title_year_only_in_signature": (
        "上海市浦东新区人民政府2021年法治政府建设情况报告",
        2021,
        "上海市浦东新区人民政府",
        "浦东新区",
        "上海市",
        "2022-02-08",
    ),
}


@pytest.fixture(scope="module")
def built() -> tuple[pl.DataFrame, pl.DataFrame]:
    docs = documents(REPORTS)
    contents = docs.select(
        "sha256",
        source_name=pl.col("sha256") + ".txt",
        arrived_at=pl.lit(None, pl.Datetime),
        origin=pl.lit("file"),
    )
    cleaned = clean_documents(docs, docs.select("report_id", site=pl.lit("folder:")))
    return build_reports(docs, contents, cleaned.texts, cleaned.lines)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_metadata_of_reports_in_other_shapes(
    built: tuple[pl.DataFrame, pl.DataFrame], name: str
) -> None:
    reports, _ = built
    row = reports.filter(pl.col("report_id") == name).row(0, named=True)
    published = row["published_date"] and row["published_date"].isoformat()
    assert (
        row["title"],
        row["report_year"],
        row["org_name"],
        row["region"],
        row["parent_region"],
        published,
    ) == EXPECTED[name]


def test_a_text_that_is_not_about_law_based_government_is_rejected(
    built: tuple[pl.DataFrame, pl.DataFrame],
) -> None:
    _, rejections = built
    assert rejections.select("sha256", "stage").rows() == [("not_a_report", "reports")]
    assert "not a report on law-based government" in rejections["reason"][0]


@pytest.mark.parametrize(
    ("name", "region", "parent"),
    [
        ("经开区政务服务办", "天津经济技术开发区", "滨海新区"),
        ("泰达", "天津经济技术开发区", "滨海新区"),
        ("天津滨海高新技术产业开发区", "天津滨海高新区", "滨海新区"),
        ("北京市海淀区司法局", "海淀区", "北京市"),
        ("广东省深圳市南山区人民政府", "南山区", "深圳市"),
        ("某某县市场监督管理局", "某某县", None),
    ],
)
def test_one_spelling_per_region(name: str, region: str, parent: str | None) -> None:
    assert canonical_region(name) == (region, parent)
