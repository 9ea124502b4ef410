"""A government site for the scraper tests, served for real on 127.0.0.1.

A 法治政府建设 column with two listing pages (下一页), report pages in the portal layout, an
article that points at its Word attachment, a news item that is not a report, a report under a
path robots.txt forbids, a slow page, a page that fails twice before it works, a moved report
(301), an oversize report and a dead link. Every response carries an ETag and honours
If-None-Match, and every request is logged with its time.
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.conftest import SEEDS
from tests.report_files import as_docx
from tests.site_pages import Page, portal

HTML = "text/html; charset=utf-8"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
SLOW_SECONDS = 1.0
OVERSIZE_BYTES = 3 * 1024 * 1024


def report_lines(seed: str) -> list[str]:
    text = (SEEDS / seed).read_text(encoding="utf-8").replace("\xa0", " ")
    return [line.strip() for line in text.splitlines() if line.strip()]


def report_page(seed: str, url: str, date: str) -> bytes:
    lines = report_lines(seed)
    return portal(Page(lines[0], date, "区司法局", url, lines)).encode("utf-8")


def listing(items: list[tuple[str, str]], next_page: str | None) -> bytes:
    links = "".join(
        f'<li><a href="{href}">{text}</a><span>2024-03-20</span></li>' for href, text in items
    )
    pager = f'<a href="{next_page}">下一页</a>' if next_page else ""
    return (
        '<html><head><meta charset="utf-8"><title>法治政府建设_某区人民政府</title></head><body>'
        '<div class="nav"><a href="/">首页</a> <a href="/zwgk/">政务公开</a></div>'
        f'<ul class="list">{links}</ul><div class="pager">{pager}</div>'
        "<div>主办单位:某区人民政府 津ICP备05004411号</div></body></html>"
    ).encode()


@dataclass
class Route:
    body: bytes
    content_type: str = HTML
    status: int = 200
    location: str | None = None
    delay: float = 0.0
    failures_left: int = 0


@dataclass
class FixtureSite:
    port: int
    routes: dict[str, Route]
    log: list[tuple[float, str, int]] = field(default_factory=list)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def served(self, path: str, status: int = 200) -> int:
        return sum(1 for _, logged, code in self.log if logged == path and code == status)


def build_routes(base: str) -> dict[str, Route]:
    docx_lines = report_lines("004_67f9df3a2b388bff.txt")
    return {
        "/robots.txt": Route(b"User-agent: *\nDisallow: /private/\n", "text/plain"),
        "/fzzf/index.html": Route(
            listing(
                [
                    ("a.html", "天津经济技术开发区2020年法治政府建设情况报告"),
                    ("b.html", "东疆综合保税区2023年法治政府建设工作报告"),
                    ("news.html", "区司法局召开2024年普法工作会议"),
                    ("notice.html", "关于报送2023年法治政府建设情况报告的通知"),
                    ("/private/p.html", "滨海新区2019年法治政府建设情况报告"),
                    ("missing.html", "滨海新区2018年法治政府建设情况报告"),
                ],
                "index_1.html",
            )
        ),
        "/fzzf/index_1.html": Route(
            listing(
                [
                    ("c.html", "天津滨海高新区2020年法治政府建设报告"),
                    ("d.html", "滨海新区人民政府2024年法治政府建设情况的报告"),
                    ("/old/e.html", "天津滨海新区政府办公室关于2020年法治政府建设情况的报告"),
                    ("f.html", "某区2022年法治政府建设情况报告"),
                ],
                None,
            )
        ),
        "/fzzf/a.html": Route(
            report_page("000_39ca0c9c455ce9cc.txt", base + "/fzzf/a.html", "2021-03-25")
        ),
        "/fzzf/b.html": Route(
            (
                '<html><head><meta charset="utf-8"><title>东疆综合保税区2023年法治政府建设工作报告</title>'
                "</head><body><h1>东疆综合保税区2023年法治政府建设工作报告</h1>"
                '<p>详见附件:<a href="files/dongjiang_2023.docx">东疆综合保税区2023年法治政府建设工作报告.docx</a></p>'
                "</body></html>"
            ).encode()
        ),
        "/fzzf/files/dongjiang_2023.docx": Route(as_docx(docx_lines), DOCX),
        "/fzzf/c.html": Route(
            report_page("002_0d1779802d6e58b2.txt", base + "/fzzf/c.html", "2021-03-30"),
            delay=SLOW_SECONDS,
        ),
        "/fzzf/d.html": Route(
            report_page("001_d9e95e2a48e67257.txt", base + "/fzzf/d.html", "2025-03-28"),
            failures_left=2,
        ),
        "/old/e.html": Route(b"", status=301, location="/fzzf/e.html"),
        "/fzzf/e.html": Route(
            report_page("003_38f8238b59c0effd.txt", base + "/fzzf/e.html", "2021-04-02")
        ),
        "/fzzf/f.html": Route(
            b"<html><body>" + "法治政府建设".encode() * (OVERSIZE_BYTES // 18) + b"</body></html>"
        ),
        "/fzzf/news.html": Route(
            "<html><body><p>区司法局召开普法工作会议。</p></body></html>".encode()
        ),
        "/fzzf/notice.html": Route("<html><body><p>请各单位报送报告。</p></body></html>".encode()),
        "/private/p.html": Route(
            report_page("003_38f8238b59c0effd.txt", base + "/private/p.html", "2020-03-01")
        ),
    }


@contextmanager
def serve_fixture_site() -> Iterator[FixtureSite]:
    site = FixtureSite(port=0, routes={})

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            route = site.routes.get(self.path)
            status = 404 if route is None else route.status
            if route and route.failures_left:
                route.failures_left -= 1
                status = 503
            etag = f'"{hashlib.sha256(route.body).hexdigest()[:16]}"' if route else None
            if status == 200 and etag and self.headers.get("If-None-Match") == etag:
                status = 304
            site.log.append((time.monotonic(), self.path, status))
            if route and route.delay:
                time.sleep(route.delay)
            self.send_response(status)
            if status == 301:
                self.send_header("Location", route.location)
            body = route.body if (route and status == 200) else b""
            if route and status == 200:
                self.send_header("Content-Type", route.content_type)
                self.send_header("ETag", etag)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            # The crawler hangs up on an oversize body, as it should.
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(body)

        def log_message(self, *_: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    site.port = server.server_address[1]
    site.routes = build_routes(site.url(""))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()
