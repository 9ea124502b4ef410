CREATE OR REPLACE TABLE terms (
    report_id VARCHAR NOT NULL,
    term VARCHAR NOT NULL,
    n BIGINT NOT NULL,
    keyword_candidate BOOLEAN NOT NULL
);
COMMENT ON TABLE terms IS 'How often each term occurs in each report (one row per report and term): jieba segmentation with the domain dictionary (pipelines/rules/jieba_dict.txt and the indicator names), so that 行政复议, 公职律师 and 合法性审核 are single terms; stop words (pipelines/rules/stopwords.txt), numbers, punctuation and single characters left out.';
COMMENT ON COLUMN terms.report_id IS 'The report (reports.report_id).';
COMMENT ON COLUMN terms.term IS 'The term as segmented.';
COMMENT ON COLUMN terms.n IS 'Occurrences of the term in the report''s text.';
COMMENT ON COLUMN terms.keyword_candidate IS 'Whether the term may be one of the report''s keywords: tagged in the report as a noun or a domain dictionary term (or found inside one), and never as a place name.';
