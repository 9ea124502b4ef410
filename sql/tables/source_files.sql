CREATE OR REPLACE TABLE source_files (
    source_name VARCHAR NOT NULL,
    sha256 VARCHAR NOT NULL,
    report_id VARCHAR NOT NULL,
    size BIGINT NOT NULL,
    arrived_at TIMESTAMPTZ NOT NULL,
    origin VARCHAR NOT NULL,
    stored_path VARCHAR NOT NULL
);
COMMENT ON TABLE source_files IS 'Every input of the corpus as it arrived: one row per name (file path or URL), kept in the content-addressed store whether or not it became a report.';
COMMENT ON COLUMN source_files.source_name IS 'The path relative to the corpus folder, or the URL it was fetched from.';
COMMENT ON COLUMN source_files.sha256 IS 'SHA-256 of the bytes as they arrived; the same bytes under two names are one report.';
COMMENT ON COLUMN source_files.report_id IS 'The report these bytes are (or would be, if rejected): the first 16 hex digits of sha256.';
COMMENT ON COLUMN source_files.size IS 'Size in bytes.';
COMMENT ON COLUMN source_files.arrived_at IS 'When this name first brought these bytes (UTC).';
COMMENT ON COLUMN source_files.origin IS 'file (from the corpus folder), crawl (fetched by the scraper) or archive (a file unpacked from a zip among them, named archive.zip!member).';
COMMENT ON COLUMN source_files.stored_path IS 'Where the store keeps the bytes, never rewritten.';
