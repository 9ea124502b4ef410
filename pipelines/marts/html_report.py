"""The visual report: one self-contained HTML page drawn from the marts.

Charts are inline SVG, styles inline CSS, no script and no font or library from the network,
so the page opens from disk anywhere. Every bar and every cell of figures links to the sentence
the figure came from, listed at the foot of the page with its place in reports.text.
"""

from __future__ import annotations

import html
from datetime import datetime

import duckdb
import polars as pl

from pipelines.terms.dictionary import DOMAIN_TAG, domain_words

# A chart or table with more reports than this shows the largest and says how many it left out.
MAX_REPORTS_SHOWN = 40
HEATMAP_TERMS = 20
BAR_HEIGHT = 22
LABEL_WIDTH = 230
CHART_WIDTH = 720

STYLE = """
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei",
       sans-serif; margin: 2rem auto; max-width: 1100px; color: #1d2733; line-height: 1.5; }
h1 { font-size: 1.6rem; margin-bottom: 0.2rem; }
h2 { font-size: 1.25rem; margin-top: 2.5rem; border-bottom: 2px solid #dbe3ec; padding-bottom: .3rem; }
h3 { font-size: 1rem; margin: 1.5rem 0 .3rem; }
.lead { color: #52606d; margin-top: 0; }
figure.chart { margin: .5rem 0 1.5rem; }
figure.chart svg { max-width: 100%; height: auto; }
svg text { font-size: 12px; fill: #1d2733; }
svg a:hover rect { fill: #1b5fa6; }
table { border-collapse: collapse; font-size: .85rem; }
th, td { border: 1px solid #dbe3ec; padding: .25rem .5rem; text-align: left; vertical-align: top; }
th { background: #f3f6f9; }
td.yes { background: #d7ecd9; text-align: center; }
td.no { color: #9aa5b1; text-align: center; }
ol.evidence li { margin-bottom: .6rem; }
ol.evidence li:target { background: #fff6d6; }
mark { background: #ffe58a; padding: 0 .1rem; }
.where { color: #52606d; font-size: .8rem; font-family: monospace; }
.note { color: #52606d; font-size: .85rem; }
"""


def _e(value: object) -> str:
    return html.escape("" if value is None else str(value))


def _anchor(report_id: str, fact_no: int) -> str:
    return f"e-{report_id}-{fact_no}"


def _label(row: dict) -> str:
    return f"{row['region'] or row['org_name']} {row['report_year']}"


def charted(figures: pl.DataFrame) -> pl.DataFrame:
    """The figures the charts show: each indicator's MAX_REPORTS_SHOWN largest, largest first."""
    return (
        figures.sort(["value", "report_id"], descending=[True, False])
        .group_by("indicator", maintain_order=True)
        .head(MAX_REPORTS_SHOWN)
        .select(figures.columns)
    )


def bar_chart(shown: pl.DataFrame, total: int, title: str, unit: str) -> str:
    """Horizontal bars, one per report shown (of total), each a link to its evidence."""
    rows = shown.to_dicts()
    top = max((row["value"] for row in rows), default=0) or 1
    span = CHART_WIDTH - LABEL_WIDTH - 90
    height = BAR_HEIGHT * len(rows) + 10
    bars = []
    for i, row in enumerate(rows):
        y = 5 + i * BAR_HEIGHT
        width = max(2.0, span * row["value"] / top)
        bars.append(
            f'<a href="#{_anchor(row["report_id"], row["fact_no"])}">'
            f"<title>{_e(row['sentence'])}</title>"
            f'<text x="{LABEL_WIDTH - 8}" y="{y + 15}" text-anchor="end">{_e(_label(row))}</text>'
            f'<rect class="bar" x="{LABEL_WIDTH}" y="{y + 3}" width="{width:.1f}" '
            f'height="{BAR_HEIGHT - 6}" fill="#3b82c4"></rect>'
            f'<text x="{LABEL_WIDTH + width + 6:.1f}" y="{y + 15}">{row["value"]:g} {_e(unit)}</text>'
            "</a>"
        )
    left_out = total - len(rows)
    note = f'<figcaption class="note">and {left_out} more reports</figcaption>' if left_out else ""
    return (
        f'<figure class="chart"><h3>{_e(title)}</h3>'
        f'<svg role="img" aria-label="{_e(title)}" viewBox="0 0 {CHART_WIDTH} {height}" '
        f'width="{CHART_WIDTH}" height="{height}">{"".join(bars)}</svg>{note}</figure>'
    )


def heatmap(emphasis: pl.DataFrame, columns: list[str]) -> str:
    """Terms down, reports across, shade by occurrences per 10,000 characters."""
    terms = (
        emphasis.group_by("term")
        .agg(pl.col("per_10k_chars").sum())
        .sort("per_10k_chars", "term", descending=[True, False])
        .head(HEATMAP_TERMS)["term"]
        .to_list()
    )
    values = {
        (term, column): value
        for term, column, value in emphasis.filter(
            pl.col("term").is_in(terms) & pl.col("column").is_in(columns)
        )
        .select("term", "column", "per_10k_chars")
        .iter_rows()
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
                f"<title>{_e(term)} · {_e(column)}: {value:g} per 10,000 characters</title></rect>"
            )
            if value:
                colour = "#ffffff" if shade > 0.55 else "#1d2733"
                parts.append(
                    f'<text x="{label_w + j * cell_w + cell_w / 2 - 1:.0f}" y="{y + 16}" '
                    f'text-anchor="middle" style="fill:{colour}">{value:.1f}</text>'
                )
    return (
        '<figure class="chart"><svg role="img" aria-label="term emphasis heatmap" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}">{"".join(parts)}</svg>'
        "</figure>"
    )


def coverage_table(coverage: pl.DataFrame, shown_reports: pl.DataFrame, links: dict) -> str:
    """Indicators down, the reports shown across: ✓ (linked to the headline evidence) where
    stated."""
    shown = shown_reports.to_dicts()
    stated = {
        (indicator, report_id): figures
        for indicator, report_id, figures in coverage.join(
            shown_reports, on="report_id", how="semi"
        )
        .select("indicator", "report_id", "figures")
        .iter_rows()
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
                cells.append('<td class="no">—</td>')
        share = sum(1 for row in shown if stated.get((indicator, row["report_id"])))
        body.append(
            f"<tr><th>{_e(name)}<br><span class='where'>{_e(indicator)}</span></th>"
            f"<td>{share}/{len(shown)}</td>{''.join(cells)}</tr>"
        )
    return (
        f'<table class="coverage"><thead><tr><th>indicator</th><th>reports</th>{head}</tr>'
        f"</thead><tbody>{''.join(body)}</tbody></table>"
    )


def evidence_list(figures: pl.DataFrame) -> str:
    items = []
    for row in figures.sort("indicator", "region", "report_year").to_dicts():
        sentence = _e(row["sentence"]).replace(
            _e(row["surface"]), f"<mark>{_e(row['surface'])}</mark>", 1
        )
        items.append(
            f'<li id="{_anchor(row["report_id"], row["fact_no"])}"><strong>{_e(row["indicator_name"])}'
            f"</strong> · {_e(_label(row))}: {row['value']:g} {_e(row['unit'])}<br>{sentence}<br>"
            f'<span class="where">reports.report_id = {_e(row["report_id"])}, '
            f"text[{row['char_start']}:{row['char_end']}]</span></li>"
        )
    return f'<ol class="evidence">{"".join(items)}</ol>'


def render_report(conn: duckdb.DuckDBPyConnection) -> str:
    """The whole page, from the published warehouse."""
    reports = conn.execute(
        "SELECT region, parent_region, report_year, org_name, n_chars, report_id "
        "FROM marts.report_overview"
    ).pl()
    figures = conn.execute(
        "SELECT h.*, f.surface FROM marts.headline_figures h "
        "JOIN main.facts f USING (report_id, fact_no)"
    ).pl()
    matrix_columns = [
        name
        for (name,) in conn.execute(
            "SELECT column_name FROM duckdb_columns() WHERE schema_name = 'marts' "
            "AND table_name = 'indicator_matrix' AND data_type = 'DOUBLE' ORDER BY column_index"
        ).fetchall()
    ]
    indicators = conn.execute("SELECT indicator_id, name_zh, unit FROM main.indicators").fetchall()
    names = {indicator: (name, unit) for indicator, name, unit in indicators}
    topic_terms = [word for word, _, tag in domain_words() if tag == DOMAIN_TAG]
    emphasis = conn.execute(
        "SELECT concat(region, ' ', report_year) AS column, term, per_10k_chars "
        "FROM marts.term_emphasis WHERE list_contains($terms, term)",
        {"terms": topic_terms},
    ).pl()
    # term_emphasis is per region and year: a government and its departments share a column.
    shown_reports = reports.head(MAX_REPORTS_SHOWN)
    columns = list(dict.fromkeys(_label(row) for row in shown_reports.to_dicts()))
    coverage = conn.execute(
        "SELECT indicator, indicator_name, report_id, figures FROM marts.indicator_coverage"
    ).pl()
    # The page lists the evidence of what it shows, so it stays small for any corpus: the
    # charted figures, and the figures of the reports in the coverage table.
    bars = charted(figures)
    in_table = figures.join(shown_reports, on="report_id", how="semi")
    evidence = pl.concat([bars, in_table]).unique(["report_id", "fact_no"], maintain_order=True)
    links = {
        (indicator, report_id): _anchor(report_id, fact_no)
        for indicator, report_id, fact_no in in_table.select(
            "indicator", "report_id", "fact_no"
        ).iter_rows()
    }
    totals = dict(figures.group_by("indicator").len().iter_rows())
    by_indicator = bars.partition_by("indicator", as_dict=True)
    charts = [
        bar_chart(by_indicator[(indicator,)], totals[indicator], *names[indicator])
        for indicator in matrix_columns
        if (indicator,) in by_indicator
    ]
    regions = reports["region"].n_unique()
    years = sorted(reports["report_year"].unique().to_list())
    built = datetime.now().strftime("%Y-%m-%d %H:%M")
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>fazhi: 法治政府建设年度报告 comparison</title>
<style>{STYLE}</style>
</head>
<body>
<h1>法治政府建设年度报告: cross-district comparison</h1>
<p class="lead">{reports.height} reports from {regions} regions, {years[0] if years else ""}–{years[-1] if years else ""}.
Built {built} from the fazhi warehouse. Every figure links to the sentence it came from.</p>
<h2 id="headline">Headline indicators by region and year</h2>
<p class="note">The first figure each report states in the indicator's own unit (marts.headline_figures);
other figures and units are in marts.indicator_values.</p>
{"".join(charts) or '<p class="note">No report states a headline indicator.</p>'}
<h2 id="emphasis">Term emphasis</h2>
<p class="note">Occurrences per 10,000 characters of report text (marts.term_emphasis), for the
{HEATMAP_TERMS} domain terms written about most.</p>
{heatmap(emphasis, columns)}
<h2 id="coverage">Which indicators each report states</h2>
{coverage_table(coverage, shown_reports, links)}
<h2 id="evidence">Evidence</h2>
{evidence_list(evidence)}
</body>
</html>
"""
