"""Report metadata inferred from the text: title, report year, issuing body, publication date,
and where each came from.

Everything works on a frame of lines with polars expressions, so one pass serves any number of
reports. The rules are written for reports not seen before: a title over several lines, run
into the opening or missing, the issuing body in the signature (on its own line or run into the
last one), the title or the opening sentence. The year is voted on by every piece of evidence
(the title, the opening, the body's own references, the year the plans are for, the signature
date), so one typo does not decide it; a date that cannot be right for that year (a report
signed before the year it covers is over) is flagged and not used as the publication date.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from pipelines.shared.patterns import (
    CHINESE_DATE,
    FIRST_PLAUSIBLE_YEAR,
    HAN_HEADING_LABEL,
    HAN_NUMERAL,
    ORG_NAME,
    TITLE_END,
    YEAR_DIGITS,
    YEAR_HAN,
)

YEAR = rf"({YEAR_DIGITS}|{YEAR_HAN})"
# A year standing alone (2020年, 2020年度), not inside a range (2016-2020年) and not a date (2020年5月).
LONE_YEAR = rf"(?:^|[^\d\-—–~至到])({YEAR_DIGITS})\s*年(?:[^\d\-—–~至到]|$)"
TITLE_TOPIC = r"法治|依法行政|法制"
# A signature line; of a joint one (中共某某区委 某某区人民政府), the last body signs for the
# government.
SIGNATURE = rf"^(?:{ORG_NAME}\s+)?({ORG_NAME})\s*(?:{YEAR}\s*年.*)?$"
# A signature run into the end of the last paragraph: ……。某某区人民政府 2023年3月1日
SIGNATURE_RUN_IN = rf"[。！？][”’」』]*\s*({ORG_NAME})\s*(?:{CHINESE_DATE})?\s*$"
OPENING_SUBJECT = (
    r"^(?:\d{4}年度?|[^，,。]{0,8}以来)[，,]\s*([\p{Han}]{2,24}?)"
    r"(?:坚持|在|深入|认真|全面|以|紧紧|始终|围绕|按照|扎实|持续|不断|积极|高度|牢牢|切实|严格)"
)
# What an issuing body's name is made of: Chinese characters only, no verbs of a sentence.
PLAUSIBLE_ORG = r"^[\p{Han}（）()·]{2,40}$"
NOT_AN_ORG = r"领导下|坚持|贯彻|推进|关于|报告|以来|我们"
HAN_DIGITS = ["〇", "○", "零", "一", "二", "三", "四", "五", "六", "七", "八", "九"]
ARABIC_DIGITS = ["0", "0", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]
DATE = r"((?:19|20)\d{2})\s*[-/年.]\s*(\d{1,2})\s*[-/月.]\s*(\d{1,2})"
DATE_LABEL = r"(?:发布日期|发布时间|发文日期|成文日期|日期|时间)\s*[:：]\s*"
SOURCE_LABEL = r"(?:^|\s)(?:来源|信息来源|文章来源|发布机构|发文机关)\s*[:：]\s*([^\s:：]{2,40})"
URL_LABEL = r"(?:原文链接|原文地址|网址|链接|URL)\s*[:：]\s*(https?://\S+)"
# The body speaking of the year it covers as the one under way (2022年以来).
OWN_YEAR = rf"({YEAR_DIGITS})\s*年以来"
# Speaking of the year as the present: written before the year was out.
PRESENT_YEAR = r"今年|本年度|一年来|今年以来"
# A heading about the plans for a year (四、2021年工作安排): the report covers the year before.
PLANS_YEAR = (
    rf"^{HAN_HEADING_LABEL}\s*"
    rf"({YEAR_DIGITS})\s*年度?[^，,。；《》]{{0,20}}?(?:工作)?(?:初步)?(?:安排|计划|打算|思路|要点)"
)
TITLE_WINDOW = 4
HEAD_LINES = 15
# Each kind of evidence of the report year: its weight in the vote, and its name in meta_sources
# (listed by precedence, which breaks a tie).
YEAR_EVIDENCE = {
    "title": 8,
    "opening": 4,
    "own year in the body": 3,
    "plans year": 3,
    "signature date": 3,
    "most named year": 2,
    "publication date": 1,
}


def report_lines(lines: pl.DataFrame) -> pl.DataFrame:
    """The cleaned lines (report_id, line_no, seg_no, line, reason) with chrome (reason set)
    and, for the report's own lines, k (their rank) and n_lines (their number). Chrome stays in
    the frame: the page's metadata lines (发布日期, 来源, 原文链接) are harvested from it."""
    own = pl.col("reason").is_null()
    return (
        lines.sort("report_id", "line_no", "seg_no")
        .with_columns(chrome=~own)
        .with_columns(
            k=pl.when(own).then(own.cast(pl.Int64).cum_sum().over("report_id") - 1),
            n_lines=own.sum().over("report_id"),
        )
    )


def year_value(year: pl.Expr) -> pl.Expr:
    return year.str.replace_many(HAN_DIGITS, ARABIC_DIGITS).cast(pl.Int32, strict=False)


def printed_titles(lines: pl.DataFrame) -> pl.DataFrame:
    """The title where the report prints one: up to four short lines near the top, ending in
    报告/情况, about law-based government; or, where the line breaks were lost, the start of
    the first line up to 报告/情况 when the opening follows. Returns report_id, title, title_how."""
    head = lines.filter(pl.col("k") < HEAD_LINES).with_columns(
        title_like=~pl.col("chrome")
        & (pl.col("line").str.len_chars() <= 60)
        & ~pl.col("line").str.contains(r"[。；;！？，,]")
        & ~pl.col("line").str.contains(rf"^{HAN_HEADING_LABEL}")
    )
    head = head.with_columns(
        run=(pl.col("title_like") != pl.col("title_like").shift(1).fill_null(False))
        .cum_sum()
        .over("report_id")
    )
    ends = head.filter(pl.col("title_like") & pl.col("line").str.contains(TITLE_END)).select(
        "report_id", "run", end=pl.col("k")
    )
    windows = (
        ends.join(head.filter("title_like"), on=["report_id", "run"])
        .filter(pl.col("k").is_between(pl.col("end") - TITLE_WINDOW + 1, pl.col("end")))
        .sort("report_id", "end", "k")
        .group_by("report_id", "end", maintain_order=True)
        .agg(title=pl.col("line").str.join(""))
        .filter(pl.col("title").str.contains(TITLE_TOPIC))
    )
    from_lines = (
        windows.sort("end")
        .group_by("report_id")
        .agg(pl.col("title").first())
        .with_columns(title_how=pl.lit("printed"))
    )
    # A report that lost its line breaks starts with its title, run into the first paragraph.
    run_in = (
        lines.filter(~pl.col("chrome"))
        .group_by("report_id")
        .agg(pl.col("line").first())
        .select(
            "report_id",
            title=pl.col("line").str.extract(
                rf"^([^，,。；！？]{{0,40}}?{YEAR}\s*年度?[^，,。；！？]{{0,20}}?(?:{TITLE_TOPIC})"
                rf"[^，,。；！？]{{0,20}}?(?:报告|情况))\s*(?:{YEAR}\s*年|[{HAN_NUMERAL}]+、)",
                1,
            ),
            title_how=pl.lit("printed, run into the opening"),
        )
        .drop_nulls("title")
    )
    return pl.concat(
        [from_lines, run_in.join(from_lines, on="report_id", how="anti")]
    ).with_columns(title=pl.col("title").str.replace_all(r"\s+", ""))


def plausible_org(name: pl.Expr) -> pl.Expr:
    """The name where it can be an issuing body's, else null."""
    return pl.when(name.str.contains(PLAUSIBLE_ORG) & ~name.str.contains(NOT_AN_ORG)).then(name)


def signature_orgs(lines: pl.DataFrame) -> pl.DataFrame:
    """The issuing body where the report signs off with it in its last lines, on a line of its
    own or run into the end of the last paragraph."""
    tail = lines.filter((pl.col("k") >= pl.col("n_lines") - 3) & ~pl.col("chrome"))
    return (
        tail.with_columns(
            org=pl.coalesce(
                pl.col("line").str.extract(SIGNATURE, 1),
                pl.col("line").str.extract(SIGNATURE_RUN_IN, 1),
            )
        )
        .drop_nulls("org")
        .sort("k", descending=True)
        .group_by("report_id")
        .agg(signature_org=pl.col("org").first())
    )


def dates(lines: pl.DataFrame) -> pl.DataFrame:
    """A labelled date (发布日期: ..., in the page's chrome or the report) and the date under the
    signature (on its own line or at the end of the last one). Returns report_id, labelled_date,
    closing_date."""
    labelled = lines.with_columns(
        parts=pl.col("line").str.extract_groups(DATE_LABEL + DATE), priority=pl.lit(0)
    )
    closing = lines.filter(
        (pl.col("k") >= pl.col("n_lines") - 3) & pl.col("line").str.contains(rf"{DATE}日?\s*$")
    ).with_columns(parts=pl.col("line").str.extract_groups(rf"{DATE}日?\s*$"), priority=pl.lit(1))
    parts = pl.col("parts").struct
    return (
        pl.concat([labelled, closing])
        .with_columns(
            found_date=pl.date(
                parts["1"].cast(pl.Int32, strict=False),
                parts["2"].cast(pl.Int32, strict=False),
                parts["3"].cast(pl.Int32, strict=False),
            )
        )
        .drop_nulls("found_date")
        .sort("line_no", "seg_no")
        .group_by("report_id")
        .agg(
            labelled_date=pl.col("found_date").filter(pl.col("priority") == 0).first(),
            closing_date=pl.col("found_date").filter(pl.col("priority") == 1).first(),
        )
    )


def openings(lines: pl.DataFrame, titles: pl.DataFrame) -> pl.DataFrame:
    """The first paragraph of the report's own words: not chrome, not a title line."""
    return (
        lines.filter(~pl.col("chrome") & (pl.col("line").str.len_chars() > 40))
        .join(titles, on="report_id", how="left")
        .filter(
            pl.col("title").is_null()
            | ~pl.col("title").str.contains(
                pl.col("line").str.replace_all(r"\s+", ""), literal=True
            )
        )
        .group_by("report_id")
        .agg(opening=pl.col("line").first())
    )


def body_evidence(lines: pl.DataFrame) -> pl.DataFrame:
    """What the report's own lines say of its year: the year named most often, the year it
    speaks of as its own (2022年以来, 2022年度), the year its plans are for, and whether it
    speaks of the year as the present (今年, 本年度, 一年来)."""
    own = lines.filter(~pl.col("chrome"))

    def most_common(pattern: str, name: str) -> pl.DataFrame:
        return (
            own.select("report_id", year=pl.col("line").str.extract_all(pattern))
            .explode("year", empty_as_null=False)
            .drop_nulls("year")
            .with_columns(year=pl.col("year").str.extract(rf"({YEAR_DIGITS})", 1).cast(pl.Int32))
            .group_by("report_id", "year")
            .len()
            .sort("len", "year", descending=True)
            .group_by("report_id")
            .agg(pl.col("year").first().alias(name))
        )

    present = own.group_by("report_id").agg(
        present_tense=pl.col("line").str.contains(PRESENT_YEAR).any()
    )
    return (
        present.join(most_common(LONE_YEAR, "body_year"), on="report_id", how="left")
        .join(most_common(OWN_YEAR, "own_year"), on="report_id", how="left")
        .join(most_common(PLANS_YEAR, "plans_year"), on="report_id", how="left")
    )


def page_labels(lines: pl.DataFrame) -> pl.DataFrame:
    """What the page's own labelled lines say: the publishing body (来源, 发布机构), a hint of
    last resort for the issuing body, and the original URL (原文链接) of an archive copy."""
    return (
        lines.with_columns(
            source_org=pl.col("line").str.extract(SOURCE_LABEL, 1),
            linked_url=pl.col("line").str.extract(URL_LABEL, 1),
        )
        .sort("line_no", "seg_no")
        .group_by("report_id")
        .agg(pl.col("source_org").drop_nulls().first(), pl.col("linked_url").drop_nulls().first())
    )


def first_signing_month(present_tense: pl.Expr) -> pl.Expr:
    """The month of the year covered in which its report may first be signed: December, or
    November where the report speaks of that year as the present (今年, 本年度, 一年来)."""
    return pl.when(present_tense.fill_null(False)).then(11).otherwise(12)


def signing_year(signed: pl.Expr, present_tense: pl.Expr) -> pl.Expr:
    """The year a signature date speaks for: a report signed late in a year (first_signing_month)
    covers that year; one signed earlier in a year covers the year before."""
    year = signed.dt.year().cast(pl.Int32)
    return (
        pl.when(signed.dt.month() >= first_signing_month(present_tense))
        .then(year)
        .otherwise(year - 1)
    )


def vote_year(frame: pl.DataFrame, this_year: int) -> pl.DataFrame:
    """report_id, report_year, year_sources: the year with the most weight of evidence
    (YEAR_EVIDENCE), plausible years only; the sources that name it, by precedence."""
    evidence = {
        "title": year_value(pl.col("title").str.extract(rf"{YEAR}\s*年", 1)),
        "opening": pl.col("opening").str.extract(LONE_YEAR, 1).cast(pl.Int32),
        "own year in the body": pl.col("own_year"),
        "plans year": pl.col("plans_year") - 1,
        "signature date": signing_year(pl.col("closing_date"), pl.col("present_tense")),
        "most named year": pl.col("body_year"),
        "publication date": pl.col("published_any").dt.year().cast(pl.Int32) - 1,
    }
    votes = pl.concat(
        [
            frame.select(
                "report_id",
                year=expression.cast(pl.Int32),
                weight=pl.lit(YEAR_EVIDENCE[name]),
                precedence=pl.lit(rank),
                source=pl.lit(name),
            )
            for rank, (name, expression) in enumerate(evidence.items())
        ]
    ).filter(pl.col("year").is_between(FIRST_PLAUSIBLE_YEAR, this_year))
    return (
        votes.sort("precedence")
        .group_by("report_id", "year", maintain_order=True)
        .agg(
            pl.col("weight").sum(),
            pl.col("precedence").min(),
            year_sources=pl.col("source").str.join("+"),
        )
        .sort("weight", "precedence", descending=[True, False])
        .group_by("report_id", maintain_order=True)
        .agg(report_year=pl.col("year").first(), year_sources=pl.col("year_sources").first())
    )


def date_check(
    found: pl.Expr, report_year: pl.Expr, present_tense: pl.Expr, signature: bool
) -> pl.Expr:
    """Why a date cannot be this report's publication date, or null: a report is not out before
    the month of the year it covers in which it may first be signed; a signature more than a
    year after that year is a typo."""
    first_day = pl.date(report_year, first_signing_month(present_tense), 1)
    reason = pl.when(found < first_day).then(
        pl.format("{} is before the year it covers ({}) ended", found, report_year)
    )
    if signature:
        year_after = pl.date(report_year + 1, 12, 31)
        reason = reason.when(found > year_after).then(
            pl.format("{} is more than a year after the year it covers ({})", found, report_year)
        )
    return reason


def infer_metadata(documents: pl.DataFrame, cleaned_lines: pl.DataFrame) -> pl.DataFrame:
    """report_id, title, title_printed, report_year, org_name, published_date, signed_date,
    date_flag, page_url, opening, title_org, opening_subject, source_org and meta_sources
    (struct: where title, org_name, report_year and published_date came from), per document.

    documents: report_id and the source's own metadata (page_title, page_date, page_source,
    page_url); cleaned_lines: report_id, line_no, seg_no, line, reason (cleaning.clean).
    """
    lines = report_lines(cleaned_lines)
    titles = printed_titles(lines)
    frame = (
        documents.select("report_id", "page_title", "page_date", "page_source", "page_url")
        .join(titles, on="report_id", how="left")
        .join(openings(lines, titles), on="report_id", how="left")
        .join(signature_orgs(lines), on="report_id", how="left")
        .join(page_labels(lines), on="report_id", how="left")
        .join(dates(lines), on="report_id", how="left")
        .join(body_evidence(lines), on="report_id", how="left")
    )
    # A page's own title counts where it names the topic and a year (not a site name, not Word's
    # "Document1").
    page_title = pl.when(
        pl.col("page_title").str.contains(TITLE_TOPIC) & pl.col("page_title").str.contains(YEAR)
    ).then(pl.col("page_title"))
    frame = frame.with_columns(
        title_how=pl.when(pl.col("title").is_not_null())
        .then(pl.col("title_how"))
        .when(page_title.is_not_null())
        .then(pl.lit("the page's title")),
        title=pl.coalesce(pl.col("title"), page_title),
        published_any=pl.coalesce("labelled_date", "page_date", "closing_date"),
        page_url=pl.coalesce("page_url", "linked_url"),
        source_org=plausible_org(pl.coalesce("source_org", "page_source")),
    )
    frame = frame.join(vote_year(frame, date.today().year), on="report_id", how="left")
    title = pl.col("title").str.replace(r"^关于", "")
    frame = frame.with_columns(
        title_org=plausible_org(
            pl.coalesce(
                title.str.extract(rf"^(.{{2,40}}?)(?:关于)?{YEAR}\s*年", 1),
                title.str.extract(rf"^{YEAR}\s*年度?(.{{2,40}}?)(?:关于)?(?:{TITLE_TOPIC})", 2),
            )
        ),
        opening_subject=plausible_org(pl.col("opening").str.extract(OPENING_SUBJECT, 1)),
        signature_org=plausible_org(pl.col("signature_org")),
    )
    org_sources = {
        "signature": "signature_org",
        "title": "title_org",
        "opening": "opening_subject",
        "page source": "source_org",
    }
    org_how = pl.lit(None, dtype=pl.String)
    for name, column in reversed(org_sources.items()):
        org_how = pl.when(pl.col(column).is_not_null()).then(pl.lit(name)).otherwise(org_how)
    # Each date the source gives, checked against the year: a flagged one is not the
    # publication date.
    checked = {
        "the page's date label": ("labelled_date", False),
        "the page's metadata": ("page_date", False),
        "signature date": ("closing_date", True),
    }
    frame = frame.with_columns(
        org_name=pl.coalesce(*org_sources.values()),
        org_how=org_how,
        **{
            f"{column}_flag": date_check(
                pl.col(column), pl.col("report_year"), pl.col("present_tense"), signature
            )
            for column, signature in checked.values()
        },
    )
    usable = [
        pl.when(pl.col(f"{column}_flag").is_null()).then(pl.col(column))
        for column, _ in checked.values()
    ]
    date_how = pl.lit(None, dtype=pl.String)
    for name, value in reversed(list(zip(checked, usable, strict=True))):
        date_how = pl.when(value.is_not_null()).then(pl.lit(name)).otherwise(date_how)
    frame = frame.with_columns(
        published_date=pl.coalesce(usable),
        date_how=date_how,
        signed_date=pl.col("closing_date"),
        date_flag=pl.concat_str(
            [pl.col(f"{column}_flag") for column, _ in checked.values()],
            separator="; ",
            ignore_nulls=True,
        ).replace("", None),
    )
    composed = pl.concat_str(
        pl.col("org_name"), pl.col("report_year"), pl.lit("年法治政府建设情况报告")
    )
    return frame.with_columns(
        title=pl.coalesce(pl.col("title"), composed),
        title_printed=pl.col("title").is_not_null(),
        meta_sources=pl.struct(
            title=pl.coalesce(
                pl.col("title_how"),
                pl.when(composed.is_not_null()).then(pl.lit("composed from org_name and year")),
            ),
            org_name=pl.col("org_how"),
            report_year=pl.col("year_sources"),
            published_date=pl.col("date_how"),
        ),
    ).select(
        "report_id",
        "title",
        "title_printed",
        "report_year",
        "org_name",
        "published_date",
        "signed_date",
        "date_flag",
        "page_url",
        "opening",
        "title_org",
        "opening_subject",
        "source_org",
        "meta_sources",
    )
