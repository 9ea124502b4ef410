"""PDF files to text: the text layer (or OCR of pages without one), with lines wrapped by the
page joined back into paragraphs, and running headers and footers set apart.

A PDF has no paragraphs, only runs of text placed on a page. pypdf hands each run over with
its position; runs at one height make a line, and a line continues the paragraph above when
that one runs to the right margin and this one is not indented (Chinese documents indent each
paragraph's first line by two characters; titles are centred, signatures pushed right) and no
wider gap than the usual line spacing lies between them. pypdf's layout mode, which keeps
indentation as spaces, was tried first: it places characters on a grid of Latin widths and
overwrites Chinese characters at the ends of lines, so it loses text.
"""

from __future__ import annotations

import io
import logging
import re
import statistics
import unicodedata
from dataclasses import dataclass
from functools import cache
from itertools import pairwise

import pypdf
from pypdf.errors import PdfReadError

from pipelines.reading.decoding import UnreadableSource
from pipelines.reading.extracted import Extracted
from pipelines.reading.ocr import DPI, OcrBox, OcrPage, ocr_pages
from pipelines.shared.rule_files import read_rules

# pypdf logs what it repairs in a damaged file ("EOF marker not found") with no handler, so
# Python printed it bare on the terminal; whatever keeps a file from being read is its
# rejection's reason.
logging.getLogger("pypdf").addHandler(logging.NullHandler())

# A line that ends within this many characters of the right margin runs to it.
MARGIN_SLACK_CHARS = 2
# A line starting this many characters right of the page's left edge is indented.
INDENT_CHARS = 0.9
# A gap this many times the usual line spacing separates paragraphs.
PARAGRAPH_GAP = 1.6
# OCR takes 10-40 s of CPU per page: a longer scan is refused rather than hold up a build.
MAX_OCR_PAGES = 60


@dataclass(frozen=True)
class PdfLine:
    x: float  # where the line starts, in points from the page's left
    y: float  # its baseline, in points from the page's foot
    size: float  # font size in points
    text: str

    @property
    def right(self) -> float:
        """Where the line ends."""
        return self.x + half_ems(self.text) * self.size / 2


@cache
def page_number() -> re.Pattern[str]:
    """The page-number rules of rules/boilerplate.tsv: such lines sit between two halves of a
    paragraph broken over pages and must not end it."""
    patterns = read_rules("boilerplate.tsv").filter(reason="page number")["pattern"]
    return re.compile("|".join(f"(?:{pattern})" for pattern in patterns))


def half_ems(text: str) -> int:
    """Width in half-ems as a Chinese font sets it: Chinese characters and the quotes and
    dashes Chinese text uses (East Asian ambiguous width) are a full em, Latin ones about half."""
    return sum(2 if unicodedata.east_asian_width(char) in "WFA" else 1 for char in text)


def page_lines(page: pypdf.PageObject) -> list[PdfLine]:
    """The page's text runs grouped into lines, top to bottom."""
    runs: list[tuple[float, float, float, str]] = []

    def collect(text: str, cm: list[float], tm: list[float], _font: object, size: float) -> None:
        if text.strip():
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            scale = abs(tm[2] * cm[1] + tm[3] * cm[3]) or 1.0
            runs.append((x, y, size * scale, text.replace("\n", "")))

    page.extract_text(visitor_text=collect)
    lines: list[PdfLine] = []
    for x, y, size, text in sorted(runs, key=lambda run: (-run[1], run[0])):
        last = lines[-1] if lines else None
        if last and abs(last.y - y) < 0.3 * size:
            lines[-1] = PdfLine(last.x, last.y, max(last.size, size), last.text + text)
        else:
            lines.append(PdfLine(x, y, size, text))
    return [
        PdfLine(line.x, line.y, line.size, line.text.strip()) for line in lines if line.text.strip()
    ]


def running_lines(pages: list[list[PdfLine]]) -> set[tuple[int, int]]:
    """(page, line) of every running header and footer: a line among the first two or the last
    two of its page whose wording (figures aside, so 第3页 is 第5页) and type size come back at
    the same end of most pages. A title printed once, or in larger type than the header that
    repeats it, is not one."""

    def ends(lines: list[PdfLine]) -> list[tuple[int, str]]:
        count = len(lines)
        return [(i, "top") for i in range(min(2, count))] + [
            (i, "foot") for i in range(max(2, count - 2), count)
        ]

    def key(line: PdfLine, end: str) -> tuple[str, str, int]:
        return end, re.sub(r"\d+", "#", line.text), round(line.size)

    pages_with: dict[tuple[str, str, int], set[int]] = {}
    for p, lines in enumerate(pages):
        for i, end in ends(lines):
            pages_with.setdefault(key(lines[i], end), set()).add(p)
    frequent = {
        k for k, found in pages_with.items() if len(found) >= 2 and 2 * len(found) > len(pages)
    }
    return {
        (p, i)
        for p, lines in enumerate(pages)
        for i, end in ends(lines)
        if key(lines[i], end) in frequent and not page_number().match(lines[i].text)
    }


def join_wrapped_lines(pages: list[list[PdfLine]]) -> tuple[list[str], list[int]]:
    """Paragraphs, one per line, and the indexes of those that are running headers or footers.
    Page numbers and running lines are taken out of the flow, so a paragraph broken over two
    pages is joined again, and follow the report's own lines, in page order: between the last
    paragraph and a signature on the next page they would read as a footer that ends the
    report."""
    running = running_lines(pages)

    def furniture(p: int, i: int, line: PdfLine) -> bool:
        return (p, i) in running or (
            i in (0, len(pages[p]) - 1) and bool(page_number().match(line.text))
        )

    body = [
        line
        for p, lines in enumerate(pages)
        for i, line in enumerate(lines)
        if not furniture(p, i, line) and not page_number().match(line.text)
    ]
    right_margin = max((line.right for line in body), default=0.0)
    steps = [a.y - b.y for lines in pages for a, b in pairwise(lines) if a.y > b.y]
    spacing = statistics.median(steps) if steps else 0.0
    paragraphs: list[str] = []
    running_indexes: list[int] = []
    held: list[tuple[str, bool]] = []
    current = ""
    previous: PdfLine | None = None

    def close() -> None:
        nonlocal current
        if current:
            paragraphs.append(current)
        current = ""

    for p, lines in enumerate(pages):
        own = [line for i, line in enumerate(lines) if not furniture(p, i, line)]
        left = min((line.x for line in own if not page_number().match(line.text)), default=0.0)
        for i, line in enumerate(lines):
            if furniture(p, i, line):
                held.append((line.text, (p, i) in running))
                continue
            continues = (
                previous is not None
                and current
                and previous.right >= right_margin - MARGIN_SLACK_CHARS * previous.size
                and line.x - left < INDENT_CHARS * line.size
                and (previous.y < line.y or previous.y - line.y <= PARAGRAPH_GAP * spacing)
            )
            if continues:
                # Latin words broken at a line end need their space back; Chinese does not.
                gap = " " if current[-1].isascii() and line.text[0].isascii() else ""
                current += gap + line.text
            else:
                close()
                current = line.text
            previous = line
    close()
    for text, is_running in held:
        if is_running:
            running_indexes.append(len(paragraphs))
        paragraphs.append(text)
    return paragraphs, running_indexes


def ocr_lines(page: OcrPage) -> list[PdfLine]:
    """The runs OCR found on a page as lines of text in points, top to bottom, as a text layer
    would give them: runs whose middles fall within one another's height make a line, read
    left to right, with a space where a gap wider than a character parts them (table cells).
    A line's type size is its width over its characters, so that it ends where its box ends."""
    points = 72 / DPI
    rows: list[list[OcrBox]] = []
    for box in sorted(page.boxes, key=lambda box: (box.top + box.bottom) / 2):
        middle = (box.top + box.bottom) / 2
        if rows and rows[-1][0].top <= middle <= rows[-1][0].bottom:
            rows[-1].append(box)
        else:
            rows.append([box])
    lines = []
    for row in rows:
        row.sort(key=lambda box: box.left)
        height = statistics.median(box.bottom - box.top for box in row)
        text = row[0].text
        for before, box in pairwise(row):
            text += (" " if box.left - before.right > height else "") + box.text
        width = row[-1].right - row[0].left
        size = width / max(half_ems(text) / 2, 0.5) * points
        bottom = max(box.bottom for box in row)
        lines.append(PdfLine(row[0].left * points, (page.height - bottom) * points, size, text))
    return lines


def mean_confidence(pages: list[OcrPage]) -> float | None:
    """The mean confidence of every character OCR read, over all pages."""
    weighted = [(page.confidence, sum(len(b.text) for b in page.boxes)) for page in pages]
    chars = sum(n for _, n in weighted)
    return sum(c * n for c, n in weighted if c is not None) / chars if chars else None


def read_pdf(data: bytes) -> Extracted:
    """The text layer of every page; pages without one (a scan, text turned into outlines) are
    read by OCR, and then the document is source_format pdf-ocr with its confidence."""
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise UnreadableSource("encrypted PDF: it needs a password to be read")
        pages = [page_lines(page) for page in reader.pages]
    except UnreadableSource:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError) as error:
        raise UnreadableSource(f"corrupt PDF: {error}") from error
    if not pages:
        raise UnreadableSource("PDF with no pages")
    textless = [index for index, lines in enumerate(pages) if not lines]
    if len(textless) > MAX_OCR_PAGES:
        raise UnreadableSource(
            f"scanned PDF: {len(textless)} pages without a text layer, over the limit of "
            f"{MAX_OCR_PAGES} pages read by OCR"
        )
    scanned = ocr_pages(data, textless) if textless else {}
    for index, page in scanned.items():
        pages[index] = ocr_lines(page)
    if not any(pages):
        raise UnreadableSource(
            f"scanned PDF: none of its {len(pages)} page(s) has a text layer, "
            "and OCR found no text on them"
        )
    title = (reader.metadata.title if reader.metadata else None) or None
    paragraphs, running = join_wrapped_lines(pages)
    read_by_ocr = [(index + 1, page.confidence) for index, page in sorted(scanned.items())]
    return Extracted(
        "\n".join(paragraphs),
        hints={"page_title": title},
        furniture_lines=running,
        source_format="pdf-ocr" if scanned else None,
        ocr_confidence=mean_confidence(list(scanned.values())),
        ocr_pages=[(number, conf) for number, conf in read_by_ocr if conf is not None],
    )
