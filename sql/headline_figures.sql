CREATE SCHEMA IF NOT EXISTS marts;
CREATE OR REPLACE VIEW marts.headline_figures AS
SELECT
    region,
    parent_region,
    report_year,
    org_name,
    indicator,
    indicator_name,
    value,
    unit,
    qualifier,
    figures,
    sentence,
    read_by_ocr,
    report_id,
    fact_no,
    char_start,
    char_end
FROM marts.indicator_values
WHERE standard_unit AND role <> 'part' AND kind <> 'change'
QUALIFY row_number() OVER (PARTITION BY report_id, indicator ORDER BY figure_no) = 1;
COMMENT ON VIEW marts.headline_figures IS 'One figure per report and indicator, for charts and matrices: the first achievement the report states in a unit comparable with the indicator''s own, never a part of a total (其中..., figures that add up to an earlier one) and never a change rate (同比增长250%). Figures in other units and later figures stay in marts.indicator_values.';
COMMENT ON COLUMN marts.headline_figures.region IS 'The unit compared across reports.';
COMMENT ON COLUMN marts.headline_figures.parent_region IS 'The unit the region belongs to, where known.';
COMMENT ON COLUMN marts.headline_figures.report_year IS 'The year the report covers.';
COMMENT ON COLUMN marts.headline_figures.org_name IS 'The issuing body as the report names it.';
COMMENT ON COLUMN marts.headline_figures.indicator IS 'The standard indicator (indicators.indicator_id).';
COMMENT ON COLUMN marts.headline_figures.indicator_name IS 'Its Chinese name.';
COMMENT ON COLUMN marts.headline_figures.value IS 'The headline figure.';
COMMENT ON COLUMN marts.headline_figures.unit IS 'The indicator''s unit.';
COMMENT ON COLUMN marts.headline_figures.qualifier IS 'exact, approx, at_least or at_most.';
COMMENT ON COLUMN marts.headline_figures.figures IS 'How many figures the report states for the indicator in all (see marts.indicator_values).';
COMMENT ON COLUMN marts.headline_figures.sentence IS 'The sentence the figure came from.';
COMMENT ON COLUMN marts.headline_figures.read_by_ocr IS 'True when the figure was read by OCR from a scanned page: check it against the page before relying on it.';
COMMENT ON COLUMN marts.headline_figures.report_id IS 'The report (reports.report_id).';
COMMENT ON COLUMN marts.headline_figures.fact_no IS 'The fact (facts.fact_no).';
COMMENT ON COLUMN marts.headline_figures.char_start IS 'Where the mention starts in reports.text (0-based).';
COMMENT ON COLUMN marts.headline_figures.char_end IS 'Where it ends (exclusive).';
