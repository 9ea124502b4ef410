"""What a format reader gives back: the text, and what the source says about itself."""

from __future__ import annotations

from dataclasses import dataclass, field

HINTS = ("page_title", "page_date", "page_source", "page_url")


@dataclass
class Extracted:
    """text: every line of the source, chrome and all (cleaning decides what is the report).

    main_first and main_last bound the main content, as 0-based line indexes, where the format
    tells (web pages); hints are the source's own metadata, keyed by HINTS.
    """

    text: str
    encoding: str | None = None
    main_first: int | None = None
    main_last: int | None = None
    hints: dict[str, str | None] = field(default_factory=dict)
