"""Segmentation: each report's text cut into words, once per content, on the cores that are free.

The segmenter is jieba's dictionary algorithm with HMM off (new words are not guessed, so
counts stay stable), run by rjieba, the binding of the Rust port: a test holds its tokens equal
to jieba's own on the seeds with the project dictionary, and it is about twenty times faster.
It only cuts: the part of speech of a word is the dictionary's, looked up by a join over all the
words at once (dictionary.term_classes), not asked of the segmenter one token at a time.
"""

from __future__ import annotations

import logging
import os
from concurrent.futures import ProcessPoolExecutor
from functools import cache
from importlib.metadata import version
from multiprocessing import get_context
from typing import TYPE_CHECKING

import polars as pl

from pipelines.terms.dictionary import domain_words

if TYPE_CHECKING:
    import jieba
    import rjieba

SEGMENTER = f"rjieba-{version('rjieba')}-hmm-off"
# Below this many characters, starting worker processes costs more than it saves: on 2 cores,
# 9M characters take 0.9 s in one process and 0.7 s in two, 0.9M take 0.08 s and 0.10 s.
PARALLEL_FROM_CHARS = 4_000_000
# Segmented texts travel as one string per text, tokens apart by this character: a string
# crosses processes and reaches polars far cheaper than a list of small strings, and polars
# splits it without making a Python object per token. No decoded text holds it; a text that
# does (a PDF's text layer might) is segmented on its own.
SEPARATOR = "\x00"


@cache
def segmenter() -> rjieba.Jieba:
    # Imported here: loading rjieba builds its dictionary, which a run with nothing new to
    # segment does without.
    from rjieba import Jieba

    tokenizer = Jieba()
    for word, freq, tag in domain_words():
        tokenizer.add_word(word, freq, tag)
    return tokenizer


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


def _joined(texts: list[str]) -> list[str]:
    cut = segmenter().cut
    return [SEPARATOR.join(cut(text, False)) for text in texts]


# The texts a forked worker segments: it inherits them, so they are never pickled to it.
_TEXTS: list[str] = []


def _joined_slice(start: int, step: int) -> list[str]:
    return _joined(_TEXTS[start::step])


def free_cores() -> int:
    """The cores this process may run on that other processes are not already keeping busy
    (the load average counts this process too)."""
    cores = len(os.sched_getaffinity(0))
    busy_elsewhere = max(0.0, os.getloadavg()[0] - 1)
    return max(1, min(cores, round(cores - busy_elsewhere)))


def segment_joined(
    texts: list[str], workers: int | None = None, parallel_from_chars: int = PARALLEL_FROM_CHARS
) -> list[str]:
    """Each text's tokens joined by SEPARATOR, in order; texts must not hold SEPARATOR. In
    worker processes, one per free core, when there is enough text to be worth starting them."""
    workers = workers or free_cores()
    if workers == 1 or sum(map(len, texts)) < parallel_from_chars:
        return _joined(texts)
    global _TEXTS
    # The segmenter is built before the fork, so the workers start with it; interleaved slices
    # even out long and short reports over them.
    segmenter()
    _TEXTS = texts
    try:
        with ProcessPoolExecutor(workers, mp_context=get_context("fork")) as pool:
            slices = list(pool.map(_joined_slice, range(workers), [workers] * workers))
    finally:
        _TEXTS = []
    joined = [""] * len(texts)
    for start, result in enumerate(slices):
        joined[start::workers] = result
    return joined


def split_tokens(joined: pl.Expr) -> pl.Expr:
    """The list of tokens of a string segment_joined made (an empty text has none)."""
    return (
        pl.when(joined == "")
        .then(pl.lit([], dtype=pl.List(pl.String)))
        .otherwise(joined.str.split(SEPARATOR))
    )


def segment_texts(
    texts: list[str], workers: int | None = None, parallel_from_chars: int = PARALLEL_FROM_CHARS
) -> pl.Series:
    """The tokens of each text (a list), in order."""
    shippable = [SEPARATOR not in text for text in texts]
    joined = iter(
        segment_joined(
            [text for text, ok in zip(texts, shippable, strict=True) if ok],
            workers,
            parallel_from_chars,
        )
    )
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
