CREATE SCHEMA IF NOT EXISTS marts;
-- The pick is made with each report's facts (headline_facts); here the report and the figure
-- join it.
CREATE OR REPLACE VIEW marts.headline_figures AS
SELECT
    r.region,
    r.parent_region,
    r.report_year,
    r.org_name,
    h.indicator,
    i.name_zh AS indicator_name,
    f.value,
    f.unit,
    f.qualifier,
    h.figures,
    h.sentence,
    r.source_format = 'pdf-ocr' AS read_by_ocr,
    h.report_id,
    h.fact_no,
    f.char_start,
    f.char_end
FROM main.headline_facts AS h
JOIN main.facts AS f USING (report_id, fact_no)
JOIN main.reports AS r USING (report_id)
JOIN main.indicators AS i ON i.indicator_id = h.indicator;
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
