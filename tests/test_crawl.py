"""The scraper against a fixture site served for real on 127.0.0.1: it lands every report the
site links and nothing else, respects robots.txt and the rate limit, records every failure with
what really failed, and a second crawl downloads nothing unchanged; every crawl's outcomes are
logged beside the store, and a build (which itself never fetches) shows the crawled reports by
URL and every crawl in crawl_log."""

from __future__ import annotations

import gzip
import os
import shutil
import socket
import subprocess
import time
import tracemalloc
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import pairwise
from pathlib import Path

import dagster as dg
import httpx
import polars as pl
import pytest

from pipelines.cli import main
from pipelines.crawling.crawl import CrawlLog, crawl
from pipelines.crawling.fetch import Fetcher, FetchFailed, FetchPolicy, transport_failure
from pipelines.crawling.urls import canonical_url
from pipelines.landing.store import ContentStore
from tests.conftest import SEEDS, run_build
from tests.fixture_site import FixtureSite, Route, listing, report_page, serve_fixture_site
from tests.processes import HANG, kill_group, start

INTERVAL = 0.2
REPORTS = ["/fzzf/a.html", "/fzzf/c.html", "/fzzf/d.html", "/fzzf/e.html", "/fzzf/g.html"]
ATTACHMENT = "/fzzf/files/dongjiang_2023.docx"
ATTACHMENTS = [
    ATTACHMENT,
    "/fzzf/files/yifazhiqu_2023.doc",
    "/fzzf/files/yifazhiqu_2023_annex.wps",
    "/fzzf/files/fzzf_2022.zip",
]
# Five report pages, four attachments, of which a zip of two files.
CRAWLED_REPORTS = 10
# Pages with a report's words that are news or notices: never landed.
NOT_REPORTS = {
    "/fzzf/award.html": "not a report: none of a report's parts",
    "/fzzf/xxgk.html": "not a report: no title naming a year and 法治",
}
PASSED_OVER = {
    "/fzzf/notice.html": "not a report: the link names 通知",
    "/fzzf/call.html": "not a report: the link names 通知",
    "/fzzf/meeting.html": "not a report: the link names 召开",
}


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
        first = crawl(listing, fetcher, store, started_by="test crawl 1")
        fetcher.close()
        requests_before = len(site.log)
        fetcher = polite_fetcher()
        second = crawl(listing, fetcher, store, started_by="test crawl 2")
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
    assert landed == {site.url(path) for path in [*REPORTS, *ATTACHMENTS]}
    arrivals = ContentStore(root / "warehouse" / "store").arrivals()
    assert set(arrivals["source_name"]) == landed
    assert set(arrivals["origin"]) == {"crawl"}
    # News and notices named as such in the listing are never fetched.
    for path in ["/fzzf/news.html", *PASSED_OVER]:
        assert site.served(path) == 0


def test_a_listing_that_names_reports_many_ways_is_followed_through_every_pager(
    crawled,
) -> None:
    site, _, first, _ = crawled
    listings = set(first.filter(pl.col("kind") == "listing")["url"])
    # 下一页, a numbered page link, and a createPageHTML script pager.
    assert listings == {site.url(f"/fzzf/index{n}.html") for n in ("", "_1", "_2", "_3")}
    names = {
        "法治政府建设情况报告": "/fzzf/a.html",
        "法治政府建设报告": "/fzzf/c.html",
        "法治政府建设情况的报告": "/fzzf/d.html",
        "法治建设情况报告": "/fzzf/g.html",
        "依法治区工作报告": "/fzzf/h.html",
        "关于2022年度法治政府建设工作情况的报告": "/fzzf/i.html",
        "法治政府建设工作报告": "/fzzf/b.html",
    }
    fetched = set(first["url"])
    assert {site.url(path) for path in names.values()} <= fetched


def test_news_and_notices_with_a_reports_words_are_recorded_as_not_reports(crawled) -> None:
    site, _, first, _ = crawled
    for path, reason in {**NOT_REPORTS, **PASSED_OVER}.items():
        state, why = outcome(first, site, path)
        assert state == "skipped"
        assert why.startswith(reason)
    # Judged on what they hold, once fetched.
    assert all(site.served(path) == 1 for path in NOT_REPORTS)


def test_failures_are_recorded_with_their_reason(crawled) -> None:
    site, _, first, _ = crawled
    assert outcome(first, site, "/private/p.html") == ("failed", "forbidden by robots.txt")
    assert outcome(first, site, "/fzzf/missing.html") == ("failed", "HTTP 404")
    state, reason = outcome(first, site, "/fzzf/f.html")
    assert state == "failed"
    assert reason.startswith("too large")
    for pointer in ("/fzzf/b.html", "/fzzf/h.html", "/fzzf/i.html"):
        assert outcome(first, site, pointer) == ("skipped", "a page that points at its attachment")


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
    # The Word 97 attachments and the files of the zip are reports of their own.
    assert by_name[site.url("/fzzf/files/yifazhiqu_2023.doc")][1:] == ("doc", "滨海新区", 2024)
    assert by_name[site.url("/fzzf/files/yifazhiqu_2023_annex.wps")][1:] == (
        "wps",
        "东疆综合保税区",
        2023,
    )
    zip_url = site.url("/fzzf/files/fzzf_2022.zip")
    # A file of the zip is at the zip's URL; its name says which file of it.
    assert by_name[f"{zip_url}!2022年度法治政府建设工作情况的报告.docx"] == (
        zip_url,
        "docx",
        "滨海新区",
        2020,
    )
    assert by_name[f"{zip_url}!附件/2020年法治政府建设报告.pdf"][:3] == (
        zip_url,
        "pdf",
        "天津滨海高新区",
    )
    assert len([name for name in by_name if name.startswith("http")]) == CRAWLED_REPORTS
    with build.connect() as conn:
        crawls = dict(
            conn.execute(
                "SELECT started_by, count(*) FROM crawl_log GROUP BY started_by"
            ).fetchall()
        )
    # Both crawls of the fixture are in crawl_log, each with every URL it fetched.
    logged = CrawlLog(ContentStore(root / "warehouse" / "store")).read()
    assert set(crawls) == {"test crawl 1", "test crawl 2"}
    assert sum(crawls.values()) == logged.height
    monkeypatch.setenv("FAZHI_WAREHOUSE", str(root / "warehouse" / "fazhi.duckdb"))
    assert main(["summary"]) == 0
    printed = capsys.readouterr().out
    assert f"crawled from the web: {CRAWLED_REPORTS} reports" in printed
    assert f"天津经济技术开发区 2020: {site.url('/fzzf/a.html')}" in printed


def test_fazhi_crawl_lands_reports_for_the_next_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("FAZHI_WAREHOUSE", str(tmp_path / "warehouse" / "fazhi.duckdb"))
    with serve_fixture_site() as site:
        assert main(["crawl", site.url("/fzzf/index.html"), "--interval", "0.05"]) == 0
    printed = capsys.readouterr().out
    # Under the default 30 MB limit the 3 MB page is fetched, and refused on what it holds.
    assert "9 documents in the store from this crawl" in printed
    assert "forbidden by robots.txt" in printed
    store = ContentStore(tmp_path / "warehouse" / "store")
    assert store.arrivals().height == 9
    logged = CrawlLog(store).read()
    assert set(logged["started_by"]) == {"fazhi crawl"}
    assert logged.filter(pl.col("outcome") == "landed", pl.col("kind") != "listing").height == 9
    assert outcome(logged, site, "/fzzf/f.html")[1].startswith("not a report")


def test_a_page_slower_than_the_timeout_fails_with_that_reason() -> None:
    fetcher = Fetcher(FetchPolicy(min_interval=0, timeout=0.3, attempts=2, backoff=0.05))
    with serve_fixture_site() as site:
        with pytest.raises(FetchFailed, match=r"timed out \(ReadTimeout\) after 2 attempts"):
            fetcher.fetch(site.url("/fzzf/c.html"))
        assert site.served("/fzzf/c.html") == 2
    fetcher.close()


def test_a_page_trickled_a_byte_at_a_time_fails_at_the_deadline_of_its_exchange() -> None:
    """Each byte comes well within the read timeout, so only the deadline of the whole
    exchange ends it, and it is not tried again."""
    policy = FetchPolicy(min_interval=0, timeout=5, deadline=0.5, attempts=3, backoff=0.01)
    fetcher = Fetcher(policy)
    with serve_fixture_site() as site:
        site.routes["/fzzf/trickled.html"] = Route(b"<html>" + b" " * 10_000, drip=0.01)
        # Trickled from its first byte of headers, or once its headers are in.
        site.routes["/fzzf/trickled_whole.html"] = Route(
            b"<html>" + b" " * 10_000, drip=0.01, drip_headers=True
        )
        for path in ("/fzzf/trickled.html", "/fzzf/trickled_whole.html"):
            with pytest.raises(FetchFailed, match=r"^too slow: no whole answer in 0.5 s$"):
                fetcher.fetch(site.url(path))
            assert site.served(path) == 1
    fetcher.close()


@contextmanager
def refusing_port() -> Iterator[int]:
    """A port bound on 127.0.0.1 and never listened on: every connection to it is refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


def test_a_refused_connection_is_named_as_such_and_fazhi_crawl_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("FAZHI_WAREHOUSE", str(tmp_path / "warehouse" / "fazhi.duckdb"))
    with refusing_port() as port:
        assert main(["crawl", f"http://127.0.0.1:{port}/fzzf/", "--interval", "0"]) == 1
    printed = capsys.readouterr()
    assert f"connection refused by 127.0.0.1:{port} after 3 attempts" in printed.out
    assert "robots.txt forbids" not in printed.out
    assert "forbidden" not in printed.out
    assert printed.err.startswith("fazhi crawl: nothing could be fetched: connection refused")
    assert len(printed.err.strip().splitlines()) == 1
    (row,) = CrawlLog(ContentStore(tmp_path / "warehouse" / "store")).read().iter_rows(named=True)
    assert (row["outcome"], row["started_by"]) == ("failed", "fazhi crawl")


def test_robots_txt_that_is_missing_allows_and_one_that_fails_names_its_status() -> None:
    policy = FetchPolicy(min_interval=0, timeout=5, attempts=2, backoff=0.01)
    with serve_fixture_site() as site:
        # RFC 9309: a robots.txt that is not there (4xx) allows everything.
        del site.routes["/robots.txt"]
        fetcher = Fetcher(policy)
        assert fetcher.fetch(site.url("/private/p.html")).status == 200
        fetcher.close()
        # A failing one (5xx) lets nothing of the host be fetched, and says so.
        site.routes["/robots.txt"] = Route(b"", status=503)
        fetcher = Fetcher(policy)
        for _ in range(2):
            with pytest.raises(FetchFailed, match=r"^HTTP 503 for http://127.0.0.1:\d+/robots.txt"):
                fetcher.fetch(site.url("/fzzf/a.html"))
        fetcher.close()
        assert site.served("/private/p.html") == 1
        assert all(path != "/fzzf/a.html" for _, path, _ in site.log)
        # The host's failing robots.txt was asked once per crawl (with its retry), not per URL.
        assert [code for _, path, code in site.log if path == "/robots.txt"] == [404, 503, 503]


def test_a_name_that_does_not_resolve_is_a_dns_failure_and_not_retried() -> None:
    # The chain httpx raises for a name the resolver does not know: no lookup is made here.
    error = httpx.ConnectError("[Errno -2] Name or service not known")
    error.__cause__ = socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    assert transport_failure(error, "http://fazhi-test.invalid/a.html") == (
        "DNS lookup of fazhi-test.invalid failed (Name or service not known)",
        False,
    )
    refused = httpx.ConnectError("[Errno 111] Connection refused")
    refused.__cause__ = ConnectionRefusedError(111, "Connection refused")
    assert transport_failure(refused, "http://127.0.0.1:9/") == (
        "connection refused by 127.0.0.1:9",
        True,
    )


def test_the_build_job_never_fetches_and_the_crawl_job_only_fetches() -> None:
    from pipelines.definitions import defs

    definitions = defs()
    graph = definitions.resolve_asset_graph()
    fetching = {key for key in graph.get_all_asset_keys() if "http" in graph.get(key).kinds}
    assert fetching == {dg.AssetKey("crawled_reports")}
    build = definitions.resolve_job_def("build_warehouse")
    crawl_job = definitions.resolve_job_def("crawl_sources")
    assert not build.asset_layer.selected_asset_keys & fetching
    assert dg.AssetKey("crawl_log") in build.asset_layer.selected_asset_keys
    assert "crawled_reports" not in {node.name for node in build.graph.node_defs}
    assert crawl_job.asset_layer.selected_asset_keys == fetching
    # The inbox sensor and the nightly schedule start the build; the weekly schedule the crawl.
    assert definitions.resolve_sensor_def("inbox_sensor").job_name == "build_warehouse"
    assert definitions.resolve_schedule_def("nightly_rebuild").job_name == "build_warehouse"
    assert definitions.resolve_schedule_def("weekly_crawl").job_name == "crawl_sources"


def test_a_build_with_a_listed_site_makes_no_request_and_shows_every_crawl(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    warehouse = tmp_path / "warehouse" / "fazhi.duckdb"
    sources = tmp_path / "sources"
    shutil.copytree(SEEDS, sources)
    monkeypatch.setenv("FAZHI_SOURCES", str(sources))
    monkeypatch.setenv("FAZHI_WAREHOUSE", str(warehouse))
    with serve_fixture_site() as site:
        listed = tmp_path / "crawl_sources.csv"
        listed.write_text(f"name,listing_url,link_pattern\n某区,{site.url('/fzzf/index.html')},\n")
        monkeypatch.setenv("FAZHI_CRAWL_SOURCES", str(listed))
        from pipelines.definitions import defs

        with dg.DagsterInstance.ephemeral() as instance:
            scheduled = (
                defs()
                .resolve_job_def("crawl_sources")
                .execute_in_process(
                    instance=instance,
                    tags={"dagster/schedule_name": "weekly_crawl"},
                    run_config={"ops": {"crawled_reports": {"config": {"interval": 0.05}}}},
                )
            )
        assert scheduled.success
        assert main(["crawl", site.url("/fzzf/index.html"), "--interval", "0.05"]) == 0
        requests_before_build = len(site.log)
        assert requests_before_build > 10
        build = run_build(sources, warehouse, monkeypatch)
        assert build.result.success
        assert len(site.log) == requests_before_build
    with build.connect() as conn:
        crawls = dict(
            conn.execute(
                "SELECT started_by, count(DISTINCT crawl_started_at) FROM crawl_log GROUP BY 1"
            ).fetchall()
        )
        crawled_reports = conn.execute(
            "SELECT count(*) FROM reports WHERE source_name LIKE 'http%'"
        ).fetchone()[0]
    assert crawls == {"schedule weekly_crawl": 1, "fazhi crawl": 1}
    assert crawled_reports == CRAWLED_REPORTS


def test_pages_and_servers_that_break_in_unforeseen_ways_fail_alone(tmp_path: Path) -> None:
    """Each of these stopped the whole crawl with a traceback, and with it the log of what had
    landed: a body not compressed as its Content-Encoding says, a redirect to javascript:, a
    304 to a request that held no copy, a link that is no URL, a listing page with nothing on
    it. Each is now a failed row with its reason, and the reports around them land."""
    store = ContentStore(tmp_path / "warehouse" / "store")
    fetcher = Fetcher(FetchPolicy(min_interval=0, timeout=5, attempts=2, backoff=0.01))
    with serve_fixture_site() as site:
        site.routes |= {
            "/hostile/index.html": Route(
                listing(
                    [
                        ("r1.html", "天津经济技术开发区2020年法治政府建设情况报告"),
                        ("gz.html", "甲区2021年法治政府建设情况报告"),
                        ("js.html", "乙区2021年法治政府建设情况报告"),
                        ("nm.html", "丙区2021年法治政府建设情况报告"),
                        ("http://[abc/x.html", "丁区2021年法治政府建设情况报告"),
                        ("r2.html", "某区2020年法治政府建设情况报告"),
                    ],
                    None,
                )
            ),
            "/hostile/r1.html": Route(
                report_page("000_39ca0c9c455ce9cc.txt", site.url("/hostile/r1.html"), "2021-03-25")
            ),
            "/hostile/gz.html": Route(b"<html>plain</html>", headers={"Content-Encoding": "gzip"}),
            "/hostile/js.html": Route(b"", status=302, location="javascript:alert(1)"),
            "/hostile/nm.html": Route(b"", status=304),
            "/hostile/r2.html": Route(
                report_page("003_38f8238b59c0effd.txt", site.url("/hostile/r2.html"), "2021-04-02")
            ),
            "/empty/index.html": Route(b""),
        }
        outcomes = crawl(
            [(site.url("/hostile/index.html"), None), (site.url("/empty/index.html"), None)],
            fetcher,
            store,
            started_by="test",
        )
    fetcher.close()
    said = {
        url.removeprefix(site.url("")): (outcome, reason)
        for url, outcome, reason in outcomes.select("url", "outcome", "reason").iter_rows()
    }
    assert said["/hostile/r1.html"] == ("landed", None)
    assert said["/hostile/r2.html"] == ("landed", None)
    assert said["/hostile/gz.html"][1].startswith("body not decodable as its Content-Encoding")
    assert said["/hostile/js.html"][1].startswith("invalid URL")
    assert said["/hostile/nm.html"][1].startswith("HTTP 304 (not modified) to a request that")
    assert said["/empty/index.html"] == ("failed", "unreadable listing page: empty file")
    assert {"failed"} == {said[path][0] for path in ("/hostile/gz.html", "/hostile/js.html")}
    landed = set(store.arrivals()["source_name"])
    assert {site.url("/hostile/r1.html"), site.url("/hostile/r2.html")} <= landed
    # Every row reached the crawl log as it happened.
    assert CrawlLog(store).read().height == outcomes.height


def test_a_crawl_killed_part_way_keeps_what_it_landed(tmp_path: Path) -> None:
    """Arrivals and outcomes are logged as they happen: killed while a slow server keeps it
    waiting, the crawl has logged the report it landed before (it logged nothing until its
    end, so the next build never saw the report already in the store)."""
    warehouse = tmp_path / "warehouse" / "fazhi.duckdb"
    store = ContentStore(warehouse.parent / "store")
    with serve_fixture_site() as site:
        site.routes |= {
            "/slow/index.html": Route(
                listing(
                    [
                        ("r1.html", "天津经济技术开发区2020年法治政府建设情况报告"),
                        ("r2.html", "某区2020年法治政府建设情况报告"),
                    ],
                    None,
                )
            ),
            "/slow/r1.html": Route(
                report_page("000_39ca0c9c455ce9cc.txt", site.url("/slow/r1.html"), "2021-03-25")
            ),
            "/slow/r2.html": Route(b"<html></html>", delay=HANG),
        }
        crawling = start(
            ["-m", "pipelines.cli", "crawl", site.url("/slow/index.html"), "--interval", "0"],
            {**os.environ, "FAZHI_WAREHOUSE": str(warehouse)},
            subprocess.PIPE,
        )
        deadline = time.monotonic() + HANG
        # Its request has arrived (the server logs it before it keeps it waiting): r1 is done.
        while not site.served("/slow/r2.html"):
            assert crawling.poll() is None, crawling.communicate()
            assert time.monotonic() < deadline
            time.sleep(0.02)
        kill_group(crawling)
    logged = CrawlLog(store).read()
    landed = logged.filter(pl.col("outcome") == "landed")["url"].to_list()
    assert site.url("/slow/r1.html") in landed
    assert site.url("/slow/r1.html") in set(store.arrivals()["source_name"])


def test_a_body_compressed_twice_into_a_bomb_is_refused_without_inflating_it_whole() -> None:
    """500 MB of zeros gzipped twice is a few KB on the wire: httpx inflated each network chunk
    whole before the size limit was looked at (2 GB took 4.3 GB of memory); inflated a piece at
    a time, the limit stops it at 30 MB."""
    inner = zlib.compressobj(wbits=31)
    layer = b"".join(inner.compress(bytes(2**20)) for _ in range(500)) + inner.flush()
    bomb = gzip.compress(layer)
    fetcher = Fetcher(FetchPolicy(min_interval=0, timeout=5, attempts=1))
    with serve_fixture_site() as site:
        site.routes["/fzzf/bomb.html"] = Route(bomb, headers={"Content-Encoding": "gzip, gzip"})
        tracemalloc.start()
        try:
            with pytest.raises(FetchFailed, match=r"^too large: over the"):
                fetcher.fetch(site.url("/fzzf/bomb.html"))
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    fetcher.close()
    assert peak < 100 * 2**20, f"{peak / 2**20:.0f} MB"


def test_robots_txt_is_read_as_rfc_9309_says() -> None:
    """The longest matching rule decides, * and $ are patterns, and a robots.txt past 500 KiB is
    read to there (Python's robotparser took the first rule that matched, read * as itself,
    and a large robots.txt failed the whole host as too large)."""
    policy = FetchPolicy(min_interval=0, timeout=5, attempts=1)
    with serve_fixture_site() as site:
        site.routes["/robots.txt"] = Route(
            b"User-agent: *\nDisallow: /\nAllow: /fzzf/\nDisallow: /fzzf/*.pdf$\n", "text/plain"
        )
        fetcher = Fetcher(policy)
        assert fetcher.allowed(site.url("/fzzf/a.html"))
        assert not fetcher.allowed(site.url("/fzzf/files/report.pdf"))
        assert fetcher.allowed(site.url("/fzzf/files/report.pdf.html"))
        assert not fetcher.allowed(site.url("/old/e.html"))
        fetcher.close()
        padding = b"# " + b"x" * 98 + b"\n"
        site.routes["/robots.txt"] = Route(
            b"User-agent: fazhi\nDisallow: /private/\n" + padding * 20_000, "text/plain"
        )
        fetcher = Fetcher(policy)
        assert fetcher.allowed(site.url("/fzzf/a.html"))
        assert not fetcher.allowed(site.url("/private/p.html"))
        fetcher.close()


def test_urls_no_request_can_be_made_of_are_told_as_invalid() -> None:
    """A port past 65535 was told as a connection refused after three attempts, and a broken
    IPv6 host ended in a traceback."""
    fetcher = Fetcher(FetchPolicy(min_interval=0, attempts=2, backoff=0.01))
    for url, reason in [
        ("http://127.0.0.1:99999/report.html", "invalid URL: Port out of range 0-65535"),
        ("http://[abc/report.html", "invalid URL: Invalid IPv6 URL"),
        ("http:///report.html", "invalid URL: no host, or a port out of range"),
        ("ftp://127.0.0.1/report.html", "not an http or https URL"),
    ]:
        with pytest.raises(FetchFailed) as failed:
            fetcher.fetch(url)
        assert str(failed.value) == reason
    assert fetcher.requests == 0
    fetcher.close()


def test_one_url_has_one_spelling() -> None:
    """As written or percent-encoded, with upper- or lower-case hex, with a fragment or a
    scheme and host in capitals: one spelling, the one httpx sends. What an escape stands for
    is never decoded (a slash, an ampersand, a GBK query), and what is no URL is refused."""
    encoded = "http://gov.example.cn/fzzf/%E9%99%84%E4%BB%B61.pdf"
    for written in (
        "http://gov.example.cn/fzzf/附件1.pdf",
        "http://gov.example.cn/fzzf/%e9%99%84%e4%bb%b61.pdf",
        "HTTP://GOV.Example.CN/fzzf/附件1.pdf#page=2",
        encoded,
    ):
        assert canonical_url(written) == encoded
    assert canonical_url("http://x.cn/a b.html?q=年度 报告") == (
        "http://x.cn/a%20b.html?q=%E5%B9%B4%E5%BA%A6%20%E6%8A%A5%E5%91%8A"
    )
    for kept in ("http://x.cn/a%2Fb.html", "http://x.cn/s?k=%B1%A8%B8%E6&a=%26"):
        assert canonical_url(kept) == kept
    assert canonical_url("http://x.cn/a%2fb.html") == "http://x.cn/a%2Fb.html"
    with pytest.raises(ValueError):
        canonical_url("http://x.cn:abc/a.html")


def test_a_report_linked_in_several_spellings_is_fetched_once_under_one_name(
    tmp_path: Path,
) -> None:
    """A listing links one attachment as written, percent-encoded and in lower-case hex: it is
    requested once and lands under one name, the one a link to it anywhere gets."""
    path = "/fzzf/files/%E5%B9%B4%E5%BA%A6%E6%8A%A5%E5%91%8A.doc"
    hrefs = [
        "/fzzf/files/年度报告.doc",
        path,
        "/fzzf/files/" + path.removeprefix("/fzzf/files/").lower(),
        f"{path}#p1",
    ]
    store = ContentStore(tmp_path / "store")
    with serve_fixture_site() as site:
        site.routes["/fzzf/list.html"] = Route(
            listing([(href, "2023年度法治政府建设情况报告") for href in hrefs], None)
        )
        site.routes[path] = Route(b"\xd0\xcf\x11\xe0 a report", "application/msword")
        fetcher = Fetcher(FetchPolicy(min_interval=0, timeout=5))
        try:
            log = crawl([(site.url("/fzzf/list.html"), None)], fetcher, store, "test crawl")
        finally:
            fetcher.close()
        assert site.served(path) == 1
    reports = log.filter(pl.col("kind") == "report")
    assert reports.select("url", "outcome").rows() == [(site.url(path), "landed")]
    assert store.arrivals().filter(pl.col("source_name").str.contains("fzzf/files"))[
        "source_name"
    ].to_list() == [site.url(path)]
