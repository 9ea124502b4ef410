"""Which format a file is, and how each format becomes plain text.

A format is told from the file's first bytes where they tell, and for zip-based files from the
parts the archive holds (a Word file, a workbook and a plain zip all start with PK). Formats
that are not reports (workbooks, presentations, archives) get a reader that refuses
them as what they are, so a reader of one format is never asked to read another.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from pathlib import PurePosixPath

from pipelines.reading.decoding import UnreadableSource, decode_text
from pipelines.reading.extracted import Extracted
from pipelines.reading.html_pages import read_html
from pipelines.reading.pdf import read_pdf
from pipelines.reading.word import read_docx

HTML_START = re.compile(rb"^\s*(<!doctype html|<html|<head|<meta|<body|<!--)", re.IGNORECASE)
EXTENSIONS = {
    ".txt": "txt",
    ".text": "txt",
    ".htm": "html",
    ".html": "html",
    ".shtml": "html",
    ".docx": "docx",
    ".pdf": "pdf",
    ".doc": "doc",
}
# First bytes of archives, whatever the file is called.
SIGNATURES = {
    b"Rar!\x1a\x07": "rar",
    b"7z\xbc\xaf\x27\x1c": "7z",
    b"\x1f\x8b": "gzip",
}
ZIP_START = b"PK\x03\x04"
ZIP_EXTENSIONS = {
    ".docx": "docx",
    ".xlsx": "xlsx",
    ".pptx": "pptx",
    ".odt": "odt",
    ".ods": "ods",
    ".odp": "odp",
    ".epub": "epub",
    ".zip": "zip",
}
# The part that tells what an Office Open XML or OpenDocument package is.
PACKAGE_PARTS = {
    "word/document.xml": "docx",
    "xl/workbook.xml": "xlsx",
    "ppt/presentation.xml": "pptx",
}
OPENDOCUMENT = {
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "application/vnd.oasis.opendocument.presentation": "odp",
    "application/epub+zip": "epub",
}
SAVE_AS = "save the report as .docx or PDF"
UNPACK = "archives are not unpacked; put the report itself in the corpus"
# What a file that is not a report is, and what to do, in the words of the rejection.
NOT_REPORTS = {
    "xlsx": ("Excel workbook (.xlsx)", SAVE_AS),
    "pptx": ("PowerPoint presentation (.pptx)", SAVE_AS),
    "odt": ("OpenDocument text (.odt)", SAVE_AS),
    "ods": ("OpenDocument spreadsheet (.ods)", SAVE_AS),
    "odp": ("OpenDocument presentation (.odp)", SAVE_AS),
    "epub": ("e-book (.epub)", SAVE_AS),
    "zip": ("zip archive", UNPACK),
    "rar": ("RAR archive", UNPACK),
    "7z": ("7-Zip archive", UNPACK),
    "gzip": ("gzip archive", UNPACK),
}


def zip_format(suffix: str, data: bytes) -> str:
    """What a zip-based file is, from the parts it holds. A zip whose directory cannot be read
    is taken for what its name says, and for a damaged Word file where the name says nothing
    else (the Word reader then says it is corrupt)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            mimetype = archive.read("mimetype") if "mimetype" in names else b""
    except (zipfile.BadZipFile, OSError, RuntimeError):
        return ZIP_EXTENSIONS.get(suffix, "docx")
    for part, fmt in PACKAGE_PARTS.items():
        if part in names:
            return fmt
    return OPENDOCUMENT.get(mimetype.decode("ascii", "replace").strip(), "zip")


def detect_format(source_name: str, data: bytes) -> str:
    """The format from the file's first bytes where they tell, else from its extension."""
    head = data[:1024]
    suffix = PurePosixPath(source_name.split("?")[0]).suffix.lower()
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(ZIP_START):
        return zip_format(suffix, data)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "doc"
    for signature, fmt in SIGNATURES.items():
        if head.startswith(signature):
            return fmt
    if HTML_START.match(head.lstrip(b"\xef\xbb\xbf")):
        return "html"
    return EXTENSIONS.get(suffix, "txt")


def read_txt(data: bytes) -> Extracted:
    text, encoding = decode_text(data)
    return Extracted(text, encoding)


def read_doc(_: bytes) -> Extracted:
    raise UnreadableSource("legacy Word (.doc) files cannot be read; save it as .docx or PDF")


def refuse_as(what: str, advice: str) -> Callable[[bytes], Extracted]:
    """A reader for a format that is not a report: it names what the file is."""

    def refuse(_: bytes) -> Extracted:
        raise UnreadableSource(f"{what}: not a report format; {advice}")

    return refuse


READERS: dict[str, Callable[[bytes], Extracted]] = {
    "txt": read_txt,
    "html": read_html,
    "docx": read_docx,
    "pdf": read_pdf,
    "doc": read_doc,
    **{fmt: refuse_as(what, advice) for fmt, (what, advice) in NOT_REPORTS.items()},
}
