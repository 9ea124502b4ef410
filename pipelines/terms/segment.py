"""Segmentation: each report's text cut into words, once per content.

The segmenter is jieba's dictionary algorithm with HMM off (new words are not guessed, so
counts stay stable), run by rjieba, the binding of the Rust port: a test holds its tokens equal
to jieba's own on the seeds with the project dictionary, and it is about twenty times faster.
It only cuts: the part of speech of a word is the dictionary's, looked up by a join over all the
words at once (dictionary.term_classes), not asked of the segmenter one token at a time.
"""

from __future__ import annotations

import logging
from functools import cache
from importlib.metadata import version
from typing import TYPE_CHECKING

import polars as pl

from pipelines.shared.word_cutter import SEPARATOR, tokenizer_with, word_cutter
from pipelines.terms.dictionary import domain_words

if TYPE_CHECKING:
    import jieba
    import rjieba

SEGMENTER = f"rjieba-{version('rjieba')}-hmm-off"


@cache
def segmenter() -> rjieba.Jieba:
    return tokenizer_with(domain_words())


@cache
def reference_segmenter() -> jieba.Tokenizer:
    """Plain jieba with the same dictionary: the reference rjieba is held to, and the baseline
    the benchmark measures against (imported here: a build never needs it)."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    for word, freq, tag in domain_words():
        tokenizer.add_word(word, freq, tag)
    return tokenizer


def segment(text: str) -> list[str]:
    """Tokens that concatenate back to the text exactly, punctuation and spaces included."""
    return segmenter().cut(text, False)


# A call with at least this many texts cuts them in this process, in the calling thread; a
# smaller one in the cutter process (shared.word_cutter), which builds its dictionary without
# stalling this one (~0.3 s for rjieba's two: re-runs with one new report at 10,000 reports
# 2.93-3.07 s against 3.05-3.47 s, alternated). For a batch of a build, shipping the texts and
# the cutter's competing for the cores cost more (2,000 reports: 11.5-12.0 s cut here,
# 11.8-12.2 s there, alternated), while the thread cutting here gives way to the main thread
# whenever that runs Python.
IN_PROCESS_FROM = 250


def segment_joined(texts: list[str]) -> list[str]:
    """Each text's tokens joined by SEPARATOR, in order; texts must not hold SEPARATOR.

    The terms stage runs this in a thread of its own beside the stages that work on the same
    batch (segment_cache.start_segmenting); rjieba releases the GIL while it cuts."""
    if len(texts) < IN_PROCESS_FROM:
        return word_cutter().cut_joined(texts, domain_words(), False)
    cut = segmenter().cut
    return [SEPARATOR.join(cut(text, False)) for text in texts]


def split_tokens(joined: pl.Expr) -> pl.Expr:
    """The list of tokens of a string segment_joined made (an empty text has none)."""
    return (
        pl.when(joined == "")
        .then(pl.lit([], dtype=pl.List(pl.String)))
        .otherwise(joined.str.split(SEPARATOR))
    )


def segment_texts(texts: list[str]) -> pl.Series:
    """The tokens of each text (a list), in order."""
    shippable = [SEPARATOR not in text for text in texts]
    joined = iter(segment_joined([text for text, ok in zip(texts, shippable, strict=True) if ok]))
    tokens = pl.Series(
        "tokens", [next(joined) if ok else None for ok in shippable], dtype=pl.String
    )
    split = pl.select(split_tokens(pl.lit(tokens))).to_series().rename("tokens")
    if all(shippable):
        return split
    # A text holding the separator is segmented on its own, its tokens a list from the start.
    return pl.Series(
        "tokens",
        [
            tokens if ok else segment(text)
            for tokens, ok, text in zip(split.to_list(), shippable, texts, strict=True)
        ],
        dtype=pl.List(pl.String),
    )
