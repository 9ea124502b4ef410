"""The sites users want crawled, from rules/crawl_sources.csv."""

from __future__ import annotations

import polars as pl

from pipelines.settings import RULES_DIR

SOURCES = RULES_DIR / "crawl_sources.csv"


def listed_sources() -> list[tuple[str, str | None]]:
    """(listing url, link pattern or None) for every site listed."""
    table = pl.read_csv(SOURCES, comment_prefix="#", schema_overrides={"link_pattern": pl.String})
    return [
        (url, pattern or None)
        for url, pattern in table.select("listing_url", "link_pattern").iter_rows()
    ]
