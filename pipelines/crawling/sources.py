"""The sites users want crawled: rules/crawl_sources.csv, or the file FAZHI_CRAWL_SOURCES names."""

from __future__ import annotations

import os
from pathlib import Path

from pipelines.shared.rule_files import RULES_DIR, read_rule_table

SOURCES = RULES_DIR / "crawl_sources.csv"


def sources_file() -> Path:
    """The list of sites in force: a deployment keeps its own list outside the code."""
    return Path(os.environ.get("FAZHI_CRAWL_SOURCES") or SOURCES)


def listed_sources() -> list[tuple[str, str | None]]:
    """(listing url, link pattern or None) for every site listed."""
    table = read_rule_table(sources_file())
    return [
        (url, pattern or None)
        for url, pattern in table.select("listing_url", "link_pattern").iter_rows()
    ]
