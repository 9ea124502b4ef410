"""Map quantity mentions to standard indicators with the rules of rules/indicator_rules.tsv.

Each rule names the indicator, the units it is stated in, topic words (行政复议), an optional
pattern the mention's own clause must show (办结 for cases closed) and one it must not. The
topic is looked for backwards from the mention: in its own clause, or, when the clause only
adds a number to what came before (已结案11件, 二审140件), in the earlier clauses of the
sentence. The rule whose topic stands nearest wins; ties go to the rule listed first.
"""

from __future__ import annotations

import re
from functools import cache

import polars as pl

from pipelines.settings import RULES_DIR

RULE_CLAUSE_BREAK = "，。；：,;:！？!?\n"
# A clause that says no more than this before its number continues the previous clause's topic.
MAX_CONTINUATION = 5
MAX_TOPIC_DISTANCE = 120  # bytes of UTF-8 back from the mention's end: about 40 characters


@cache
def indicator_rules() -> pl.DataFrame:
    return pl.read_csv(
        RULES_DIR / "indicator_rules.tsv", separator="\t", quote_char=None, infer_schema=False
    ).fill_null("")


def _reversed_alternation(words: str) -> str:
    return "|".join(re.escape(word[::-1]) for word in words.split("|"))


def map_indicators(facts: pl.DataFrame) -> pl.DataFrame:
    """Add indicator (an indicators.indicator_id or null) to facts with surface, unit, before
    (the sentence up to the mention) and after (the sentence after it)."""
    own_before = pl.col("before").str.extract(rf"([^{RULE_CLAUSE_BREAK}]*)$", 1)
    noun_after = pl.col("after").str.extract(r"^(\p{Han}{0,10})", 1).fill_null("")
    frame = facts.with_columns(
        _clause=pl.concat_str(own_before, pl.col("surface"), noun_after),
        _lead_reversed=pl.concat_str(pl.col("before"), pl.col("surface"), noun_after).str.reverse(),
        _continues=(own_before.str.len_chars() <= MAX_CONTINUATION) & (noun_after == ""),
    )
    clause_bytes = pl.col("_clause").str.len_bytes()
    distances = []
    for i, (_, units, topics, clause, exclude) in enumerate(indicator_rules().iter_rows()):
        found = pl.col("_lead_reversed").str.find(_reversed_alternation(topics))
        in_reach = (found < clause_bytes) | (pl.col("_continues") & (found < MAX_TOPIC_DISTANCE))
        eligible = pl.col("unit").str.contains(f"^(?:{units})$") & in_reach
        if clause:
            eligible &= pl.col("_clause").str.contains(clause)
        if exclude:
            eligible &= ~pl.col("_clause").str.contains(exclude)
        distances.append(pl.when(eligible).then(found * 100 + i).alias(f"_rule_{i}"))
    frame = frame.with_columns(distances)
    rule_columns = [f"_rule_{i}" for i in range(len(distances))]
    ids = indicator_rules()["indicator_id"].to_list()
    best = pl.min_horizontal(rule_columns)
    # A topic carried over from an earlier clause must be the nearest topic of any rule: a
    # rate after 依申请公开 is not a mediation rate because 纠纷 came up before that.
    nearest_any = pl.col("_lead_reversed").str.find(
        _reversed_alternation("|".join(indicator_rules()["topics"]))
    )
    winner = (best % 100).cast(pl.Int64)
    in_own_clause = best // 100 < pl.col("_clause").str.len_bytes()
    indicator = pl.when(best.is_not_null() & (in_own_clause | (best // 100 <= nearest_any))).then(
        winner.replace_strict(dict(enumerate(ids)), return_dtype=pl.String, default=None)
    )
    return frame.with_columns(indicator=indicator).drop(
        rule_columns, "_clause", "_lead_reversed", "_continues"
    )
