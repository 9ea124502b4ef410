CREATE SCHEMA IF NOT EXISTS marts;
CREATE OR REPLACE VIEW marts.report_overview AS
SELECT
    region,
    parent_region,
    report_year,
    org_name,
    org_kind,
    title,
    published_date,
    n_chars,
    source_format,
    source_name,
    report_id
FROM main.reports;
COMMENT ON VIEW marts.report_overview IS 'One line per report for a cross-district overview: which region and year it covers, who issued it and how long it is.';
COMMENT ON COLUMN marts.report_overview.region IS 'The unit compared across reports, one spelling per unit.';
COMMENT ON COLUMN marts.report_overview.parent_region IS 'The unit the region belongs to, where known.';
COMMENT ON COLUMN marts.report_overview.report_year IS 'The year the report covers.';
COMMENT ON COLUMN marts.report_overview.org_name IS 'The issuing body as the report names it.';
COMMENT ON COLUMN marts.report_overview.org_kind IS 'government or department.';
COMMENT ON COLUMN marts.report_overview.title IS 'The report title (composed where the report prints none).';
COMMENT ON COLUMN marts.report_overview.published_date IS 'Publication date where the source states one.';
COMMENT ON COLUMN marts.report_overview.n_chars IS 'Length of the clean report text in characters.';
COMMENT ON COLUMN marts.report_overview.source_format IS 'How the text was read: txt, html, docx, pdf, doc or wps (legacy Word via LibreOffice), pdf-ocr (a scan read by OCR: check its figures against the page).';
COMMENT ON COLUMN marts.report_overview.source_name IS 'File path or URL the report came from.';
COMMENT ON COLUMN marts.report_overview.report_id IS 'Key into reports and every table derived from it.';
