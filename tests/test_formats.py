"""Format detection and the Word reader on real files: zip-based files are told apart by the
parts they hold, so a workbook or an archive is refused as what it is, and Word table cells
are read by identity, so equal neighbouring figures are both kept."""

from __future__ import annotations

import io
import zipfile

import docx
import pytest

from pipelines.reading.decoding import UnreadableSource
from pipelines.reading.formats import READERS, detect_format
from pipelines.reading.html_pages import page_lines
from tests.report_files import as_docx

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/{main}" ContentType="{content_type}"/></Types>'
)
RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="{main}" Type="http://schemas.openxmlformats.org/'
    'officeDocument/2006/relationships/officeDocument"/></Relationships>'
)


def office_package(main: str, content_type: str, body: str) -> bytes:
    """A minimal Office Open XML package: content types, the package relationship and the
    main part, as a spreadsheet or presentation program writes them."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr(
            "[Content_Types].xml", CONTENT_TYPES.format(main=main, content_type=content_type)
        )
        package.writestr("_rels/.rels", RELS.format(main=main))
        package.writestr(main, body)
    return out.getvalue()


def xlsx() -> bytes:
    return office_package(
        "xl/workbook.xml",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets/>'
        "</workbook>",
    )


def pptx() -> bytes:
    return office_package(
        "ppt/presentation.xml",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
        '<p:presentation xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"/>',
    )


def zipped(name: str, data: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(name, data)
    return out.getvalue()


def rejection(name: str, data: bytes) -> str:
    with pytest.raises(UnreadableSource) as refused:
        READERS[detect_format(name, data)](data)
    return str(refused.value)


REPORT = ["某区2023年法治政府建设情况报告", "一、主要工作", "全年办理行政复议案件5件。"]


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("statistics.xlsx", xlsx(), "Excel workbook (.xlsx): not a report format"),
        # The bytes decide, not the name: a workbook saved as .docx is still a workbook.
        ("misnamed.docx", xlsx(), "Excel workbook (.xlsx): not a report format"),
        ("slides.pptx", pptx(), "PowerPoint presentation (.pptx): not a report format"),
        # A zip is unpacked when it lands; its own row says so.
        (
            "reports.zip",
            zipped("report.docx", as_docx(REPORT)),
            "zip archive: unpacked, its 1 file(s) read as inputs of their own "
            "(archive!report.docx)",
        ),
        ("download", zipped("report.txt", "报告".encode()), "zip archive: unpacked, its 1 file(s)"),
    ],
)
def test_containers_that_are_not_reports_are_refused_as_what_they_are(
    name: str, data: bytes, expected: str
) -> None:
    reason = rejection(name, data)
    assert reason.startswith(expected)
    assert "Word" not in reason


def test_word_files_are_still_word_and_a_damaged_one_is_corrupt_word() -> None:
    document = as_docx(REPORT)
    assert detect_format("report.docx", document) == "docx"
    assert detect_format("no_extension", document) == "docx"
    assert READERS["docx"](document).text.split("\n")[2] == "全年办理行政复议案件5件。"
    assert rejection("cut.docx", document[: len(document) // 2]).startswith(
        "corrupt Word (.docx) file"
    )


def word_table() -> bytes:
    document = docx.Document()
    document.add_paragraph("某区2023年法治政府建设情况报告")
    table = document.add_table(rows=3, cols=3)
    for row, texts in zip(
        table.rows, [("事项", "受理", "办结"), ("行政复议", "5", "5"), ("", "", "")], strict=True
    ):
        for cell, text in zip(row.cells, texts, strict=True):
            cell.text = text
    merged = table.cell(2, 0).merge(table.cell(2, 1))
    merged.text = "行政诉讼应诉"
    table.cell(2, 2).text = "12"
    document.add_paragraph("全年共办理行政复议案件5件。")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_word_table_cells_are_read_by_identity_not_by_text() -> None:
    data = word_table()
    # A horizontally merged cell is the same cell in each grid column it spans.
    row = docx.Document(io.BytesIO(data)).tables[0].rows[2].cells
    assert row[0]._tc is row[1]._tc
    lines = READERS[detect_format("table.docx", data)](data).text.split("\n")
    assert lines == [
        "某区2023年法治政府建设情况报告",
        "事项 受理 办结",
        # Two neighbouring cells with the same figure are two figures.
        "行政复议 5 5",
        # A merged cell is read once.
        "行政诉讼应诉 12",
        "全年共办理行政复议案件5件。",
    ]


def test_a_page_nested_past_libxml2s_default_depth_keeps_its_text() -> None:
    """300 elements deep (layout tables in tables, markup never closed): the parser stopped at
    256 and the page was rejected as one with no visible text."""
    deep = "<div><table><tr><td>" * 100
    page = f"<html><body>{deep}<p>全年办理行政复议案件12件。</p>{'</td></tr></table></div>' * 100}"
    assert page_lines(page + "<p>结尾</p></body></html>") == ["全年办理行政复议案件12件。", "结尾"]


def test_a_page_nested_past_what_the_parser_reads_is_refused_as_such() -> None:
    """Past 2,048 elements libxml2 stops: the page was 'no visible text', half a page could
    pass for a short report."""
    deep = "<div>" * 2100
    with pytest.raises(UnreadableSource, match="nested deeper than the HTML parser reads"):
        page_lines(f"<html><body><p>全年办理行政复议案件12件。</p>{deep}<p>结尾</p></body></html>")
