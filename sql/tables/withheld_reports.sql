CREATE OR REPLACE TABLE withheld_reports (
    report_id VARCHAR NOT NULL,
    source_name VARCHAR NOT NULL,
    "check" VARCHAR NOT NULL,
    reason VARCHAR NOT NULL
);
COMMENT ON TABLE withheld_reports IS 'Reports left out of this published warehouse because they break a pipeline invariant (one row per report and invariant): none of their rows is in reports, facts or any other table but source_files, and the other reports are published as usual. The working database keeps them, so a fix (a restored store object, a corrected rule) publishes them with the next build.';
COMMENT ON COLUMN withheld_reports.report_id IS 'The report withheld (source_files.report_id).';
COMMENT ON COLUMN withheld_reports.source_name IS 'The report''s input: its path relative to the corpus folder, or its URL.';
COMMENT ON COLUMN withheld_reports."check" IS 'The invariant it breaks (quote the name in SQL: "check"): stored_bytes_intact (its stored object is missing or changed), report_text_not_empty, every_character_accounted_for (cleaning lost or made up characters), surfaces_match_offsets (a fact is not the text at its offsets).';
COMMENT ON COLUMN withheld_reports.reason IS 'What is wrong and, for a damaged store object, the object, the names that brought it and the fix.';
