CREATE OR REPLACE TABLE boilerplate (
    report_id VARCHAR NOT NULL,
    line_no BIGINT NOT NULL,
    line VARCHAR NOT NULL,
    reason VARCHAR NOT NULL,
    whole_line BOOLEAN NOT NULL
);
COMMENT ON TABLE boilerplate IS 'Everything cleaning dropped from a source so that reports.text holds only the report''s own words: site chrome lines (navigation, breadcrumbs, page metadata, share and QR prompts, footers, archive headers, page numbers) and artefacts cut out of kept lines. Audit it to see what was dropped; nothing is lost.';
COMMENT ON COLUMN boilerplate.report_id IS 'The document it was dropped from (reports.report_id, or the sha256 prefix of an input rejected later).';
COMMENT ON COLUMN boilerplate.line_no IS 'The line of the source text it stood on, 1-based: the decoded file for text, one line per block for web pages, one per paragraph for Word and PDF.';
COMMENT ON COLUMN boilerplate.line IS 'The dropped line, or the fragment cut out of a kept line.';
COMMENT ON COLUMN boilerplate.reason IS 'Why: the line rule that took it (rules/boilerplate.tsv, rules/run_in_chrome.tsv for chrome run into a line, rules/artefacts.tsv), outside the page''s main content, beyond the chrome that frames the report, or repeated on several pages of one site.';
COMMENT ON COLUMN boilerplate.whole_line IS 'True when the whole line was dropped, false for a fragment cut out of a line: chrome run into the report''s first or last line (a breadcrumb, 来源) or an artefact.';
