CREATE OR REPLACE TABLE rejected_sources (
    source_name VARCHAR NOT NULL,
    sha256 VARCHAR,
    size BIGINT,
    source_format VARCHAR,
    stage VARCHAR NOT NULL,
    reason VARCHAR NOT NULL,
    stored_path VARCHAR
);
COMMENT ON TABLE rejected_sources IS 'Inputs that did not become reports, with the reason; their bytes stay in the store (but for a file or folder that could not be read at all), nothing is dropped silently.';
COMMENT ON COLUMN rejected_sources.source_name IS 'The input''s path relative to the corpus folder, or its URL.';
COMMENT ON COLUMN rejected_sources.sha256 IS 'SHA-256 of the bytes as they arrived; null when the file could not be read.';
COMMENT ON COLUMN rejected_sources.size IS 'Size in bytes; null when the file could not be read.';
COMMENT ON COLUMN rejected_sources.source_format IS 'The format detected, where one was.';
COMMENT ON COLUMN rejected_sources.stage IS 'The stage that refused it: landing (the file or folder cannot be read: permission denied, vanished while it was landed), read (bytes to text) or reports (not a report, no year).';
COMMENT ON COLUMN rejected_sources.reason IS 'Why, in words a person can act on.';
COMMENT ON COLUMN rejected_sources.stored_path IS 'Where the store keeps the bytes as they arrived; null when the file could not be read.';
