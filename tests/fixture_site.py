"""A government site for the scraper tests, served for real on 127.0.0.1.

A 法治政府建设 column with four listing pages (reached by 下一页, by numbered page links and by a
createPageHTML script pager) that name reports in seven ways, report pages in the portal layout,
articles that point at their Word, WPS (Word 97 inside) and zip attachments, news items and
notices with a report's words (a meeting, an award, an information-disclosure annual report, a
call for reports), a report under a path robots.txt forbids, a slow page, a page that fails
twice before it works, a moved report (301), an oversize page and a dead link. Every response
carries an ETag and honours If-None-Match, and every request is logged with its time.
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.conftest import SEEDS
from tests.report_files import as_doc, as_docx, as_pdf, zipped
from tests.site_pages import Page, portal

HTML = "text/html; charset=utf-8"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
DOC = "application/msword"
ZIP = "application/zip"
SLOW_SECONDS = 1.0
OVERSIZE_BYTES = 3 * 1024 * 1024


def report_lines(seed: str) -> list[str]:
    text = (SEEDS / seed).read_text(encoding="utf-8").replace("\xa0", " ")
    return [line.strip() for line in text.splitlines() if line.strip()]


def report_page(seed: str, url: str, date: str) -> bytes:
    lines = report_lines(seed)
    return portal(Page(lines[0], date, "区司法局", url, lines)).encode("utf-8")


def listing(items: list[tuple[str, str]], next_page: str | None, pager: str = "") -> bytes:
    links = "".join(
        f'<li><a href="{href}">{text}</a><span>2024-03-20</span></li>' for href, text in items
    )
    pager += f'<a href="{next_page}">下一页</a>' if next_page else ""
    return (
        '<html><head><meta charset="utf-8"><title>法治政府建设_某区人民政府</title></head><body>'
        '<div class="nav"><a href="/">首页</a> <a href="/zwgk/">政务公开</a></div>'
        f'<ul class="list">{links}</ul><div class="pager">{pager}</div>'
        "<div>主办单位:某区人民政府 津ICP备05004411号</div></body></html>"
    ).encode()


def article(title: str, attached: list[tuple[str, str]]) -> bytes:
    """An article that only points at its attached files."""
    links = "".join(f'<p>附件:<a href="{href}">{name}</a></p>' for href, name in attached)
    return (
        f'<html><head><meta charset="utf-8"><title>{title}</title></head><body>'
        f"<h1>{title}</h1><p>发布时间:2024-03-20</p>{links}</body></html>"
    ).encode()


def news(title: str, body: str) -> bytes:
    return (
        f'<html><head><meta charset="utf-8"><title>{title}</title></head><body>'
        f"<h1>{title}</h1><p>{body}</p></body></html>"
    ).encode()


@cache
def attachment_files() -> dict[str, bytes]:
    """The Word 97 file (as .doc and as .wps) and the zip the articles attach, made once."""
    return {
        "doc": as_doc(as_docx(report_lines("001_d9e95e2a48e67257.txt"))),
        "wps": as_doc(as_docx(report_lines("004_67f9df3a2b388bff.txt"))),
        "zip": zipped(
            {
                "2022年度法治政府建设工作情况的报告.docx": as_docx(
                    report_lines("003_38f8238b59c0effd.txt")
                ),
                "附件/2020年法治政府建设报告.pdf": as_pdf(report_lines("002_0d1779802d6e58b2.txt")),
            },
            gbk_names=True,
        ),
    }


@dataclass
class Route:
    body: bytes
    content_type: str = HTML
    status: int = 200
    location: str | None = None
    delay: float = 0.0
    failures_left: int = 0
    # Seconds between two bytes of the body (and of the status line and headers too, with
    # drip_headers): a server that trickles its answer.
    drip: float = 0.0
    drip_headers: bool = False
    headers: dict[str, str] = field(default_factory=dict)


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
                # Numbered pages: 3 is reached only by its number.
                '<a href="index.html">1</a> <a href="index_1.html">2</a> '
                '<a href="index_2.html">3</a>',
            )
        ),
        "/fzzf/index_2.html": Route(
            listing(
                [
                    ("g.html", "某某局2022年法治建设情况报告"),
                    ("award.html", "我区2023年法治政府建设工作获评全市优秀"),
                    ("xxgk.html", "某区2023年政府信息公开工作年度报告"),
                ],
                None,
                # A TRS script pager: 4 pages, this is the third (0-based 2).
                '<script>createPageHTML(4, 2, "index", "html");</script>',
            )
        ),
        "/fzzf/index_3.html": Route(
            listing(
                [
                    ("h.html", "某某区2023年度依法治区工作报告"),
                    ("i.html", "关于2022年度法治政府建设工作情况的报告"),
                    ("call.html", "关于开展2024年度法治政府建设督察工作的通知"),
                    ("meeting.html", "区委依法治区办召开2024年第一次会议"),
                ],
                None,
            )
        ),
        "/fzzf/g.html": Route(
            report_page("004_67f9df3a2b388bff.txt", base + "/fzzf/g.html", "2024-03-01")
        ),
        "/fzzf/award.html": Route(
            news(
                "我区2023年法治政府建设工作获评全市优秀",
                "近日，全市法治政府建设考评结果公布，我区2023年法治政府建设工作获评优秀等次。",
            )
        ),
        "/fzzf/xxgk.html": Route(
            news(
                "某区2023年政府信息公开工作年度报告",
                "一、总体情况。二、主动公开政府信息情况。三、收到和处理政府信息公开申请情况。",
            )
        ),
        "/fzzf/h.html": Route(
            article(
                "某某区2023年度依法治区工作报告",
                [
                    ("files/yifazhiqu_2023.doc", "某某区2023年度依法治区工作报告.doc"),
                    ("files/yifazhiqu_2023_annex.wps", "附件.wps"),
                ],
            )
        ),
        "/fzzf/files/yifazhiqu_2023.doc": Route(attachment_files()["doc"], DOC),
        "/fzzf/files/yifazhiqu_2023_annex.wps": Route(attachment_files()["wps"], DOC),
        "/fzzf/i.html": Route(
            article(
                "关于2022年度法治政府建设工作情况的报告",
                [("files/fzzf_2022.zip", "2022年度法治政府建设工作情况的报告.zip")],
            )
        ),
        "/fzzf/files/fzzf_2022.zip": Route(attachment_files()["zip"], ZIP),
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
            # When the request arrived, before any work on it (hashing a 3 MB body takes a while).
            arrived = time.monotonic()
            route = site.routes.get(self.path)
            status = 404 if route is None else route.status
            if route and route.failures_left:
                route.failures_left -= 1
                status = 503
            etag = f'"{hashlib.sha256(route.body).hexdigest()[:16]}"' if route else None
            if status == 200 and etag and self.headers.get("If-None-Match") == etag:
                status = 304
            site.log.append((arrived, self.path, status))
            if route and route.delay:
                time.sleep(route.delay)
            if route and route.drip_headers:
                answer = (
                    f"HTTP/1.1 {status} OK\r\nContent-Type: {route.content_type}\r\n"
                    f"Content-Length: {len(route.body)}\r\n\r\n"
                ).encode() + route.body
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    for byte in answer:
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                        time.sleep(route.drip)
                return
            self.send_response(status)
            if route and route.location:
                self.send_header("Location", route.location)
            for name, value in route.headers.items() if route else ():
                self.send_header(name, value)
            body = route.body if (route and status == 200) else b""
            if route and status == 200:
                self.send_header("Content-Type", route.content_type)
                self.send_header("ETag", etag)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            # The crawler hangs up on an oversize body, as it should.
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                if route and route.drip:
                    for byte in body:
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                        time.sleep(route.drip)
                else:
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
