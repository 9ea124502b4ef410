"""Each report's headline figure per indicator: the one figure marts.headline_figures charts,
pairs year with year and puts in the indicator matrix.

Which figure it is depends on the report's own facts alone, so it is picked with them, a batch
of reports at a time, and kept beside them (headline_facts) with its sentence: the marts then
read a small table, where they ranked every figure of the corpus and joined every sentence at
each query (the visual report's two largest queries at 10,000 reports: 0.6 s a build).
"""

from __future__ import annotations

import polars as pl

from pipelines.facts.indicators import indicator_units


def headline_facts(facts: pl.DataFrame, sentences: pl.DataFrame) -> pl.DataFrame:
    """report_id, indicator, fact_no, figures, sentence, sentence_start: for each report and
    indicator it states outside its plans, the first figure in a unit comparable with the
    indicator's own that is neither a part of a total nor a change; figures counts every figure
    the report states for the indicator outside its plans, in any unit.

    facts: rows of the facts table; sentences: report_id, sentence_no, text, char_start."""
    units = indicator_units()
    own_units = pl.DataFrame(
        {"indicator": list(units), "indicator_unit": list(units.values())},
        schema={"indicator": pl.String, "indicator_unit": pl.String},
    )
    # Where the unit's measure is unknown (comparable_unit null), the unit must be the
    # indicator's own.
    comparable = pl.coalesce("comparable_unit", pl.col("unit") == pl.col("indicator_unit"))
    return (
        facts.filter(~pl.col("is_target"))
        .join(own_units, on="indicator")
        .with_columns(figures=pl.len().over("report_id", "indicator").cast(pl.Int64))
        .filter(comparable & (pl.col("role") != "part") & (pl.col("kind") != "change"))
        .sort("report_id", "indicator", "fact_no")
        .unique(["report_id", "indicator"], keep="first", maintain_order=True)
        .join(
            sentences.select(
                "report_id", "sentence_no", sentence="text", sentence_start="char_start"
            ),
            on=["report_id", "sentence_no"],
        )
        .select(
            "report_id",
            "indicator",
            pl.col("fact_no").cast(pl.Int32),
            "figures",
            "sentence",
            pl.col("sentence_start").cast(pl.Int64),
        )
    )
