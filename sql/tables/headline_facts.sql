CREATE OR REPLACE TABLE headline_facts (
    report_id VARCHAR NOT NULL,
    indicator VARCHAR NOT NULL,
    fact_no INTEGER NOT NULL,
    figures BIGINT NOT NULL,
    sentence VARCHAR NOT NULL,
    sentence_start BIGINT NOT NULL
);
COMMENT ON TABLE headline_facts IS 'Which fact is each report''s headline figure for each indicator it states (what marts.headline_figures shows, with the report and the figure): the first achievement in a unit comparable with the indicator''s own, never a part of a total nor a change rate. Picked with the report''s facts and kept beside them, so the marts do not rank every figure of the corpus at each query. One row per (report_id, indicator).';
COMMENT ON COLUMN headline_facts.report_id IS 'The report (reports.report_id).';
COMMENT ON COLUMN headline_facts.indicator IS 'The standard indicator (indicators.indicator_id).';
COMMENT ON COLUMN headline_facts.fact_no IS 'The headline figure (facts.fact_no).';
COMMENT ON COLUMN headline_facts.figures IS 'How many figures the report states for the indicator outside its plans, in any unit.';
COMMENT ON COLUMN headline_facts.sentence IS 'The sentence the figure came from (sentences.text).';
COMMENT ON COLUMN headline_facts.sentence_start IS 'Where that sentence starts in reports.text (sentences.char_start).';
