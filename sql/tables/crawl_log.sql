CREATE OR REPLACE TABLE crawl_log (
    crawl_started_at VARCHAR NOT NULL,
    started_by VARCHAR NOT NULL,
    url VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    outcome VARCHAR NOT NULL,
    reason VARCHAR,
    sha256 VARCHAR,
    found_on VARCHAR,
    fetched_at VARCHAR NOT NULL
);
COMMENT ON TABLE crawl_log IS 'Every URL fetched by every crawl, by hand (fazhi crawl) or by the weekly_crawl schedule of the sites in pipelines/rules/crawl_sources.csv, with its outcome: what landed, what was unchanged since the crawl before, and what failed and why. Made at each build from the crawl log kept beside the store (store/crawl/log.jsonl).';
COMMENT ON COLUMN crawl_log.crawl_started_at IS 'When the crawl that fetched it started (UTC, ISO 8601): one value per crawl; the latest crawl is the greatest.';
COMMENT ON COLUMN crawl_log.started_by IS 'Who started the crawl: fazhi crawl (by hand), schedule weekly_crawl, or dagster run <run id> (launched in the UI).';
COMMENT ON COLUMN crawl_log.url IS 'The URL (after redirects, for what landed).';
COMMENT ON COLUMN crawl_log.kind IS 'listing (a page of a column), report (a link whose anchor text may name a report) or attachment (a Word, WPS, PDF or zip file an article links).';
COMMENT ON COLUMN crawl_log.outcome IS 'landed (new or changed, now in the store), unchanged (the server said the copy held is current), skipped (not a report: news or a notice by its link text, never fetched, or a page that is no annual report by its content; or an article that only points at its attachment) or failed.';
COMMENT ON COLUMN crawl_log.reason IS 'Why it failed or was skipped: HTTP 404, forbidden by robots.txt, connection refused, a DNS lookup that failed, timed out, too large, not a report ...';
COMMENT ON COLUMN crawl_log.sha256 IS 'The SHA-256 of the bytes landed; source_files and reports carry the same.';
COMMENT ON COLUMN crawl_log.found_on IS 'The listing or article page that linked it.';
COMMENT ON COLUMN crawl_log.fetched_at IS 'When it was fetched (UTC, ISO 8601).';
