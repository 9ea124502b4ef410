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
    """Every common spelling of n: 二百/两百, 一百/百, 一百五/一百五十, 三千二/三千二百, 〇 for 零."""
    base = _below_ten_thousand(n)
    forms = {base}
    for old, new in (("二百", "两百"), ("二千", "两千"), ("一百", "百"), ("一千", "千")):
        forms |= {f.replace(old, new, 1) for f in forms if f.startswith(old)}
    # 一百五 for 150, 三千二 for 3200: the last unit left unsaid.
    if len(base) >= 4 and base[-1] in "十百" and "零" not in base:
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


def han_value(text: pl.Expr) -> pl.Expr:
    """The value of a Chinese numeral of any size, by lookups of its parts below 10,000:
    十二万三千 = 12*10^4 + 3000, 一万二 = 12000 (the unit after 万 left unsaid), 三亿五千万,
    九十五点五 = 95.5. Null for what is not a numeral."""
    # The table's own columns, not a dict: a dict of 10,000 spellings is turned into Series
    # again at every use, which cost more than the parse itself.
    spellings, values = han_numerals().get_columns()

    def below_ten_thousand(part: pl.Expr) -> pl.Expr:
        return part.replace_strict(spellings, values, default=None, return_dtype=pl.Float64)

    whole = text.str.extract(r"^([^点]*)", 1)
    high = whole.str.extract(r"^(.+)亿", 1)
    middle = whole.str.extract(r"^(?:.+亿)?(.+)万", 1)
    low = whole.str.extract(r"^(?:.*[万亿])?([^万亿]*)$", 1).str.strip_chars_start("零〇")
    # A lone digit after 万 or 亿 is the next unit down: 一万二 = 12000, 两亿三 = 230000000.
    low_scale = (
        pl.when(whole.str.contains(r"[万亿][一二两三四五六七八九]$"))
        .then(pl.when(whole.str.contains(r"万[一二两三四五六七八九]$")).then(1000.0).otherwise(1e7))
        .otherwise(1.0)
    )
    low_value = pl.when(low == "").then(0.0).otherwise(below_ten_thousand(low) * low_scale)
    integer = (
        below_ten_thousand(high).fill_null(0.0) * 1e8
        + below_ten_thousand(middle).fill_null(0.0) * 1e4
        + low_value
    )
    is_composite = whole.str.contains("[万亿]")
    valid = ~is_composite | (
        (high.is_not_null() | middle.is_not_null())
        & (high.is_null() | below_ten_thousand(high).is_not_null())
        & (middle.is_null() | below_ten_thousand(middle).is_not_null())
        & low_value.is_not_null()
    )
    decimals = text.str.extract(r"点([零〇一二三四五六七八九]+)$", 1).str.replace_many(
        list("零〇一二三四五六七八九"), list("0012345678" + "9")
    )
    fraction = pl.concat_str(pl.lit("0."), decimals).cast(pl.Float64, strict=False).fill_null(0.0)
    return pl.when(valid & (whole != "")).then(integer + fraction)
