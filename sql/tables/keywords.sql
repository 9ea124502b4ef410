CREATE OR REPLACE TABLE keywords (
    report_id VARCHAR NOT NULL,
    rank INTEGER NOT NULL,
    term VARCHAR NOT NULL,
    n BIGINT NOT NULL,
    df BIGINT NOT NULL,
    tfidf DOUBLE NOT NULL
);
COMMENT ON TABLE keywords IS 'Each report''s 20 most characteristic terms by TF-IDF, with document frequencies computed from this warehouse''s own reports (not a general-Chinese IDF file): what this report writes about more than the others. One row per (report_id, rank).';
COMMENT ON COLUMN keywords.report_id IS 'The report (reports.report_id).';
COMMENT ON COLUMN keywords.rank IS '1 for the most characteristic term.';
COMMENT ON COLUMN keywords.term IS 'The term.';
COMMENT ON COLUMN keywords.n IS 'Occurrences of the term in the report.';
COMMENT ON COLUMN keywords.df IS 'Reports of the corpus that use the term.';
COMMENT ON COLUMN keywords.tfidf IS 'The term''s share of the report''s terms times its inverse document frequency ln(1 + (N - df + 0.5) / (df + 0.5)) over the N reports of the corpus.';
