"""Word (.docx) files to text: paragraphs and table rows in document order."""

from __future__ import annotations

import io
import re
import zipfile

import docx
from docx.table import Table
from lxml import etree

from pipelines.reading.decoding import UnreadableSource
from pipelines.reading.extracted import Extracted


def _table_rows(table: Table) -> list[str]:
    """One line per row, its cells apart by a space; a merged cell is read once.

    python-docx repeats a cell merged across columns once per grid column, as the same <w:tc>
    element: cells are told apart by that element, never by their text, since neighbouring
    cells often hold the same figure (| 行政复议 | 5 | 5 |)."""
    rows = []
    for row in table.rows:
        cells = row.cells
        distinct = [
            cell for i, cell in enumerate(cells) if i == 0 or cell._tc is not cells[i - 1]._tc
        ]
        texts = (" ".join(cell.text.split()) for cell in distinct)
        rows.append(" ".join(text for text in texts if text))
    return rows


# The widest column span a table cell may claim: python-docx makes an entry for each spanned
# column, and a span of 2^31 would take all the memory there is.
MAX_SPAN = 1000
SPAN = re.compile(rb'<w:gridSpan w:val="(\d+)"')


def read_docx(data: bytes) -> Extracted:
    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, etree.XMLSyntaxError) as error:
        raise UnreadableSource(f"corrupt Word (.docx) file: {error}") from error
    except ValueError as error:
        # python-docx says which package it found instead (a spreadsheet, a presentation ...).
        raise UnreadableSource(f"not a Word document: {error}") from error
    body = document.part.blob
    widest = max((int(span) for span in SPAN.findall(body)), default=0)
    if widest > MAX_SPAN:
        raise UnreadableSource(f"corrupt Word (.docx) file: a table cell spans {widest:,} columns")
    lines: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            lines.extend(_table_rows(block))
        else:
            lines.extend(block.text.split("\n"))
    if not any(line.strip() for line in lines):
        raise UnreadableSource("Word file with no text in its body")
    title = (document.core_properties.title or "").strip()
    return Extracted("\n".join(lines), hints={"page_title": title or None})
