CREATE SCHEMA IF NOT EXISTS marts;
CREATE OR REPLACE VIEW marts.indicator_changes AS
WITH figures AS (
    SELECT h.*, r.org_kind
    FROM marts.headline_figures AS h
    JOIN main.reports AS r USING (report_id)
),
paired AS (
    SELECT
        region,
        parent_region,
        org_kind,
        indicator,
        indicator_name,
        unit,
        lag(report_year) OVER w AS previous_year,
        report_year,
        lag(value) OVER w AS previous_value,
        value,
        lag(sentence) OVER w AS previous_sentence,
        sentence,
        lag(report_id) OVER w AS previous_report_id,
        report_id
    FROM figures
    -- report_id settles two reports of one body and year, so every query pairs the same.
    WINDOW w AS (PARTITION BY region, org_kind, indicator ORDER BY report_year, report_id)
)
SELECT
    region,
    parent_region,
    org_kind,
    indicator,
    indicator_name,
    unit,
    previous_year,
    report_year,
    previous_value,
    value,
    value - previous_value AS change,
    round(100.0 * (value - previous_value) / nullif(previous_value, 0), 1) AS change_pct,
    previous_sentence,
    sentence,
    previous_report_id,
    report_id
FROM paired
WHERE previous_year IS NOT NULL;
COMMENT ON VIEW marts.indicator_changes IS 'Change of each headline indicator from a region''s previous report to its next, where the region has reports of two or more years: a government report is compared with the same region''s earlier government report, a department''s with a department''s (org_kind).';
COMMENT ON COLUMN marts.indicator_changes.region IS 'The unit compared across reports.';
COMMENT ON COLUMN marts.indicator_changes.parent_region IS 'The unit the region belongs to, where known.';
COMMENT ON COLUMN marts.indicator_changes.org_kind IS 'government or department: reports are compared with their own kind.';
COMMENT ON COLUMN marts.indicator_changes.indicator IS 'The standard indicator (indicators.indicator_id).';
COMMENT ON COLUMN marts.indicator_changes.indicator_name IS 'Its Chinese name.';
COMMENT ON COLUMN marts.indicator_changes.unit IS 'The indicator''s unit (both figures are in it).';
COMMENT ON COLUMN marts.indicator_changes.previous_year IS 'The year of the region''s previous report that states the indicator (not always the year before).';
COMMENT ON COLUMN marts.indicator_changes.report_year IS 'The later year.';
COMMENT ON COLUMN marts.indicator_changes.previous_value IS 'The headline figure of the previous report.';
COMMENT ON COLUMN marts.indicator_changes.value IS 'The headline figure of the later report.';
COMMENT ON COLUMN marts.indicator_changes.change IS 'value - previous_value.';
COMMENT ON COLUMN marts.indicator_changes.change_pct IS 'The change as a percentage of previous_value; null when that is 0.';
COMMENT ON COLUMN marts.indicator_changes.previous_sentence IS 'The sentence the previous figure came from.';
COMMENT ON COLUMN marts.indicator_changes.sentence IS 'The sentence the later figure came from.';
COMMENT ON COLUMN marts.indicator_changes.previous_report_id IS 'The previous report (reports.report_id).';
COMMENT ON COLUMN marts.indicator_changes.report_id IS 'The later report.';
