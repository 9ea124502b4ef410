"""The visual report, opened from disk in a real headless Chromium (Debian's, which `make test`
installs): the charts render, the console stays clean, every figure links to its evidence."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, sync_playwright

from pipelines.settings import PROJECT_ROOT
from tests.conftest import Build

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOT = PROJECT_ROOT / "test-artifacts" / "html_report.png"
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


@pytest.fixture(scope="module")
def report_page(seeds_build: Build) -> Iterator[tuple[Page, list[str]]]:
    assert CHROMIUM.exists(), "Chromium is missing: `make browser` installs Debian's package"
    page_file = seeds_build.warehouse.parent / "report" / "index.html"
    assert page_file.exists()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        problems: list[str] = []
        page.on("console", lambda message: problems.append(f"{message.type}: {message.text}"))
        page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
        page.on("requestfailed", lambda request: problems.append(f"request failed: {request.url}"))
        page.goto(page_file.as_uri())
        page.wait_for_load_state("load")
        yield page, problems
        browser.close()


def test_the_page_renders_with_a_clean_console(report_page: tuple[Page, list[str]]) -> None:
    page, problems = report_page
    assert page.title().startswith("fazhi")
    assert problems == []
    SCREENSHOT.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=True)
    assert SCREENSHOT.stat().st_size > 10_000


def test_the_charts_are_drawn(report_page: tuple[Page, list[str]], seeds_build: Build) -> None:
    page, _ = report_page
    with seeds_build.connect() as conn:
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


def test_every_figure_links_to_its_evidence_sentence(
    report_page: tuple[Page, list[str]], seeds_build: Build
) -> None:
    page, _ = report_page
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
    # The 1423 bar leads to the sentence that states it.
    page.locator("svg a", has_text="1423 件").first.click()
    highlighted = page.locator("ol.evidence li:target")
    assert "受理行政复议案件1423件" in highlighted.inner_text()
