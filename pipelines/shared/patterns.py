"""Patterns of report text that several stages read (years and the first plausible one, dates, how an issuing body's name
ends, outline labels, how a title ends), written once so that the stages agree. They are
regular expressions for polars (Rust's regex); those a Python `re` user takes (reading's web
pages) keep to the syntax both accept."""

from __future__ import annotations

# The first year a report may cover: an earlier one is a misreading.
FIRST_PLAUSIBLE_YEAR = 2000
# A year of the reports' era, in digits (2023) and in Chinese numerals (二〇二三).
YEAR_DIGITS = r"(?:19|20)\d{2}"
YEAR_HAN = r"二[〇○零][一二三四五六七八九〇○零][〇○零一二三四五六七八九]"
# A date as a report signs off with it: 2023年3月1日, spaces allowed between the parts.
CHINESE_DATE = rf"{YEAR_DIGITS}\s*年\s*\d{{1,2}}\s*月\s*\d{{1,2}}\s*日"
# How the name of an issuing body ends: a report signs off with one.
ORG_SUFFIX = (
    r"(?:人民政府|政府|管理委员会|管委会|委员会|办公室|办公厅|局|厅|委|办|中心|院|署|部|室|所|队)"
)
# The name of an issuing body: Chinese characters (brackets and · allowed) ending as one does.
ORG_NAME = rf"[\p{{Han}}（）()·]{{2,40}}?{ORG_SUFFIX}"
# How the last line of a report's title ends: 报告, 情况, 总结 or 汇报, a bracketed note allowed.
TITLE_END = r"(?:报告|情况|总结|汇报)(?:[（(][^）)]*[）)])?$"

# The Chinese numerals of outline labels (一、 （十）) and of enumerations (一是).
HAN_NUMERAL = "一二三四五六七八九十"
# A top-level outline label in Chinese numerals at any length: 一、 十二、 （三）.
HAN_HEADING_LABEL = rf"(?:[{HAN_NUMERAL}]+、|[（(][{HAN_NUMERAL}]+[）)])"
# The outline label styles a sentence may start with (一、 （一） 1. 1、 (1) ①), by name; a digit
# label takes the character after it, so 2.5 and 1、2月 are no labels.
LABELS = {
    "han": rf"^[{HAN_NUMERAL}]{{1,3}}[、.．]",
    "han_paren": rf"^[（(][{HAN_NUMERAL}]{{1,3}}[）)]",
    "digit": r"^\d{1,2}[.．、]\s*[^\d\s.．、]",
    "digit_paren": r"^[（(]\d{1,2}[）)]",
    "circled": r"^[①②③④⑤⑥⑦⑧⑨⑩]",
}
# The label itself at the start of a text, whichever its style.
LABEL_TEXT = (
    rf"^(?:[{HAN_NUMERAL}]{{1,3}}[、.．]|[（(][{HAN_NUMERAL}]{{1,3}}[）)]|\d{{1,2}}[.．、]"
    r"|[（(]\d{1,2}[）)]|[①②③④⑤⑥⑦⑧⑨⑩])"
)
