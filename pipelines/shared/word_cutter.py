"""Words cut by rjieba in a process of its own.

In the pipeline's process, rjieba held the GIL while it built each dictionary (~0.13 s for its
own, and again for the domain one) and each time it handed a text's tokens back: a re-run with
one new report at 10,000 reports stalled ~0.3 s on the two dictionaries, and the thread
cutting texts one at a time beside the stages waited out the switch interval (5 ms) for every
text whenever the main thread ran Python (1,000 reports: 0.6 s alone, 6.3 s beside a thread
running Python). A cutter process builds its dictionary while the pipeline goes on, and cuts a
whole list of texts per request, on the other core.

A cutter reads its requests (pickled lists of texts) on its standard input and answers each
with the texts' tokens joined by SEPARATOR, one string per text; it ends when its input ends,
so it never outlives the process that started it, however that process ends.

Run as `python -m pipelines.shared.word_cutter`: the cutter's side.
"""

from __future__ import annotations

import pickle
import subprocess
import sys
import tempfile
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, BinaryIO

if TYPE_CHECKING:
    import rjieba

# Tokens travel joined by this character, one string per text: a string is stored and reaches
# polars far cheaper than a list of small strings, and polars splits it without making a Python
# object per token. No decoded text holds it; a text that does (a PDF's text layer might) is
# cut in the caller's process instead.
SEPARATOR = "\x00"

Words = tuple[tuple[str, int | None, str], ...]


class WordCutter:
    """The cutter process: rjieba's own dictionary, and that dictionary with words added, each
    built the first time a request asks for it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        # Its errors go to a file, read if it ends: a pipe nobody reads could fill and stop it.
        self._errors = tempfile.TemporaryFile()  # noqa: SIM115 (lives as long as the cutter)
        self.process = subprocess.Popen(
            [sys.executable, "-m", __name__],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._errors,
        )

    def cut_joined(
        self, texts: Sequence[str], words: Words | None = None, hmm: bool = True
    ) -> list[str]:
        """Each text's tokens joined by SEPARATOR, in order; texts must not hold SEPARATOR.
        words: added to rjieba's dictionary (None: its own dictionary as it is); hmm: whether
        its HMM guesses unknown words. With no texts, the dictionary is made ready."""
        with self._lock:
            try:
                pickle.dump(
                    (words, hmm, list(texts)), self.process.stdin, protocol=pickle.HIGHEST_PROTOCOL
                )
                self.process.stdin.flush()
                return pickle.load(self.process.stdout)
            except (BrokenPipeError, EOFError):
                self.process.wait()
                self._errors.seek(0)
                said = self._errors.read().decode(errors="replace").strip()
                raise RuntimeError(
                    f"the word cutter process ended (exit code {self.process.returncode})"
                    + (f": {said.splitlines()[-1]}" if said else "")
                ) from None


_CUTTERS: list[WordCutter] = []
_STARTING = threading.Lock()


def word_cutter() -> WordCutter:
    """The process's cutter, started at the first call (and again if it ended): it builds
    rjieba's own dictionary at once, while the caller goes on."""
    with _STARTING:
        if not _CUTTERS or _CUTTERS[-1].process.poll() is not None:
            _CUTTERS[:] = [WordCutter()]
        return _CUTTERS[-1]


def started_cutter() -> WordCutter | None:
    """The process's cutter, if one was started."""
    return _CUTTERS[-1] if _CUTTERS else None


def tokenizer_with(words: Words) -> rjieba.Jieba:
    """rjieba's own dictionary with these words (word, frequency or None, part of speech) added.
    Imported here: loading rjieba builds its dictionary, which a run that cuts nothing does
    without."""
    from rjieba import Jieba

    tokenizer = Jieba()
    for word, freq, tag in words:
        tokenizer.add_word(word, freq, tag)
    return tokenizer


def serve(requests: BinaryIO, answers: BinaryIO) -> None:
    """The cutter's side: one answer per request, until the input ends."""
    import rjieba

    # Each dictionary by the words added to rjieba's own (its module cuts with that one).
    tokenizers: dict[Words | None, object] = {None: rjieba}
    while True:
        try:
            words, hmm, texts = pickle.load(requests)
        except EOFError:
            return
        if words not in tokenizers:
            tokenizers[words] = tokenizer_with(words)
        cut = tokenizers[words].cut
        pickle.dump(
            [SEPARATOR.join(cut(text, hmm)) for text in texts],
            answers,
            protocol=pickle.HIGHEST_PROTOCOL,
        )
        answers.flush()


if __name__ == "__main__":
    serve(sys.stdin.buffer, sys.stdout.buffer)
