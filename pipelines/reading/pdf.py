"""PDF files to text: the text layer, with lines wrapped by the page joined back into paragraphs.

A PDF has no paragraphs, only lines placed on a page. pypdf's layout mode keeps each line's
indentation, so a paragraph is rebuilt the way a reader sees it: a line continues the one above
when that one runs to the right margin and this one is not indented (Chinese documents indent
each paragraph's first line by two characters; titles are centred, signatures pushed right).
"""

from __future__ import annotations

import io
import re
import unicodedata
from functools import cache

import pypdf
from pypdf.errors import PdfReadError

from pipelines.cleaning.rules import line_rules
from pipelines.reading.decoding import UnreadableSource
from pipelines.reading.extracted import Extracted

# A line this close to the widest line of the document runs to the right margin.
FULL_LINE = 0.85
MIN_INDENT = 2


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(char) in "WFA" else 1 for char in text)


@cache
def page_number() -> re.Pattern[str]:
    """The page-number rules of rules/boilerplate.tsv: such lines sit between two halves of a
    paragraph broken over pages and must not end it."""
    patterns = line_rules().filter(reason="page number")["pattern"]
    return re.compile("|".join(f"(?:{pattern})" for pattern in patterns))


def _page_texts(reader: pypdf.PdfReader) -> list[str]:
    texts = []
    for page in reader.pages:
        try:
            texts.append(page.extract_text(extraction_mode="layout"))
        except Exception:  # layout mode fails on some fonts, where plain mode still reads
            texts.append(page.extract_text())
    return texts


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def join_wrapped_lines(pages: list[str]) -> list[str]:
    """Paragraphs from the layout text of each page, one per line. Page numbers at the top or
    foot of a page are kept, as lines of their own after the paragraph they interrupt."""
    page_lines = [[line for line in page.split("\n")] for page in pages]
    widest = max(
        (_indent(line) + display_width(line.strip()) for lines in page_lines for line in lines),
        default=0,
    )
    paragraphs: list[str] = []
    held: list[str] = []
    current = ""
    runs_to_margin = False

    def close() -> None:
        nonlocal current
        if current:
            paragraphs.append(current)
        paragraphs.extend(held)
        current = ""
        held.clear()

    for lines in page_lines:
        filled = [i for i, line in enumerate(lines) if line.strip()]
        if not filled:
            continue
        left = min(_indent(lines[i]) for i in filled)
        for i, line in enumerate(lines):
            text = line.strip()
            if not text:
                close()
                runs_to_margin = False
            elif i in (filled[0], filled[-1]) and page_number().match(text):
                held.append(text)
            elif current and runs_to_margin and _indent(line) < left + MIN_INDENT:
                # Latin words broken at a line end need their space back; Chinese does not.
                gap = " " if current[-1].isascii() and text[0].isascii() else ""
                current += gap + text
                runs_to_margin = _indent(line) + display_width(text) >= FULL_LINE * widest
            else:
                close()
                current = text
                runs_to_margin = _indent(line) + display_width(text) >= FULL_LINE * widest
    close()
    return paragraphs


def read_pdf(data: bytes) -> Extracted:
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise UnreadableSource("encrypted PDF: it needs a password to be read")
        pages = _page_texts(reader)
    except (PdfReadError, ValueError, KeyError, TypeError) as error:
        raise UnreadableSource(f"corrupt PDF: {error}") from error
    if not any(page.strip() for page in pages):
        raise UnreadableSource(
            f"scanned PDF: none of its {len(pages)} page(s) has a text layer; OCR it first"
        )
    title = (reader.metadata.title if reader.metadata else None) or None
    return Extracted("\n".join(join_wrapped_lines(pages)), hints={"page_title": title})
