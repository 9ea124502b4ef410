CREATE OR REPLACE TABLE quality_flags (
    report_id VARCHAR NOT NULL,
    source_name VARCHAR NOT NULL,
    "check" VARCHAR NOT NULL,
    severity VARCHAR NOT NULL,
    detail VARCHAR NOT NULL
);
COMMENT ON TABLE quality_flags IS 'What a content check found surprising in a report or in the figures extracted from it. A flag never stops the run: the report is published, flagged. Read a flagged figure''s sentence before comparing it. A change of over 100% (同比增长300%) is normal and not flagged; a share over 100% is.';
COMMENT ON COLUMN quality_flags.report_id IS 'The report flagged (reports.report_id).';
COMMENT ON COLUMN quality_flags.source_name IS 'The report''s input: its path relative to the corpus folder, or its URL (reports.source_name).';
COMMENT ON COLUMN quality_flags."check" IS 'The check that flagged it (quote the name in SQL: "check"): rates_within_0_100 (a share, not a change, outside 0-100; the wording that makes a change is in rules/change_words.tsv), reconsideration_closed_not_above_received, report_year_plausible, every_report_has_region, every_report_has_facts, one_report_per_region_and_year, no_body_text_dropped (a dropped line that reads like running text), read_by_ocr (a scanned report read by OCR: check its figures against the pages), ocr_pages_confident (a page OCR read with a mean confidence under 0.9).';
COMMENT ON COLUMN quality_flags.severity IS 'error: a figure or field contradicts itself and is most likely wrong; warning: the report is worth a look before it is compared.';
COMMENT ON COLUMN quality_flags.detail IS 'What was found, with the figure, line or other reports concerned.';
