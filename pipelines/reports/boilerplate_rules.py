"""Line rules for site chrome (navigation, page metadata, footers), kept in rules/boilerplate.tsv."""

from __future__ import annotations

from functools import cache

import polars as pl

from pipelines.settings import RULES_DIR


@cache
def boilerplate_rules() -> pl.DataFrame:
    return pl.read_csv(RULES_DIR / "boilerplate.tsv", separator="\t", quote_char=None)


def chrome_reason(line: pl.Expr) -> pl.Expr:
    """The reason of the first rule a line matches, or null for a line of the report itself."""
    rules = boilerplate_rules()
    reason = pl.lit(None, dtype=pl.String)
    for pattern, why in reversed(list(rules.select("pattern", "reason").iter_rows())):
        reason = pl.when(line.str.contains(pattern)).then(pl.lit(why)).otherwise(reason)
    return reason
