"""The visual report: one self-contained HTML page drawn from the marts, Chinese first.

Every heading, label and note is in Chinese with a short English line beneath, so either reader
reads it without a script or a switch. Charts are inline SVG, styles inline CSS, no script and no
font or library from the network, so the page opens from disk anywhere. Every figure is shown as
the report writes it (1万余次, not 10000) and links to its evidence at the foot of the page: the
issuing body, the year, the source (the URL of a crawled report, the file name of a local one),
the publication date and the sentence with the figure marked. Every chart and table has a CSV
link holding the rows it shows, as a data URI, so the page stays one file.
"""

from __future__ import annotations

import base64
import html
import os
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import duckdb
import polars as pl

from pipelines.shared.frames import query_frame
from pipelines.shared.patterns import HAN_NUMERAL
from pipelines.terms.dictionary import DOMAIN_TAG, domain_words

# A chart or table with more reports than this shows the largest and says how many it left out.
MAX_REPORTS_SHOWN = 40
HEATMAP_TERMS = 20
BAR_HEIGHT = 22
LABEL_WIDTH = 230
CHART_WIDTH = 760
# The admitted shortcomings shown per report; the full text is one click away.
SHORTCOMINGS_SHOWN = 6
SHORTCOMINGS_CLIP = 160
# Bars are coloured by the year they cover, so reports of different years stand out.
YEAR_COLOURS = ["#3b82c4", "#e07b39", "#4c9a5b", "#8e5ea2", "#c0504d", "#6b7b8c", "#b8962e"]
# An admitted shortcoming: 一是…, 二是… or （一）…, up to the end of its first clause.
ORDINAL = rf"(?:[{HAN_NUMERAL}]+是|（[{HAN_NUMERAL}]+）)"
SHORTCOMING_ITEM = ORDINAL + r"[^。；;，,：:（]+"
# The parts the 2019 rules on law-based government (法治政府建设与责任落实督察工作规定) require
# an annual report to contain (sections.part), with their Chinese and English names.
MANDATED_PARTS = [
    ("measures", "主要举措和成效", "measures and results"),
    ("leadership", "第一责任人职责", "leaders' duties"),
    ("shortcomings", "不足和原因", "shortcomings"),
    ("plans", "下一年度安排", "next year's plans"),
]

STYLE = """
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei",
       sans-serif; margin: 2rem auto; max-width: 1100px; color: #1d2733; line-height: 1.5;
       padding: 0 1rem; }
h1 { font-size: 1.7rem; margin-bottom: 0.2rem; }
h2 { font-size: 1.3rem; margin-top: 2.5rem; border-bottom: 2px solid #dbe3ec; padding-bottom: .3rem; }
h3 { font-size: 1.05rem; margin: 1.5rem 0 .3rem; }
.en { display: block; font-size: .78em; font-weight: normal; color: #52606d; }
span.en-inline { font-size: .85em; color: #52606d; }
.lead { color: #33404d; margin-top: .4rem; }
nav.contents a { margin-right: 1rem; white-space: nowrap; }
figure.chart { margin: .5rem 0 1.8rem; }
figure.chart svg { max-width: 100%; height: auto; }
svg text { font-size: 12px; fill: #1d2733; }
svg a:hover rect { opacity: .75; }
.legend { font-size: .85rem; margin: .2rem 0; }
.legend .swatch { display: inline-block; width: .8rem; height: .8rem; margin: 0 .25rem 0 .6rem;
                  vertical-align: -1px; }
.years-differ { background: #fff3cd; border-left: 4px solid #e0a800; padding: .3rem .6rem;
                font-size: .9rem; margin: .3rem 0; }
a.csv { font-size: .85rem; display: block; margin: .2rem 0 .4rem; }
table { border-collapse: collapse; font-size: .85rem; margin: .3rem 0; }
th, td { border: 1px solid #dbe3ec; padding: .25rem .5rem; text-align: left; vertical-align: top; }
th { background: #f3f6f9; }
th .en { font-size: .75em; }
td.num { text-align: right; white-space: nowrap; }
td.yes { background: #d7ecd9; text-align: center; }
td.no { background: #f8d7da; text-align: center; }
td.unknown { color: #6b7b8c; text-align: center; }
td.none { color: #9aa5b1; text-align: center; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(320px, 1fr)); gap: .8rem;
         align-items: start; }
.card { border: 1px solid #dbe3ec; border-radius: 4px; padding: .5rem .8rem; font-size: .9rem; }
.card h3 { margin: 0 0 .3rem; font-size: .95rem; }
.card ul { margin: .2rem 0; padding-left: 1.2rem; }
details { font-size: .85rem; color: #33404d; }
ol.evidence li { margin-bottom: .9rem; }
ol.evidence li:target { background: #fff6d6; }
.meta { color: #33404d; font-size: .85rem; }
mark { background: #ffe58a; padding: 0 .1rem; }
.where { color: #52606d; font-size: .8rem; font-family: monospace; }
.note { color: #52606d; font-size: .85rem; }
"""


def _e(value: object) -> str:
    return html.escape("" if value is None else str(value))


def bilingual(zh: str, en: str) -> str:
    """Chinese text with its short English line beneath (both escaped)."""
    return f'{_e(zh)}<span class="en" lang="en">{_e(en)}</span>'


def _anchor(report_id: str, fact_no: int) -> str:
    return f"e-{report_id}-{fact_no}"


def _label(row: dict) -> str:
    return f"{row['region'] or row['org_name']} {row['report_year']}"


def _years(years: Sequence[int]) -> str:
    return "、".join(str(year) for year in sorted(set(years)))


def csv_link(name: str, rows: pl.DataFrame) -> str:
    """A link that downloads rows as name.csv: UTF-8 with a byte-order mark, so spreadsheets
    read the Chinese right, inline as a data URI."""
    data = base64.b64encode(("\ufeff" + rows.write_csv()).encode("utf-8")).decode("ascii")
    return (
        f'<a class="csv" download="{_e(name)}.csv" '
        f'href="data:text/csv;charset=utf-8;base64,{data}">'
        f'下载 CSV（{rows.height} 行）<span class="en-inline" lang="en">Download CSV '
        f"({rows.height} rows)</span></a>"
    )


def charted(figures: pl.DataFrame) -> pl.DataFrame:
    """The figures the charts show: each indicator's MAX_REPORTS_SHOWN largest, largest first."""
    return (
        figures.sort(["value", "report_id"], descending=[True, False])
        .group_by("indicator", maintain_order=True)
        .head(MAX_REPORTS_SHOWN)
        .select(figures.columns)
    )


def year_colours(years: Sequence[int]) -> dict[int, str]:
    return {year: YEAR_COLOURS[i % len(YEAR_COLOURS)] for i, year in enumerate(sorted(set(years)))}


def years_mark(years: Sequence[int]) -> str:
    """The warning a chart or table carries when the reports it compares cover different
    years: a figure of 2020 beside one of 2024 is not a comparison of like with like."""
    if len(set(years)) < 2:
        return ""
    return (
        f'<p class="years-differ">⚠ 年份不同：{_years(years)}年，数字不一定可比 '
        f'<span class="en-inline" lang="en">· different years ({", ".join(map(str, sorted(set(years))))}): '
        "the figures may not be comparable</span></p>"
    )


def chart_csv(shown: pl.DataFrame) -> pl.DataFrame:
    """What a chart shows, as CSV rows: each bar with the figure as written and its source."""
    return shown.select(
        "region",
        "report_year",
        "org_name",
        "indicator",
        "indicator_name",
        "value",
        "unit",
        "qualifier",
        pl.col("surface").alias("as_written"),
        "published_date",
        "source",
        "sentence",
        "report_id",
        "char_start",
        "char_end",
    )


def bar_chart(
    shown: pl.DataFrame,
    total: int,
    colours: dict[int, str],
    indicator: str,
    name: str,
    unit: str,
) -> str:
    """Horizontal bars, one per report shown (of total), coloured by year (one colour per year
    across the page), each labelled with the figure as written and linked to its evidence."""
    rows = shown.to_dicts()
    years = sorted({row["report_year"] for row in rows})
    top = max((row["value"] for row in rows), default=0) or 1
    span = CHART_WIDTH - LABEL_WIDTH - 110
    height = BAR_HEIGHT * len(rows) + 10
    bars = []
    for i, row in enumerate(rows):
        y = 5 + i * BAR_HEIGHT
        width = max(2.0, span * row["value"] / top)
        bars.append(
            f'<a href="#{_anchor(row["report_id"], row["fact_no"])}">'
            f"<title>{_e(row['sentence'])}</title>"
            f'<text x="{LABEL_WIDTH - 8}" y="{y + 15}" text-anchor="end">'
            f"{_e(_label(row))}年</text>"
            f'<rect class="bar" x="{LABEL_WIDTH}" y="{y + 3}" width="{width:.1f}" '
            f'height="{BAR_HEIGHT - 6}" fill="{colours[row["report_year"]]}"></rect>'
            f'<text class="figure" x="{LABEL_WIDTH + width + 6:.1f}" y="{y + 15}">'
            f"{_e(row['surface'])}</text></a>"
        )
    legend = ""
    if len(years) > 1:
        legend = (
            '<p class="legend">年份 <span class="en-inline" lang="en">year</span>:'
            + "".join(
                f'<span class="swatch" style="background:{colours[year]}"></span>{year}'
                for year in years
            )
            + "</p>"
        )
    left_out = total - len(rows)
    note = (
        f'<figcaption class="note">另有 {left_out} 份报告未列出 '
        f'<span class="en-inline" lang="en">and {left_out} more reports</span></figcaption>'
        if left_out
        else ""
    )
    title = f"{name}（{unit}）"
    return (
        f'<figure class="chart" id="chart-{_e(indicator)}">'
        f"<h3>{bilingual(title, indicator.replace('_', ' '))}</h3>"
        f"{years_mark(years)}{legend}"
        f'<svg role="img" aria-label="{_e(title)}" viewBox="0 0 {CHART_WIDTH} {height}" '
        f'width="{CHART_WIDTH}" height="{height}">{"".join(bars)}</svg>{note}'
        f"{csv_link(f'headline_{indicator}', chart_csv(shown))}</figure>"
    )


def heatmap(shown: pl.DataFrame, terms: list[str], columns: list[str]) -> str:
    """Terms down, reports across, shade by occurrences per 10,000 characters: shown holds the
    cells (column, term, per_10k_chars) of the terms and columns given."""
    values = {
        (term, column): value
        for term, column, value in shown.select("term", "column", "per_10k_chars").iter_rows()
    }
    top = max(values.values(), default=0) or 1
    cell_w, cell_h, label_w, head_h = 70, 24, 120, 150
    # Room for the slanted column labels, which run up and to the right.
    width = label_w + cell_w * len(columns) + 150
    height = head_h + cell_h * len(terms) + 10
    parts = []
    for j, column in enumerate(columns):
        x = label_w + j * cell_w + cell_w / 2
        parts.append(
            f'<text transform="translate({x:.0f},{head_h - 8}) rotate(-40)">{_e(column)}</text>'
        )
    for i, term in enumerate(terms):
        y = head_h + i * cell_h
        parts.append(f'<text x="{label_w - 8}" y="{y + 16}" text-anchor="end">{_e(term)}</text>')
        for j, column in enumerate(columns):
            value = values.get((term, column), 0.0)
            shade = 0.08 + 0.92 * value / top if value else 0.0
            parts.append(
                f'<rect class="cell" x="{label_w + j * cell_w}" y="{y}" width="{cell_w - 2}" '
                f'height="{cell_h - 2}" fill="rgb(27,95,166)" fill-opacity="{shade:.2f}">'
                f"<title>{_e(term)} · {_e(column)}：每万字 {value:g} 次 "
                f"({value:g} per 10,000 characters)</title></rect>"
            )
            if value:
                colour = "#ffffff" if shade > 0.55 else "#1d2733"
                parts.append(
                    f'<text x="{label_w + j * cell_w + cell_w / 2 - 1:.0f}" y="{y + 16}" '
                    f'text-anchor="middle" style="fill:{colour}">{value:.1f}</text>'
                )
    legend = (
        '<p class="legend">颜色越深，每万字出现次数越多（最高 '
        f'{top:.1f}）<span class="en" lang="en">The darker, the more occurrences per 10,000 '
        f"characters (at most {top:.1f})</span></p>"
    )
    rows = shown.select(
        pl.col("term"), pl.col("column").alias("region_year"), "per_10k_chars"
    ).sort("term", "region_year")
    return (
        f'<figure class="chart" id="chart-emphasis">{legend}'
        '<svg role="img" aria-label="用词侧重热力图 term emphasis heatmap" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}">{"".join(parts)}</svg>'
        f"{csv_link('term_emphasis', rows)}</figure>"
    )


def coverage_table(coverage: pl.DataFrame, shown_reports: pl.DataFrame, links: dict) -> str:
    """Indicators down, the reports shown across: ✓ (linked to the headline evidence) where
    stated."""
    shown = shown_reports.to_dicts()
    in_table = coverage.join(shown_reports.select("report_id"), on="report_id", how="semi")
    stated = {
        (indicator, report_id): figures
        for indicator, report_id, figures in in_table.select(
            "indicator", "report_id", "figures"
        ).iter_rows()
    }
    indicators = coverage.select("indicator", "indicator_name").unique().sort("indicator")
    head = "".join(f"<th>{_e(_label(row))}</th>" for row in shown)
    body = []
    for indicator, name in indicators.iter_rows():
        cells = []
        for row in shown:
            figures = stated.get((indicator, row["report_id"]), 0)
            if figures:
                link = links.get((indicator, row["report_id"]))
                mark = f'<a href="#{link}">✓ {figures}</a>' if link else f"✓ {figures}"
                cells.append(f'<td class="yes">{mark}</td>')
            else:
                cells.append('<td class="none">—</td>')
        share = sum(1 for row in shown if stated.get((indicator, row["report_id"])))
        body.append(
            f"<tr><th>{_e(name)}<br><span class='where'>{_e(indicator)}</span></th>"
            f"<td class='num'>{share}/{len(shown)}</td>{''.join(cells)}</tr>"
        )
    rows = (
        in_table.join(shown_reports.select("report_id", "report_year", "org_name"), on="report_id")
        .sort("indicator", "region", "report_year", "org_name", "report_id", nulls_last=True)
        .select("indicator", "indicator_name", "region", "report_year", "org_name", "figures")
    )
    return (
        f'<table class="coverage"><thead><tr><th>{bilingual("指标", "indicator")}</th>'
        f"<th>{bilingual('报告数', 'reports')}</th>{head}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table>{csv_link('indicator_coverage', rows)}"
    )


def _figure_link(report_id: str, fact_no: int, surface: str) -> str:
    return f'<a href="#{_anchor(report_id, fact_no)}">{_e(surface)}</a>'


def changes_table(changes: pl.DataFrame, left_out: int) -> str:
    """Year-over-year change of each headline indicator for regions with two or more years,
    both figures as written and linked to their evidence."""
    more = (
        f'<p class="note">另有 {left_out} 项变化见 marts.indicator_changes。'
        f'<span class="en" lang="en">{left_out} more changes are in '
        "marts.indicator_changes.</span></p>"
        if left_out
        else ""
    )
    if changes.is_empty():
        return more or (
            '<p class="note">还没有哪个地区有两个或以上年度的报告。'
            '<span class="en" lang="en">No region has reports of two or more years yet.</span></p>'
        )
    head = "".join(
        f"<th>{bilingual(zh, en)}</th>"
        for zh, en in [
            ("地区", "region"),
            ("指标", "indicator"),
            ("上一年度", "earlier year"),
            ("数值", "figure"),
            ("年度", "later year"),
            ("数值", "figure"),
            ("变化", "change"),
            ("变化率", "change %"),
        ]
    )
    body = []
    for row in changes.to_dicts():
        pct = "—" if row["change_pct"] is None else f"{row['change_pct']:+g}%"
        earlier = _figure_link(
            row["previous_report_id"], row["previous_fact_no"], row["previous_surface"]
        )
        later = _figure_link(row["report_id"], row["fact_no"], row["surface"])
        body.append(
            f"<tr><td>{_e(row['region'])}</td>"
            f"<td>{_e(row['indicator_name'])}（{_e(row['unit'])}）</td>"
            f"<td>{row['previous_year']}</td><td class='num'>{earlier}</td>"
            f"<td>{row['report_year']}</td><td class='num'>{later}</td>"
            f"<td class='num'>{row['change']:+g}</td><td class='num'>{pct}</td></tr>"
        )
    rows = changes.select(
        "region",
        "org_kind",
        "indicator",
        "indicator_name",
        "unit",
        "previous_year",
        pl.col("previous_surface").alias("previous_as_written"),
        "previous_value",
        "report_year",
        pl.col("surface").alias("as_written"),
        "value",
        "change",
        "change_pct",
        "previous_report_id",
        "report_id",
    )
    return (
        f'<table class="changes"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody>'
        f"</table>{csv_link('indicator_changes', rows)}{more}"
    )


def compliance_table(compliance: pl.DataFrame) -> str:
    """Per report: the mandated parts it has, and whether it was published by 1 April."""
    head = "".join(
        f"<th>{bilingual(zh, en)}</th>"
        for zh, en in [
            ("地区", "region"),
            ("年度", "year"),
            ("发布机关", "issuing body"),
            *((zh, en) for _, zh, en in MANDATED_PARTS),
            ("发布日期", "published"),
            ("4月1日前发布", "by 1 April"),
        ]
    )
    body = []
    for row in compliance.to_dicts():
        parts = "".join(
            '<td class="yes">✓</td>' if row[part] else '<td class="no">✗ 缺</td>'
            for part, _, _ in MANDATED_PARTS
        )
        if row["on_time"] is None:
            on_time = '<td class="unknown">未注明日期<span class="en">date not stated</span></td>'
        elif row["on_time"]:
            on_time = '<td class="yes">✓</td>'
        else:
            on_time = '<td class="no">✗ 逾期<span class="en">late</span></td>'
        body.append(
            f"<tr><td>{_e(row['region'])}</td><td>{row['report_year']}</td>"
            f"<td>{_e(row['org_name'])}</td>{parts}"
            f"<td>{_e(row['published_date'] or '—')}</td>{on_time}</tr>"
        )
    return (
        f'<table class="compliance"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>{csv_link('report_compliance', compliance)}"
    )


def shortcoming_items(shortcomings: pl.DataFrame) -> pl.DataFrame:
    """Each report's admitted shortcomings as a short list: the first clause of each 一是…,
    二是… (or （一）…) of its shortcomings part."""
    return shortcomings.with_columns(
        items=pl.col("shortcomings")
        .str.extract_all(SHORTCOMING_ITEM)
        .list.eval(pl.element().str.replace("^" + ORDINAL, ""))
        .fill_null([])
    )


def shortcomings_cards(shortcomings: pl.DataFrame) -> str:
    """The shortcomings each report admits, side by side: its points in a few words, the full
    text one click away."""
    listed = shortcoming_items(shortcomings)
    cards = []
    for row in listed.to_dicts():
        text = row["shortcomings"]
        if text is None:
            inner = (
                '<p class="note">报告没有单列“存在的不足”部分。'
                '<span class="en" lang="en">The report has no shortcomings part.</span></p>'
            )
        else:
            items = row["items"][:SHORTCOMINGS_SHOWN]
            more = len(row["items"]) - len(items)
            summary = (
                "<ul>"
                + "".join(f"<li>{_e(item)}</li>" for item in items)
                + (f"<li>……另 {more} 条 and {more} more</li>" if more else "")
                + "</ul>"
                if items
                else f"<p>{_e(text[:SHORTCOMINGS_CLIP])}{'……' if len(text) > SHORTCOMINGS_CLIP else ''}</p>"
            )
            inner = (
                f"{summary}<details><summary>全文（{len(text)} 字）"
                f'<span class="en-inline" lang="en"> full text</span></summary>{_e(text)}</details>'
            )
        cards.append(
            f'<div class="card"><h3>{_e(_label(row))}年 · {_e(row["org_name"])}</h3>{inner}</div>'
        )
    rows = listed.select(
        "region",
        "report_year",
        "org_name",
        pl.col("items").list.join("；").alias("points"),
        "shortcomings",
        "report_id",
    )
    return f'<div class="cards">{"".join(cards)}</div>{csv_link("shortcomings", rows)}'


def source_html(row: dict) -> str:
    """Where a report came from: a link to its URL where it has one (a crawled report, or a
    saved page that names its address), and the file name of a local file."""
    url = row["source_url"]
    parts = []
    if url and url.startswith(("http://", "https://")):
        parts.append(f'<a class="source" href="{_e(url)}">{_e(url)}</a>')
    if row["source_name"] != url:
        parts.append(f'<span class="source file">文件 file: {_e(row["source_name"])}</span>')
    return " · ".join(parts)


def evidence_list(figures: pl.DataFrame) -> str:
    items = []
    # report_id and fact_no settle two reports of one region and year, for the same page each time.
    ordered = figures.sort(
        "indicator", "region", "report_year", "report_id", "fact_no", nulls_last=True
    )
    for row in ordered.to_dicts():
        sentence, start = row["sentence"], row["mark_start"]
        end = start + len(row["surface"])
        marked = f"{_e(sentence[:start])}<mark>{_e(sentence[start:end])}</mark>{_e(sentence[end:])}"
        published = (
            _e(row["published_date"])
            if row["published_date"]
            else '未注明 <span class="en-inline" lang="en">not stated</span>'
        )
        items.append(
            f'<li id="{_anchor(row["report_id"], row["fact_no"])}">'
            f"<strong>{_e(row['indicator_name'])}</strong> · {_e(_label(row))}年："
            f"<strong>{_e(row['surface'])}</strong>"
            f'<p class="sentence">{marked}</p>'
            f'<div class="meta">发布机关 <span class="en-inline" lang="en">issued by</span> '
            f'{_e(row["org_name"])} · 年度 <span class="en-inline" lang="en">year</span> '
            f'{row["report_year"]} · 来源 <span class="en-inline" lang="en">source</span> '
            f'{source_html(row)} · 发布日期 <span class="en-inline" lang="en">published</span> '
            f"{published}</div>"
            f'<span class="where">reports.report_id = {_e(row["report_id"])}, '
            f"text[{row['char_start']}:{row['char_end']}]</span></li>"
        )
    return f'<ol class="evidence">{"".join(items)}</ol>'


# The headline figures the page shows, with what its evidence entry shows: the figure as
# written, where it stands in its sentence, and the report's issuing body, source and
# publication date. Shown are each indicator's $top largest (the charts) and every figure of
# $reports (the tables, and the earlier reports their changes compare with); only these are
# joined to their sentences. indicator_total counts every report's figure of the indicator.
# The sentences are left out of the ranking: carried through its windows, every figure's
# sentence had to be held at once (at 10,000 reports the query failed at a 150 MB limit).
FIGURES_SQL = """
WITH picked AS (
    SELECT * EXCLUDE (sentence), count(*) OVER (PARTITION BY indicator) AS indicator_total
    FROM marts.headline_figures
    QUALIFY row_number() OVER (PARTITION BY indicator ORDER BY value DESC, report_id) <= $top
        OR list_contains($reports, report_id)
)
SELECT h.*, k.sentence, f.surface, f.char_start - k.sentence_start AS mark_start,
       r.published_date, r.source_name, r.source_url,
       coalesce(r.source_url, r.source_name) AS source
FROM picked AS h
JOIN main.facts AS f USING (report_id, fact_no)
JOIN main.headline_facts AS k USING (report_id, fact_no)
JOIN main.reports AS r ON r.report_id = h.report_id
"""

# The topic terms (domain dictionary terms) written about most in the whole corpus: the most
# occurrences, as the vocabulary counts them. One look-up of a table made with the terms:
# ranked by their rates in every region and year instead, every term of the corpus was read
# and grouped at each render (0.2-0.3 s at 10,000 reports).
EMPHASIS_TERMS_SQL = """
SELECT term
FROM main.vocabulary
WHERE list_contains($terms, term)
ORDER BY n DESC, term
LIMIT $top
"""
# Their cells in the columns (region and year) the page shows.
EMPHASIS_CELLS_SQL = """
SELECT concat(region, ' ', report_year) AS column, term, per_10k_chars
FROM marts.term_emphasis
WHERE list_contains($terms, term) AND list_contains($columns, concat(region, ' ', report_year))
"""

# The mandated parts and the deadline per report, from marts.report_compliance.
COMPLIANCE_SQL = """
SELECT region, parent_region, report_year, org_name,
       has_measures AS measures, has_leadership AS leadership,
       has_shortcomings AS shortcomings, has_plans AS plans,
       published_date, publish_by, published_on_time AS on_time, report_id
FROM marts.report_compliance
WHERE list_contains($shown, report_id)
ORDER BY parent_region NULLS LAST, region, report_year, org_name, report_id
"""

# The shortcomings part without its heading (三、存在的不足), which the mart's text begins with.
SHORTCOMINGS_SQL = """
SELECT p.region, p.report_year, p.org_name,
       CASE WHEN starts_with(p.shortcomings, h.heading)
            THEN substr(p.shortcomings, length(h.heading) + 1)
            ELSE p.shortcomings END AS shortcomings,
       p.report_id
FROM marts.shortcomings_and_plans AS p
LEFT JOIN (
    SELECT report_id, arg_min(label || heading, section_no) AS heading
    FROM main.sections
    WHERE level = 1 AND part = 'shortcomings'
    GROUP BY report_id
) AS h USING (report_id)
WHERE list_contains($shown, p.report_id)
ORDER BY p.parent_region NULLS LAST, p.region, p.report_year, p.org_name, p.report_id
"""


CHANGES_ORDER = ["region", "indicator", "report_year", "org_kind", "report_id"]


def year_over_year(changes: pl.DataFrame, figures: pl.DataFrame) -> pl.DataFrame:
    """Changes (rows of marts.indicator_changes) with both figures as written and their facts,
    for links."""
    keyed = figures.select("report_id", "indicator", "fact_no", "surface")
    # Joins keep no order: the mart's is restored, so the page is the same at every render.
    return (
        changes.join(keyed, on=["report_id", "indicator"])
        .join(
            keyed.rename(
                {
                    "report_id": "previous_report_id",
                    "fact_no": "previous_fact_no",
                    "surface": "previous_surface",
                }
            ),
            on=["previous_report_id", "indicator"],
        )
        # Two reports of one body and year can each pair with the year before: the figures
        # settle the order between them.
        .sort(
            [*CHANGES_ORDER, "previous_report_id", "fact_no", "previous_fact_no"],
            nulls_last=True,
        )
    )


def render_report(conn: duckdb.DuckDBPyConnection) -> str:
    """The whole page, from a connection to what is published (the published file, or the
    working database when it holds the same)."""
    reports = query_frame(
        conn,
        "SELECT region, parent_region, report_year, org_name, n_chars, report_id "
        "FROM marts.report_overview "
        "ORDER BY parent_region NULLS LAST, region, report_year, org_name, report_id",
    )
    matrix_columns = [
        name
        for (name,) in conn.execute(
            "SELECT column_name FROM duckdb_columns() WHERE schema_name = 'marts' "
            "AND table_name = 'indicator_matrix' AND data_type = 'DOUBLE' ORDER BY column_index"
        ).fetchall()
    ]
    indicators = conn.execute("SELECT indicator_id, name_zh, unit FROM main.indicators").fetchall()
    names = {indicator: (name, unit) for indicator, name, unit in indicators}
    # term_emphasis is per region and year: a government and its departments share a column.
    shown_reports = reports.head(MAX_REPORTS_SHOWN)
    shown_ids = shown_reports["report_id"].to_list()
    # Every change is in marts.indicator_changes: the page shows those of the reports its tables
    # show, and says how many it left out. Their sentences come with the figures.
    all_changes = query_frame(
        conn,
        "SELECT * EXCLUDE (sentence, previous_sentence) FROM marts.indicator_changes "
        f"ORDER BY {', '.join(CHANGES_ORDER)}",
    )
    shown_changes = all_changes.filter(pl.col("report_id").is_in(shown_ids))
    # Only the figures the page shows leave the database.
    figures = query_frame(
        conn,
        FIGURES_SQL,
        {
            "top": MAX_REPORTS_SHOWN,
            "reports": [*shown_ids, *shown_changes["previous_report_id"].unique().sort()],
        },
    )
    columns = list(dict.fromkeys(_label(row) for row in shown_reports.to_dicts()))
    # The terms are ranked over the whole corpus, but only the cells shown leave the database.
    topics = {
        "terms": [word for word, _, tag in domain_words() if tag == DOMAIN_TAG],
        "top": HEATMAP_TERMS,
    }
    emphasis_terms = [term for (term,) in conn.execute(EMPHASIS_TERMS_SQL, topics).fetchall()]
    emphasis = query_frame(conn, EMPHASIS_CELLS_SQL, {"terms": emphasis_terms, "columns": columns})
    coverage = query_frame(
        conn,
        "SELECT indicator, indicator_name, region, report_id, figures "
        "FROM marts.indicator_coverage WHERE list_contains($shown, report_id)",
        {"shown": shown_ids},
    )
    compliance = query_frame(conn, COMPLIANCE_SQL, {"shown": shown_ids})
    shortcomings = query_frame(conn, SHORTCOMINGS_SQL, {"shown": shown_ids})
    changes = year_over_year(shown_changes, figures)
    # The page lists the evidence of what it shows, so it stays small for any corpus: the
    # charted figures, the figures of the reports in the coverage table, and both figures of
    # each year-over-year change.
    bars = charted(figures)
    in_table = figures.join(shown_reports.select("report_id"), on="report_id", how="semi")
    in_changes = figures.join(
        pl.concat(
            [
                changes.select("report_id", "fact_no"),
                changes.select(
                    pl.col("previous_report_id").alias("report_id"),
                    pl.col("previous_fact_no").alias("fact_no"),
                ),
            ]
        ),
        on=["report_id", "fact_no"],
        how="semi",
    )
    evidence = pl.concat([bars, in_table, in_changes]).unique(
        ["report_id", "fact_no"], maintain_order=True
    )
    links = {
        (indicator, report_id): _anchor(report_id, fact_no)
        for indicator, report_id, fact_no in in_table.select(
            "indicator", "report_id", "fact_no"
        ).iter_rows()
    }
    totals = dict(figures.select("indicator", "indicator_total").unique().iter_rows())
    by_indicator = bars.partition_by("indicator", as_dict=True)
    colours = year_colours(reports["report_year"].to_list())
    charts = [
        bar_chart(
            by_indicator[(indicator,)], totals[indicator], colours, indicator, *names[indicator]
        )
        for indicator in matrix_columns
        if (indicator,) in by_indicator
    ]
    regions = reports["region"].n_unique()
    years = sorted(reports["report_year"].unique().to_list())
    span = f"{years[0]}–{years[-1]}" if years else ""
    built = datetime.now().strftime("%Y-%m-%d %H:%M")
    left_out = reports.height - shown_reports.height
    more = (
        f'<p class="note">表中列出前 {shown_reports.height} 份报告，另有 {left_out} 份见 '
        "<code>fazhi export</code>。"
        f'<span class="en" lang="en">The first {shown_reports.height} reports are listed; '
        f"the other {left_out} are in <code>fazhi export</code>.</span></p>"
        if left_out
        else ""
    )
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>fazhi：法治政府建设年度报告 跨地区比较 · cross-district comparison</title>
<style>{STYLE}</style>
</head>
<body>
<h1>{bilingual("法治政府建设年度报告：跨地区比较", "Annual reports on law-based government: a cross-district comparison")}</h1>
<p class="lead">共 {reports.height} 份报告，来自 {regions} 个地区，{span} 年。生成于 {built}，数据来自 fazhi 数据库。
每个数字都按报告原文写法列出（如“1万余次”），并链接到它所出自的原句。
<span class="en" lang="en">{reports.height} reports from {regions} regions, {span}. Built {built} from the
fazhi warehouse. Every figure is given as the report writes it and links to the sentence it
came from.</span></p>
<nav class="contents">目录 <span class="en-inline" lang="en">contents</span>:
<a href="#headline">主要指标</a><a href="#changes">同比变化</a><a href="#compliance">报告合规</a>
<a href="#shortcomings">自述不足</a><a href="#emphasis">用词侧重</a><a href="#coverage">指标覆盖</a>
<a href="#evidence">原句出处</a></nav>

<h2 id="headline">{bilingual("主要指标：各地区、各年度", "Headline indicators by region and year")}</h2>
<p class="note">每份报告对每项指标给出的第一个、与指标单位可比的数字（marts.headline_figures）；
其他数字和单位见 marts.indicator_values。颜色表示报告年度。
<span class="en" lang="en">The first figure each report states in the indicator's own unit
(marts.headline_figures); other figures and units are in marts.indicator_values. Colour shows
the year a report covers.</span></p>
{"".join(charts) or '<p class="note">没有报告给出主要指标。<span class="en" lang="en">No report states a headline indicator.</span></p>'}

<h2 id="changes">{bilingual("同比变化", "Year-over-year change")}</h2>
<p class="note">同一地区有两个或以上年度的报告时，每项主要指标与该地区上一份报告相比的变化
（marts.indicator_changes）；政府报告与政府报告相比，部门报告与部门报告相比。带“余”“约”“以上”的数字是约数，其变化也只是大概。
<span class="en" lang="en">For regions with reports of two or more years: each headline
indicator against the region's previous report (marts.indicator_changes), a government's report
against its own earlier one, a department's against a department's. A figure written with
余, 约 or 以上 is approximate, and so is its change.</span></p>
{changes_table(changes, all_changes.height - changes.height)}

<h2 id="compliance">{bilingual("报告合规：法定内容与发布时间", "Reporting compliance: mandated parts and publication by 1 April")}</h2>
<p class="note">《法治政府建设与责任落实督察工作规定》要求年度报告包括：主要举措和成效；党政主要负责人履行推进法治建设第一责任人职责情况；
存在的不足和原因；下一年度主要安排；并于每年4月1日前公开。“缺”表示报告中没有以此为题的部分；日期未注明时无法判断是否按时。
<span class="en" lang="en">The 2019 rules require each annual report to give the year's measures
and results, how the leaders fulfilled their duties as first responsible persons, the
shortcomings and their causes, and next year's plans, and to be published by 1 April. ✗ means
no top-level section of the report is about that part; without a publication date, timeliness
cannot be told.</span></p>
{compliance_table(compliance)}

<h2 id="shortcomings">{bilingual("各报告自述的不足", "The shortcomings each report admits")}</h2>
<p class="note">摘自各报告“存在的不足”部分（marts.shortcomings_and_plans）：每条取“一是……”“二是……”的第一句，点开看全文。
<span class="en" lang="en">From each report's shortcomings part
(marts.shortcomings_and_plans): the first clause of each point; open the full text below it.</span></p>
{shortcomings_cards(shortcomings)}

<h2 id="emphasis">{bilingual("用词侧重", "Term emphasis")}</h2>
<p class="note">每万字报告正文中出现的次数（marts.term_emphasis），列出全部报告中出现次数最多的 {HEATMAP_TERMS} 个法治领域术语（main.vocabulary）。
<span class="en" lang="en">Occurrences per 10,000 characters of report text
(marts.term_emphasis), for the {HEATMAP_TERMS} domain terms written most often in the whole
corpus (main.vocabulary).</span></p>
{heatmap(emphasis, emphasis_terms, columns)}

<h2 id="coverage">{bilingual("各报告给出了哪些指标", "Which indicators each report states")}</h2>
{more}{coverage_table(coverage, shown_reports, links)}

<h2 id="evidence">{bilingual("原句出处", "Evidence")}</h2>
<p class="note">每个数字的出处：发布机关、年度、来源（网上抓取的报告链接到原网址，本地文件给出文件名）、发布日期和原句，数字已标出。
<span class="en" lang="en">Where each figure comes from: the issuing body, the year, the source
(a link to the page of a crawled report, the file name of a local one), the publication date,
and the sentence with the figure marked.</span></p>
{evidence_list(evidence)}
<p class="note">全部数据：<code>fazhi export 文件夹</code> 导出 Parquet、CSV 和 Excel。
<span class="en" lang="en">All the data: <code>fazhi export FOLDER</code> writes Parquet, CSV and an
Excel workbook.</span></p>
</body>
</html>
"""


def write_report_page(page: str, target: Path) -> None:
    """Write the page (render_report's) to target, beside and renamed over, so a browser never
    loads half a page."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".html.part")
    partial.write_text(page, encoding="utf-8")
    os.replace(partial, target)
