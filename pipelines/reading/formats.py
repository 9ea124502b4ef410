"""Which format a file is, and how each format becomes plain text.

A format is told from the file's first bytes where they tell, for zip-based files from the
parts the archive holds (a Word file, a workbook and a plain zip all start with PK), and for
the compound files of old Office versions from the streams they hold (a .doc, a .wps saved by
WPS Office, an .xls and a .ppt all start alike). Formats that are not reports (workbooks,
presentations, images) get a reader that refuses them as what they are, so a reader of one
format is never asked to read another. A plain zip was unpacked when it landed: its reader
says so, and what it left out.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from pathlib import PurePosixPath

from pipelines.landing.archives import SEPARATOR, package_format, unpack
from pipelines.reading.decoding import UnreadableSource, decode_text
from pipelines.reading.extracted import Extracted

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
    ".wps": "wps",
}
# First bytes of archives, whatever the file is called.
SIGNATURES = {
    b"Rar!\x1a\x07": "rar",
    b"7z\xbc\xaf\x27\x1c": "7z",
    b"\x1f\x8b": "gzip",
    b"\x89PNG": "png",
    b"\xff\xd8\xff": "jpeg",
    b"GIF8": "gif",
    b"II*\x00": "tiff",
    b"MM\x00*": "tiff",
    b"{\\rtf": "rtf",
}
# How many of an archive's files its rejection names.
NAMES_SHOWN = 10
OLE_START = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# The stream that tells what an old Office compound file is (names are stored in UTF-16).
OLE_STREAMS = {
    "WordDocument": "doc",
    "Workbook": "xls",
    "Book": "xls",
    "PowerPoint Document": "ppt",
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
SAVE_AS = "save the report as .docx or PDF"
UNPACK = "only zip archives are unpacked; put the report itself in the corpus"
SCAN = "a scanned report is read by OCR when it comes as a PDF"
# What a file that is not a report is, and what to do, in the words of the rejection.
NOT_REPORTS = {
    "xlsx": ("Excel workbook (.xlsx)", SAVE_AS),
    "pptx": ("PowerPoint presentation (.pptx)", SAVE_AS),
    "odt": ("OpenDocument text (.odt)", SAVE_AS),
    "ods": ("OpenDocument spreadsheet (.ods)", SAVE_AS),
    "odp": ("OpenDocument presentation (.odp)", SAVE_AS),
    "epub": ("e-book (.epub)", SAVE_AS),
    "xls": ("Excel 97 workbook (.xls)", SAVE_AS),
    "ppt": ("PowerPoint 97 presentation (.ppt)", SAVE_AS),
    "ole": ("old Office compound file that is no Word document", SAVE_AS),
    "wps-other": ("WPS or Works file (.wps) that is not Word 97 inside", SAVE_AS),
    "rtf": ("RTF document", SAVE_AS),
    "png": ("PNG image", SCAN),
    "jpeg": ("JPEG image", SCAN),
    "gif": ("GIF image", SCAN),
    "tiff": ("TIFF image", SCAN),
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
            return package_format(archive) or "zip"
    # Not only BadZipFile: a damaged member (zlib's error), a name flagged UTF-8 that is not.
    except Exception:
        return ZIP_EXTENSIONS.get(suffix, "docx")


def ole_format(suffix: str, data: bytes) -> str:
    """What an old Office compound file is, from the streams it holds. A .wps that is Word 97
    inside (as WPS Office saves it) is read as one; a damaged .doc is still tried as Word, so
    the converter says what is wrong with it."""
    for stream, fmt in OLE_STREAMS.items():
        if stream.encode("utf-16-le") in data:
            if fmt == "doc":
                return "wps" if suffix == ".wps" else "doc"
            return fmt
    return {".doc": "doc", ".wps": "wps-other"}.get(suffix, "ole")


def detect_format(source_name: str, data: bytes) -> str:
    """The format from the file's first bytes where they tell, else from its extension."""
    head = data[:1024]
    suffix = PurePosixPath(source_name.split("?")[0]).suffix.lower()
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(ZIP_START):
        return zip_format(suffix, data)
    if head.startswith(OLE_START):
        return ole_format(suffix, data)
    for signature, fmt in SIGNATURES.items():
        if head.startswith(signature):
            return fmt
    if HTML_START.match(head.lstrip(b"\xef\xbb\xbf")):
        return "html"
    named = EXTENSIONS.get(suffix, "txt")
    # A PDF may start with a little junk before its signature.
    if named == "pdf" and b"%PDF" in head:
        return "pdf"
    # Text saved under a Word or PDF name (by hand, or renamed) is read as the text it is,
    # rather than set aside as a corrupt Word or PDF file with a good report inside.
    if named in SIGNED_FORMATS and _is_text(data):
        return "txt"
    return named


# Formats whose files always start with their signature (zip, OLE, %PDF).
SIGNED_FORMATS = {"docx", "pdf", "doc", "wps"}


def _is_text(data: bytes) -> bool:
    try:
        decode_text(data)
    except UnreadableSource:
        return False
    return True


# The readers of web pages, Word and PDF load their parsers when a file of theirs is read: a
# build with nothing new to read starts without them.
def read_html(data: bytes) -> Extracted:
    from pipelines.reading.html_pages import read_html as read

    return read(data)


def read_docx(data: bytes) -> Extracted:
    from pipelines.reading.word import read_docx as read

    return read(data)


def read_pdf(data: bytes) -> Extracted:
    from pipelines.reading.pdf import read_pdf as read

    return read(data)


def read_legacy_word(data: bytes, what: str) -> Extracted:
    from pipelines.reading.legacy_word import read_legacy_word as read

    return read(data, what)


def read_txt(data: bytes) -> Extracted:
    text, encoding = decode_text(data)
    return Extracted(text, encoding)


def read_doc(data: bytes) -> Extracted:
    return read_legacy_word(data, "legacy Word (.doc) file")


def read_wps(data: bytes) -> Extracted:
    return read_legacy_word(data, "WPS file (.wps, Word 97 inside)")


def read_zip(data: bytes, depth: int = 1) -> Extracted:
    """A zip's files landed as inputs of their own: say which, and which were left out. depth:
    how deep in other archives this one was found (1: not in any), as landing unpacked it."""
    try:
        members = unpack(data, depth)
    except Exception as error:
        raise UnreadableSource(f"damaged zip archive: {error}") from error
    taken = [member.name for member in members if member.data is not None]
    left_out = "; ".join(f"{m.name} ({m.skipped})" for m in members if m.skipped)
    shown = ", ".join(f"archive!{name}" for name in taken[:NAMES_SHOWN])
    more = f" and {len(taken) - NAMES_SHOWN} more" if len(taken) > NAMES_SHOWN else ""
    said = (
        f"zip archive: unpacked, its {len(taken)} file(s) read as inputs of their own "
        f"({shown}{more})"
        if taken
        else "zip archive with no file to read"
    )
    raise UnreadableSource(said + (f"; left out: {left_out}" if left_out else ""))


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
    "wps": read_wps,
    "zip": read_zip,
    **{fmt: refuse_as(what, advice) for fmt, (what, advice) in NOT_REPORTS.items()},
}


def read_source(source_name: str, source_format: str, data: bytes) -> Extracted:
    """The reader of the format, given what it needs of the input's name: an archive inside
    another (a.zip!b.zip) is unpacked as deep as landing unpacked it, no deeper."""
    if source_format == "zip":
        return read_zip(data, depth=source_name.count(SEPARATOR) + 1)
    return READERS[source_format](data)
