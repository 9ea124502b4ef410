"""Web pages to text: every visible line of the page, where its main content lies, and what the
page says about itself (title, date, source, URL) before its chrome is dropped.

The page is kept whole as lines so that nothing is lost: cleaning drops the lines outside the
main content and records each in the boilerplate table. The main content is found by
trafilatura, the best measured extractor on public benchmarks; on Chinese government pages it
finds the body but often leaves out the title (which it treats as metadata) and the signature,
so the span is widened to them. When it finds nothing, the whole page goes to the line rules.
"""

from __future__ import annotations

import re

import lxml.html
import trafilatura
from lxml import etree

from pipelines.reading.decoding import UnreadableSource, decode_text
from pipelines.reading.extracted import Extracted
from pipelines.shared.patterns import CHINESE_DATE, ORG_SUFFIX, YEAR_DIGITS

DECLARED_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w-]+)""", re.IGNORECASE)
# Declared Chinese charsets are read as GB18030, which is a superset of all of them.
CHARSET_ALIASES = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "gb18030": "gb18030"}
INVISIBLE = (
    "//script|//style|//noscript|//template|//iframe|//svg|//object|//select|//button"
    "|//*[@hidden]|//*[contains(translate(@style, ' ', ''), 'display:none')]"
)
BLOCK_TAGS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "center",
        "dd",
        "details",
        "dialog",
        "dir",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "html",
        "li",
        "main",
        "menu",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
        "caption",
    ]
)
CELL_TAGS = frozenset({"td", "th"})
# A line break inside Chinese text in the HTML source is not a space on the rendered page.
CJK_BREAK = re.compile(r"(?<=[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef])\s*\n\s*(?=[\u4e00-\u9fff])")
TITLE_META = ("ArticleTitle", "og:title", "title")
DATE_META = (
    "PubDate",
    "publishdate",
    "pubdate",
    "article:published_time",
    "firstpublishedtime",
    "dc.date",
)
SOURCE_META = ("ContentSource", "source", "author")
URL_META = ("og:url",)
# Site names appended to <title>: 标题_站点, 标题-站点, 标题 | 站点.
TITLE_SITE_SUFFIX = re.compile(r"\s*(?:[_|｜]|\s-\s|-(?=[^-]{2,30}$)).{2,40}$")
DATE = re.compile(rf"({YEAR_DIGITS})[-/.年](\d{{1,2}})[-/.月](\d{{1,2}})")
# Below the body a report signs off with its issuing body and the date.
SIGN_OFF = re.compile(rf"^[\u4e00-\u9fff（）()·]{{2,40}}?{ORG_SUFFIX}$|^{CHINESE_DATE}$")
HTML_START = re.compile(rb"<html[\s>]", re.IGNORECASE)
HTML_END = re.compile(rb"</html\s*>", re.IGNORECASE)
TITLE_LOOKBACK = 12
SIGN_OFF_LOOKAHEAD = 3


def decode_page(data: bytes) -> tuple[str, str]:
    """Decode by the charset the page declares when the bytes agree, else detect it."""
    declared = DECLARED_CHARSET.search(data[:4096])
    if declared:
        name = declared.group(1).decode("ascii", "replace").lower()
        encoding = CHARSET_ALIASES.get(name, name)
        try:
            return data.decode(encoding), encoding
        # UnicodeError: a declared codec that is no text encoding (punycode, idna).
        except (LookupError, UnicodeError):
            pass
    return decode_text(data)


def parse(page: str) -> lxml.html.HtmlElement:
    # lxml refuses a str that still carries an XML encoding declaration.
    page = re.sub(r"^\s*<\?xml[^>]*>", "", page)
    # huge_tree: past 256 nested elements (layout tables in tables, a page's markup never
    # closed) libxml2 stops parsing, and the page read as one with no text at all; it still
    # stops at 2,048, which is told as such (half a page would pass for a short report). A
    # parser per page: lxml's are not shared between threads.
    parser = lxml.html.HTMLParser(huge_tree=True)
    try:
        root = lxml.html.document_fromstring(page, parser=parser)
    except (etree.ParserError, ValueError) as error:
        raise UnreadableSource(f"HTML that cannot be parsed: {error}") from error
    if any(error.type_name == "ERR_RESOURCE_LIMIT" for error in parser.error_log):
        raise UnreadableSource(
            "a page nested deeper than the HTML parser reads (2,048 elements): it stopped there"
        )
    return root


def _visible_lines(root: lxml.html.HtmlElement) -> list[str]:
    for element in root.xpath(INVISIBLE):
        element.drop_tree()
    lines: list[str] = []
    current: list[str] = []

    def flush() -> None:
        text = " ".join(CJK_BREAK.sub("", "".join(current)).split())
        if text:
            lines.append(text)
        current.clear()

    for event, element in etree.iterwalk(root, events=("start", "end")):
        tag = element.tag.lower() if isinstance(element.tag, str) else None
        if event == "start":
            if (tag in BLOCK_TAGS and tag not in CELL_TAGS) or tag == "br":
                flush()
            if tag is not None and element.text:
                current.append(element.text)
        else:
            if tag in CELL_TAGS:
                current.append(" ")
            elif tag in BLOCK_TAGS:
                flush()
            if element.tail:
                current.append(element.tail)
    flush()
    return lines


def page_lines(page: str | lxml.html.HtmlElement) -> list[str]:
    """Every line of text a reader of the page sees, in order, one per block."""
    root = parse(page) if isinstance(page, str) else page
    body = root.find("body")
    return _visible_lines(body if body is not None else root)


def _meta(root: lxml.html.HtmlElement, names: tuple[str, ...]) -> str | None:
    for name in names:
        lowered = name.lower()
        for element in root.iter("meta"):
            key = (element.get("name") or element.get("property") or "").lower()
            content = (element.get("content") or "").strip()
            if key == lowered and content:
                return content
    return None


def page_hints(root: lxml.html.HtmlElement) -> dict[str, str | None]:
    """What the page's head says about it: title, publication date, source, URL."""
    head_title = root.findtext(".//title")
    title = _meta(root, TITLE_META) or (
        TITLE_SITE_SUFFIX.sub("", head_title.strip()) if head_title else None
    )
    date = _meta(root, DATE_META)
    date_parts = DATE.search(date) if date else None
    canonical = root.xpath("//link[@rel='canonical']/@href")
    return {
        "page_title": " ".join(title.split()) if title else None,
        "page_date": "{}-{:0>2}-{:0>2}".format(*date_parts.groups()) if date_parts else None,
        "page_source": _meta(root, SOURCE_META),
        "page_url": canonical[0].strip() if canonical else _meta(root, URL_META),
    }


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def main_span(lines: list[str], extracted: str | None, title: str | None) -> tuple[int, int] | None:
    """The first and last line of the main content, widened to the title above it and the
    signature and date below it; None when the extractor found no line of the page."""
    if not extracted:
        return None
    found = {_squeeze(line) for line in extracted.splitlines() if line.strip()}
    matched = [i for i, line in enumerate(lines) if _squeeze(line) in found]
    if not matched:
        return None
    first, last = matched[0], matched[-1]
    squeezed_title = _squeeze(title or "")
    for i in range(first - 1, max(first - TITLE_LOOKBACK, 0) - 1, -1):
        line = _squeeze(lines[i])
        if len(line) >= 6 and (line == squeezed_title or line in squeezed_title):
            first = i
            break
    while last + 1 < len(lines) and last + 1 <= matched[-1] + SIGN_OFF_LOOKAHEAD:
        if not SIGN_OFF.match(lines[last + 1]):
            break
        last += 1
    return first, last


def read_html(data: bytes) -> Extracted:
    # Half a page would pass for a short report: its missing figures would read as never stated.
    if HTML_START.search(data[:4096]) and not HTML_END.search(data):
        raise UnreadableSource(
            "truncated web page: it ends before its closing </html> tag "
            "(an interrupted download or save?)"
        )
    text, encoding = decode_page(data)
    root = parse(text)
    hints = page_hints(root)
    # Tables stay out of the extraction: old sites lay whole pages out in tables, and trafilatura
    # then returns the layout, chrome and all. Tables inside the span are still kept as lines.
    extracted = trafilatura.extract(
        text,
        output_format="txt",
        include_comments=False,
        include_tables=False,
        favor_recall=True,
        deduplicate=False,
    )
    lines = page_lines(root)
    if not lines:
        raise UnreadableSource("HTML page with no visible text")
    span = main_span(lines, extracted, hints["page_title"])
    first, last = span if span else (None, None)
    return Extracted("\n".join(lines), encoding, first, last, hints)
