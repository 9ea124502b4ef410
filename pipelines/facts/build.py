"""The facts table: mentions placed in their sections and parts, mapped to indicators, with
totals told from their parts."""

from __future__ import annotations

import polars as pl

from pipelines.facts.extract import extract_facts
from pipelines.facts.indicators import map_indicators
from pipelines.facts.roles import add_roles


def build_facts(sentences: pl.DataFrame) -> pl.DataFrame:
    """sentences: report_id, sentence_no, section_no, part, text, char_start."""
    facts = (
        map_indicators(extract_facts(sentences))
        .join(
            sentences.select("report_id", "sentence_no", "section_no", "part"),
            on=["report_id", "sentence_no"],
        )
        .sort("report_id", "char_start")
        .with_columns(
            fact_no=pl.int_range(pl.len()).over("report_id").cast(pl.Int32),
            is_target=pl.col("part") == "plans",
        )
    )
    return add_roles(facts)
