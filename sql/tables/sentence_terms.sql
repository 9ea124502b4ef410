CREATE OR REPLACE TABLE sentence_terms (
    term VARCHAR NOT NULL,
    report_id VARCHAR NOT NULL,
    sentence_no INTEGER NOT NULL,
    tf INTEGER NOT NULL,
    terms_in_sentence BIGINT NOT NULL
);
COMMENT ON TABLE sentence_terms IS 'The search index: term counts per sentence. marts.search_sentences ranks sentences by BM25 over it.';
COMMENT ON COLUMN sentence_terms.term IS 'The term as segmented (see terms).';
COMMENT ON COLUMN sentence_terms.report_id IS 'The report (reports.report_id).';
COMMENT ON COLUMN sentence_terms.sentence_no IS 'The sentence (sentences.sentence_no within the report).';
COMMENT ON COLUMN sentence_terms.tf IS 'Occurrences of the term in the sentence.';
COMMENT ON COLUMN sentence_terms.terms_in_sentence IS 'The sentence''s length in indexed terms, which BM25 normalises by.';
