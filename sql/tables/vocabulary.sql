CREATE OR REPLACE TABLE vocabulary (
    term VARCHAR PRIMARY KEY,
    reports BIGINT NOT NULL,
    sentences BIGINT NOT NULL,
    n BIGINT NOT NULL
);
COMMENT ON TABLE vocabulary IS 'Every term of the corpus with its document frequencies: how many reports and sentences use it, and how often it occurs in all.';
COMMENT ON COLUMN vocabulary.term IS 'The term as segmented (see terms).';
COMMENT ON COLUMN vocabulary.reports IS 'Reports whose text uses the term (its document frequency for keywords).';
COMMENT ON COLUMN vocabulary.sentences IS 'Sentences that use the term (its document frequency for search).';
COMMENT ON COLUMN vocabulary.n IS 'Occurrences of the term in the whole corpus.';
