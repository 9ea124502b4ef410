"""Chinese numerals as a lookup table, so that values are parsed by a join, not a Python loop."""

from __future__ import annotations

from functools import cache

import polars as pl

DIGITS = "零一二三四五六七八九"


def _below_ten_thousand(n: int) -> str:
    """The standard written form of 1..9999: 十, 十一, 一百零五, 两千三百."""
    parts: list[str] = []
    zero_pending = False
    for value, name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit, n = divmod(n, value)
        if digit:
            if zero_pending:
                parts.append("零")
                zero_pending = False
            parts.append(DIGITS[digit] + name)
        elif parts:
            zero_pending = True
    text = "".join(parts)
    return "十" + text[2:] if text.startswith("一十") else text


def _spellings(n: int) -> set[str]:
    """Every common spelling of n: 二百/两百, 一百/百, 一百五/一百五十, 〇 for 零."""
    base = _below_ten_thousand(n)
    forms = {base}
    for old, new in (("二百", "两百"), ("二千", "两千"), ("一百", "百"), ("一千", "千")):
        forms |= {f.replace(old, new, 1) for f in forms if f.startswith(old)}
    # 一百五 for 150, 三千二 for 3200: the last unit left unsaid.
    if n >= 110 and n % 10 == 0 and base.endswith("十") and "零" not in base:
        forms |= {f[:-1] for f in forms}
    if n == 2:
        forms.add("两")
    return forms | {f.replace("零", "〇") for f in forms}


@cache
def han_numerals() -> pl.DataFrame:
    """han (a spelling) -> value, for 0..9999."""
    rows = {"零": 0, "〇": 0}
    for n in range(1, 10_000):
        for form in _spellings(n):
            rows.setdefault(form, n)
    return pl.DataFrame({"han": list(rows), "han_value": list(rows.values())}).with_columns(
        pl.col("han_value").cast(pl.Float64)
    )
