"""Discovery: which links of a listing page are annual reports, where its next page is, and
which attachments an article page offers."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from pipelines.reading.decoding import UnreadableSource
from pipelines.reading.html_pages import decode_page, parse

REPORT_TITLE = re.compile(
    r"(?=.*(?:19|20)\d{2}|.*[二][〇○零][一二三四五六七八九〇○零]{2})"
    r"(?=.*(?:法治政府建设|依法行政))(?=.*(?:报告|情况))"
)
# A notice or a meeting about the reports is not a report.
NOT_A_REPORT = re.compile(r"通知|通告|公告|征求意见|会议|培训班|的函")
NEXT_PAGE = re.compile(r"^\s*(?:下一页|下页|后页|next|›|»|>)\s*$", re.IGNORECASE)
# TRS-built sites write their pager in script: createPageHTML(pages, current, "index", "html").
SCRIPT_PAGER = re.compile(
    r"createPageHTML\(\s*(\d+)\s*,\s*(\d+)\s*,\s*[\"'](\w+)[\"']\s*,\s*[\"'](\w+)[\"']"
)
ATTACHMENT = re.compile(r"\.(?:docx|pdf|doc)(?:$|[?#])", re.IGNORECASE)
MAX_PAGES = 50


@dataclass(frozen=True)
class Link:
    url: str
    text: str


def read_links(page: bytes, base_url: str) -> tuple[str, list[Link]]:
    """The page decoded, and every http(s) link on it, absolute, with its anchor text (or its
    title attribute where the anchor has no text)."""
    text, _ = decode_page(page)
    try:
        root = parse(text)
    except UnreadableSource:
        return text, []
    found = []
    for anchor in root.iter("a"):
        href = (anchor.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "#", "mailto:")):
            continue
        url = urljoin(base_url, href).split("#")[0]
        if urlsplit(url).scheme in ("http", "https"):
            label = " ".join((anchor.text_content() or anchor.get("title") or "").split())
            found.append(Link(url, label))
    return text, found


def is_report_link(link: Link, pattern: re.Pattern[str] | None = None) -> bool:
    """An annual report on law-based government by its anchor text (法治政府建设 + 报告/情况 +
    a year), or by the source's own URL pattern."""
    by_title = bool(REPORT_TITLE.match(link.text)) and not NOT_A_REPORT.search(link.text)
    return by_title or bool(pattern and pattern.search(link.url))


def next_pages(text: str, page_links: list[Link], base_url: str) -> list[str]:
    """The listing's further pages: a 下一页 link, or the pages a script pager announces."""
    pages = [link.url for link in page_links if NEXT_PAGE.match(link.text)]
    pager = SCRIPT_PAGER.search(text)
    if pager:
        count, current, stem, suffix = int(pager[1]), int(pager[2]), pager[3], pager[4]
        pages += [
            urljoin(base_url, f"{stem}_{number}.{suffix}")
            for number in range(current + 1, min(count, MAX_PAGES))
        ]
    return list(dict.fromkeys(pages))


def attachments(page_links: list[Link]) -> list[Link]:
    """Word and PDF files an article page links to."""
    return [link for link in page_links if ATTACHMENT.search(link.url)]
