CREATE SCHEMA IF NOT EXISTS marts;
CREATE OR REPLACE VIEW marts.shortcomings_and_plans AS
-- Each report's sentences grouped with the report, not grouped apart and joined after: a query
-- of a few reports (by report_id) reads only their sentences (the page's 40 reports at 10,000:
-- 0.09 -> 0.02 s).
WITH parts AS (
    SELECT
        r.region,
        r.parent_region,
        r.report_year,
        r.org_name,
        string_agg(s.text, '' ORDER BY s.sentence_no) FILTER (s.part = 'shortcomings')
            AS shortcomings,
        string_agg(s.text, '' ORDER BY s.sentence_no) FILTER (s.part = 'plans') AS plans,
        r.report_id
    FROM main.reports AS r
    LEFT JOIN main.sentences AS s USING (report_id)
    GROUP BY r.report_id, r.region, r.parent_region, r.report_year, r.org_name
)
SELECT
    region,
    parent_region,
    report_year,
    org_name,
    shortcomings,
    plans,
    length(shortcomings) AS shortcomings_chars,
    length(plans) AS plans_chars,
    report_id
FROM parts;
COMMENT ON VIEW marts.shortcomings_and_plans IS 'Each report''s shortcomings section and plans section (the parts of sections.part), side by side per region and year: what each body says fell short, and what it will do next.';
COMMENT ON COLUMN marts.shortcomings_and_plans.region IS 'The unit compared across reports.';
COMMENT ON COLUMN marts.shortcomings_and_plans.parent_region IS 'The unit the region belongs to, where known.';
COMMENT ON COLUMN marts.shortcomings_and_plans.report_year IS 'The year the report covers.';
COMMENT ON COLUMN marts.shortcomings_and_plans.org_name IS 'The issuing body as the report names it.';
COMMENT ON COLUMN marts.shortcomings_and_plans.shortcomings IS 'The text of the shortcomings part (存在的不足, 问题), headings included; null when the report has none.';
COMMENT ON COLUMN marts.shortcomings_and_plans.plans IS 'The text of the plans part (下一年度工作安排, 工作要点); null when the report has none.';
COMMENT ON COLUMN marts.shortcomings_and_plans.shortcomings_chars IS 'Length of the shortcomings text in characters.';
COMMENT ON COLUMN marts.shortcomings_and_plans.plans_chars IS 'Length of the plans text in characters.';
COMMENT ON COLUMN marts.shortcomings_and_plans.report_id IS 'The report (reports.report_id).';
