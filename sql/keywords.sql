-- A view, not a table: TF-IDF changes with every report added, so a table of every report's
-- keywords was made again over the whole corpus at every build (0.5 s at 10,000 reports, for
-- one new report). Asked for one report, the view reads that report's terms only (~0.02 s);
-- asked for every report, it ranks them all (~0.75 s at 10,000 reports).
CREATE OR REPLACE VIEW main.keywords AS
WITH totals AS (
    -- TF divides by every term of the report, candidate or not.
    SELECT report_id, sum(n) AS total FROM main.terms GROUP BY report_id
),
corpus AS (SELECT count(DISTINCT report_id) AS n_reports FROM main.terms),
scored AS (
    -- idf once per term, as in BM25: ln(1 + (N - df + 0.5) / (df + 0.5)).
    SELECT t.report_id, t.term, t.n, v.reports AS df,
           t.n / s.total * ln(1 + (c.n_reports - v.reports + 0.5) / (v.reports + 0.5)) AS tfidf
    FROM main.terms AS t
    JOIN main.vocabulary AS v USING (term)
    JOIN totals AS s USING (report_id)
    CROSS JOIN corpus AS c
    WHERE t.keyword_candidate
),
-- Each report's top 20 in one pass, in the order of their ranks: by TF-IDF, ties by n, then
-- by term (a window over every report's terms took twice as long).
picked AS (
    SELECT report_id,
           min_by(
               {'term': term, 'n': n, 'df': df, 'tfidf': tfidf},
               {'tfidf': -tfidf, 'n': -n, 'term': term},
               20
           ) AS top
    FROM scored
    GROUP BY report_id
)
SELECT report_id,
       CAST(rank AS INTEGER) AS rank,
       keyword.term AS term,
       keyword.n AS n,
       keyword.df AS df,
       keyword.tfidf AS tfidf
FROM (
    SELECT report_id, unnest(top) AS keyword, generate_subscripts(top, 1) AS rank FROM picked
);
COMMENT ON VIEW main.keywords IS 'Each report''s 20 most characteristic terms by TF-IDF, with document frequencies computed from this warehouse''s own reports (not a general-Chinese IDF file): what this report writes about more than the others. One row per (report_id, rank). Computed when asked: filter on report_id for one report''s keywords at once.';
COMMENT ON COLUMN main.keywords.report_id IS 'The report (reports.report_id).';
COMMENT ON COLUMN main.keywords.rank IS '1 for the most characteristic term.';
COMMENT ON COLUMN main.keywords.term IS 'The term: a noun or a domain dictionary term, never a place name (terms.keyword_candidate).';
COMMENT ON COLUMN main.keywords.n IS 'Occurrences of the term in the report.';
COMMENT ON COLUMN main.keywords.df IS 'Reports of the corpus that use the term (vocabulary.reports).';
COMMENT ON COLUMN main.keywords.tfidf IS 'The term''s share of the report''s terms times its inverse document frequency ln(1 + (N - df + 0.5) / (df + 0.5)) over the N reports with terms.';
