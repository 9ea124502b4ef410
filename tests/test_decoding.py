"""Bytes to text: encodings are detected, not assumed; what is not text is refused with a reason."""

from __future__ import annotations

import polars as pl
import pytest

from pipelines.reading.decoding import UnreadableSource, decode_text, require_chinese
from pipelines.reading.normalize import normalize_width
from tests.conftest import SEEDS

SEED_TEXT = (SEEDS / "000_39ca0c9c455ce9cc.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("encoding", "detected"),
    [
        ("utf-8", "utf-8"),
        ("utf-8-sig", "utf-8-sig"),
        ("utf-16", "utf-16-le"),
        ("utf-16-le", "utf-16-le"),
        ("utf-16-be", "utf-16-be"),
        ("gb18030", "gb18030"),
        ("gbk", "gb18030"),
    ],
)
def test_each_encoding_decodes_to_the_same_text(encoding: str, detected: str) -> None:
    text, found = decode_text(SEED_TEXT.encode(encoding))
    assert text == SEED_TEXT
    assert found == detected


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_chinese_utf16_without_a_bom_is_read_in_its_byte_order(encoding: str) -> None:
    """Without ASCII, no NULs tell the byte order (such text was refused as binary)."""
    text = "法治政府建设年度报告\n全年办理行政复议案件一百二十件，纠错率百分之十二。\n" * 20
    assert decode_text(text.encode(encoding)) == (text, encoding)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty file"),
        (b" \n\t\n", "file holds only white space"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "binary file"),
        (bytes(range(1, 256)) * 40, "undecodable"),
    ],
)
def test_what_is_not_text_is_refused_with_its_reason(data: bytes, reason: str) -> None:
    with pytest.raises(UnreadableSource, match=reason):
        decode_text(data)


def test_text_without_chinese_is_not_a_report() -> None:
    with pytest.raises(UnreadableSource, match="no Chinese text"):
        require_chinese("Annual report on law-based government, in English.")


def test_full_width_digits_letters_percent_and_spaces_become_ascii_one_for_one() -> None:
    raw = "共受理１４２３件，占９９．２８％　ＡＢｃ，。：（）"
    normalized = pl.select(normalize_width(pl.lit(raw))).item()
    assert normalized == "共受理1423件，占99.28% ABc，。：（）"
    assert len(normalized) == len(raw)
