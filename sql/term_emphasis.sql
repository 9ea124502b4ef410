CREATE SCHEMA IF NOT EXISTS marts;
CREATE OR REPLACE VIEW marts.term_emphasis AS
WITH region_years AS (
    -- sum() of BIGINT is HUGEINT, which BI drivers cannot read: cast back.
    SELECT region, report_year, count(*) AS reports, CAST(sum(n_chars) AS BIGINT) AS n_chars
    FROM main.reports
    GROUP BY ALL
)
SELECT
    y.region,
    y.report_year,
    t.term,
    CAST(sum(t.n) AS BIGINT) AS n,
    round(CAST(sum(t.n) AS DOUBLE) * 10000 / y.n_chars, 3) AS per_10k_chars,
    y.n_chars,
    y.reports
FROM main.terms AS t
JOIN main.reports AS r USING (report_id)
JOIN region_years AS y
    ON y.region IS NOT DISTINCT FROM r.region AND y.report_year = r.report_year
GROUP BY y.region, y.report_year, t.term, y.n_chars, y.reports;
COMMENT ON VIEW marts.term_emphasis IS 'How much each region writes about each term in each year, per 10,000 characters of report text, for side-by-side comparison: filter on term (营商环境, 行政复议, 枫桥经验) and pivot on region or year.';
COMMENT ON COLUMN marts.term_emphasis.region IS 'The unit compared across reports.';
COMMENT ON COLUMN marts.term_emphasis.report_year IS 'The year the reports cover.';
COMMENT ON COLUMN marts.term_emphasis.term IS 'The term (see terms).';
COMMENT ON COLUMN marts.term_emphasis.n IS 'Occurrences of the term in the region''s reports of that year.';
COMMENT ON COLUMN marts.term_emphasis.per_10k_chars IS 'Occurrences per 10,000 characters of those reports: emphasis comparable across reports of any length.';
COMMENT ON COLUMN marts.term_emphasis.n_chars IS 'Characters of report text of the region in that year.';
COMMENT ON COLUMN marts.term_emphasis.reports IS 'Reports of the region in that year (a government and its departments may each report).';
