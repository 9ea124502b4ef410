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


def _segment_all(texts: list[str]) -> list[tuple[list[str], list[str]]]:
    return [segment(text) for text in texts]


def segment_texts(
    texts: list[str], workers: int | None = None
) -> list[tuple[list[str], list[str]]]:
    """Segment many texts, in worker processes when there is enough text to be worth it."""
    workers = workers or os.cpu_count() or 1
    if workers == 1 or sum(map(len, texts)) < PARALLEL_FROM_CHARS:
        return _segment_all(texts)
    # Interleaved chunks even out long and short reports across the workers.
    chunks = [texts[i::workers] for i in range(workers)]
    with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
        results = list(pool.map(_segment_all, chunks))
    segmented: list[tuple[list[str], list[str]]] = [([], []) for _ in texts]
    for i, result in enumerate(results):
        segmented[i::workers] = result
    return segmented
