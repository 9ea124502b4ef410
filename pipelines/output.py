"""What the fazhi command prints, in one of three forms: a table for people, with each column's
Chinese label above its English name, or CSV or JSON for other programs.

CSV and JSON keep the plain column names and the full values (no label, no clipping), so a
script that reads them does not depend on how a terminal shows them: CSV as the csv module and
spreadsheets write it, JSON as one array of objects per result, on one line.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from uuid import UUID

FORMATS = ("table", "csv", "json")

# The Chinese label of each column name the commands print; a name not listed shows alone.
LABELS: Mapping[str, str] = {
    "region": "地区",
    "parent": "上级地区",
    "parent_region": "上级地区",
    "year": "年度",
    "report_year": "年度",
    "issued by": "发布机关",
    "org_name": "发布机关",
    "chars": "字数",
    "n_chars": "字数",
    "figures": "数字",
    "indicators": "指标数字",
    "indicator": "指标",
    "indicator_name": "指标名称",
    "value": "数值",
    "as written": "原文",
    "surface": "原文",
    "unit": "单位",
    "qualifier": "限定",
    "figure": "第几处",
    "evidence": "原句",
    "sentence": "原句",
    "where": "位置",
    "source": "来源",
    "published": "发布日期",
    "published_date": "发布日期",
    "section": "章节",
    "score": "相关度",
    "reconsideration": "复议受理",
    # The compliance command's columns: the parts the reporting rules require, and the deadline.
    "measures": "举措成效",
    "leadership": "第一责任人",
    "shortcomings": "不足原因",
    "plans": "下年安排",
    "missing": "缺少部分",
    "by_1_april": "4月1日前发布",
    "by 1 April": "4月1日前",
}


def _plain(value: object) -> object:
    """A value JSON can carry: dates as ISO text, decimals as numbers, NaN as null."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return _plain(float(value))
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def _cell(value: object) -> str:
    """A value as one CSV field: empty for null, lists and structs as JSON."""
    if value is None:
        return ""
    if isinstance(value, list | tuple | Mapping):
        return json.dumps(_plain(value), ensure_ascii=False)
    plain = _plain(value)
    return "" if plain is None else str(plain)


def csv_text(columns: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([_cell(value) for value in row] for row in rows)
    return out.getvalue()


def json_text(columns: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    records = [dict(zip(columns, (_plain(value) for value in row), strict=True)) for row in rows]
    return json.dumps(records, ensure_ascii=False)


def labelled_table(columns: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """An aligned table with each column's Chinese label above its English name."""
    # pipelines.preview imports polars: the command line starts without it (a second, loaded).
    from pipelines.preview import aligned_table

    return aligned_table(columns, rows, above=[LABELS.get(column, "") for column in columns])


def render(
    columns: Sequence[str],
    rows: Sequence[Sequence[object]],
    form: str,
    labelled: bool = False,
) -> str:
    """The rows in the form asked for (FORMATS); labelled tables carry the Chinese labels."""
    if form == "csv":
        return csv_text(columns, rows).rstrip("\n")
    if form == "json":
        return json_text(columns, rows)
    from pipelines.preview import aligned_table

    return labelled_table(columns, rows) if labelled else aligned_table(columns, rows)
