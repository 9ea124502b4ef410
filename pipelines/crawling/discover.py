"""Discovery: which links of a listing page may be annual reports, where its further pages are,
which attachments an article page offers, and whether a fetched page is a report.

Links are chosen broadly, by their anchor text (法治 + 报告/情况/总结/工作 + a year, 依法治区,
年度报告 ...), since sites name the same report many ways; news, notices and meetings are
passed over by their wording. Whether a page is an annual report is then decided on what it
holds: a title naming a year and 法治, and the parts of a report (numbered sections, its
results, shortcomings or plans) or its sign-off. Every pattern is in rules/crawl_discovery.tsv,
which users extend without code.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from functools import cache
from itertools import pairwise
from pathlib import PurePosixPath
from urllib.parse import urljoin, urlsplit

import polars as pl

from pipelines.crawling.urls import canonical_url
from pipelines.reading.decoding import UnreadableSource
from pipelines.reading.extracted import Extracted
from pipelines.reading.html_pages import decode_page, parse
from pipelines.shared.rule_files import read_rules

# TRS-built sites write their pager in script: createPageHTML(pages, current, "index", "html").
SCRIPT_PAGER = re.compile(
    r"createPageHTML\(\s*(\d+)\s*,\s*(\d+)\s*,\s*[\"'](\w+)[\"']\s*,\s*[\"'](\w+)[\"']"
)
# A listing's numbered pages share its folder and its name: index.html, index_2.html.
LISTING_NAME = re.compile(r"^([A-Za-z]+)(?:_\d+)?\.s?html?$")
MAX_PAGES = 50
# Where a report's title is looked for: the page's own title, and the first lines of its text
# (a saved page may keep a screenful of chrome above it) short enough to be a title.
TITLE_LINES = 30
MAX_TITLE_CHARS = 60
# Where a report's sign-off is looked for: its last lines.
SIGNATURE_LINES = 6


@dataclass(frozen=True)
class Link:
    url: str
    text: str


@dataclass(frozen=True)
class Verdict:
    """Whether a fetched page is a report: why not (None when it is), and whether its title
    names a year and 法治 (a page that only points at its attached report has such a title)."""

    not_a_report: str | None
    titled: bool


@dataclass(frozen=True)
class Rules:
    link: re.Pattern[str]
    link_with_year: re.Pattern[str]
    year: re.Pattern[str]
    not_report: re.Pattern[str]
    title: re.Pattern[str]
    parts: dict[str, re.Pattern[str]]
    signature_org: re.Pattern[str]
    signature_date: re.Pattern[str]
    next_page: re.Pattern[str]
    page_link: re.Pattern[str]
    attachment: re.Pattern[str]


@cache
def rules() -> Rules:
    table = read_rules("crawl_discovery.tsv")

    def joined(role: str, flags: int = 0) -> re.Pattern[str]:
        patterns = table.filter(pl.col("role") == role)["pattern"]
        return re.compile("|".join(f"(?:{p})" for p in patterns), flags)

    parts = (
        table.filter(pl.col("role") == "part")
        .group_by("kind", maintain_order=True)
        .agg(pl.col("pattern"))
    )
    return Rules(
        link=joined("link"),
        link_with_year=joined("link_with_year"),
        year=joined("year"),
        not_report=joined("not_report"),
        title=joined("title"),
        parts={
            kind: re.compile("|".join(f"(?:{p})" for p in patterns))
            for kind, patterns in parts.iter_rows()
        },
        signature_org=joined("signature_org"),
        signature_date=joined("signature_date"),
        next_page=joined("next_page", re.IGNORECASE),
        page_link=joined("page_link"),
        attachment=joined("attachment", re.IGNORECASE),
    )


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
        try:
            url = urljoin(base_url, href)
            if urlsplit(url).scheme not in ("http", "https"):
                continue
            url = canonical_url(url)
        except ValueError:  # no URL (http://[abc/x.html): a link nobody can follow
            continue
        label = " ".join((anchor.text_content() or anchor.get("title") or "").split())
        found.append(Link(url, label))
    return text, found


def is_candidate(link: Link) -> bool:
    """A link whose anchor text may name an annual report: 依法治区 or 年度报告 alone, or 法治
    with what a report is called and a year."""
    found = rules()
    return bool(
        found.link.search(link.text)
        or (found.link_with_year.search(link.text) and found.year.search(link.text))
    )


def passed_over(link: Link) -> str | None:
    """Why a candidate link is not fetched (news or a notice by its wording), or None."""
    wording = rules().not_report.search(link.text)
    return f"not a report: the link names {wording[0]} (news or a notice)" if wording else None


def judge(page: Extracted) -> Verdict:
    """Whether a fetched web page is an annual report on law-based government: its title (the
    page's own, or one of its first lines) names a year and 法治, it is no notice or news of a
    meeting, and it has a report's parts or its sign-off."""
    found = rules()
    lines = [line.strip() for line in page.text.split("\n") if line.strip()]
    if page.main_first is not None:
        lines = [
            line.strip()
            for line in page.text.split("\n")[page.main_first : page.main_last + 1]
            if line.strip()
        ]
    page_title = page.hints.get("page_title") or (lines[0] if lines else "")
    # A report that prints no title is named by its opening paragraph, which may well mention
    # a meeting: only a line short enough to be a title is read for news or a notice.
    wording = len(page_title) <= MAX_TITLE_CHARS and found.not_report.search(page_title)
    if wording:
        return Verdict(f"not a report: its title names {wording[0]} (news or a notice)", False)
    short = [line for line in lines[:TITLE_LINES] if len(line) <= MAX_TITLE_CHARS]
    # A title is often set on two lines (某区人民政府2024年 / 法治政府建设情况的报告), the page
    # naming the first as its title and printing the date and source between the two.
    titles = [page_title, *short, *(page_title + line for line in short)]
    if not any(found.year.search(t) and found.title.search(t) for t in titles):
        return Verdict(
            "not a report: no title naming a year and 法治 (or 依法行政, 依法治…)", False
        )
    numbered = sum(1 for line in lines if found.parts["numbered"].search(line))
    kinds = {
        kind
        for kind, pattern in found.parts.items()
        if kind != "numbered" and any(pattern.search(line) for line in lines)
    }
    tail = lines[-SIGNATURE_LINES:]
    signed = any(
        found.signature_org.search(org) and found.signature_date.search(date)
        for org, date in pairwise(tail)
    )
    if numbered >= 2 or len(kinds) >= 2 or signed:
        return Verdict(None, True)
    return Verdict(
        "not a report: none of a report's parts (numbered sections, results, shortcomings, "
        "plans) and no sign-off",
        True,
    )


def next_pages(text: str, page_links: list[Link], base_url: str) -> list[str]:
    """The listing's further pages: a 下一页 link, its numbered pages (index_2.html beside
    index.html), or the pages a script pager announces."""
    found = rules()
    pages = [link.url for link in page_links if found.next_page.search(link.text)]
    here = PurePosixPath(urlsplit(base_url).path)
    name = LISTING_NAME.match(here.name)
    for link in page_links:
        there = PurePosixPath(urlsplit(link.url).path)
        other = LISTING_NAME.match(there.name)
        if (
            found.page_link.search(link.text)
            and there.parent == here.parent
            and (name is None or (other is not None and other[1] == name[1]))
        ):
            pages.append(link.url)
    pager = SCRIPT_PAGER.search(text)
    if pager:
        count, current, stem, suffix = int(pager[1]), int(pager[2]), pager[3], pager[4]
        for number in range(current + 1, min(count, MAX_PAGES)):
            # A pager's stem that makes no URL names no page.
            with contextlib.suppress(ValueError):
                pages.append(canonical_url(urljoin(base_url, f"{stem}_{number}.{suffix}")))
    return list(dict.fromkeys(pages))


def attachments(page_links: list[Link]) -> list[Link]:
    """Word, WPS, PDF and zip files an article page links to."""
    return [link for link in page_links if rules().attachment.search(link.url)]
