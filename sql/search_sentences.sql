CREATE SCHEMA IF NOT EXISTS marts;
-- A macro's table names resolve in the session's default database, not in the one the macro
-- lives in. So each table is found by query_table() in the database named by `database`,
-- by default the current one: a file attached under another name is searched with
-- w.marts.search_sentences('...', database := 'w').
CREATE OR REPLACE MACRO marts.search_sentences(query, database := NULL) AS TABLE
WITH known AS (
    SELECT term, sentences, n FROM query_table(
        '"' || replace(coalesce(database, current_database()), '"', '""') || '".main.vocabulary'
    )
),
words AS (
    SELECT DISTINCT word
    FROM (SELECT unnest(string_split(trim(query), ' ')) AS word)
    WHERE word <> ''
),
candidates AS (
    -- A word of the query that is a known term is looked up as it is; any other run of text
    -- is looked up by the known terms inside it.
    SELECT v.term, v.sentences AS df, w.word
    FROM known AS v
    JOIN words AS w ON v.term = w.word
        OR (contains(w.word, v.term) AND w.word NOT IN (SELECT term FROM known))
),
query_terms AS (
    -- Of the terms inside one word, the longest: 行政复议 rather than 复议 in 行政复议案件.
    SELECT DISTINCT c.term, c.df
    FROM candidates AS c
    WHERE NOT EXISTS (
        SELECT 1 FROM candidates AS longer
        WHERE longer.word = c.word AND longer.term <> c.term AND contains(longer.term, c.term)
    )
),
corpus AS (
    SELECT
        count(*) AS n_sentences,
        (SELECT sum(n) FROM known) / count(*) AS avg_terms
    FROM query_table(
        '"' || replace(coalesce(database, current_database()), '"', '""') || '".main.sentences'
    )
),
scored AS (
    -- BM25 with k1 = 1.2 and b = 0.75.
    SELECT
        st.report_id,
        st.sentence_no,
        sum(
            ln(1 + (corpus.n_sentences - q.df + 0.5) / (q.df + 0.5))
            * st.tf * 2.2
            / (st.tf + 1.2 * (0.25 + 0.75 * st.terms_in_sentence / corpus.avg_terms))
        ) AS score,
        string_agg(st.term, ' ' ORDER BY st.term) AS matched_terms
    FROM query_table(
        '"' || replace(coalesce(database, current_database()), '"', '""') || '".main.sentence_terms'
    ) AS st
    JOIN query_terms AS q USING (term)
    CROSS JOIN corpus
    GROUP BY st.report_id, st.sentence_no
)
SELECT
    scored.score,
    r.region,
    r.parent_region,
    r.report_year,
    r.org_name,
    sec.heading AS section,
    s.part,
    s.text AS sentence,
    scored.matched_terms,
    s.report_id,
    s.sentence_no,
    s.char_start,
    s.char_end
FROM scored
JOIN query_table(
    '"' || replace(coalesce(database, current_database()), '"', '""') || '".main.sentences'
) AS s USING (report_id, sentence_no)
JOIN query_table(
    '"' || replace(coalesce(database, current_database()), '"', '""') || '".main.reports'
) AS r USING (report_id)
LEFT JOIN query_table(
    '"' || replace(coalesce(database, current_database()), '"', '""') || '".main.sections'
) AS sec
    ON sec.report_id = s.report_id AND sec.section_no = s.section_no
ORDER BY scored.score DESC, r.region, r.report_year, s.report_id, s.sentence_no;
COMMENT ON MACRO TABLE marts.search_sentences IS 'Full-text search over every sentence, ranked by BM25: SELECT * FROM marts.search_sentences(''行政复议 纠错'') LIMIT 10. The query is terms apart by spaces; an unsegmented run of Chinese (行政复议案件) is looked up by the longest known terms inside it. Returns score, region, parent_region, report_year, org_name, section (the heading of the sentence''s section), part, sentence, matched_terms, and report_id, sentence_no, char_start, char_end to find the sentence in reports.text. In a session where the warehouse is attached under another name, name it: ATTACH ''fazhi.duckdb'' AS w (READ_ONLY); SELECT * FROM w.marts.search_sentences(''行政复议'', database := ''w'').';
