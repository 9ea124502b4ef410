"""Facts: every quantity mention of every sentence, found and parsed with polars expressions.

A mention is a number (Arabic or Chinese numerals, 万/亿 applied) with its unit or measure word
and the qualifiers around it (近/约/余/多/左右, 以上/不少于/超过, 以下/不超过). Dates, document
numbers, outline numbers, ordinals and numbered slogans are not mentions: the grammar leaves
most of them out (年/月/日/号/届 are not units) and rules/not_quantities.tsv the rest.
"""

from __future__ import annotations

import re
from functools import cache

import polars as pl

from pipelines.facts.numbers import han_numerals
from pipelines.settings import RULES_DIR
from pipelines.structure.sentences import pieces_with_offsets

ARABIC = r"\d+(?:,\d{3})*(?:\.\d+)?"
HAN = "零〇一二两三四五六七八九十百千"
APPROX_BEFORE = ["将近", "接近", "大约", "近", "约"]
AT_LEAST_BEFORE = ["不少于", "不低于", "超过", "多于", "高于", "逾"]
AT_MOST_BEFORE = ["不超过", "不高于", "低于", "少于", "不足", "不到"]
PRE = "|".join(AT_LEAST_BEFORE + AT_MOST_BEFORE + APPROX_BEFORE)
POST = "以上|以下|以内|左右|之多|余|多"
MULTIPLIERS = {"千万": 1e7, "百万": 1e6, "万": 1e4, "亿": 1e8}
# Characters a run of ordinary text stops at, so that a mention is tried there.
RUN_STOPS = "0-9" + HAN + "".join({w[0] for w in AT_LEAST_BEFORE + AT_MOST_BEFORE + APPROX_BEFORE})
CLAUSE_BREAK = "，。；：、,;:！？!?（）()“”《》\n"
CONTEXT_QUALIFIERS = {"至少": "at_least", "最少": "at_least", "最多": "at_most"}


@cache
def units() -> list[str]:
    table = pl.read_csv(RULES_DIR / "units.tsv", separator="\t", quote_char=None)
    return sorted(table["unit"].to_list(), key=len, reverse=True)


@cache
def not_quantity_rules() -> pl.DataFrame:
    return pl.read_csv(
        RULES_DIR / "not_quantities.tsv", separator="\t", quote_char=None, infer_schema=False
    ).fill_null("")


def mention_pattern() -> str:
    unit = "|".join(re.escape(u) for u in units())
    percent = rf"百分之[{HAN}]+(?:点[零〇一二三四五六七八九]+)?"
    number = rf"(?:{ARABIC}|[{HAN}]+)"
    multiplier = "|".join(MULTIPLIERS)
    return (
        rf"(?:(?:{PRE})\s*)?(?:{percent}|{number}\s*(?:{multiplier})?\s*(?:余|多)?\s*(?:{unit})半?"
        rf"(?:\s*(?:{POST}))?)"
    )


def mention_parts() -> str:
    """The same grammar with named parts, to take a mention apart."""
    unit = "|".join(re.escape(u) for u in units())
    multiplier = "|".join(MULTIPLIERS)
    return (
        rf"^(?P<pre>{PRE})?\s*(?:百分之(?P<pct>[{HAN}]+)|(?P<num>{ARABIC}|[{HAN}]+)\s*"
        rf"(?P<mult>{multiplier})?\s*(?P<mid>余|多)?\s*(?P<unit>{unit})(?P<half>半)?"
        rf"(?:\s*(?P<post>{POST}))?)$"
    )


def find_mentions(sentences: pl.DataFrame) -> pl.DataFrame:
    """Every candidate mention with its sentence, offsets and the text either side of it."""
    mention = mention_pattern()
    tokens = pieces_with_offsets(
        sentences, "text", rf"{mention}|[^{RUN_STOPS}]+|(?s:.)", ["report_id", "sentence_no"]
    )
    quote_depth = (
        (pl.col("piece").str.count_matches("[“《]") - pl.col("piece").str.count_matches("[”》]"))
        .cum_sum()
        .over("report_id", "sentence_no")
    )
    return (
        tokens.with_columns(
            inside_quotes=(quote_depth - pl.col("piece").str.count_matches("[“《]")) > 0
        )
        .filter(pl.col("piece").str.contains(rf"^(?:{mention})$") & ~pl.col("inside_quotes"))
        .join(
            sentences.select(
                "report_id", "sentence_no", sentence="text", sentence_start="char_start"
            ),
            on=["report_id", "sentence_no"],
        )
        .with_columns(
            before=pl.col("sentence").str.slice(0, pl.col("char_start")),
            after=pl.col("sentence").str.slice(pl.col("char_end")),
        )
        .select(
            "report_id",
            "sentence_no",
            surface="piece",
            offset=pl.col("char_start"),
            char_start=pl.col("sentence_start") + pl.col("char_start"),
            char_end=pl.col("sentence_start") + pl.col("char_end"),
            before="before",
            after="after",
        )
    )


def drop_non_quantities(mentions: pl.DataFrame) -> pl.DataFrame:
    """Leave out ordinals, slogans and labels matched by rules/not_quantities.tsv."""
    excluded = pl.lit(False)
    for surface, before, after, _ in not_quantity_rules().iter_rows():
        rule = pl.lit(True)
        if surface:
            rule &= pl.col("surface").str.contains(surface)
        if before:
            rule &= pl.col("before").str.contains(before)
        if after:
            rule &= pl.col("after").str.contains(after)
        excluded |= rule
    return mentions.filter(~excluded)


def parse_values(mentions: pl.DataFrame) -> pl.DataFrame:
    """value (万/亿 applied), unit (multiplier removed) and qualifier of each mention."""
    parts = mentions.with_columns(
        p=pl.col("surface").str.replace_all(r"\s", "").str.extract_groups(mention_parts())
    ).unnest("p")
    numerals = han_numerals()
    parts = parts.join(numerals, left_on="num", right_on="han", how="left").join(
        numerals.rename({"han_value": "pct_value"}), left_on="pct", right_on="han", how="left"
    )
    multiplier = pl.col("mult").replace_strict(MULTIPLIERS, default=1.0, return_dtype=pl.Float64)
    number = pl.coalesce(
        pl.col("num").str.replace_all(",", "").cast(pl.Float64, strict=False), pl.col("han_value")
    )
    value = (
        pl.when(pl.col("pct").is_not_null())
        .then(pl.col("pct_value"))
        .otherwise(
            number * multiplier + pl.when(pl.col("half").is_not_null()).then(0.5).otherwise(0.0)
        )
    )
    # 至少 qualifies the count a few words on: 每年至少举办2次.
    context = pl.col("before").str.extract(rf"([^{CLAUSE_BREAK}]{{0,6}})$", 1)
    context_qualifier = pl.lit(None, dtype=pl.String)
    for word, qualifier in CONTEXT_QUALIFIERS.items():
        context_qualifier = (
            pl.when(context.str.contains(word, literal=True))
            .then(pl.lit(qualifier))
            .otherwise(context_qualifier)
        )
    qualifier = (
        pl.when(pl.col("pre").is_in(AT_LEAST_BEFORE) | (pl.col("post") == "以上"))
        .then(pl.lit("at_least"))
        .when(pl.col("pre").is_in(AT_MOST_BEFORE) | pl.col("post").is_in(["以下", "以内"]))
        .then(pl.lit("at_most"))
        .when(
            pl.col("pre").is_in(APPROX_BEFORE)
            | pl.col("mid").is_not_null()
            | pl.col("post").is_in(["左右", "余", "多", "之多"])
        )
        .then(pl.lit("approx"))
        .otherwise(pl.coalesce(context_qualifier, pl.lit("exact")))
    )
    unit = pl.when(pl.col("pct").is_not_null()).then(pl.lit("%")).otherwise(pl.col("unit"))
    return parts.with_columns(value=value, unit=unit, qualifier=qualifier).filter(
        pl.col("value").is_not_null()
    )


SUBJECT_FILLERS = (
    r"^(?:其中|全年|今年|年内|累计|共计|共|合计|总计|先后|已经|已|现已|目前|截至目前|同比|分别|均|"
    r"全区|全市|全县|各类|各|完成|实现|达到|达|有|为|涉及|包括|组织|开展|举办|召开|发放|参与|参加|"
    r"每年|每集|每季度|每月)+"
)


def add_subjects(mentions: pl.DataFrame) -> pl.DataFrame:
    """subject: what is counted, as the sentence names it: the clause before the number, and the
    noun right after the unit (1111家次企业 -> 检查企业)."""
    clause_before = pl.col("before").str.extract(rf"([^{CLAUSE_BREAK}]*)$", 1)
    noun_after = pl.col("after").str.extract(rf"^([^{CLAUSE_BREAK}\d]{{0,10}})", 1)
    before_clean = clause_before.str.replace(r"^.*?(?:截至\S*?[，,])", "").str.replace(
        SUBJECT_FILLERS, ""
    )
    after_clean = noun_after.str.replace(r"^(?:的|各|左右|以上|以下)", "").str.extract(
        r"^([\p{Han}]{0,8})", 1
    )
    subject = pl.concat_str(before_clean.str.slice(-12), after_clean.fill_null(""))
    return mentions.with_columns(
        clause=pl.concat_str(clause_before, pl.col("surface"), noun_after.fill_null("")),
        lead=pl.concat_str(pl.col("before"), pl.col("surface"), noun_after.fill_null("")),
        subject=pl.when(subject.str.len_chars() >= 2).then(subject.str.slice(-16)),
    )


def extract_facts(sentences: pl.DataFrame) -> pl.DataFrame:
    """Every quantity mention of the sentences (report_id, sentence_no, text, char_start)."""
    mentions = drop_non_quantities(find_mentions(sentences))
    return add_subjects(parse_values(mentions))
