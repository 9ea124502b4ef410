"""Any report's shape: the seeds in the layouts reports reach users in give what the plain seeds
give, the same issuer, region, year and title and the same level-1 and level-2 sections."""

from __future__ import annotations

import json

import polars as pl
import pytest

from pipelines.cleaning.clean import clean_documents
from pipelines.reading.normalize import visible_chars
from tests.conftest import SEEDS
from tests.report_shapes import (
    archive_copy_with_chrome,
    build,
    documents,
    ideographic_indents,
    one_line,
    seed_lines,
    shifted_years,
    signature_in_last_line,
    signed,
)

SEED_NAMES = sorted(path.name for path in SEEDS.glob("*.txt"))
METADATA = [
    "title",
    "title_printed",
    "report_year",
    "org_name",
    "region",
    "parent_region",
    "province",
    "region_code",
    "published_date",
    "signed_date",
    "date_flag",
]
LAYOUTS = {
    "one line": one_line,
    "one line, ideographic indents": ideographic_indents,
    "archive header, chrome in first and last line": archive_copy_with_chrome,
}
# Each seed's year and a body that could sign it.
YEARS = {"000": 2020, "001": 2024, "002": 2020, "003": 2020, "004": 2023}
SIGNERS = {
    "000": "天津经济技术开发区管理委员会",
    "001": "滨海新区人民政府",
    "002": "天津滨海高新技术产业开发区管理委员会",
    "003": "天津市滨海新区人民政府办公室",
    "004": "天津东疆综合保税区管理委员会",
}


def signatures(seed: str) -> dict:
    year = YEARS[seed]
    swapped = str(year + 1)[:2] + str(year + 1)[3] + str(year + 1)[2]
    return {
        "signature in the last line": signature_in_last_line(SIGNERS[seed], f"{year + 1}年1月20日"),
        "December signature": signed(SIGNERS[seed], f"{year}年12月28日"),
        "signature year typo'd, digits swapped": signed(SIGNERS[seed], f"{swapped}年1月20日"),
        "signature year typo'd, the year reported": signed(SIGNERS[seed], f"{year}年1月20日"),
    }


def cases() -> dict[tuple[str, str], tuple[str, str]]:
    """(seed, shape) -> (plain text, shaped text)."""
    made = {}
    for name in SEED_NAMES:
        seed = name[:3]
        shapes = {**LAYOUTS, **signatures(seed)}
        for shape_name, shape in shapes.items():
            plain, shaped = shape(seed_lines(name))
            made[seed, shape_name] = ("\n".join(plain), shaped)
    return made


CASES = cases()


@pytest.fixture(scope="module")
def built() -> dict[str, dict]:
    texts = {}
    for (seed, shape), (plain, shaped) in CASES.items():
        texts[f"{seed}|{shape}|plain"] = plain
        texts[f"{seed}|{shape}|shaped"] = shaped
    return build(texts)


def metadata(row: dict) -> dict:
    return {field: row[field] for field in METADATA}


@pytest.mark.parametrize(("seed", "shape"), sorted(CASES))
def test_a_shaped_seed_reads_as_the_plain_one(
    built: dict[str, dict], seed: str, shape: str
) -> None:
    plain, shaped = built[f"{seed}|{shape}|plain"], built[f"{seed}|{shape}|shaped"]
    assert metadata(shaped) == metadata(plain)
    assert shaped["outline"] == plain["outline"]
    assert plain["report_year"] == YEARS[seed]
    assert plain["outline"], "every seed has headings"


@pytest.mark.parametrize("seed", sorted(YEARS))
def test_a_december_signature_covers_its_own_year(built: dict[str, dict], seed: str) -> None:
    row = built[f"{seed}|December signature|shaped"]
    assert row["report_year"] == YEARS[seed]
    assert row["published_date"].isoformat() == f"{YEARS[seed]}-12-28"
    assert row["date_flag"] is None
    assert "signature date" in json.loads(row["meta_sources"])["report_year"]


@pytest.mark.parametrize("seed", sorted(YEARS))
@pytest.mark.parametrize(
    "shape", ["signature year typo'd, digits swapped", "signature year typo'd, the year reported"]
)
def test_a_typo_d_signature_year_is_outvoted_and_flagged(
    built: dict[str, dict], seed: str, shape: str
) -> None:
    row = built[f"{seed}|{shape}|shaped"]
    assert row["report_year"] == YEARS[seed]
    assert row["signed_date"] is not None
    assert row["published_date"] is None
    assert row["date_flag"].startswith(row["signed_date"].isoformat())
    assert "signature date" not in json.loads(row["meta_sources"])["report_year"]


def test_a_december_signature_alone_tells_the_year() -> None:
    # No title, and a body that speaks of its year only as 今年: the signature alone dates it.
    lines = [line.replace("2020年", "今年") for line in seed_lines("003_38f8238b59c0effd.txt")[2:]]
    row = build({"r": "\n".join([*lines, "天津市滨海新区人民政府办公室", "2020年12月18日"])})["r"]
    assert (row["report_year"], row["org_name"], row["title_printed"]) == (
        2020,
        "天津市滨海新区人民政府办公室",
        False,
    )
    assert json.loads(row["meta_sources"])["report_year"] == "signature date"


def test_a_november_signature_covers_its_year_when_the_body_speaks_of_it_as_the_present() -> None:
    lines = [line.replace("2020年", "今年") for line in seed_lines("003_38f8238b59c0effd.txt")[2:]]
    row = build({"r": "\n".join([*lines, "天津市滨海新区人民政府办公室", "2020年11月26日"])})["r"]
    assert (row["report_year"], str(row["published_date"]), row["date_flag"]) == (
        2020,
        "2020-11-26",
        None,
    )


def test_three_reports_of_one_body_in_one_folder_keep_issuer_and_signature() -> None:
    # The body's name opens and signs every yearly report: it repeats on every page of the
    # folder, as site chrome does, and must stay all the same.
    lines = ["天津经济技术开发区管理委员会", *seed_lines("000_39ca0c9c455ce9cc.txt")]
    texts = {f"teda_{k}": "\n".join(shifted_years(lines, k)) for k in (-1, 0, 1)}
    alone = build(texts)
    together = build(texts, dict.fromkeys(texts, "folder:teda"))
    for name in texts:
        assert metadata(together[name]) == metadata(alone[name])
        assert together[name]["outline"] == alone[name]["outline"]
        assert together[name]["org_name"] == "天津经济技术开发区管理委员会"
        assert together[name]["region"] == "天津经济技术开发区"
    assert sorted(row["report_year"] for row in together.values()) == [2019, 2020, 2021]


def test_a_whole_page_on_one_line_drops_its_chrome_and_keeps_its_date() -> None:
    raw = (SEEDS / "002_0d1779802d6e58b2.txt").read_text(encoding="utf-8")
    lines = [line.strip() for line in raw.splitlines() if line.strip()]
    rows = build({"page": raw, "one_line": " ".join(lines)})
    assert metadata(rows["one_line"]) == metadata(rows["page"])
    assert rows["one_line"]["text"] == rows["page"]["text"]
    assert rows["one_line"]["published_date"].isoformat() == "2021-03-30"


def test_chrome_in_lines_goes_to_boilerplate_and_every_character_is_accounted_for() -> None:
    texts = {f"{seed}|{shape}": shaped for (seed, shape), (_, shaped) in CASES.items()}
    docs = documents(texts).with_columns(visible_chars=visible_chars(pl.col("raw_text")))
    cleaned = clean_documents(docs, docs.select("report_id", site=pl.col("report_id")))
    dropped = cleaned.boilerplate.group_by("report_id").agg(
        dropped=visible_chars(pl.col("line")).sum()
    )
    balance = (
        docs.select("report_id", "visible_chars")
        .join(cleaned.texts.select("report_id", kept="visible_chars"), on="report_id")
        .join(dropped, on="report_id", how="left")
        .filter(pl.col("visible_chars") != pl.col("kept") + pl.col("dropped").fill_null(0))
    )
    assert balance.is_empty()
    archive = cleaned.boilerplate.filter(
        pl.col("report_id") == "001|archive header, chrome in first and last line"
    )
    fragments = dict(archive.filter(~pl.col("whole_line")).select("line", "reason").iter_rows())
    assert fragments == {
        "首页 > 政务公开 > 法治政府建设": "breadcrumb",
        "分享到：微信 微博 QQ空间": "page tool",
        "来源：区司法局": "page metadata",
        "附件下载：滨海新区人民政府2024年.docx": "attachment",
        "【打印本页】": "page tool",
        "【关闭窗口】": "page tool",
    }
    assert set(archive.filter("whole_line")["reason"]) == {"archive header", "separator"}
    text = cleaned.texts.filter(pl.col("report_id") == archive["report_id"][0])["text"][0]
    assert text == "\n".join(seed_lines("001_d9e95e2a48e67257.txt"))


OTHER_PROVINCES = {
    # One line, signed in December of the year it covers.
    "fujian_one_line": (
        "福州市鼓楼区人民政府关于2022年法治政府建设情况的报告 2022年，鼓楼区在市委、市政府的正确领导下，"
        "深入学习贯彻习近平法治思想，现将有关情况报告如下： 一、工作开展情况 （一）深化“放管服”改革。"
        "全区政务服务事项全部实现网上可办。 （二）严格规范公正文明执法。全年开展执法检查1200次。 "
        "二、存在的主要问题 一是法治意识有待提高；二是执法队伍力量不足。 三、2023年工作安排 "
        "（一）持续深化改革。推进政务服务标准化。 福州市鼓楼区人民政府 2022年12月15日"
    ),
    # Signed jointly by the Party committee and the government.
    "hebei_joint_signature": (
        "石家庄市长安区2021年法治政府建设年度报告\n2021年，在省委、省政府的正确领导下，长安区坚持以"
        "习近平法治思想为指导，扎实推进法治政府建设。\n一、主要举措和成效\n区委常委会专题研究法治工作4次。\n"
        "二、党政主要负责人履行推进法治建设第一责任人职责情况\n区委书记带头学法。\n三、存在的不足和原因\n"
        "基层执法力量薄弱。\n四、2022年工作思路\n进一步加强法治政府建设。\n"
        "中共石家庄市长安区委 石家庄市长安区人民政府\n2022年1月25日"
    ),
    # An archive copy: header block, the page's chrome run into its first and last lines.
    "fujian_archive_copy": (
        "本地路径：D:\\归档\\厦门市湖里区2021年法治政府建设年度报告.html\n"
        "本页链接保存在：厦门市湖里区2021年法治政府建设年度报告_files\n--------------------------------\n"
        "当前位置：首页 > 政务公开 > 法治政府建设 厦门市湖里区2021年法治政府建设年度报告 "
        "发布时间：2022-03-18 10:20 来源：湖里区司法局 字号：大 中 小 分享到：微信 微博\n"
        "2021年，湖里区深入贯彻落实习近平法治思想，法治政府建设取得积极成效。\n一、主要工作成效\n"
        "全年受理行政复议案件88件。\n二、存在问题\n法治宣传覆盖面不够广。\n"
        "下一步，湖里区将持续推进法治政府建设，努力建设人民满意的法治政府。 "
        "附件下载：湖里区2021年法治政府建设年度报告.pdf 【打印】【关闭】"
    ),
}


def test_reports_of_other_provinces_in_other_shapes() -> None:
    rows = build(OTHER_PROVINCES)
    got = {
        name: (
            row["org_name"],
            row["region"],
            row["parent_region"],
            row["province"],
            row["region_code"],
            row["report_year"],
            row["published_date"].isoformat(),
            [part["part"] for part in row["outline"] if part["level"] == 1],
        )
        for name, row in rows.items()
    }
    assert got == {
        "fujian_one_line": (
            "福州市鼓楼区人民政府",
            "鼓楼区",
            "福州市",
            "福建省",
            "350102",
            2022,
            "2022-12-15",
            ["measures", "shortcomings", "plans"],
        ),
        "hebei_joint_signature": (
            "石家庄市长安区人民政府",
            "长安区",
            "石家庄市",
            "河北省",
            "130102",
            2021,
            "2022-01-25",
            ["measures", "leadership", "shortcomings", "plans"],
        ),
        "fujian_archive_copy": (
            "厦门市湖里区",
            "湖里区",
            "厦门市",
            "福建省",
            "350206",
            2021,
            "2022-03-18",
            ["measures", "shortcomings", "plans"],
        ),
    }
    assert (
        rows["fujian_archive_copy"]["text"].split("\n")[0]
        == "厦门市湖里区2021年法治政府建设年度报告"
    )
    assert rows["fujian_archive_copy"]["text"].endswith("努力建设人民满意的法治政府。")
