"""The cutter process (pipelines/shared/word_cutter.py): rjieba run in a process of its own cuts
exactly as it cuts here, and never outlives the process that started it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import rjieba

from pipelines.shared.word_cutter import SEPARATOR, WordCutter, word_cutter
from pipelines.terms.dictionary import domain_words
from pipelines.terms.segment import IN_PROCESS_FROM, segment_joined, segmenter
from tests.processes import HANG
from tests.test_terms import seed_texts

# Texts whose ends try the boundaries jieba draws: spaces, line ends, Latin letters and digits,
# full-width forms, signs jieba counts as word characters, nothing at all.
EDGES = [
    "",
    "  ",
    "\r\n",
    "\n段首换行",
    "段尾回车\r",
    "abc",
    "2023年受理行政复议案件12件",
    "复议率100%",
    "ｗｉｄｅ　全角",
    "a.b-c_d",
    "。",
    "新冠肺炎疫情防控常态化",
]


def texts() -> list[str]:
    return [*EDGES, *seed_texts(), *EDGES]


def test_the_cutter_process_cuts_as_rjieba_does_here() -> None:
    # rjieba's own dictionary with its HMM (facts' subjects), and the project dictionary
    # without it (terms), against the same dictionaries in this process.
    assert word_cutter().cut_joined(texts()) == [
        SEPARATOR.join(rjieba.cut(text, True)) for text in texts()
    ]
    assert word_cutter().cut_joined(texts(), domain_words(), False) == [
        SEPARATOR.join(segmenter().cut(text, False)) for text in texts()
    ]


def test_few_texts_cut_in_the_process_and_many_cut_here_get_the_same_tokens() -> None:
    # Sentences of the seeds, enough for one call to cut them here.
    sentences = [
        sentence + "。" for text in seed_texts() for sentence in text.split("。") if sentence
    ] + EDGES
    assert len(sentences) >= IN_PROCESS_FROM
    cut_here = segment_joined(sentences)
    in_the_process = [
        joined
        for start in range(0, len(sentences), 10)
        for joined in segment_joined(sentences[start : start + 10])
    ]
    assert in_the_process == cut_here
    assert [joined.replace(SEPARATOR, "") for joined in cut_here] == sentences


def test_the_cutter_process_ends_with_its_input() -> None:
    cutter = WordCutter()
    assert cutter.cut_joined(["行政复议"]) == ["行政复议"]
    cutter.process.stdin.close()
    assert cutter.process.wait(timeout=HANG) == 0


def test_a_cutter_process_that_died_is_told_not_waited_for_and_the_next_is_started() -> None:
    cutter = word_cutter()
    cutter.process.kill()
    cutter.process.wait(timeout=HANG)
    with pytest.raises(RuntimeError, match="the word cutter process ended"):
        cutter.cut_joined(["行政复议"])
    assert word_cutter() is not cutter
    assert word_cutter().cut_joined(["行政复议"]) == ["行政复议"]


def ended(pid: int) -> bool:
    """Whether the process is gone, or a zombie waiting for whoever adopted it to reap it."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except (FileNotFoundError, ProcessLookupError):
        return True


def test_the_cutter_process_ends_when_the_process_that_started_it_is_killed() -> None:
    starter = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys\n"
            "from pipelines.shared.word_cutter import word_cutter\n"
            "word_cutter().cut_joined(['行政复议'])\n"
            "print(word_cutter().process.pid, flush=True)\n"
            "sys.stdin.read()\n",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    cutter_pid = int(starter.stdout.readline())
    assert not ended(cutter_pid)
    os.kill(starter.pid, signal.SIGKILL)
    starter.wait(timeout=HANG)
    # The cutter sees its input end once the kill has closed it: waited for as an event, the
    # polling only a way to watch another process's state.
    deadline = time.monotonic() + HANG
    while not ended(cutter_pid):
        assert time.monotonic() < deadline, "the cutter outlived the process that started it"
        time.sleep(0.01)
