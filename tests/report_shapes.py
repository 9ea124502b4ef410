"""A seed report in the shapes reports reach users in, made here from the seed's own lines.

Each shape returns (plain, shaped): the same words, once as the plain seed lays them out (one
paragraph per line, with whatever a shape adds, such as a signature, on lines of its own) and
once in the shape. Whatever fazhi reads from the plain text it must read from the shaped one.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import polars as pl

from pipelines.cleaning.clean import clean_documents
from pipelines.reading.documents import DOCUMENT_SCHEMA
from pipelines.reading.extracted import HINTS
from pipelines.reading.normalize import normalize_line_ends, normalize_width
from pipelines.reports.build import build_reports
from pipelines.structure.sections import find_sections
from pipelines.structure.sentences import split_sentences
from tests.conftest import SEEDS

IDEOGRAPHIC_INDENT = "\u3000\u3000"
# What a page's chrome and an archiving tool's header look like around a report.
BREADCRUMB = "首页 > 政务公开 > 法治政府建设"
SHARE_BAR = "分享到：微信 微博 QQ空间"
ARCHIVE_HEADER = [
    "本地路径：D:\\资料\\法治政府建设\\年度报告\\{name}.html",
    "本页图片和链接已保存在：{name}_files 文件夹",
    "--------------------------------------------------",
]
PAGE_FOOTER = "来源：区司法局 附件下载：{name}.docx 【打印本页】【关闭窗口】"

Shape = Callable[[list[str]], tuple[list[str], str]]


def seed_lines(name: str) -> list[str]:
    """The seed's report lines: non-blank, stripped, without the site chrome of seed 002."""
    text = (SEEDS / name).read_text(encoding="utf-8")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if name.startswith("002"):
        first = next(i for i, line in enumerate(lines) if "法治政府建设报告" in line)
        last = next(i for i, line in enumerate(lines) if line.startswith("来源"))
        lines = [line for line in lines[first:last] if not re.match(r"发布日期|分享到", line)]
    return lines


def one_line(lines: list[str]) -> tuple[list[str], str]:
    """Every paragraph on one line, a space where each line break was (a CSV export, a page's
    text with its white space collapsed)."""
    return lines, " ".join(lines)


def ideographic_indents(lines: list[str]) -> tuple[list[str], str]:
    """One line, each paragraph still opened by its two ideographic spaces."""
    return lines, "".join(IDEOGRAPHIC_INDENT + line for line in lines)


def archive_copy_with_chrome(lines: list[str]) -> tuple[list[str], str]:
    """An archiving tool's header block, then the page's breadcrumb and share bar run into the
    report's first line, and 来源/附件下载 run into its last."""
    name = lines[0][:20]
    header = [line.format(name=name) for line in ARCHIVE_HEADER]
    first = f"{BREADCRUMB} {SHARE_BAR} {lines[0]}"
    last = f"{lines[-1]} {PAGE_FOOTER.format(name=name)}"
    return lines, "\n".join([*header, first, *lines[1:-1], last])


def signature_in_last_line(org: str, date: str) -> Shape:
    """The signature and its date run into the last paragraph."""

    def shape(lines: list[str]) -> tuple[list[str], str]:
        body = [line for line in lines if line != org]
        return [*body, org, date], "\n".join([*body[:-1], f"{body[-1]}{org}{date}"])

    return shape


def signed(org: str, date: str) -> Shape:
    """The plain report signed on lines of its own (a date the seed does not carry)."""

    def shape(lines: list[str]) -> tuple[list[str], str]:
        body = [line for line in lines if line != org]
        return [*body, org, date], "\n".join([*body, org, date])

    return shape


def shifted_years(lines: list[str], years: int) -> list[str]:
    """The same report for another year: every year it names moved by `years`."""
    return [re.sub(r"20\d{2}", lambda year: str(int(year.group()) + years), line) for line in lines]


def documents(texts: dict[str, str]) -> pl.DataFrame:
    """Texts as the reading stage hands them on (normalised like any text file)."""
    return pl.DataFrame(
        {
            "report_id": list(texts),
            "sha256": list(texts),
            "source_format": ["txt"] * len(texts),
            "encoding": ["utf-8"] * len(texts),
            "raw_text": list(texts.values()),
        }
    ).with_columns(
        pl.lit(None, pl.Int32).alias("main_first"),
        pl.lit(None, pl.Int32).alias("main_last"),
        *(pl.lit(None, pl.String).alias(hint) for hint in HINTS if hint != "page_date"),
        pl.lit(None, pl.Date).alias("page_date"),
        pl.lit([], pl.List(pl.Int32)).alias("furniture_lines"),
        pl.lit(None, pl.Float64).alias("ocr_confidence"),
        pl.lit(None, DOCUMENT_SCHEMA["ocr_pages"]).alias("ocr_pages"),
        raw_text=normalize_width(normalize_line_ends(pl.col("raw_text"))),
    )


def build(texts: dict[str, str], folders: dict[str, str] | None = None) -> dict[str, dict]:
    """Clean, read the metadata of and split each text, as the pipeline does; by report_id:
    the reports row, with its level-1 and level-2 sections (level, label, heading, part) under
    "outline". folders: report_id -> the folder its file sits in (its site), default its own."""
    docs = documents(texts)
    sites = docs.select(
        "report_id",
        site=pl.col("report_id").replace_strict(folders or {}, default=pl.col("report_id")),
    )
    cleaned = clean_documents(docs, sites)
    contents = docs.select(
        "sha256",
        source_name=pl.col("sha256") + ".txt",
        arrived_at=pl.lit(None, pl.Datetime),
        origin=pl.lit("file"),
    )
    reports, _ = build_reports(docs, contents, cleaned.texts, cleaned.lines)
    sections = find_sections(split_sentences(reports), reports)
    outline = (
        sections.filter(pl.col("level") <= 2)
        .sort("report_id", "section_no")
        .group_by("report_id", maintain_order=True)
        .agg(outline=pl.struct("level", "label", "heading", "part"))
    )
    rows = reports.join(outline, on="report_id", how="left")
    return {row["report_id"]: row for row in rows.iter_rows(named=True)}
