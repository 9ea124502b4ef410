"""Which format a file is, and how each format becomes plain text."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import PurePosixPath

from pipelines.reading.decoding import UnreadableSource, decode_text

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


def read_txt(data: bytes) -> tuple[str, str]:
    return decode_text(data)


def _unsupported(format_name: str) -> Callable[[bytes], tuple[str, str]]:
    def read(_: bytes) -> tuple[str, str]:
        raise UnreadableSource(f"{format_name} files are not supported yet")

    return read


READERS: dict[str, Callable[[bytes], tuple[str, str]]] = {
    "txt": read_txt,
    "html": _unsupported("HTML"),
    "docx": _unsupported("Word (.docx)"),
    "pdf": _unsupported("PDF"),
    "doc": _unsupported("legacy Word (.doc); save it as .docx"),
}
