"""Word (.docx) files to text: paragraphs and table rows in document order."""

from __future__ import annotations

import io
import zipfile

import docx
from docx.table import Table
from lxml import etree

from pipelines.reading.decoding import UnreadableSource
from pipelines.reading.extracted import Extracted


def _table_rows(table: Table) -> list[str]:
    """One line per row, its cells apart by a space; a merged cell is read once."""
    rows = []
    for row in table.rows:
        cells: list[str] = []
        for cell in row.cells:
            text = " ".join(cell.text.split())
            if text and (not cells or cells[-1] != text):
                cells.append(text)
        rows.append(" ".join(cells))
    return rows


def read_docx(data: bytes) -> Extracted:
    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, etree.XMLSyntaxError) as error:
        raise UnreadableSource(f"corrupt Word (.docx) file: {error}") from error
    except ValueError as error:
        # python-docx says which package it found instead (a spreadsheet, a presentation ...).
        raise UnreadableSource(f"not a Word document: {error}") from error
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
