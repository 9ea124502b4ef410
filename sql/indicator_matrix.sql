CREATE SCHEMA IF NOT EXISTS marts;
-- One column per headline indicator: add a line here (and its COMMENT) to chart another.
CREATE OR REPLACE VIEW marts.indicator_matrix AS
SELECT
    region,
    parent_region,
    report_year,
    org_name,
    max(value) FILTER (indicator = 'admin_reconsideration_received') AS admin_reconsideration_received,
    max(value) FILTER (indicator = 'admin_reconsideration_closed') AS admin_reconsideration_closed,
    max(value) FILTER (indicator = 'admin_litigation_cases') AS admin_litigation_cases,
    max(value) FILTER (indicator = 'leader_court_appearance_rate') AS leader_court_appearance_rate,
    max(value) FILTER (indicator = 'legality_reviews') AS legality_reviews,
    max(value) FILTER (indicator = 'normative_documents') AS normative_documents,
    max(value) FILTER (indicator = 'enforcement_inspections') AS enforcement_inspections,
    max(value) FILTER (indicator = 'penalty_cases') AS penalty_cases,
    max(value) FILTER (indicator = 'mediation_cases') AS mediation_cases,
    max(value) FILTER (indicator = 'legal_publicity_events') AS legal_publicity_events,
    report_id
FROM marts.headline_figures
GROUP BY region, parent_region, report_year, org_name, report_id;
COMMENT ON VIEW marts.indicator_matrix IS 'A region-by-year matrix of the headline indicators, one row per report and one numeric column per indicator, ready for a BI chart as a plain table. Each cell is the report''s headline figure (marts.headline_figures) in the indicator''s own unit; empty where the report does not state it. Evidence for every cell is in marts.headline_figures.';
COMMENT ON COLUMN marts.indicator_matrix.region IS 'The unit compared across reports.';
COMMENT ON COLUMN marts.indicator_matrix.parent_region IS 'The unit the region belongs to, where known.';
COMMENT ON COLUMN marts.indicator_matrix.report_year IS 'The year the report covers.';
COMMENT ON COLUMN marts.indicator_matrix.org_name IS 'The issuing body (a region may have a government report and department reports).';
COMMENT ON COLUMN marts.indicator_matrix.admin_reconsideration_received IS '行政复议案件受理数 (件).';
COMMENT ON COLUMN marts.indicator_matrix.admin_reconsideration_closed IS '行政复议案件办结数 (件).';
COMMENT ON COLUMN marts.indicator_matrix.admin_litigation_cases IS '行政应诉案件数 (件).';
COMMENT ON COLUMN marts.indicator_matrix.leader_court_appearance_rate IS '行政机关负责人出庭应诉率 (percent, 0-100).';
COMMENT ON COLUMN marts.indicator_matrix.legality_reviews IS '合法性审核件数 (件).';
COMMENT ON COLUMN marts.indicator_matrix.normative_documents IS '行政规范性文件件数 (件).';
COMMENT ON COLUMN marts.indicator_matrix.enforcement_inspections IS '执法检查数 (次).';
COMMENT ON COLUMN marts.indicator_matrix.penalty_cases IS '行政处罚案件数 (件).';
COMMENT ON COLUMN marts.indicator_matrix.mediation_cases IS '调解化解纠纷数 (件).';
COMMENT ON COLUMN marts.indicator_matrix.legal_publicity_events IS '普法活动场次 (场).';
COMMENT ON COLUMN marts.indicator_matrix.report_id IS 'The report (reports.report_id).';
