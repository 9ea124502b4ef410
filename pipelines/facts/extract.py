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

from pipelines.facts.numbers import han_value
from pipelines.shared.rule_files import read_rules
from pipelines.shared.word_cutter import SEPARATOR, word_cutter
from pipelines.structure.sentences import pieces_with_offsets, running_sum

ARABIC = r"\d+(?:,\d{3})*(?:\.\d+)?"
HAN = "零〇一二两三四五六七八九十百千"
HAN_DIGITS = "零〇一二三四五六七八九"
# A Chinese numeral of any size: 十二万三千, 一万二, 三亿五千万 (万 and 亿 inside the numeral).
HAN_NUMBER = rf"[{HAN}]+(?:[万亿][{HAN}]+)*"
APPROX_BEFORE = ["将近", "接近", "大约", "近", "约"]
AT_LEAST_BEFORE = ["不少于", "不低于", "超过", "多于", "高于", "突破", "逾"]
AT_MOST_BEFORE = ["不超过", "不高于", "低于", "少于", "不足", "不到"]
PRE = "|".join(AT_LEAST_BEFORE + AT_MOST_BEFORE + APPROX_BEFORE)
POST = "以上|以下|以内|左右|之多|余|多"
MULTIPLIERS = {"万亿": 1e12, "千万": 1e7, "百万": 1e6, "万": 1e4, "亿": 1e8}
RANGE = "至|到|~|～|-|—"
# Characters a run of ordinary text stops at, so that a mention is tried there.
RUN_STOPS = "0-9" + HAN + "".join({w[0] for w in AT_LEAST_BEFORE + AT_MOST_BEFORE + APPROX_BEFORE})
CLAUSE_BREAK = "，。；：、,;:！？!?（）()“”《》\n"
CONTEXT_QUALIFIERS = {"至少": "at_least", "最少": "at_least", "最多": "at_most"}


@cache
def unit_table() -> pl.DataFrame:
    """unit, kind (count, amount, period, rate, change, other), longest units first."""
    return read_rules("units.tsv").sort(pl.col("unit").str.len_chars(), descending=True)


def units() -> list[str]:
    return unit_table()["unit"].to_list()


@cache
def change_words() -> str:
    """Words before a figure that make it a change, not a level (rules/change_words.tsv)."""
    return "|".join(re.escape(word) for word in read_rules("change_words.tsv")["word"])


@cache
def not_quantity_rules() -> pl.DataFrame:
    return read_rules("not_quantities.tsv")


def mention_parts() -> str:
    """The grammar of a mention, with its parts named: one copy, so that what is found is
    always what can be taken apart."""
    unit = "|".join(re.escape(u) for u in units())
    multiplier = "|".join(MULTIPLIERS)
    number = rf"{ARABIC}|{HAN_NUMBER}"
    return (
        # 百分之一千万: a percentage spelled out has no multiplier after it, its 万 is its own.
        rf"(?P<pre>{PRE})?\s*(?:百分之(?P<pct>[{HAN}]+(?:[万亿][{HAN}]*)*(?:点[{HAN_DIGITS}]+)?)|"
        rf"(?P<num>{number})(?:\s*(?:{RANGE})\s*(?P<high>{number}))?\s*"
        rf"(?P<mult>{multiplier})?\s*(?P<mid>余|多)?\s*(?P<unit>{unit})(?P<half>半)?"
        rf"(?:\s*(?P<post>{POST}))?)"
    )


def mention_pattern() -> str:
    return re.sub(r"\?P<\w+>", "?:", mention_parts())


def find_mentions(sentences: pl.DataFrame) -> pl.DataFrame:
    """Every candidate mention with its sentence, offsets and the text either side of it."""
    mention = mention_pattern()
    # Only sentences the grammar matches somewhere can hold a mention (a piece is part of its
    # sentence, and quotes are counted within a sentence): the rest are not cut into pieces.
    sentences = sentences.filter(pl.col("text").str.contains(mention))
    tokens = pieces_with_offsets(
        sentences, "text", rf"{mention}|[^{RUN_STOPS}]+|(?s:.)", ["report_id", "sentence_no"]
    )
    # A sentence's first piece starts at its offset 0 (pieces are never empty).
    quote_depth = running_sum(pl.col("_opens") - pl.col("_closes"), pl.col("char_start") == 0)
    return (
        # Counted once into columns: polars does not share them across the expressions below.
        tokens.with_columns(
            _opens=pl.col("piece").str.count_matches("[“《]"),
            _closes=pl.col("piece").str.count_matches("[”》]"),
        )
        .with_columns(inside_quotes=(quote_depth - pl.col("_opens")) > 0)
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
    """value (万/亿 applied; the low end of a range), value_high (the high end of a range 3至5天,
    else null), unit (multiplier removed), qualifier and kind of each mention."""
    parts = mentions.with_columns(
        p=pl.col("surface")
        .str.replace_all(r"\s", "")
        .str.extract_groups(f"^(?:{mention_parts()})$")
    ).unnest("p")
    multiplier = pl.col("mult").replace_strict(MULTIPLIERS, default=1.0, return_dtype=pl.Float64)
    half = pl.when(pl.col("half").is_not_null()).then(0.5).otherwise(0.0)

    def number(column: str) -> pl.Expr:
        arabic = pl.col(column).str.replace_all(",", "").cast(pl.Float64, strict=False)
        return pl.coalesce(arabic, han_value(pl.col(column))) * multiplier + half

    value = (
        pl.when(pl.col("pct").is_not_null()).then(han_value(pl.col("pct"))).otherwise(number("num"))
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
    unit = (
        pl.when(pl.col("pct").is_not_null())
        .then(pl.lit("%"))
        # 5个工作日: the 个 belongs to the measure word, the unit is 工作日.
        .otherwise(pl.col("unit").str.replace(r"^个(工作日|小时)$", "$1"))
    )
    kinds = unit_table().select(pl.col("unit").alias("_unit"), pl.col("kind").alias("_kind"))
    parts = parts.with_columns(_unit=unit).join(kinds, on="_unit", how="left")
    is_period = pl.col("_kind") == "period"
    qualifier = (
        pl.when(pl.col("pre").is_in(AT_LEAST_BEFORE) | (pl.col("post") == "以上"))
        .then(pl.lit("at_least"))
        .when(
            pl.col("pre").is_in(AT_MOST_BEFORE)
            | pl.col("post").is_in(["以下", "以内"])
            # 5个工作日内: within a period is at most.
            | (is_period & pl.col("after").str.starts_with("内"))
        )
        .then(pl.lit("at_most"))
        .when(
            pl.col("pre").is_in(APPROX_BEFORE)
            | pl.col("mid").is_not_null()
            | pl.col("post").is_in(["左右", "余", "多", "之多"])
        )
        .then(pl.lit("approx"))
        .otherwise(pl.coalesce(context_qualifier, pl.lit("exact")))
    )
    own_clause = pl.col("before").str.extract(rf"([^{CLAUSE_BREAK}]*)$", 1)
    # 提高至95% is the level reached, not a change.
    changes = own_clause.str.contains(
        f"(?:{change_words()})[^{CLAUSE_BREAK}]{{0,4}}$"
    ) & ~own_clause.str.contains(
        f"(?:{change_words()})[^{CLAUSE_BREAK}]{{0,2}}[至到][^{CLAUSE_BREAK}]{{0,2}}$"
    )
    kind = (
        pl.when(pl.col("_kind").is_in(["rate", "change"]) & changes)
        .then(pl.lit("change"))
        .otherwise(pl.col("_kind").fill_null("other"))
    )
    return (
        # Lazy, so that polars computes the parts shared by these expressions (the numeral's
        # lookups) once: an eager frame evaluates every copy.
        parts.lazy()
        .with_columns(
            value=value,
            value_high=pl.when(pl.col("high").is_not_null()).then(number("high")),
            unit=pl.col("_unit"),
            qualifier=qualifier,
            kind=kind,
        )
        .filter(pl.col("value").is_not_null())
        .drop("_unit", "_kind")
        .collect()
    )


SUBJECT_FILLERS = (
    r"^(?:其中|全年|今年|年内|累计|共计|共|合计|总计|先后|已经|已|现已|目前|截至目前|同比|分别|均|"
    r"全区|全市|全县|各类|各|完成|实现|达到|达|有|为|涉及|包括|组织|开展|举办|召开|发放|参与|参加|"
    r"每年|每集|每季度|每月)+"
)


def _whole_words(texts: pl.Series, keep: str, limit: int) -> pl.Series:
    """Each text cut to at most limit characters at word boundaries (rjieba's own dictionary,
    HMM on, in the cutter process), keeping its last words (keep='end') or its first
    (keep='start')."""
    distinct = texts.unique().drop_nulls().to_list()
    shippable = [text for text in distinct if SEPARATOR not in text]
    joined = dict(zip(shippable, word_cutter().cut_joined(shippable), strict=True))

    def cut(text: str) -> str:
        if text in joined:
            words = joined[text].split(SEPARATOR) if joined[text] else []
        else:
            # Imported here: a text holding the separator is cut in this process, which
            # otherwise never builds rjieba's dictionary.
            from rjieba import cut as cut_words

            words = cut_words(text)
        if keep == "end":
            words.reverse()
        taken, length = [], 0
        for word in words:
            if length + len(word) > limit:
                break
            taken.append(word)
            length += len(word)
        return "".join(reversed(taken) if keep == "end" else taken)

    cuts = pl.DataFrame(
        {"text": distinct, "cut": [cut(text) for text in distinct]},
        schema={"text": pl.String, "cut": pl.String},
    )
    return texts.to_frame("text").join(cuts, on="text", how="left")["cut"]


def add_subjects(mentions: pl.DataFrame) -> pl.DataFrame:
    """subject: what is counted, as the sentence names it, in whole words: the clause before
    the number (from after the last number in it: …22年渔业行政案件 starts at 渔业) and the
    noun right after the unit (检查1111家次企业 -> 检查企业)."""
    clause_before = pl.col("before").str.extract(rf"([^{CLAUSE_BREAK}]*)$", 1)
    noun_after = pl.col("after").str.extract(rf"^([^{CLAUSE_BREAK}\d]{{0,10}})", 1)
    before_clean = (
        clause_before.str.replace(r"^.*?(?:截至\S*?[，,])", "")
        .str.replace(r"^.*[0-9０-９]", "")
        .str.replace(r"^[年月日号]", "")
        .str.replace(SUBJECT_FILLERS, "")
    )
    after_clean = noun_after.str.replace(r"^(?:的|各|左右|以上|以下|以内|内)", "").str.extract(
        r"^([\p{Han}]*)", 1
    )
    frame = mentions.with_columns(_before=before_clean, _after=after_clean.fill_null(""))
    subject = pl.concat_str(
        _whole_words(frame["_before"], "end", 12), _whole_words(frame["_after"], "start", 8)
    )
    return frame.with_columns(
        subject=pl.when(subject.str.len_chars() >= 2).then(subject),
    ).drop("_before", "_after")


def extract_facts(sentences: pl.DataFrame) -> pl.DataFrame:
    """Every quantity mention of the sentences (report_id, sentence_no, text, char_start)."""
    mentions = drop_non_quantities(find_mentions(sentences))
    return add_subjects(parse_values(mentions))
