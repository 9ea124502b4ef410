"""PDF files to text: the text layer, with lines wrapped by the page joined back into paragraphs.

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
import re
import statistics
import unicodedata
from dataclasses import dataclass
from functools import cache
from itertools import pairwise

import pypdf
from pypdf.errors import PdfReadError

from pipelines.cleaning.rules import line_rules
from pipelines.reading.decoding import UnreadableSource
from pipelines.reading.extracted import Extracted

# A line that ends within this many characters of the right margin runs to it.
MARGIN_SLACK_CHARS = 2
# A line starting this many characters right of the page's left edge is indented.
INDENT_CHARS = 0.9
# A gap this many times the usual line spacing separates paragraphs.
PARAGRAPH_GAP = 1.6


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
    patterns = line_rules().filter(reason="page number")["pattern"]
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


def join_wrapped_lines(pages: list[list[PdfLine]]) -> list[str]:
    """Paragraphs, one per line. Page numbers at the top or foot of a page are kept as lines of
    their own, after the paragraph they interrupt."""
    body = [line for lines in pages for line in lines if not page_number().match(line.text)]
    right_margin = max((line.right for line in body), default=0.0)
    steps = [a.y - b.y for lines in pages for a, b in pairwise(lines) if a.y > b.y]
    spacing = statistics.median(steps) if steps else 0.0
    paragraphs: list[str] = []
    held: list[str] = []
    current = ""
    previous: PdfLine | None = None

    def close() -> None:
        nonlocal current
        if current:
            paragraphs.append(current)
        paragraphs.extend(held)
        current = ""
        held.clear()

    for lines in pages:
        left = min((line.x for line in lines if not page_number().match(line.text)), default=0.0)
        for i, line in enumerate(lines):
            if i in (0, len(lines) - 1) and page_number().match(line.text):
                held.append(line.text)
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
    return paragraphs


def read_pdf(data: bytes) -> Extracted:
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise UnreadableSource("encrypted PDF: it needs a password to be read")
        pages = [page_lines(page) for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, TypeError) as error:
        raise UnreadableSource(f"corrupt PDF: {error}") from error
    if not any(pages):
        raise UnreadableSource(
            f"scanned PDF: none of its {len(pages)} page(s) has a text layer; OCR it first"
        )
    title = (reader.metadata.title if reader.metadata else None) or None
    return Extracted("\n".join(join_wrapped_lines(pages)), hints={"page_title": title})
