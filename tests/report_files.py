"""A report's lines written out the ways reports reach users: Word, PDF, a scanned PDF, an
archive copy with its header block. Made in the test, with the libraries offices use."""

from __future__ import annotations

import io

import docx
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate

# One of the CJK fonts every PDF reader has: nothing to embed, nothing to download.
SONG = "STSong-Light"


def as_docx(lines: list[str]) -> bytes:
    """A Word file as offices write them: centred title, body indented two characters, a page
    number in the footer."""
    document = docx.Document()
    title, *body = lines
    heading = document.add_paragraph(title)
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for line in body:
        paragraph = document.add_paragraph(line)
        paragraph.paragraph_format.first_line_indent = Pt(32)
    document.sections[0].footer.paragraphs[0].text = "- 1 -"
    document.core_properties.title = title
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def as_pdf(lines: list[str]) -> bytes:
    """A text PDF: title centred, paragraphs wrapped to the page with a two-character first-line
    indent, a page number at the foot of every page."""
    pdfmetrics.registerFont(UnicodeCIDFont(SONG))
    body = ParagraphStyle(
        "body", fontName=SONG, fontSize=14, leading=24, firstLineIndent=28, wordWrap="CJK"
    )
    title_style = ParagraphStyle(
        "title", parent=body, fontSize=18, leading=30, alignment=1, firstLineIndent=0
    )

    def page_number(canvas: Canvas, document: SimpleDocTemplate) -> None:
        canvas.setFont(SONG, 12)
        canvas.drawCentredString(A4[0] / 2, 36, f"- {document.page} -")

    out = io.BytesIO()
    document = SimpleDocTemplate(out, pagesize=A4, title=lines[0])
    story = [Paragraph(lines[0], title_style)] + [Paragraph(line, body) for line in lines[1:]]
    document.build(story, onFirstPage=page_number, onLaterPages=page_number)
    return out.getvalue()


def scanned_pdf(pages: int = 2) -> bytes:
    """A PDF as a scanner makes it: pictures of pages, no text layer."""
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4)
    for _ in range(pages):
        canvas.setFillGray(0.85)
        for row in range(30):
            canvas.rect(72, 760 - row * 22, 450, 10, stroke=0, fill=1)
        canvas.showPage()
    canvas.save()
    return out.getvalue()


def archive_copy(lines: list[str], *, title: str, date: str, org: str, url: str) -> str:
    """A copy saved by an archiving tool: its own header block, a rule, then the page text."""
    header = [
        f"标题:{title}",
        f"发布时间:{date} 10:15:00",
        f"发布机构:{org}",
        f"原文链接:{url}",
        "索引号:11120000MB1502341K/2021-00035",
        "----------------------------------------",
    ]
    return "\n".join([*header, "", *lines]) + "\n"
