"""The scraper against a fixture site served for real on 127.0.0.1: it lands every report the
site links and nothing else, respects robots.txt and the rate limit, records every failure, and
a second crawl downloads nothing unchanged; a build then shows the crawled reports by URL."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path

import polars as pl
import pytest

from pipelines.cli import main
from pipelines.crawling.crawl import crawl
from pipelines.crawling.fetch import Fetcher, FetchFailed, FetchPolicy
from pipelines.landing.store import ContentStore
from tests.conftest import SEEDS, run_build
from tests.fixture_site import FixtureSite, serve_fixture_site

INTERVAL = 0.2
REPORTS = ["/fzzf/a.html", "/fzzf/c.html", "/fzzf/d.html", "/fzzf/e.html"]
ATTACHMENT = "/fzzf/files/dongjiang_2023.docx"


def polite_fetcher() -> Fetcher:
    return Fetcher(
        FetchPolicy(
            min_interval=INTERVAL, timeout=5, attempts=3, backoff=0.05, max_bytes=2 * 1024 * 1024
        )
    )


@pytest.fixture(scope="module")
def crawled(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[FixtureSite, Path, pl.DataFrame, pl.DataFrame]]:
    root = tmp_path_factory.mktemp("crawl")
    store = ContentStore(root / "warehouse" / "store")
    with serve_fixture_site() as site:
        listing = [(site.url("/fzzf/index.html"), None)]
        fetcher = polite_fetcher()
        first = crawl(listing, fetcher, store)
        fetcher.close()
        requests_before = len(site.log)
        fetcher = polite_fetcher()
        second = crawl(listing, fetcher, store)
        fetcher.close()
        site.first_crawl = site.log[:requests_before]
        site.second_crawl = site.log[requests_before:]
        yield site, root, first, second


def outcome(log: pl.DataFrame, site: FixtureSite, path: str) -> tuple[str, str | None]:
    row = log.filter(pl.col("url") == site.url(path)).row(0, named=True)
    return row["outcome"], row["reason"]


def test_every_linked_report_lands_and_nothing_else(crawled) -> None:
    site, root, first, _ = crawled
    landed = set(first.filter(pl.col("outcome") == "landed", pl.col("kind") != "listing")["url"])
    assert landed == {site.url(path) for path in [*REPORTS, ATTACHMENT]}
    arrivals = ContentStore(root / "warehouse" / "store").arrivals()
    assert set(arrivals["source_name"]) == landed
    assert set(arrivals["origin"]) == {"crawl"}
    # A news item and a notice about reports are never fetched.
    assert site.served("/fzzf/news.html") == site.served("/fzzf/notice.html") == 0


def test_failures_are_recorded_with_their_reason(crawled) -> None:
    site, _, first, _ = crawled
    assert outcome(first, site, "/private/p.html") == ("failed", "forbidden by robots.txt")
    assert outcome(first, site, "/fzzf/missing.html") == ("failed", "HTTP 404")
    state, reason = outcome(first, site, "/fzzf/f.html")
    assert state == "failed"
    assert reason.startswith("too large")
    assert outcome(first, site, "/fzzf/b.html") == (
        "skipped",
        "a page that points at its attachment",
    )


def test_robots_txt_is_respected(crawled) -> None:
    site, *_ = crawled
    assert all(not path.startswith("/private/") for _, path, _ in site.log)


def test_the_rate_limit_holds_between_any_two_requests(crawled) -> None:
    site, *_ = crawled
    for crawl_requests in (site.first_crawl, site.second_crawl):
        starts = [when for when, _, _ in crawl_requests]
        gaps = [later - earlier for earlier, later in pairwise(starts)]
        # One host, one request at a time: no two closer than the interval (timer slack aside).
        assert len(gaps) > 10
        assert min(gaps) >= INTERVAL - 0.02


def test_slow_flaky_and_moved_pages_are_fetched(crawled) -> None:
    site, _, first, _ = crawled
    assert [code for _, path, code in site.log if path == "/fzzf/d.html"][:3] == [503, 503, 200]
    assert outcome(first, site, "/fzzf/c.html")[0] == "landed"
    assert outcome(first, site, "/fzzf/e.html")[0] == "landed"
    assert site.served("/old/e.html", 301) >= 1


def test_a_second_crawl_downloads_nothing_unchanged(crawled) -> None:
    site, _, _, second = crawled
    # The oversize page answers 200 but is refused on its Content-Length, its body never read.
    answered = {path for _, path, code in site.second_crawl if code == 200}
    assert answered == {"/robots.txt", "/fzzf/f.html"}
    documents = second.filter(pl.col("kind") != "listing", pl.col("outcome") != "failed")
    assert set(documents["outcome"]) <= {"unchanged", "skipped"}


def test_a_build_after_a_crawl_shows_the_crawled_reports_by_url(
    crawled, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    site, root, _, _ = crawled
    sources = root / "sources"
    if not sources.exists():
        shutil.copytree(SEEDS, sources)
    build = run_build(sources, root / "warehouse" / "fazhi.duckdb", monkeypatch)
    assert build.result.success
    with build.connect() as conn:
        rows = conn.execute(
            "SELECT source_name, source_url, source_format, region, report_year FROM reports"
        ).fetchall()
    by_name = {name: (url, fmt, region, year) for name, url, fmt, region, year in rows}
    for seed in SEEDS.glob("*.txt"):
        assert seed.name in by_name
    assert by_name[site.url("/fzzf/a.html")] == (
        site.url("/fzzf/a.html"),
        "html",
        "天津经济技术开发区",
        2020,
    )
    assert by_name[site.url(ATTACHMENT)][1:] == ("docx", "东疆综合保税区", 2023)
    assert len([name for name in by_name if name.startswith("http")]) == 5
    monkeypatch.setenv("FAZHI_WAREHOUSE", str(root / "warehouse" / "fazhi.duckdb"))
    assert main(["summary"]) == 0
    printed = capsys.readouterr().out
    assert "crawled from the web: 5 reports" in printed
    assert f"天津经济技术开发区 2020: {site.url('/fzzf/a.html')}" in printed


def test_fazhi_crawl_lands_reports_for_the_next_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("FAZHI_WAREHOUSE", str(tmp_path / "warehouse" / "fazhi.duckdb"))
    with serve_fixture_site() as site:
        assert main(["crawl", site.url("/fzzf/index.html"), "--interval", "0.05"]) == 0
    printed = capsys.readouterr().out
    # Under the default 30 MB limit the 3 MB page lands too (the build then judges it).
    assert "6 documents in the store from this crawl" in printed
    assert "forbidden by robots.txt" in printed
    arrivals = ContentStore(tmp_path / "warehouse" / "store").arrivals()
    assert arrivals.height == 6


def test_a_page_slower_than_the_timeout_fails_with_that_reason() -> None:
    fetcher = Fetcher(FetchPolicy(min_interval=0, timeout=0.3, attempts=2, backoff=0.05))
    with serve_fixture_site() as site:
        with pytest.raises(FetchFailed, match="ReadTimeout after 2 attempts"):
            fetcher.fetch(site.url("/fzzf/c.html"))
        assert site.served("/fzzf/c.html") == 2
    fetcher.close()
