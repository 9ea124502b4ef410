CREATE SCHEMA IF NOT EXISTS marts;
CREATE OR REPLACE VIEW marts.indicator_coverage AS
SELECT
    r.region,
    r.parent_region,
    r.report_year,
    r.org_name,
    i.indicator_id AS indicator,
    i.name_zh AS indicator_name,
    count(f.fact_no) > 0 AS stated,
    count(f.fact_no) AS figures,
    r.report_id
FROM main.reports AS r
CROSS JOIN main.indicators AS i
LEFT JOIN main.facts AS f
    ON f.report_id = r.report_id AND f.indicator = i.indicator_id AND NOT f.is_target
GROUP BY ALL;
COMMENT ON VIEW marts.indicator_coverage IS 'Which standard indicators each report states at all: one row per report and indicator, so a missing figure shows as stated = false rather than as a missing row.';
COMMENT ON COLUMN marts.indicator_coverage.region IS 'The unit compared across reports.';
COMMENT ON COLUMN marts.indicator_coverage.parent_region IS 'The unit the region belongs to, where known.';
COMMENT ON COLUMN marts.indicator_coverage.report_year IS 'The year the report covers.';
COMMENT ON COLUMN marts.indicator_coverage.org_name IS 'The issuing body as the report names it.';
COMMENT ON COLUMN marts.indicator_coverage.indicator IS 'The standard indicator (indicators.indicator_id).';
COMMENT ON COLUMN marts.indicator_coverage.indicator_name IS 'Its Chinese name.';
COMMENT ON COLUMN marts.indicator_coverage.stated IS 'True when the report states at least one achievement figure for it.';
COMMENT ON COLUMN marts.indicator_coverage.figures IS 'How many achievement figures it states (see marts.indicator_values).';
COMMENT ON COLUMN marts.indicator_coverage.report_id IS 'The report (reports.report_id).';
