"""Which format a file is, and how each format becomes plain text."""

from __future__ import annotations

import re
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


def detect_format(source_name: str, data: bytes) -> str:
    """The format from the file's first bytes where they tell, else from its extension."""
    head = data[:1024]
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "docx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "doc"
    if HTML_START.match(head.lstrip(b"\xef\xbb\xbf")):
        return "html"
    suffix = PurePosixPath(source_name.split("?")[0]).suffix.lower()
    return EXTENSIONS.get(suffix, "txt")


def read_txt(data: bytes) -> Extracted:
    text, encoding = decode_text(data)
    return Extracted(text, encoding)


def read_doc(_: bytes) -> Extracted:
    raise UnreadableSource("legacy Word (.doc) files cannot be read; save it as .docx or PDF")


READERS: dict[str, Callable[[bytes], Extracted]] = {
    "txt": read_txt,
    "html": read_html,
    "docx": read_docx,
    "pdf": read_pdf,
    "doc": read_doc,
}
