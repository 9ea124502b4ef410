"""What a format reader gives back: the text, and what the source says about itself."""

from __future__ import annotations

from dataclasses import dataclass, field

HINTS = ("page_title", "page_date", "page_source", "page_url")


@dataclass
class Extracted:
    """text: every line of the source, chrome and all (cleaning decides what is the report).

    main_first and main_last bound the main content, as 0-based line indexes, where the format
    tells (web pages); hints are the source's own metadata, keyed by HINTS. furniture_lines are
    the 0-based indexes of lines printed on every page rather than written once (a PDF's
    running header or footer). source_format names how the text was had where the reader
    says more than the format (pdf-ocr); ocr_confidence is the mean confidence of the
    characters OCR read, and ocr_pages each OCR'd page (1-based) with its own.
    """

    text: str
    encoding: str | None = None
    main_first: int | None = None
    main_last: int | None = None
    hints: dict[str, str | None] = field(default_factory=dict)
    furniture_lines: list[int] = field(default_factory=list)
    source_format: str | None = None
    ocr_confidence: float | None = None
    ocr_pages: list[tuple[int, float]] = field(default_factory=list)
