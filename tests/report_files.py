"""A report's lines written out the ways reports reach users: Word, PDF, a scanned PDF, an
archive copy with its header block. Made in the test, with the libraries offices use."""

from __future__ import annotations

import io
import os
import random
import subprocess
import tempfile
import zipfile
from pathlib import Path

import docx
import pypdfium2 as pdfium
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt
from PIL import Image, ImageFilter
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


def as_pdf(lines: list[str], size: float = 14, header: str | None = None) -> bytes:
    """A text PDF: title centred, paragraphs wrapped to the page with a two-character first-line
    indent, a page number at the foot of every page, and the running header above every page
    after the first where one is given (as offices print the report's title)."""
    pdfmetrics.registerFont(UnicodeCIDFont(SONG))
    body = ParagraphStyle(
        "body",
        fontName=SONG,
        fontSize=size,
        leading=size * 12 / 7,
        firstLineIndent=2 * size,
        wordWrap="CJK",
    )
    title_style = ParagraphStyle(
        "title", parent=body, fontSize=18, leading=30, alignment=1, firstLineIndent=0
    )

    def first_page(canvas: Canvas, document: SimpleDocTemplate) -> None:
        canvas.setFont(SONG, 12)
        canvas.drawCentredString(A4[0] / 2, 36, f"- {document.page} -")

    def later_page(canvas: Canvas, document: SimpleDocTemplate) -> None:
        first_page(canvas, document)
        if header:
            canvas.setFont(SONG, 9)
            canvas.drawCentredString(A4[0] / 2, A4[1] - 40, header)

    out = io.BytesIO()
    document = SimpleDocTemplate(out, pagesize=A4, title=lines[0])
    story = [Paragraph(lines[0], title_style)] + [Paragraph(line, body) for line in lines[1:]]
    document.build(story, onFirstPage=first_page, onLaterPages=later_page)
    return out.getvalue()


def scanned_copy(pdf: bytes, dpi: int = 200) -> bytes:
    """The PDF as a scanner gives it back: each page a grey picture at dpi, a little blurred,
    specked and tilted, stored as JPEG; no text layer."""
    document = pdfium.PdfDocument(pdf)
    rng = random.Random(16)
    pages = []
    for page in document:
        image = page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
        image = image.rotate(0.4, resample=Image.Resampling.BICUBIC, fillcolor=255)
        image = image.filter(ImageFilter.GaussianBlur(0.6))
        pixels = image.load()
        width, height = image.size
        for _ in range(width * height // 400):
            x, y = rng.randrange(width), rng.randrange(height)
            pixels[x, y] = max(0, pixels[x, y] - rng.randrange(60, 160))
        jpeg = io.BytesIO()
        image.save(jpeg, "JPEG", quality=75)
        pages.append(Image.open(jpeg))
    document.close()
    out = io.BytesIO()
    pages[0].save(out, "PDF", save_all=True, append_images=pages[1:], resolution=dpi)
    return out.getvalue()


def as_doc(docx_bytes: bytes) -> bytes:
    """A Word 97 (.doc) file, as LibreOffice saves the given .docx: what offices still send."""
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work)
        (folder / "report.docx").write_bytes(docx_bytes)
        subprocess.run(
            [
                "soffice",
                f"-env:UserInstallation={(folder / 'profile').as_uri()}",
                "--headless",
                "--convert-to",
                "doc:MS Word 97",
                "--outdir",
                str(folder),
                str(folder / "report.docx"),
            ],
            check=True,
            capture_output=True,
            env={**os.environ, "HOME": str(folder)},
        )
        return (folder / "report.doc").read_bytes()


def with_table(docx_bytes: bytes, rows: list[tuple[str, ...]], after: str) -> bytes:
    """The Word file with a table and a paragraph after it, at its end."""
    document = docx.Document(io.BytesIO(docx_bytes))
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    for row, texts in zip(table.rows, rows, strict=True):
        for cell, text in zip(row.cells, texts, strict=True):
            cell.text = text
    document.add_paragraph(after)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


class GbkName(zipfile.ZipInfo):
    """A member whose name is stored in GBK without the UTF-8 flag, as Windows' own zip tool
    writes Chinese names."""

    def _encodeFilenameFlags(self) -> tuple[bytes, int]:
        return self.filename.encode("gbk"), self.flag_bits


def zipped(members: dict[str, bytes], gbk_names: bool = False) -> bytes:
    """A zip archive of the members, their names in UTF-8 or, with gbk_names, in GBK."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            kind = GbkName if gbk_names else zipfile.ZipInfo
            info = kind(name, date_time=(2024, 3, 20, 9, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
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
