"""Report metadata inferred from the text: title, report year, issuing body, publication date.

Everything works on a frame of lines with polars expressions, so one pass serves any number of
reports. The rules are written for reports not seen before: a title over several lines or
missing, site chrome around it, the year in the title, the opening or only in the signature.
"""

from __future__ import annotations

import polars as pl

from pipelines.cleaning.lines import ORG_SUFFIX, TITLE_END

YEAR_DIGITS = r"(?:19|20)\d{2}"
YEAR_HAN = r"[二][〇○零][一二三四五六七八九〇○零][〇○零一二三四五六七八九]"
YEAR = rf"({YEAR_DIGITS}|{YEAR_HAN})"
# A year standing alone (2020年, 2020年度), not inside a range (2016-2020年) and not a date (2020年5月).
LONE_YEAR = rf"(?:^|[^\d\-—–~至到])({YEAR_DIGITS})\s*年(?:[^\d\-—–~至到]|$)"
TITLE_TOPIC = r"法治|依法行政|法制"
SIGNATURE = rf"^([\p{{Han}}（）()·]{{2,40}}?{ORG_SUFFIX})\s*(?:{YEAR}\s*年.*)?$"
OPENING_SUBJECT = (
    r"^(?:\d{4}年度?|[^，,。]{0,8}以来)[，,]\s*([\p{Han}]{2,24}?)"
    r"(?:坚持|在|深入|认真|全面|以|紧紧|始终|围绕|按照|扎实|持续|不断|积极|高度|牢牢|切实|严格)"
)
HAN_DIGITS = ["〇", "○", "零", "一", "二", "三", "四", "五", "六", "七", "八", "九"]
ARABIC_DIGITS = ["0", "0", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]
DATE = r"((?:19|20)\d{2})\s*[-/年.]\s*(\d{1,2})\s*[-/月.]\s*(\d{1,2})"
DATE_LABEL = r"(?:发布日期|发布时间|发文日期|成文日期|日期|时间)\s*[:：]\s*"
SOURCE_LABEL = r"(?:^|\s)(?:来源|信息来源|文章来源|发布机构|发文机关)\s*[:：]\s*([^\s:：]{2,40})"
URL_LABEL = r"(?:原文链接|原文地址|网址|链接|URL)\s*[:：]\s*(https?://\S+)"
TITLE_WINDOW = 4
HEAD_LINES = 15


def report_lines(lines: pl.DataFrame) -> pl.DataFrame:
    """The cleaned lines (report_id, line_no, line, reason) with chrome (reason set) and, for the
    report's own lines, k (their rank) and n_lines (their number). Chrome stays in the frame:
    the page's metadata lines (发布日期, 来源, 原文链接) are harvested from it."""
    own = pl.col("reason").is_null()
    return (
        lines.sort("report_id", "line_no")
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
    报告/情况, about law-based government. Returns report_id, title."""
    head = lines.filter(pl.col("k") < HEAD_LINES).with_columns(
        title_like=~pl.col("chrome")
        & (pl.col("line").str.len_chars() <= 60)
        & ~pl.col("line").str.contains(r"[。；;！？，,]")
        & ~pl.col("line").str.contains(
            r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)])"
        )
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
    from_lines = windows.sort("end").group_by("report_id").agg(pl.col("title").first())
    # A report that lost its line breaks starts with its title, run into the first paragraph.
    run_in = (
        lines.filter(~pl.col("chrome"))
        .group_by("report_id")
        .agg(pl.col("line").first())
        .select(
            "report_id",
            title=pl.col("line").str.extract(
                rf"^(\S{{0,40}}?{YEAR}\s*年度?\S{{0,20}}?(?:{TITLE_TOPIC})\S{{0,20}}?(?:报告|情况))"
                rf"\s*(?:{YEAR}\s*年|[一二三四五六七八九十]+、)",
                1,
            ),
        )
        .drop_nulls("title")
    )
    return pl.concat([from_lines, run_in.join(from_lines, on="report_id", how="anti")])


def signature_orgs(lines: pl.DataFrame) -> pl.DataFrame:
    """The issuing body where the report signs off with it in its last lines."""
    tail = lines.filter((pl.col("k") >= pl.col("n_lines") - 3) & ~pl.col("chrome"))
    return (
        tail.with_columns(org=pl.col("line").str.extract(SIGNATURE, 1))
        .drop_nulls("org")
        .sort("k", descending=True)
        .group_by("report_id")
        .agg(signature_org=pl.col("org").first())
    )


def dates(lines: pl.DataFrame) -> pl.DataFrame:
    """published_date from a labelled date (发布日期: ..., in the page's chrome or the report),
    else a date line under the signature. Returns report_id, labelled_date, closing_date."""
    labelled = lines.with_columns(
        parts=pl.col("line").str.extract_groups(DATE_LABEL + DATE), priority=pl.lit(0)
    )
    closing = lines.filter(
        (pl.col("k") >= pl.col("n_lines") - 3) & pl.col("line").str.contains(rf"{DATE}日?\s*$")
    ).with_columns(parts=pl.col("line").str.extract_groups(DATE), priority=pl.lit(1))
    parts = pl.col("parts").struct
    return (
        pl.concat([labelled, closing])
        .with_columns(
            published_date=pl.date(
                parts["1"].cast(pl.Int32, strict=False),
                parts["2"].cast(pl.Int32, strict=False),
                parts["3"].cast(pl.Int32, strict=False),
            )
        )
        .drop_nulls("published_date")
        .sort("line_no")
        .group_by("report_id")
        .agg(
            labelled_date=pl.col("published_date").filter(pl.col("priority") == 0).first(),
            closing_date=pl.col("published_date").filter(pl.col("priority") == 1).first(),
        )
    )


def openings(lines: pl.DataFrame, titles: pl.DataFrame) -> pl.DataFrame:
    """The first paragraph of the report's own words: not chrome, not a title line."""
    return (
        lines.filter(~pl.col("chrome") & (pl.col("line").str.len_chars() > 40))
        .join(titles, on="report_id", how="left")
        .filter(
            pl.col("title").is_null() | ~pl.col("title").str.contains(pl.col("line"), literal=True)
        )
        .group_by("report_id")
        .agg(opening=pl.col("line").first())
    )


def body_years(lines: pl.DataFrame) -> pl.DataFrame:
    """The year the body of the report names most often, for reports that state it nowhere else."""
    return (
        lines.filter(~pl.col("chrome"))
        .select("report_id", year=pl.col("line").str.extract_all(LONE_YEAR))
        .explode("year", empty_as_null=False)
        .drop_nulls("year")
        .with_columns(year=pl.col("year").str.extract(rf"({YEAR_DIGITS})", 1).cast(pl.Int32))
        .group_by("report_id", "year")
        .len()
        .sort("len", "year", descending=True)
        .group_by("report_id")
        .agg(body_year=pl.col("year").first())
    )


def page_labels(lines: pl.DataFrame) -> pl.DataFrame:
    """What the page's own labelled lines say: the publishing body (来源, 发布机构), a hint of
    last resort for the issuing body, and the original URL (原文链接) of an archive copy."""
    return (
        lines.with_columns(
            source_org=pl.col("line").str.extract(SOURCE_LABEL, 1),
            linked_url=pl.col("line").str.extract(URL_LABEL, 1),
        )
        .sort("line_no")
        .group_by("report_id")
        .agg(pl.col("source_org").drop_nulls().first(), pl.col("linked_url").drop_nulls().first())
    )


def infer_metadata(documents: pl.DataFrame, cleaned_lines: pl.DataFrame) -> pl.DataFrame:
    """report_id, title, title_printed, report_year, org_name, published_date, page_url and the
    opening paragraph, for each document.

    documents: report_id and the source's own metadata (page_title, page_date, page_source,
    page_url); cleaned_lines: report_id, line_no, line, reason (cleaning.clean).
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
        .join(body_years(lines), on="report_id", how="left")
    )
    # A page's own title counts where it names the topic and a year (not a site name, not Word's
    # "Document1").
    page_title = pl.when(
        pl.col("page_title").str.contains(TITLE_TOPIC) & pl.col("page_title").str.contains(YEAR)
    ).then(pl.col("page_title"))
    frame = frame.with_columns(
        title_printed=pl.col("title").is_not_null() | page_title.is_not_null(),
        title=pl.coalesce(pl.col("title"), page_title),
        published_date=pl.coalesce("labelled_date", "page_date", "closing_date"),
        page_url=pl.coalesce("page_url", "linked_url"),
        source_org=pl.coalesce("source_org", "page_source"),
    )
    title = pl.col("title").str.replace(r"^关于", "")
    title_org = title.str.extract(rf"^(.{{2,40}}?)(?:关于)?{YEAR}\s*年", 1)
    title_org_after_year = title.str.extract(
        rf"^{YEAR}\s*年度?(.{{2,40}}?)(?:关于)?(?:{TITLE_TOPIC})", 2
    )
    frame = frame.with_columns(
        report_year=pl.coalesce(
            year_value(pl.col("title").str.extract(rf"{YEAR}\s*年", 1)),
            pl.col("opening").str.extract(LONE_YEAR, 1).cast(pl.Int32),
            pl.col("body_year"),
            pl.col("published_date").dt.year().cast(pl.Int32) - 1,
        ),
        org_name=pl.coalesce(
            pl.col("signature_org"),
            title_org,
            title_org_after_year,
            pl.col("opening").str.extract(OPENING_SUBJECT, 1),
            pl.col("source_org"),
        ),
    )
    return frame.with_columns(
        title=pl.coalesce(
            pl.col("title"),
            pl.concat_str(
                pl.col("org_name"), pl.col("report_year"), pl.lit("年法治政府建设情况报告")
            ),
        )
    ).select(
        "report_id",
        "title",
        "title_printed",
        "report_year",
        "org_name",
        "published_date",
        "page_url",
        "opening",
    )
