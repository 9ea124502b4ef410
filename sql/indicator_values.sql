CREATE SCHEMA IF NOT EXISTS marts;
CREATE OR REPLACE VIEW marts.indicator_values AS
-- Figures are numbered per report and indicator before the reports and sentences are joined:
-- the window then sorts the facts alone, not every sentence's text with them.
WITH numbered AS (
    SELECT
        f.*,
        i.name_zh AS indicator_name,
        coalesce(f.comparable_unit, f.unit = i.unit) AS standard_unit,
        row_number() OVER (PARTITION BY f.report_id, f.indicator ORDER BY f.fact_no) AS figure_no,
        count(*) OVER (PARTITION BY f.report_id, f.indicator) AS figures
    FROM main.facts AS f
    JOIN main.indicators AS i ON i.indicator_id = f.indicator
    WHERE NOT f.is_target
)
SELECT
    r.region,
    r.parent_region,
    r.report_year,
    r.org_name,
    f.indicator,
    f.indicator_name,
    f.value,
    f.unit,
    f.qualifier,
    f.standard_unit,
    f.kind,
    f.role,
    f.parent_fact_no,
    f.indicator_rule,
    f.figure_no,
    f.figures,
    f.surface,
    f.subject,
    s.text AS sentence,
    r.source_format = 'pdf-ocr' AS read_by_ocr,
    f.report_id,
    f.fact_no,
    f.sentence_no,
    f.char_start,
    f.char_end
FROM numbered AS f
JOIN main.reports AS r USING (report_id)
JOIN main.sentences AS s ON s.report_id = f.report_id AND s.sentence_no = f.sentence_no;
COMMENT ON VIEW marts.indicator_values IS 'Every figure a report states for a standard indicator, achievements only (next-year targets, the figures of a report''s plans part, are left out: they are facts with is_target), each with the sentence it came from and its offsets. Several figures for one indicator in one report are all listed (figure_no of figures), never summed: they may count different things or use different units.';
COMMENT ON COLUMN marts.indicator_values.region IS 'The unit compared across reports.';
COMMENT ON COLUMN marts.indicator_values.parent_region IS 'The unit the region belongs to, where known.';
COMMENT ON COLUMN marts.indicator_values.report_year IS 'The year the report covers.';
COMMENT ON COLUMN marts.indicator_values.org_name IS 'The issuing body as the report names it.';
COMMENT ON COLUMN marts.indicator_values.indicator IS 'The standard indicator (indicators.indicator_id).';
COMMENT ON COLUMN marts.indicator_values.indicator_name IS 'Its Chinese name.';
COMMENT ON COLUMN marts.indicator_values.value IS 'The number, 万/亿 applied, percentages as 0-100.';
COMMENT ON COLUMN marts.indicator_values.unit IS 'The unit as the report writes it.';
COMMENT ON COLUMN marts.indicator_values.qualifier IS 'exact, approx, at_least or at_most.';
COMMENT ON COLUMN marts.indicator_values.standard_unit IS 'True when the unit counts what the indicator''s own unit (indicators.unit) counts (宗 and 起 for 件, 人 and 位 for 名); other units (法律顾问 in 家: firms) are not comparable with it.';
COMMENT ON COLUMN marts.indicator_values.kind IS 'count, amount, rate, change, period or other (facts.kind): a change (同比增长250%) is never charted beside a level.';
COMMENT ON COLUMN marts.indicator_values.role IS 'total, part or single (facts.role): a part is never a headline.';
COMMENT ON COLUMN marts.indicator_values.parent_fact_no IS 'For a part, the fact_no of its total.';
COMMENT ON COLUMN marts.indicator_values.indicator_rule IS 'Why the figure was mapped to the indicator (facts.indicator_rule).';
COMMENT ON COLUMN marts.indicator_values.figure_no IS 'This figure''s place among the report''s figures for the indicator, in reading order.';
COMMENT ON COLUMN marts.indicator_values.figures IS 'How many figures the report states for the indicator.';
COMMENT ON COLUMN marts.indicator_values.surface IS 'The mention as written.';
COMMENT ON COLUMN marts.indicator_values.subject IS 'What is counted, as the sentence names it.';
COMMENT ON COLUMN marts.indicator_values.sentence IS 'The sentence the figure came from.';
COMMENT ON COLUMN marts.indicator_values.read_by_ocr IS 'True when the figure was read by OCR from a scanned page (reports.source_format pdf-ocr, with reports.ocr_confidence): check it against the page before relying on it.';
COMMENT ON COLUMN marts.indicator_values.report_id IS 'The report (reports.report_id).';
COMMENT ON COLUMN marts.indicator_values.fact_no IS 'The fact (facts.fact_no).';
COMMENT ON COLUMN marts.indicator_values.sentence_no IS 'The sentence (sentences.sentence_no).';
COMMENT ON COLUMN marts.indicator_values.char_start IS 'Where the mention starts in reports.text (0-based).';
COMMENT ON COLUMN marts.indicator_values.char_end IS 'Where it ends (exclusive).';
