"""Rule files of the facts stage: tab-separated, every cell a string, # lines are comments."""

from __future__ import annotations

import polars as pl

from pipelines.settings import RULES_DIR


def read_rules(name: str) -> pl.DataFrame:
    return pl.read_csv(
        RULES_DIR / name,
        separator="\t",
        quote_char=None,
        infer_schema=False,
        comment_prefix="#",
    ).fill_null("")
