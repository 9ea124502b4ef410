"""Content checks: what a report says, or what was extracted from it, that looks wrong.

Each finding is a row of quality_flags (report_id, source_name, check, severity, detail) and
nothing more: a report that says something surprising is published like any other, flagged.
`error` marks a figure or field that contradicts itself and is most likely wrong, `warning` a
report worth a look before it is compared.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import polars as pl

from pipelines.reading.ocr import LOW_CONFIDENCE
from pipelines.shared.frames import query_frame
from pipelines.shared.patterns import FIRST_PLAUSIBLE_YEAR


@dataclass(frozen=True)
class ContentCheck:
    name: str
    severity: str
    # Selects report_id and detail (words a person can act on), one row per finding.
    sql: str


CHECKS = (
    ContentCheck(
        "rates_within_0_100",
        "error",
        # Only a share must lie within 0-100: a change (同比增长300%, facts.kind = 'change', by
        # the wording of rules/change_words.tsv) may well exceed it.
        # The texts of the reports with such a share only: joined to every text, the check
        # read the whole corpus at each run (0.39 -> 0.04 s at 10,000 reports) and needed a
        # hash table of all of it.
        """
        WITH odd AS MATERIALIZED (
            SELECT report_id, sentence_no, fact_no, surface, char_end FROM facts
            WHERE unit = '%' AND kind = 'rate' AND value NOT BETWEEN 0 AND 100
        )
        SELECT f.report_id,
               format('share {} outside 0-100: "{}" (facts.fact_no {})', f.surface,
                      right(substr(r.text, s.char_start + 1, f.char_end - s.char_start), 30),
                      f.fact_no) AS detail
        FROM odd f
        JOIN sentences s USING (report_id, sentence_no)
        JOIN (
            SELECT report_id, text FROM reports WHERE report_id IN (SELECT report_id FROM odd)
        ) r USING (report_id)
        """,
    ),
    ContentCheck(
        "reconsideration_closed_not_above_received",
        "error",
        """
        SELECT report_id,
               format('{:g} administrative reconsideration cases closed, more than the {:g} '
                      'received: the closed ones include cases carried over from the year '
                      'before, or a figure is mapped wrongly', closed, received) AS detail
        FROM (
            SELECT report_id,
                   sum(value) FILTER (indicator = 'admin_reconsideration_closed') AS closed,
                   sum(value) FILTER (indicator = 'admin_reconsideration_received') AS received
            FROM facts
            WHERE NOT is_target
            GROUP BY report_id
        )
        WHERE closed > received
        """,
    ),
    ContentCheck(
        "report_year_plausible",
        "error",
        f"""
        SELECT report_id,
               format('report year {{}} outside {FIRST_PLAUSIBLE_YEAR}-{{}}', report_year,
                      year(current_date)) AS detail
        FROM reports
        WHERE report_year NOT BETWEEN {FIRST_PLAUSIBLE_YEAR} AND year(current_date)
        """,
    ),
    ContentCheck(
        "every_report_has_region",
        "warning",
        """
        SELECT report_id,
               'no region found in its title, text or page: it cannot be compared by region'
                   AS detail
        FROM reports
        WHERE region IS NULL
        """,
    ),
    ContentCheck(
        "every_report_has_facts",
        "warning",
        """
        SELECT report_id,
               format('no quantity found in its {} characters: its text or the extraction '
                      'is suspect', n_chars) AS detail
        FROM reports
        WHERE report_id NOT IN (SELECT report_id FROM facts)
        """,
    ),
    ContentCheck(
        "one_report_per_region_and_year",
        "warning",
        # A second report of one body, region and year is usually the same report in another
        # format or version, and would be counted twice in comparisons.
        """
        SELECT report_id,
               format('same region, issuing body and year ({} {} {}) as {}',
                      coalesce(region, '(no region)'), coalesce(org_name, '(no issuing body)'),
                      report_year,
                      list_aggregate(list_filter(names, n -> n <> source_name), 'string_agg', ', '))
                   AS detail
        FROM (
            SELECT report_id, source_name, region, org_name, report_year,
                   list(source_name) OVER (PARTITION BY region, org_name, report_year) AS names
            FROM reports
        )
        WHERE len(names) > 1
        """,
    ),
    ContentCheck(
        "no_body_text_dropped",
        "warning",
        # A long dropped line of sentences reads like the report's own running text: the line
        # rule that took it is probably too broad.
        """
        SELECT report_id,
               format('line {} dropped ({}) reads like running text: {}',
                      line_no, reason, left(line, 60)) AS detail
        FROM boilerplate
        WHERE whole_line AND length(line) >= 60 AND regexp_matches(line, '[。；！？]')
          AND report_id IN (SELECT report_id FROM reports)
        """,
    ),
    ContentCheck(
        "read_by_ocr",
        "warning",
        # Digits matter most, and OCR may misread one: every figure of a scan is worth
        # comparing with its page (marts.indicator_values.read_by_ocr marks them).
        """
        SELECT report_id,
               format('its text was read by OCR from {} scanned page(s), mean confidence {:.3f}: '
                      'check a figure against its page before relying on it',
                      json_array_length(ocr_pages), ocr_confidence) AS detail
        FROM reports
        WHERE source_format = 'pdf-ocr'
        """,
    ),
    ContentCheck(
        "ocr_pages_confident",
        "warning",
        # One flag per page read with too little confidence, so the page can be looked at.
        f"""
        SELECT report_id,
               format('page {{}} read by OCR with a mean confidence of {{:.3f}}, under '
                      '{LOW_CONFIDENCE}: compare its text and figures with the scan',
                      p.page_no, p.confidence) AS detail
        FROM reports,
             unnest(CAST(ocr_pages::JSON AS STRUCT(page_no INTEGER, confidence DOUBLE)[])) AS t(p)
        WHERE p.confidence < {LOW_CONFIDENCE}
        """,
    ),
)


def content_flags(conn: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """The findings of every content check over the working tables: report_id, source_name,
    check, severity, detail, in a stable order."""
    union = "\nUNION ALL\n".join(
        f"SELECT report_id, '{check.name}' AS check, '{check.severity}' AS severity, detail "
        f"FROM ({check.sql})"
        for check in CHECKS
    )
    return query_frame(
        conn,
        f"""
        SELECT q.report_id, r.source_name, q.check, q.severity, q.detail
        FROM ({union}) q JOIN reports r USING (report_id)
        ORDER BY q.check, r.source_name, q.detail
        """,
    )
