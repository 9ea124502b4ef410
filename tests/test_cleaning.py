"""Cleaning and formats: one report in every shape it reaches users, one clean text out.

Seed 002 is a text dump of a government page. Its report lines are wrapped here in three site
layouts (as HTML and as text dumps), written as Word and PDF, encoded as GB18030 and UTF-16, and
saved as an archive copy; a real Dagster run cleans them all, and each clean text must equal
the plain seed's, line for line. Three pages of one site with chrome no rule knows check that
repeated lines go; broken inputs check that each is refused with its reason.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import polars as pl
import pytest

from pipelines.cleaning.clean import (
    MarginMarks,
    chrome_candidates,
    clean_documents,
    margin_marked,
    marked_margins,
)
from pipelines.cleaning.rules import chrome_reason
from pipelines.reading.html_pages import main_span, page_hints, parse
from pipelines.reading.pdf import PdfLine, join_wrapped_lines
from pipelines.shared.frames import query_frame
from tests.conftest import SEEDS, Build, run_build
from tests.report_files import archive_copy, as_docx, as_pdf, scanned_pdf
from tests.site_pages import LAYOUTS, Page, text_dump

SEED_002 = SEEDS / "002_0d1779802d6e58b2.txt"
# The site lines of seed 002, as the issue lists them: none may reach reports.text.
SITE_LINES_002 = [
    "网站支持IPv6 智能推荐  |  微信  |  微博  |  信访举报  |",
    "首页 > 公开 > 重点领域公开",
    "发布日期:2021-03-30",
    "分享到:",
    "来源:天津高新区",
    "扫一扫在手机打开当前页",
    "热门标签",
    "热点新闻",
    "相关新闻",
    "关于我们 | 网站声明",
    "网站标识码:1201160063",
    "主办单位:天津滨海高新技术产业开发区",
    "津公网备案:12019202000211",
    "津ICP备09000137号-4",
    "联系方式:gxqwxb@tht.gov.cn",
    "微博",
    "微信",
    "津公网备案:12019202000211  津ICP备09000137号-4",
]
# Web pages in three layouts and their text dumps, Word, PDF, other encodings, an archive copy.
SHAPES = [
    *(f"{layout}{kind}" for layout in LAYOUTS for kind in (".html", "_dump.txt")),
    "report.docx",
    "report.pdf",
    "gb18030.txt",
    "utf16.txt",
    "archive.txt",
]
UNKNOWN_SITE_SEEDS = [
    "000_39ca0c9c455ce9cc.txt",
    "003_38f8238b59c0effd.txt",
    "004_67f9df3a2b388bff.txt",
]
URL_002 = "https://www.tht.gov.cn/gk/zdly/202103/t20210330_1.html"
# Chrome of a site no rule knows: only its repetition over the site's pages gives it away.
UNKNOWN_SITE_HEADER = ["滨城智慧政务平台", "融媒看滨海 · 数字新区"]
UNKNOWN_SITE_FOOTER = ["本网站由滨海新区融媒体中心制作", "最佳浏览效果：谷歌或火狐"]
# A report whose body mentions words the footer rules look for.
BODY_WITH_FOOTER_WORDS = [
    "某某区2023年法治政府建设情况报告",
    "2023年，某某区坚持以习近平法治思想为指导，全面推进法治政府建设，现将有关情况报告如下。",
    "一、主要举措和成效",
    "（一）网站主办和技术支持管理",
    "依托区融媒体中心技术支持，区司法局主办“法治大讲堂”12期，政府网站标识码和ICP备案信息全部规范公示，全年受理行政复议案件35件。",
    "主办单位：区司法局。全年组织行政执法人员培训3次，培训合格率达到100%。",
    "某某区人民政府",
    "2024年3月20日",
]


def lines_of(path: Path) -> list[str]:
    """The file's non-blank lines, stripped, with no-break spaces read as spaces (as fazhi does)."""
    text = path.read_text(encoding="utf-8").replace("\xa0", " ")
    return [line.strip() for line in text.splitlines() if line.strip()]


def report_lines_002() -> list[str]:
    return [line for line in lines_of(SEED_002) if line not in SITE_LINES_002]


def write_variants(folder: Path) -> None:
    """Seed 002's report in every shape of SHAPES."""
    report = report_lines_002()
    page = Page(report[0], "2021-03-30", "天津高新区", URL_002, report)
    folder.mkdir(parents=True)
    for name, layout in LAYOUTS.items():
        html = layout(page)
        encoding = "gbk" if name == "bureau" else "utf-8"
        # A GBK site writes what GBK lacks as character references, as real ones do.
        (folder / f"{name}.html").write_bytes(html.encode(encoding, "xmlcharrefreplace"))
        (folder / f"{name}_dump.txt").write_text(text_dump(html), encoding="utf-8")
    seed_text = SEED_002.read_text(encoding="utf-8")
    (folder / "report.docx").write_bytes(as_docx(report))
    (folder / "report.pdf").write_bytes(as_pdf(report))
    (folder / "gb18030.txt").write_bytes(seed_text.encode("gb18030"))
    (folder / "utf16.txt").write_bytes(seed_text.encode("utf-16"))
    (folder / "archive.txt").write_text(
        archive_copy(
            seed_text.splitlines(),
            title=report[0],
            date="2021-03-30",
            org="天津滨海高新技术产业开发区",
            url=URL_002,
        ),
        encoding="utf-8",
    )


def write_unknown_site(folder: Path) -> None:
    """Three reports saved from one site whose chrome no rule knows."""
    folder.mkdir(parents=True)
    for seed in UNKNOWN_SITE_SEEDS:
        page = UNKNOWN_SITE_HEADER + lines_of(SEEDS / seed) + UNKNOWN_SITE_FOOTER
        (folder / seed).write_text("\n".join(page), encoding="utf-8")


@pytest.fixture(scope="module")
def shapes_build(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Build]:
    root = tmp_path_factory.mktemp("shapes")
    sources = root / "sources"
    (sources / "plain").mkdir(parents=True)
    shutil.copy(SEED_002, sources / "plain" / SEED_002.name)
    write_variants(sources / "shapes")
    write_unknown_site(sources / "unknown_site")
    (sources / "plain" / "footer_words.txt").write_text(
        "\n".join(BODY_WITH_FOOTER_WORDS), encoding="utf-8"
    )
    broken = sources / "broken"
    broken.mkdir()
    (broken / "scanned.pdf").write_bytes(scanned_pdf())
    (broken / "corrupt.docx").write_bytes(b"PK\x03\x04" + b"\x00garbage" * 64)
    (broken / "legacy.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512)
    (broken / "chrome_only.html").write_text(
        "<html><body><div>首页 &gt; 公开 &gt; 重点领域公开</div>"
        "<div>主办单位:天津滨海高新技术产业开发区</div><div>津ICP备09000137号-4</div>"
        "</body></html>",
        encoding="utf-8",
    )
    with pytest.MonkeyPatch.context() as monkeypatch:
        yield run_build(sources, root / "warehouse" / "fazhi.duckdb", monkeypatch)


@pytest.fixture(scope="module")
def reports(shapes_build: Build) -> dict[str, dict]:
    with shapes_build.connect() as conn:
        rows = query_frame(conn, "SELECT * FROM reports")
    return {row["source_name"]: row for row in rows.iter_rows(named=True)}


def test_run_succeeds_with_every_blocking_check_passing(shapes_build: Build) -> None:
    assert shapes_build.result.success
    failed = [
        evaluation.check_name
        for evaluation in shapes_build.result.get_asset_check_evaluations()
        if not evaluation.passed and evaluation.severity.value == "ERROR"
    ]
    assert failed == []


def test_seed_002_keeps_every_report_line_and_no_site_line(reports: dict[str, dict]) -> None:
    plain = reports["plain/" + SEED_002.name]
    assert plain["text"].split("\n") == report_lines_002()
    assert plain["published_date"].isoformat() == "2021-03-30"
    assert plain["title"] == "天津滨海高新区2020年法治政府建设报告"


@pytest.mark.parametrize("name", SHAPES)
def test_every_shape_cleans_to_the_plain_text_line_for_line(
    reports: dict[str, dict], name: str
) -> None:
    plain = reports["plain/" + SEED_002.name]["text"].split("\n")
    assert reports[f"shapes/{name}"]["text"].split("\n") == plain


@pytest.mark.parametrize(
    ("name", "published", "url"),
    [
        ("portal.html", "2021-03-30", URL_002),
        ("bureau.html", "2021-03-30", None),
        ("column.html", "2021-03-30", URL_002),
        ("gb18030.txt", "2021-03-30", None),
        ("archive.txt", "2021-03-30", URL_002),
        ("report.docx", None, None),
    ],
)
def test_page_metadata_is_harvested_before_the_chrome_goes(
    reports: dict[str, dict], name: str, published: str | None, url: str | None
) -> None:
    row = reports[f"shapes/{name}"]
    assert (row["published_date"] and row["published_date"].isoformat()) == published
    assert row["source_url"] == url
    assert row["title"] == "天津滨海高新区2020年法治政府建设报告"
    assert row["region"] == "天津滨海高新区"
    assert row["report_year"] == 2020


def test_formats_and_encodings_are_recorded(reports: dict[str, dict]) -> None:
    got = {
        name: (reports[f"shapes/{name}"]["source_format"], reports[f"shapes/{name}"]["encoding"])
        for name in (
            "bureau.html",
            "portal.html",
            "report.docx",
            "report.pdf",
            "gb18030.txt",
            "utf16.txt",
        )
    }
    assert got == {
        "bureau.html": ("html", "gb18030"),
        "portal.html": ("html", "utf-8"),
        "report.docx": ("docx", None),
        "report.pdf": ("pdf", None),
        "gb18030.txt": ("txt", "gb18030"),
        "utf16.txt": ("txt", "utf-16-le"),
    }


def test_every_dropped_line_is_kept_with_its_reason(shapes_build: Build) -> None:
    with shapes_build.connect() as conn:
        dropped = conn.execute(
            "SELECT b.line, b.reason FROM boilerplate b JOIN reports r USING (report_id) "
            "WHERE r.source_name = ? AND b.whole_line",
            ["plain/" + SEED_002.name],
        ).fetchall()
    assert sorted(line for line, _ in dropped) == sorted(
        line for line in lines_of(SEED_002) if line in SITE_LINES_002
    )
    assert all(reason for _, reason in dropped)


def test_chrome_of_an_unknown_site_goes_because_it_repeats(
    shapes_build: Build, reports: dict[str, dict]
) -> None:
    # No rule knows these lines: only their repetition can give them away.
    probe = pl.DataFrame({"line": UNKNOWN_SITE_HEADER + UNKNOWN_SITE_FOOTER})
    reasons = probe.select(reason=chrome_reason(pl.col("line")))["reason"]
    assert reasons.null_count() == probe.height
    for seed in UNKNOWN_SITE_SEEDS:
        report = lines_of(SEEDS / seed)
        text = reports[f"unknown_site/{seed}"]["text"].split("\n")
        assert text == [line.replace("[bookmark: _GoBack]", "") for line in report]
    with shapes_build.connect() as conn:
        reasons = conn.execute(
            "SELECT DISTINCT b.reason FROM boilerplate b JOIN reports r USING (report_id) "
            "WHERE r.source_name LIKE 'unknown_site/%' AND b.whole_line"
        ).fetchall()
    assert reasons == [("repeated on 3 pages of folder:unknown_site",)]


def test_body_text_that_mentions_footer_words_survives(reports: dict[str, dict]) -> None:
    assert reports["plain/footer_words.txt"]["text"].split("\n") == BODY_WITH_FOOTER_WORDS


def test_broken_inputs_are_refused_with_their_reason_and_kept(shapes_build: Build) -> None:
    with shapes_build.connect() as conn:
        rejected = dict(
            conn.execute(
                "SELECT source_name, reason FROM rejected_sources WHERE source_name LIKE 'broken/%'"
            ).fetchall()
        )
        stored = conn.execute(
            "SELECT count(*) FROM rejected_sources WHERE source_name LIKE 'broken/%' "
            "AND stored_path IS NOT NULL"
        ).fetchone()
    assert rejected.keys() == {
        "broken/scanned.pdf",
        "broken/corrupt.docx",
        "broken/legacy.doc",
        "broken/chrome_only.html",
    }
    assert rejected["broken/scanned.pdf"].startswith("scanned PDF: none of its 2 page(s)")
    assert rejected["broken/corrupt.docx"].startswith("corrupt Word (.docx) file")
    assert rejected["broken/legacy.doc"].startswith("legacy Word (.doc)")
    assert rejected["broken/chrome_only.html"].startswith("no report text")
    assert stored == (4,)


def test_pdf_lines_wrapped_by_the_page_are_joined_back() -> None:
    # A4 with 78pt margins and 14pt type: 30 Chinese characters fill a line, paragraphs are
    # indented two characters, the title is centred, a page number sits at each foot.
    def line(x: float, y: float, text: str, size: float = 14) -> PdfLine:
        return PdfLine(x, y, size, text)

    first_page = [
        line(190, 780, "某某区2023年法治政府建设报告", 18),
        line(106, 740, "2023年,某某区坚持以习近平法治思想为指导,全面推进法"),
        line(78, 716, "治政府建设,各项工作取得新成效。"),
        line(78, 692, "一、主要举措和成效"),
        line(106, 668, "全年受理行政复议案件35件,办结32件,纠错率为12%,行政"),
        line(78, 644, "复议决定全部在法定期限内作出,行政应诉工作同步推进,各"),
        line(288, 36, "- 1 -", 12),
    ]
    second_page = [
        line(78, 780, "级行政机关负责人出庭应诉率达到100%。"),
        line(106, 756, "二、存在的不足"),
    ]
    assert join_wrapped_lines([first_page, second_page]) == (
        [
            "某某区2023年法治政府建设报告",
            "2023年,某某区坚持以习近平法治思想为指导,全面推进法治政府建设,各项工作取得新成效。",
            "一、主要举措和成效",
            "全年受理行政复议案件35件,办结32件,纠错率为12%,行政复议决定全部在法定期限内作出,"
            "行政应诉工作同步推进,各级行政机关负责人出庭应诉率达到100%。",
            "二、存在的不足",
            # Page numbers follow the report's own lines, so none stands before a signature.
            "- 1 -",
        ],
        [],
    )


def test_page_hints_read_the_head_of_a_page() -> None:
    root = parse(
        "<html><head><title>某某区2023年法治政府建设情况报告_某某区人民政府</title>"
        '<meta name="PubDate" content="2024/3/5 10:00"><meta name="ContentSource" content="区司法局">'
        '<link rel="canonical" href=" https://www.example.gov.cn/a/1.html "></head><body></body></html>'
    )
    assert page_hints(root) == {
        "page_title": "某某区2023年法治政府建设情况报告",
        "page_date": "2024-03-05",
        "page_source": "区司法局",
        "page_url": "https://www.example.gov.cn/a/1.html",
    }


def test_main_content_is_widened_to_the_title_and_sign_off_or_left_to_the_rules() -> None:
    lines = [
        "首页 > 政务公开",
        "某某区2023年法治政府建设情况报告",
        "发布时间:2024-03-20",
        "2023年,某某区全面推进法治政府建设。",
        "一、主要举措和成效",
        "某某区人民政府",
        "2024年3月20日",
        "相关新闻",
    ]
    found_by_extractor = "2023年,某某区全面推进法治政府建设。\n一、主要举措和成效"
    assert main_span(lines, found_by_extractor, "某某区2023年法治政府建设情况报告") == (1, 6)
    # When the extractor finds nothing, there is no span and the line rules see the whole page.
    assert main_span(lines, None, None) is None
    assert main_span(lines, "页面不存在", None) is None


def documents_of(texts: dict[str, str], main_first: list[int | None] | None = None) -> pl.DataFrame:
    """Documents as the reader leaves them: report_id -> raw text, the first line of the main
    content where known (none by default), no end to it, no page furniture."""
    return pl.DataFrame(
        {
            "report_id": list(texts),
            "raw_text": list(texts.values()),
            "main_first": main_first or [None] * len(texts),
            "main_last": [None] * len(texts),
            "furniture_lines": [[]] * len(texts),
        },
        schema_overrides={
            "main_first": pl.Int32,
            "main_last": pl.Int32,
            "furniture_lines": pl.List(pl.Int32),
        },
    )


def test_the_line_rules_take_chrome_whether_the_main_content_is_known_or_not() -> None:
    """A page number between two paragraphs goes by its rule in a document without a main
    content, and in one whose main content has a start but no end (in_main unknown)."""
    text = "\n".join(
        [
            "某区2022年法治政府建设年度报告",
            "2022年，本区坚持依法行政，各项工作取得新进展。",
            "— 3 —",
            "二、存在的不足",
            "执法队伍专业化水平仍需提升。",
        ]
    )
    documents = documents_of({"no main": text, "main unbounded": text}, main_first=[None, 0])
    page_numbers = margin_marked(documents).filter(pl.col("line_no") == 3)
    assert page_numbers.select("report_id", "reason").rows() == [
        ("no main", "page number"),
        ("main unbounded", "page number"),
    ]


def test_the_marks_kept_from_the_candidates_clean_every_shape_as_a_fresh_search_does(
    shapes_build: Build,
) -> None:
    """A document's cleaning takes up the marks its chrome candidates found in the same run;
    on every shape (pages with a main content, dumps, Word, PDF with page furniture, chrome
    that only repeats, broken inputs), the lines restored from them are margin_marked's, and the
    cleaning is the same, when the marks hold all of the documents or only some."""
    work = shapes_build.warehouse.parent / ".work" / "work.duckdb"
    with duckdb.connect(str(work), read_only=True) as conn:
        documents = query_frame(conn, "SELECT * FROM documents ORDER BY report_id")
    sites = documents.select("report_id", site=pl.col("page_url").fill_null("folder"))
    found, marks = chrome_candidates(documents, sites)
    margins = margin_marked(documents)
    assert marks.reasons.height > 0 and marks.bounds.height == documents.height
    order = ["report_id", "line_no"]
    assert marked_margins(documents, marks).sort(order).equals(margins.sort(order))
    fresh = clean_documents(documents, sites)
    some = MarginMarks.of(margin_marked(documents.head(documents.height // 2)))
    for known in (marks, some):
        cleaned = clean_documents(documents, sites, known=known)
        for frame in ("lines", "texts", "boilerplate"):
            assert getattr(cleaned, frame).equals(getattr(fresh, frame)), frame
    assert not found.is_empty()


def test_a_line_repeated_on_one_site_is_chrome_there_only() -> None:
    """The same margin line on two sites: taken where its site repeats it, kept on the site
    that does not, whether that site's documents are cleaned with the others or alone."""
    report = ["某区2022年法治政府建设年度报告", "2022年，本区坚持依法行政。"]
    text = "\n".join([*report, UNKNOWN_SITE_FOOTER[1]])
    documents = documents_of({"a1": text, "b1": text})
    sites = pl.DataFrame({"report_id": ["a1", "b1"], "site": ["a.gov.cn", "b.gov.cn"]})
    pages = pl.DataFrame({"site": ["a.gov.cn"], "line": [UNKNOWN_SITE_FOOTER[1]], "pages": [5]})
    together = clean_documents(documents, sites, pages).texts
    alone = clean_documents(documents.filter(pl.col("report_id") == "b1"), sites, pages).texts
    assert dict(together.select("report_id", "text").rows()) == {
        "a1": "\n".join(report),
        "b1": text,
    }
    assert alone["text"].to_list() == [text]
