"""Map quantity mentions to standard indicators by a grammar of counted things.

An indicator is a combination, not a phrase: an object (行政复议, 规范性文件, 执法检查 ...:
rules/indicator_objects.tsv), the verb classes it may be stated with (received, closed, reviewed
...: rules/indicator_verbs.tsv) and the class of its unit (cases in 件/宗/起, people in 名/人/位
...: rules/unit_classes.tsv), combined in rules/indicator_grammar.tsv. A user extends any of
the four files to teach fazhi a new wording without touching code.

For each mention the object and the verb are looked for in its own clause: the object nearest
before the number, else the head of the noun phrase after it (1件规范性文件的合法性审核 counts
reviews: the head of X的Y is Y); the verb likewise. A clause that names no object continues
the topic of the mention before it in the sentence (渔业行政案件立案41宗，已处罚36宗), or of
the clause before it when it is the first; naming any object ends the topic, including kinds of
action no indicator counts (行政奖励2项、其他5项).
"""

from __future__ import annotations

import re
from functools import cache

import polars as pl

from pipelines.shared.rule_files import read_rules

# Clause breaks: the object and verb of a mention are looked for inside its own clause.
CLAUSE_BREAK = "，。；：、,;:！？!?（）()\n"
# How far back (characters) the first mention of a sentence looks for a topic in the clauses
# before its own.
TOPIC_REACH = 40
# Verb classes that say the counted thing is not the activity itself: they block every rule
# that does not name them.
NEGATIVE_VERBS = ("refused", "decided", "pending", "prevented", "evaluated")
NO_VERB = "none"
NOT_FITTING = 10**12


@cache
def objects() -> pl.DataFrame:
    return read_rules("indicator_objects.tsv")


@cache
def verbs() -> pl.DataFrame:
    return read_rules("indicator_verbs.tsv")


@cache
def unit_classes() -> dict[str, list[str]]:
    return {
        row["unit_class"]: row["units"].split("|")
        for row in read_rules("unit_classes.tsv").iter_rows(named=True)
    }


@cache
def grammar() -> pl.DataFrame:
    return read_rules("indicator_grammar.tsv")


@cache
def indicator_units() -> dict[str, str]:
    """indicator_id -> its own unit (rules/indicators.csv)."""
    table = read_rules("indicators.csv")
    return dict(zip(table["indicator_id"], table["unit"], strict=True))


@cache
def unit_measures() -> dict[str, str]:
    table = read_rules("units.tsv")
    return dict(zip(table["unit"], table["measure"], strict=True))


def measure_of(unit: pl.Expr) -> pl.Expr:
    """What a unit measures (rules/units.tsv): 件, 宗 and 起 all count pieces."""
    return unit.replace_strict(unit_measures(), default=unit, return_dtype=pl.String)


@cache
def counted_nouns() -> str:
    return "|".join(read_rules("counted_nouns.tsv")["noun"])


def _word_table(rules: pl.DataFrame, name: str) -> dict[str, str]:
    """word -> its class, longest words first, so an alternation prefers 不予受理 to 受理."""
    table = {
        word: row[name] for row in rules.iter_rows(named=True) for word in row["words"].split("|")
    }
    return dict(sorted(table.items(), key=lambda item: -len(item[0])))


def _alternation(words: list[str], reverse: bool = False) -> str:
    return "|".join(re.escape(word[::-1] if reverse else word) for word in words)


def _nearest_before(text: pl.Expr, table: dict[str, str]) -> pl.Expr:
    """The class of the word of table nearest the end of text (null if none)."""
    found = text.str.reverse().str.extract(f"({_alternation(list(table), reverse=True)})", 1)
    return found.str.reverse().replace_strict(table, default=None, return_dtype=pl.String)


def _first(text: pl.Expr, table: dict[str, str]) -> pl.Expr:
    found = text.str.extract(f"({_alternation(list(table))})", 1)
    return found.replace_strict(table, default=None, return_dtype=pl.String)


def _last(text: pl.Expr, table: dict[str, str]) -> pl.Expr:
    return _nearest_before(text, table)


def _without_negated(text: pl.Expr, words: list[str]) -> pl.Expr:
    """The text with a negated object read as another kind of thing (其他): 非许可类事项 are
    not licensing items, and they end the topic carried along a list."""
    return text.str.replace_all(f"非\\p{{Han}}{{1,6}}类|[非无未](?:{_alternation(words)})", "其他")


def clause_context(facts: pl.LazyFrame) -> pl.LazyFrame:
    """The clause around each mention (own_before, after_clause, with negated objects blanked),
    the object it states or carries (object: the nearest one; object_from: clause, carried or
    lead) and its verb."""
    object_words = _word_table(objects(), "object")
    verb_words = _word_table(verbs(), "verb")
    words = list(object_words)
    own_before = pl.col("before").str.extract(rf"([^{CLAUSE_BREAK}]*)$", 1)
    after_clause = pl.col("after").str.extract(rf"^([^{CLAUSE_BREAK}]*)", 1)
    earlier = pl.col("before").str.slice(
        0, pl.col("before").str.len_chars() - own_before.str.len_chars()
    )
    lead = earlier.str.slice(
        (earlier.str.len_chars().cast(pl.Int64) - TOPIC_REACH).clip(lower_bound=0)
    )
    sentence = ["report_id", "sentence_no"]
    frame = (
        facts.sort("report_id", "char_start")
        .with_columns(
            own_before=_without_negated(own_before, words),
            after_clause=_without_negated(after_clause, words),
            _lead=_without_negated(lead, words),
        )
        .with_columns(
            _own_object=pl.coalesce(
                _nearest_before(pl.col("own_before"), object_words),
                _last(pl.col("after_clause"), object_words),
            ),
            _own_verb=pl.coalesce(
                _nearest_before(pl.col("own_before"), verb_words),
                _first(pl.col("after_clause"), verb_words),
            ),
            _lead_object=_nearest_before(pl.col("_lead"), object_words),
            _first_in_sentence=pl.struct(sentence).is_first_distinct(),
        )
    )
    first = pl.col("_first_in_sentence")

    def just_before(value: pl.Expr) -> pl.Expr:
        # Rows are in sentence order (sorted by offset), so the row before a mention is of its
        # own sentence unless the mention is the first: no window over every sentence needed.
        return pl.when(~first).then(value.shift(1))

    frame = frame.with_columns(
        object=pl.coalesce("_own_object", pl.when(first).then("_lead_object"))
        .forward_fill()
        .over(sentence),
        # A verb carries along with its topic (共审核合同45份，制度文件7份), a negative one does
        # not: 排查纠纷1840次，调解纠纷1523件 are not both screening.
        _verb_so_far=pl.when(~pl.col("_own_verb").is_in(NEGATIVE_VERBS))
        .then("_own_verb")
        .forward_fill()
        .over(sentence),
    )
    same_topic = pl.col("_own_object").is_null() | (
        pl.col("_own_object") == just_before(pl.col("object"))
    )
    return frame.with_columns(
        object_from=pl.when(pl.col("_own_object").is_not_null())
        .then(pl.lit("clause"))
        .when(pl.col("object").is_not_null() & first)
        .then(pl.lit("lead"))
        .when(pl.col("object").is_not_null())
        .then(pl.lit("carried")),
        verb=pl.coalesce(
            "_own_verb", pl.when(same_topic).then(just_before(pl.col("_verb_so_far")))
        ),
    ).drop(
        "_own_object", "_own_verb", "_lead_object", "_first_in_sentence", "_lead", "_verb_so_far"
    )


def _object_distance(object_name: str) -> pl.Expr:
    """How near the mention its own clause names the object: characters back from the number,
    or, after it, 1000 plus characters back from the clause's end (the head of a noun phrase
    is its last noun); null when the clause does not name it."""
    words = [w for w, o in _word_table(objects(), "object").items() if o == object_name]
    reversed_words = _alternation(words, reverse=True)
    before = pl.col("_before_reversed").str.find(reversed_words)
    after = pl.col("_after_reversed").str.find(reversed_words)
    return pl.min_horizontal(before, after + 1000)


def map_indicators(facts: pl.DataFrame) -> pl.DataFrame:
    """Add indicator and indicator_rule (why) to facts with surface, unit, kind, before and
    after (the sentence either side of the mention).

    Every rule whose object the mention's clause names, and whose verb and unit fit, is a
    candidate; the one whose object stands nearest wins, ties to the rule listed first. A
    clause that names no object takes the object carried to it."""
    rules = list(grammar().iter_rows(named=True))
    # Each object's distance once, however many rules name it.
    named = list(dict.fromkeys(rule["object"] for rule in rules))
    frame = (
        # Lazy, so that polars computes the expressions the rules share once: an eager frame
        # evaluates every copy.
        clause_context(facts.lazy())
        .with_columns(
            _before_reversed=pl.col("own_before").str.reverse(),
            _after_reversed=pl.col("after_clause").str.reverse(),
            _clause=pl.concat_str("own_before", "surface", "after_clause"),
        )
        .with_columns(_object_distance(name).alias(f"_distance_{name}") for name in named)
    )
    clause = pl.col("_clause")
    counts_other_thing = pl.col("after_clause").str.contains(f"^(?:{counted_nouns()})")
    verb = pl.col("verb").fill_null(NO_VERB)
    carried = pl.col("object_from").is_in(["carried", "lead"])
    scores = []
    for i, rule in enumerate(rules):
        unit_class = rule["unit_class"]
        allowed = [v or NO_VERB for v in rule["verbs"].split("|")] if rule["verbs"] else []
        # A carried topic holds for a clause that names nothing after its number: 工贸企业154家次
        # goes on counting inspections, 约谈80余家企业负责人 counts something else.
        carries = (pl.col("object") == rule["object"]) & (pl.col("after_clause") == "")
        distance = (
            pl.when(carried)
            .then(pl.when(carries).then(0))
            .otherwise(pl.col(f"_distance_{rule['object']}"))
        )
        fits = pl.col("unit").is_in(unit_classes()[unit_class])
        if allowed:
            fits &= verb.is_in(allowed)
        else:
            fits &= ~verb.is_in(NEGATIVE_VERBS)
        if unit_class == "percent":
            fits &= (pl.col("kind") == "rate") & clause.str.contains("率")
        elif unit_class != "people":
            # 7个方面开展审计项目44个: the 7 counts aspects, not audits.
            fits &= ~counts_other_thing
        if rule["require"]:
            fits &= clause.str.contains(rule["require"])
        if rule["exclude"]:
            fits &= ~clause.str.contains(rule["exclude"])
        score = pl.when(fits).then(distance.cast(pl.Int64) * 100 + i)
        scores.append(score.fill_null(NOT_FITTING).alias(f"_rule_{i}"))
    frame = frame.with_columns(scores)
    best = pl.min_horizontal([f"_rule_{i}" for i in range(len(rules))])
    chosen = pl.DataFrame(
        {
            "_rule": range(len(rules)),
            "indicator": [r["indicator_id"] for r in rules],
            "_unit_class": [r["unit_class"] for r in rules],
            "_indicator_unit": [indicator_units()[r["indicator_id"]] for r in rules],
        },
        schema_overrides={"_rule": pl.Int64},
    )
    return (
        frame.with_columns(_rule=pl.when(best < NOT_FITTING).then(best % 100))
        .join(chosen.lazy(), on="_rule", how="left")
        # Comparable with the indicator's own unit when both measure the same thing
        # (rules/units.tsv): 宗 and 起 count pieces like 件, 位 people like 名; 家 (firms) and
        # 家次 (visits) are not 名 and 次.
        .with_columns(
            comparable_unit=pl.when(pl.col("indicator").is_not_null()).then(
                measure_of(pl.col("unit")) == measure_of(pl.col("_indicator_unit"))
            )
        )
        .with_columns(
            indicator_rule=pl.when(pl.col("indicator").is_not_null()).then(
                pl.format(
                    "{}: object {} ({}), verb {}, unit {}",
                    "indicator",
                    "object",
                    "object_from",
                    verb,
                    "_unit_class",
                )
            )
        )
        .drop(
            [f"_rule_{i}" for i in range(len(rules))],
            "_rule",
            "_unit_class",
            "_indicator_unit",
            "own_before",
            "after_clause",
            "object_from",
            "_before_reversed",
            "_after_reversed",
            "_clause",
            [f"_distance_{name}" for name in named],
        )
        .collect()
    )
