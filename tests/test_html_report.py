"""The visual report, opened from disk in a real headless Chromium (Debian's, which `make test`
installs) as a Chinese reader would open it: headings in Chinese with English beneath, drawn in
a CJK font, every figure as the report writes it and linked to its evidence, every piece of
evidence with its source, and every chart and table downloadable as the CSV of what it shows.

The warehouse is the seeds plus the 2021 report of 天津滨海高新区, crawled from a site served
on 127.0.0.1: a crawled report to link to, and a region with reports of two years."""

from __future__ import annotations

import base64
import csv
import io
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Page, sync_playwright

from pipelines.crawling.crawl import crawl
from pipelines.crawling.fetch import Fetcher, FetchPolicy
from pipelines.landing.store import ContentStore
from pipelines.settings import PROJECT_ROOT
from tests.conftest import SEEDS, Build, run_build
from tests.fixture_site import Route, listing, serve_fixture_site
from tests.site_pages import Page as SitePage
from tests.site_pages import portal
from tests.test_marts import next_year_of_002

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = PROJECT_ROOT / "test-artifacts"
SCREENSHOT = ARTIFACTS / "html_report.png"
# The top of the page, as docs/report.png shows it.
SCREENSHOT_TOP = ARTIFACTS / "html_report_top.png"
# The flags a root, offline, GPU-less machine needs; without the networking ones Chromium keeps
# trying to reach Google's hosts.
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
CJK = re.compile(r"[\u4e00-\u9fff]")
CRAWLED_PATH = "/fzzf/gxq_2021.html"
CRAWLED_PUBLISHED = "2022-03-25"


@dataclass
class Report:
    build: Build
    page: Page
    problems: list[str]
    crawled_url: str


@pytest.fixture(scope="module")
def crawled_build(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Build, str]]:
    root = tmp_path_factory.mktemp("html_report")
    sources = root / "sources"
    shutil.copytree(SEEDS, sources)
    store = ContentStore(root / "warehouse" / "store")
    # The seed is a page saved as text: the report starts at its title.
    lines = [line.strip() for line in next_year_of_002().splitlines() if line.strip()]
    lines = lines[next(i for i, line in enumerate(lines) if line.endswith("法治政府建设报告")) :]
    with serve_fixture_site() as site:
        url = site.url(CRAWLED_PATH)
        site.routes[CRAWLED_PATH] = Route(
            portal(SitePage(lines[0], CRAWLED_PUBLISHED, "区司法局", url, lines)).encode()
        )
        site.routes["/fzzf/gxq.html"] = Route(listing([("gxq_2021.html", lines[0])], None))
        fetcher = Fetcher(FetchPolicy(min_interval=0, timeout=10))
        try:
            log = crawl([(site.url("/fzzf/gxq.html"), None)], fetcher, store, "test crawl")
        finally:
            fetcher.close()
    assert log.filter(log["url"] == url)["outcome"].to_list() == ["landed"]
    with pytest.MonkeyPatch.context() as monkeypatch:
        build = run_build(sources, root / "warehouse" / "fazhi.duckdb", monkeypatch)
    assert build.result.success
    yield build, url


@pytest.fixture(scope="module")
def report(crawled_build: tuple[Build, str]) -> Iterator[Report]:
    build, url = crawled_build
    assert CHROMIUM.exists(), "Chromium is missing: `make browser` installs Debian's package"
    page_file = build.warehouse.parent / "report" / "index.html"
    assert page_file.exists()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        context = browser.new_context(
            viewport={"width": 1200, "height": 900}, accept_downloads=True
        )
        page = context.new_page()
        problems: list[str] = []
        page.on("console", lambda message: problems.append(f"{message.type}: {message.text}"))
        page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
        page.on("requestfailed", lambda request: problems.append(f"request failed: {request.url}"))
        page.goto(page_file.as_uri())
        page.wait_for_load_state("load")
        yield Report(build, page, problems, url)
        browser.close()


def csv_rows(href: str) -> list[dict[str, str]]:
    """The rows of a CSV data URI."""
    data = base64.b64decode(href.split("base64,", 1)[1]).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(data)))


def test_the_page_renders_with_a_clean_console(report: Report) -> None:
    page = report.page
    assert page.title().startswith("fazhi")
    assert report.problems == []
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=True)
    page.screenshot(
        path=str(SCREENSHOT_TOP),
        full_page=True,
        clip={"x": 0, "y": 0, "width": 1200, "height": 1700},
    )
    assert SCREENSHOT.stat().st_size > 10_000


def test_headings_are_chinese_with_english_beneath_and_drawn_in_a_cjk_font(
    report: Report,
) -> None:
    page = report.page
    headings = page.evaluate(
        """() => [...document.querySelectorAll('h1, h2')].map(h => ({
               zh: [...h.childNodes].filter(n => n.nodeType === Node.TEXT_NODE)
                     .map(n => n.textContent).join('').trim(),
               en: h.querySelector('.en') ? h.querySelector('.en').textContent : '',
               below: h.querySelector('.en') ?
                   h.querySelector('.en').getBoundingClientRect().top >=
                   h.getBoundingClientRect().top + 10 : false }))"""
    )
    zh = [heading["zh"] for heading in headings]
    for title in [
        "主要指标",
        "同比变化",
        "报告合规",
        "自述的不足",
        "用词侧重",
        "哪些指标",
        "原句出处",
    ]:
        assert any(title in text for text in zh), (title, zh)
    for heading in headings:
        assert CJK.search(heading["zh"]), heading
        assert re.search(r"[A-Za-z]{3}", heading["en"]) and heading["below"], heading
    # Which fonts Chromium drew each element's own text with: its Chinese characters all in a
    # CJK font. Without one, Chromium draws them in a Latin font as empty boxes (tofu); a
    # symbol such as ✗ may come from another font.
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    document = cdp.send("DOM.getDocument", {"depth": -1, "pierce": False})["root"]
    own_text = {}
    stack = [document]
    while stack:
        node = stack.pop()
        children = node.get("children", [])
        own_text[node["nodeId"]] = "".join(
            child["nodeValue"] for child in children if child["nodeType"] == 3
        )
        stack.extend(children)
    selector = "h1, h2, h3, svg text, th, td, .card li, p.sentence, .meta, .lead"
    nodes = cdp.send("DOM.querySelectorAll", {"nodeId": document["nodeId"], "selector": selector})[
        "nodeIds"
    ]
    checked = 0
    for node in nodes:
        chinese = len(CJK.findall(own_text[node]))
        if not chinese:
            continue
        fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
        in_cjk = sum(font["glyphCount"] for font in fonts if "CJK" in font["familyName"])
        assert in_cjk >= chinese, (own_text[node][:60], fonts)
        checked += 1
    assert checked > 50


def test_the_charts_are_drawn(report: Report) -> None:
    page = report.page
    with report.build.connect() as conn:
        charted = conn.execute(
            "SELECT count(*) FROM marts.headline_figures WHERE indicator IN ("
            "SELECT column_name FROM duckdb_columns() WHERE schema_name = 'marts' "
            "AND table_name = 'indicator_matrix' AND data_type = 'DOUBLE')"
        ).fetchone()[0]
    drawn = page.evaluate(
        """() => [...document.querySelectorAll('rect.bar')]
                 .filter(bar => { const box = bar.getBoundingClientRect();
                                  return box.width > 0 && box.height > 0; }).length"""
    )
    shaded = page.evaluate(
        """() => [...document.querySelectorAll('rect.cell')]
                 .filter(cell => Number(cell.getAttribute('fill-opacity')) > 0).length"""
    )
    assert drawn == charted > 0
    assert shaded > 20
    assert page.locator("table.coverage td.yes").count() > 0


def test_the_heatmap_shows_the_domain_terms_written_most_in_the_whole_corpus(
    report: Report,
) -> None:
    """Its rows are the domain dictionary's terms with the most occurrences over every report,
    most first, a tie by the term: counted here from each report's term counts."""
    from pipelines.marts.html_report import HEATMAP_TERMS
    from pipelines.terms.dictionary import DOMAIN_TAG, domain_words

    topics = [word for word, _, tag in domain_words() if tag == DOMAIN_TAG]
    with report.build.connect() as conn:
        expected = [
            term
            for (term,) in conn.execute(
                "SELECT term FROM terms WHERE list_contains(?, term) "
                "GROUP BY term ORDER BY sum(n) DESC, term LIMIT ?",
                [topics, HEATMAP_TERMS],
            ).fetchall()
        ]
    rows = report.page.evaluate(
        """() => [...document.querySelectorAll('#chart-emphasis svg > text[text-anchor="end"]')]
                 .map(label => label.textContent)"""
    )
    assert len(expected) == HEATMAP_TERMS
    assert rows == expected


def test_a_figure_is_labelled_as_the_report_writes_it(report: Report) -> None:
    """1万余次 is drawn as the 10000 it stands for, and labelled 1万余次: 余 says 'more than'."""
    chart = report.page.locator("#chart-enforcement_inspections")
    labels = chart.locator("svg text.figure").all_text_contents()
    assert "1万余次" in labels
    assert not [label for label in labels if "10000" in label]
    bar = chart.locator("svg a", has_text="1万余次")
    assert "1万余次" in bar.locator("title").text_content()


def test_reports_of_different_years_are_marked(report: Report) -> None:
    chart = report.page.locator("#chart-admin_reconsideration_received")
    mark = chart.locator(".years-differ").inner_text()
    assert "年份不同" in mark and "2020、2021、2024" in mark
    assert "different years" in mark
    # Each year has its colour, the same in every chart, and a legend says which.
    assert "2021" in chart.locator(".legend").inner_text()
    colours = report.page.evaluate(
        """() => { const seen = {};
                   for (const a of document.querySelectorAll('figure.chart svg a')) {
                       const year = a.querySelector('text').textContent.match(/(\\d{4})年/)[1];
                       (seen[year] = seen[year] || new Set()).add(
                           a.querySelector('rect').getAttribute('fill')); }
                   return Object.values(seen).map(s => s.size); }"""
    )
    assert colours and set(colours) == {1}


def test_every_figure_links_to_its_evidence_sentence(report: Report) -> None:
    page = report.page
    targets = page.evaluate(
        """() => [...document.querySelectorAll('a[href^="#e-"]')]
                 .map(link => link.getAttribute('href').slice(1))"""
    )
    assert targets
    for target in set(targets):
        assert page.locator(f"li[id='{target}'] mark").count() == 1
    # The evidence lists what the page links to and nothing more, so it stays small at scale.
    listed = page.evaluate(
        "() => [...document.querySelectorAll('ol.evidence li')].map(li => li.id)"
    )
    assert sorted(listed) == sorted(set(targets))
    # The 1423 bar leads to the sentence that states it, the figure marked.
    page.locator("svg a", has_text="1423件").first.click()
    highlighted = page.locator("ol.evidence li:target")
    assert "受理行政复议案件1423件" in highlighted.inner_text()
    assert highlighted.locator("mark").inner_text() == "1423件"


def test_every_evidence_entry_gives_body_year_source_and_date(report: Report) -> None:
    page = report.page
    entries = page.evaluate(
        """() => [...document.querySelectorAll('ol.evidence li')].map(li => ({
               id: li.id, text: li.innerText,
               sources: [...li.querySelectorAll('.source')].map(s => s.textContent.trim()),
               links: [...li.querySelectorAll('a.source')].map(a => a.href) }))"""
    )
    assert entries
    with report.build.connect() as conn:
        reports = {
            report_id: (org, year, name, url, published)
            for report_id, org, year, name, url, published in conn.execute(
                "SELECT report_id, org_name, report_year, source_name, source_url, "
                "published_date FROM reports"
            ).fetchall()
        }
    crawled = []
    for entry in entries:
        report_id = entry["id"].split("-")[1]
        org, year, name, url, published = reports[report_id]
        assert all(entry["sources"]) and entry["sources"], entry
        assert f"发布机关 issued by {org}" in entry["text"]
        assert f"年度 year {year}" in entry["text"]
        assert ("发布日期 published " + (str(published) if published else "未注明")) in entry[
            "text"
        ]
        if url:
            assert entry["links"] == [url]
            crawled.append(entry)
        else:
            assert entry["links"] == []
            assert entry["sources"] == [f"文件 file: {name}"]
    # The crawled report's figures link to the page they were fetched from.
    assert crawled
    assert {entry["links"][0] for entry in crawled} == {report.crawled_url}
    assert all(CRAWLED_PUBLISHED in entry["text"] for entry in crawled)


def test_the_csv_link_downloads_the_rows_the_chart_shows(report: Report, tmp_path: Path) -> None:
    page = report.page
    chart = page.locator("#chart-admin_reconsideration_received")
    shown = [
        (label.removesuffix("年").rsplit(" ", 1)[0], label.removesuffix("年").rsplit(" ", 1)[1])
        for label in chart.locator("svg a text:not(.figure)").all_text_contents()
    ]
    figures = chart.locator("svg text.figure").all_text_contents()
    with page.expect_download() as download:
        chart.locator("a.csv").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name == "headline_admin_reconsideration_received.csv"
    with saved.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(row["region"], row["report_year"]) for row in rows] == shown
    assert [row["as_written"] for row in rows] == figures == ["1423件", "19件", "9件", "6件"]
    assert {row["indicator_name"] for row in rows} == {"行政复议案件受理数"}
    assert all(row["sentence"] and row["source"] for row in rows)


def test_every_chart_and_table_has_its_csv(report: Report) -> None:
    page = report.page
    missing = page.evaluate(
        """() => [...document.querySelectorAll('figure.chart, table, div.cards')]
                 .filter(block => !(block.querySelector('a.csv') ||
                     (block.nextElementSibling && block.nextElementSibling.matches('a.csv'))))
                 .map(block => block.id || block.className)"""
    )
    assert missing == []
    # Each table's CSV holds the rows it shows.
    for name in ["compliance", "changes"]:
        table = page.locator(f"table.{name}")
        rows = table.locator("tbody tr").count()
        href = page.evaluate(
            f"() => document.querySelector('table.{name}').nextElementSibling.href"
        )
        assert len(csv_rows(href)) == rows > 0


def test_year_over_year_change_of_a_region_with_two_years(report: Report) -> None:
    table = report.page.locator("table.changes")
    row = table.locator("tr", has_text="行政复议案件受理数")
    cells = row.locator("td").all_inner_texts()
    assert cells[0] == "天津滨海高新区"
    assert cells[2:8] == ["2020", "6件", "2021", "9件", "+3", "+50%"]
    # Both figures lead to their sentences.
    for figure in ["6件", "9件"]:
        target = row.locator("a", has_text=figure).get_attribute("href")
        assert report.page.locator(f"li[id='{target[1:]}'] mark").inner_text() == figure


def test_compliance_shows_the_mandated_parts_and_the_deadline(report: Report) -> None:
    table = report.page.locator("table.compliance")
    by_report = {
        tuple(cells[:2]): cells
        for cells in (
            row.locator("td").all_inner_texts() for row in table.locator("tbody tr").all()
        )
    }
    # Published 2022-03-25 for 2021: before 1 April; the 2020 seed says 2021-03-30.
    assert by_report[("天津滨海高新区", "2021")][-2:] == [CRAWLED_PUBLISHED, "✓"]
    assert by_report[("天津滨海高新区", "2020")][-2:] == ["2021-03-30", "✓"]
    undated = by_report[("天津经济技术开发区", "2020")]
    assert undated[-2] == "—" and undated[-1].startswith("未注明日期")
    # The 2020 office report of 滨海新区 has no shortcomings part, and says so.
    assert by_report[("滨海新区", "2020")][5].startswith("✗")
    assert by_report[("滨海新区", "2024")][3:7] == ["✓", "✓", "✓", "✓"]


def test_the_shortcomings_each_report_admits_side_by_side(report: Report) -> None:
    cards = report.page.locator("div.cards .card")
    card = cards.filter(has_text="天津滨海高新区 2020年")
    points = card.locator("ul li").all_inner_texts()
    assert points == [
        "法治意识和法治能力有待提高",
        "行政执法力量不足",
        "基层公共法律服务体系相对薄弱",
    ]
    # The full text is one click away, without its heading.
    full = card.locator("details").evaluate("details => details.lastChild.textContent")
    assert "一是法治意识和法治能力有待提高" in full
    assert not full.startswith("二、")
    assert cards.filter(has_text="没有单列").count() == 1


def test_the_page_is_the_same_at_every_render_of_one_warehouse(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every list of the page is in a total order: two reports of one body and year (which
    pair with the year before in marts.indicator_changes), and topic terms written about
    exactly as much (法治思想 inside every 习近平法治思想), come the same way every time. At
    2,000 reports the old orders gave another page at every render; this corpus is smaller,
    so the test holds the orders rather than catching every way they could break."""
    import duckdb

    from bench.pipeline import write_corpus
    from pipelines.marts.html_report import render_report

    write_corpus(tmp_path / "sources", 400)
    build = run_build(tmp_path / "sources", tmp_path / "warehouse" / "fazhi.duckdb", monkeypatch)
    assert build.result.success
    with duckdb.connect(str(build.warehouse), read_only=True) as conn:
        # The minute it was made in aside.
        pages = {re.sub(r"生成于 [\d: -]+", "", render_report(conn)) for _ in range(4)}
    assert len(pages) == 1
