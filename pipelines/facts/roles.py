"""Totals and their parts: which figure of a sentence is a part of which.

A figure is a part of an earlier one of the same unit in its sentence when the sentence says
so (其中……, N件案件中……, or a bracket after the total: 53件（普通程序40件、简易程序13件）), or
when the figures that follow it add up to it (收到11件，办结9件，在办2件). A figure with parts is
a total; any other a single figure. Charts take totals and single figures, never parts.
"""

from __future__ import annotations

import polars as pl

SENTENCE = ["report_id", "sentence_no"]
# The most figures of one unit a sentence may hold for the sums among them to be looked for:
# prose holds a few; more is a table run into one line.
MAX_FIGURES_SUMMED = 100
# Markers after which the figures of the sentence break a total down.
PART_MARKERS = r"其中|[件起宗项个名人]\p{Han}{0,4}中，?"


def _marked_parents(facts: pl.DataFrame) -> pl.DataFrame:
    """fact_no, parent_fact_no for figures after 其中 or inside a bracket that follows a total."""
    before = pl.col("before")
    # Where the breakdown starts, as an offset into the report: the last marker, or the last
    # open bracket still open, before the figure.
    # A breakdown opened inside brackets ends with them: 不予受理6宗（其中转送4宗），受理58宗.
    marker = before.str.extract(rf"(?:{PART_MARKERS})([^。；;）)]*)$", 1)
    bracket = before.str.extract(r"[（(]([^）)]*)$", 1)
    # Each is null where its marker or bracket is missing: one search each, no test again.
    starts = facts.with_columns(
        _breakdown_at=pl.max_horizontal(
            pl.col("char_start") - marker.str.len_chars(),
            pl.col("char_start") - bracket.str.len_chars() - 1,
        ).cast(pl.Int64)
    )
    candidates = (
        starts.filter(pl.col("_breakdown_at").is_not_null())
        .select(*SENTENCE, "unit", "fact_no", "_breakdown_at")
        .sort("_breakdown_at")
    )
    totals = starts.select(
        *SENTENCE, "unit", parent_fact_no="fact_no", _end=pl.col("char_end").cast(pl.Int64)
    ).sort("_end")
    return candidates.join_asof(
        totals,
        left_on="_breakdown_at",
        right_on="_end",
        by=[*SENTENCE, "unit"],
        strategy="backward",
        # Sorted by offset within each sentence, which the by-groups cannot show polars.
        check_sortedness=False,
    ).select("report_id", "fact_no", "parent_fact_no")


def _summed_parents(facts: pl.DataFrame, marked: pl.DataFrame) -> pl.DataFrame:
    """fact_no, parent_fact_no for runs of two or more figures that add up to the figure of the
    same unit just before them in the sentence; the parts already marked (other than by a
    sum) are left out of the runs."""
    same_unit = [*SENTENCE, "unit"]
    ordered = (
        facts.join(marked, on=["report_id", "fact_no"], how="anti")
        # Every figure is paired with every other of its unit in its sentence: a "sentence" of
        # thousands of figures (a table flattened into one line) would pair billions.
        .filter(pl.len().over(same_unit) <= MAX_FIGURES_SUMMED)
        .sort("report_id", "char_start")
        .with_columns(
            _i=pl.int_range(pl.len()).over(same_unit),
            _sum=pl.col("value").cum_sum().over(same_unit),
        )
    )
    totals = ordered.select(*same_unit, "fact_no", "value", _ti="_i", _tsum="_sum")
    runs = (
        totals.join(ordered.select(*same_unit, "_i", "_sum"), on=same_unit)
        .filter(
            (pl.col("_i") >= pl.col("_ti") + 2)
            & ((pl.col("_sum") - pl.col("_tsum") - pl.col("value")).abs() < 1e-9)
            & (pl.col("value") > 0)
        )
        .group_by(*same_unit, "fact_no", "_ti")
        .agg(_last=pl.col("_i").min())
    )
    return (
        runs.join(ordered.select(*same_unit, "_i", part="fact_no"), on=same_unit)
        .filter((pl.col("_i") > pl.col("_ti")) & (pl.col("_i") <= pl.col("_last")))
        .select("report_id", fact_no="part", parent_fact_no="fact_no")
    )


def add_roles(facts: pl.DataFrame) -> pl.DataFrame:
    """Add role (total, part or single) and parent_fact_no to facts with fact_no, report_id,
    sentence_no, unit, value, before and offsets."""
    kept = facts.filter(pl.col("kind").is_in(["count", "amount", "period"]))
    marked = _marked_parents(kept).filter(pl.col("parent_fact_no").is_not_null())
    parents = (
        pl.concat([marked, _summed_parents(kept, marked)])
        .filter(pl.col("parent_fact_no") != pl.col("fact_no"))
        # The nearest total wins when a figure is marked and also sums into another.
        .group_by("report_id", "fact_no")
        .agg(pl.col("parent_fact_no").max())
    )
    with_parents = facts.join(parents, on=["report_id", "fact_no"], how="left")
    totals = parents.select("report_id", fact_no="parent_fact_no").unique()
    return (
        with_parents.sort("report_id", "fact_no")
        .join(totals.with_columns(_is_total=pl.lit(True)), on=["report_id", "fact_no"], how="left")
        .with_columns(
            parent_fact_no=pl.col("parent_fact_no").cast(pl.Int32),
            role=pl.when(pl.col("parent_fact_no").is_not_null())
            .then(pl.lit("part"))
            .when(pl.col("_is_total"))
            .then(pl.lit("total"))
            .otherwise(pl.lit("single")),
        )
        .drop("_is_total")
        .sort("report_id", "fact_no")
    )
