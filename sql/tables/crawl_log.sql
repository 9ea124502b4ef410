CREATE OR REPLACE TABLE crawl_log (
    url VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    outcome VARCHAR NOT NULL,
    reason VARCHAR,
    sha256 VARCHAR,
    found_on VARCHAR,
    fetched_at VARCHAR NOT NULL
);
COMMENT ON TABLE crawl_log IS 'Every URL the last crawl of the listed sites (pipelines/rules/crawl_sources.csv) fetched, with its outcome: what landed, what was unchanged since the crawl before, and what failed and why.';
COMMENT ON COLUMN crawl_log.url IS 'The URL (after redirects, for what landed).';
COMMENT ON COLUMN crawl_log.kind IS 'listing (a page of a column), report (an article linked as a report) or attachment (a Word or PDF file an article links).';
COMMENT ON COLUMN crawl_log.outcome IS 'landed (new or changed, now in the store), unchanged (the server said the copy held is current), skipped (an article that only points at its attachment) or failed.';
COMMENT ON COLUMN crawl_log.reason IS 'Why it failed or was skipped: HTTP 404, forbidden by robots.txt, too large, a timeout, not a report ...';
COMMENT ON COLUMN crawl_log.sha256 IS 'The SHA-256 of the bytes landed; source_files and reports carry the same.';
COMMENT ON COLUMN crawl_log.found_on IS 'The listing or article page that linked it.';
COMMENT ON COLUMN crawl_log.fetched_at IS 'When it was fetched (UTC, ISO 8601).';
