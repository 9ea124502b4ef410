"""The segmentation vocabulary users extend: rules/jieba_dict.txt, the indicator names, and the
stop words of rules/stopwords.txt; and the part of speech of every word the segmenter knows."""

from __future__ import annotations

import hashlib
from functools import cache
from importlib.util import find_spec
from pathlib import Path

import polars as pl

from pipelines.shared.rule_files import read_rule_words, read_rules

DOMAIN_TAG = "nz"
PLACE_TAG = "ns"
# Parts of speech a keyword may have: nouns, adjectival nouns, idioms, abbreviations and the
# dictionary's own terms. Not place names (the region is a column of its own), not verbal
# nouns (建设, 管理: every report is full of them), not verbs, adverbs or measure words.
KEYWORD_TAGS = ["n", "nr", "nt", "nz", "nw", "an", "l", "i", "j", DOMAIN_TAG]


def jieba_dictionary() -> Path:
    """jieba's own dictionary (word, frequency, part of speech), the one rjieba embeds; found
    without importing jieba."""
    return Path(find_spec("jieba").origin).parent / "dict.txt"


@cache
def domain_words() -> tuple[tuple[str, int | None, str], ...]:
    """(word, frequency or None, part of speech) for every dictionary term, with the indicator
    names and the region names added, so that 公职律师 and 东疆综合保税区 come out whole."""
    words: dict[str, tuple[str, int | None, str]] = {}
    for entry in read_rule_words("jieba_dict.txt"):
        word, *rest = entry.split()
        freq = int(rest[0]) if rest and rest[0].isdigit() else None
        tag = rest[-1] if rest and not rest[-1].isdigit() else DOMAIN_TAG
        words[word] = (word, freq, tag)
    for name in read_rules("indicators.csv")["name_zh"]:
        words.setdefault(name, (name, None, DOMAIN_TAG))
    regions = read_rules("region_aliases.csv")
    for name in pl.concat([regions["alias"], regions["region"]]).unique(maintain_order=True):
        words.setdefault(name, (name, None, PLACE_TAG))
    return tuple(words.values())


@cache
def place_names() -> frozenset[str]:
    return frozenset(word for word, _, tag in domain_words() if tag == PLACE_TAG)


@cache
def contained_terms() -> pl.DataFrame:
    """term, part, offset: the dictionary terms inside a longer dictionary term, so that
    行政规范性文件 counts for 规范性文件 and 行政机关负责人出庭应诉率 for 出庭应诉."""
    words = pl.DataFrame({"term": [word for word, _, _ in domain_words()]})
    return (
        words.join(words.rename({"term": "part"}), how="cross")
        .filter(
            (pl.col("term") != pl.col("part"))
            & pl.col("term").str.contains(pl.col("part"), literal=True)
        )
        .with_columns(offset=pl.col("term").str.find(pl.col("part"), literal=True).cast(pl.Int64))
    )


@cache
def stop_words() -> frozenset[str]:
    return frozenset(read_rule_words("stopwords.txt"))


def vocabulary_key(segmenter_name: str) -> str:
    """Changes whenever segmentation could: another segmenter, another dictionary."""
    digest = hashlib.sha256(segmenter_name.encode())
    for word, freq, tag in domain_words():
        digest.update(f"{word}\t{freq}\t{tag}\n".encode())
    return digest.hexdigest()[:16]


@cache
def term_classes() -> pl.DataFrame:
    """term, keyword_tag, place_tag: every word the segmenter tags as a part of speech a keyword
    may have (KEYWORD_TAGS), or as a place name, by its dictionary entry. A word of jieba's
    dictionary keeps jieba's part of speech when the domain dictionary adds it again (rjieba
    does so, and a test holds these classes to its tags); a word of the domain dictionary only
    has the domain's. A word outside both (numbers, punctuation, Latin letters) is in neither
    class."""
    # Read lazily and deduplicated as read: read whole and then made unique, its 349,000 lines
    # left ~120 MB in polars' allocator for a 4 MB result (now ~80 MB).
    jieba_tags = (
        pl.scan_csv(
            jieba_dictionary(),
            separator=" ",
            has_header=False,
            new_columns=["term", "freq", "tag"],
            schema_overrides={"term": pl.String, "freq": pl.Int64, "tag": pl.String},
            quote_char=None,
        )
        .filter(pl.col("term").is_first_distinct())
        .select("term", "tag")
    )
    domain_tags = pl.LazyFrame(
        [(word, tag) for word, _, tag in domain_words()],
        schema={"term": pl.String, "tag": pl.String},
        orient="row",
    )
    tags = pl.concat([jieba_tags, domain_tags.join(jieba_tags, on="term", how="anti")])
    return (
        tags.select(
            "term",
            keyword_tag=pl.col("tag").is_in(KEYWORD_TAGS),
            place_tag=pl.col("tag") == PLACE_TAG,
        )
        .filter(pl.col("keyword_tag") | pl.col("place_tag"))
        .collect()
    )
