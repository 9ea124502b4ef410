"""The rule files users extend (pipelines/rules), read by one loader so every stage reads them
alike. A table has a header line and # lines are comments; every cell is a string, so a pattern
is never taken for a number. In a .tsv (rules: patterns and conditions, tab-separated, no
quoting, since patterns hold quotes) an empty cell is the empty string, no condition; in a .csv
(data: indicators, aliases, sites) it is null, nothing known. A word list (.txt) has one entry a
line."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import polars as pl

RULES_DIR = Path(__file__).resolve().parent.parent / "rules"


def read_rule_table(path: Path) -> pl.DataFrame:
    """The rule table at path (rules/ or a deployment's own file): .tsv or .csv, as above."""
    if path.suffix == ".tsv":
        table = pl.read_csv(
            path, separator="\t", quote_char=None, comment_prefix="#", infer_schema=False
        )
        return table.fill_null("")
    return pl.read_csv(path, comment_prefix="#", infer_schema=False)


@cache
def read_rules(name: str) -> pl.DataFrame:
    """The rule table rules/NAME, read once per process."""
    return read_rule_table(RULES_DIR / name)


@cache
def read_rule_words(name: str) -> tuple[str, ...]:
    """The entries of the word list rules/NAME: each line stripped, blank lines and lines that
    start with # left out."""
    lines = (RULES_DIR / name).read_text(encoding="utf-8").splitlines()
    return tuple(line.strip() for line in lines if line.strip() and not line.startswith("#"))
