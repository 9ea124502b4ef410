"""Segmentation: each report's text cut into words, once per content, over every core.

The segmenter is jieba's dictionary algorithm with HMM off (new words are not guessed, so
counts stay stable), run by rjieba, the binding of the Rust port: a test holds its tokens equal
to jieba's own on the seeds with the project dictionary, and it is about twenty times faster.
"""

from __future__ import annotations

import logging
import os
from concurrent.futures import ProcessPoolExecutor
from functools import cache
from importlib.metadata import version
from multiprocessing import get_context

import jieba
import polars as pl
import rjieba

from pipelines.terms.dictionary import domain_words

SEGMENTER = f"rjieba-{version('rjieba')}-hmm-off"
# Below this many characters, starting worker processes costs more than it saves.
PARALLEL_FROM_CHARS = 2_000_000


@cache
def segmenter() -> rjieba.Jieba:
    tokenizer = rjieba.Jieba()
    for word, freq, tag in domain_words():
        tokenizer.add_word(word, freq, tag)
    return tokenizer


@cache
def reference_segmenter() -> jieba.Tokenizer:
    """Plain jieba with the same dictionary: the reference rjieba is held to, and the baseline
    the benchmark measures against."""
    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    for word, freq, tag in domain_words():
        tokenizer.add_word(word, freq, tag)
    return tokenizer


def segment(text: str) -> tuple[list[str], list[str]]:
    """Tokens that concatenate back to the text exactly, punctuation and spaces included, and
    the part of speech of each."""
    tagged = segmenter().tag(text, False)
    return [token for token, _ in tagged], [tag for _, tag in tagged]


# Segmented texts travel as one string per text, tokens apart by this character: a string
# crosses processes and reaches polars far cheaper than a list of small strings, and polars
# splits it without making a Python object per token. No decoded text holds it; a text that
# does (a PDF's text layer might) is segmented on its own.
SEPARATOR = "\x00"
SEGMENTED_SCHEMA = {"tokens": pl.List(pl.String), "tags": pl.List(pl.String)}


def _segment_joined(texts: list[str]) -> list[tuple[str, str]]:
    joined = []
    for text in texts:
        tokens, tags = segment(text)
        joined.append((SEPARATOR.join(tokens), SEPARATOR.join(tags)))
    return joined


def segment_texts(
    texts: list[str], workers: int | None = None, parallel_from_chars: int = PARALLEL_FROM_CHARS
) -> pl.DataFrame:
    """tokens and tags (lists) of each text, in order: in worker processes when there is
    enough text to be worth starting them."""
    workers = workers or os.cpu_count() or 1
    shippable = [i for i, text in enumerate(texts) if SEPARATOR not in text]
    if workers == 1 or sum(map(len, texts)) < parallel_from_chars:
        joined = _segment_joined([texts[i] for i in shippable])
    else:
        # Interleaved chunks even out long and short reports over the workers; the segmenter
        # is built before the fork, so they start with it.
        segmenter()
        chunks = [shippable[k::workers] for k in range(workers)]
        by_text: dict[int, tuple[str, str]] = {}
        with ProcessPoolExecutor(workers, mp_context=get_context("fork")) as pool:
            results = pool.map(_segment_joined, [[texts[i] for i in chunk] for chunk in chunks])
            for chunk, result in zip(chunks, results, strict=True):
                by_text.update(zip(chunk, result, strict=True))
        joined = [by_text[i] for i in shippable]
    segmented = pl.DataFrame(
        {"text_no": shippable, "tokens": [t for t, _ in joined], "tags": [g for _, g in joined]},
        schema={"text_no": pl.Int64, "tokens": pl.String, "tags": pl.String},
    ).with_columns(pl.col("tokens", "tags").str.split(SEPARATOR))
    rest = [i for i in range(len(texts)) if SEPARATOR in texts[i]]
    if rest:
        one_by_one = [segment(texts[i]) for i in rest]
        segmented = pl.concat(
            [
                segmented,
                pl.DataFrame(
                    {
                        "text_no": rest,
                        "tokens": [t for t, _ in one_by_one],
                        "tags": [g for _, g in one_by_one],
                    },
                    schema={"text_no": pl.Int64, **SEGMENTED_SCHEMA},
                ),
            ]
        )
    return segmented.sort("text_no").select("tokens", "tags")
