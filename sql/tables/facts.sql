CREATE OR REPLACE TABLE facts (
    report_id VARCHAR NOT NULL,
    fact_no INTEGER NOT NULL,
    sentence_no INTEGER NOT NULL,
    section_no INTEGER,
    part VARCHAR NOT NULL,
    is_target BOOLEAN NOT NULL,
    surface VARCHAR NOT NULL,
    value DOUBLE NOT NULL,
    unit VARCHAR NOT NULL,
    qualifier VARCHAR NOT NULL,
    subject VARCHAR,
    indicator VARCHAR,
    char_start BIGINT NOT NULL,
    char_end BIGINT NOT NULL,
    PRIMARY KEY (report_id, fact_no)
);
COMMENT ON TABLE facts IS 'Every quantity mention of every report (spec: quantities.md), traced to its sentence and characters.';
COMMENT ON COLUMN facts.report_id IS 'The report (reports.report_id).';
COMMENT ON COLUMN facts.fact_no IS 'Number of the mention within its report, in reading order, from 0.';
COMMENT ON COLUMN facts.sentence_no IS 'The sentence it is in (sentences.sentence_no).';
COMMENT ON COLUMN facts.section_no IS 'The innermost section it is in; null before the first heading.';
COMMENT ON COLUMN facts.part IS 'The part of the report it is in: a figure in plans is next year''s target, not an achievement.';
COMMENT ON COLUMN facts.is_target IS 'True for a figure in the plans part (a target for the coming year).';
COMMENT ON COLUMN facts.surface IS 'The mention as written, qualifier words included (近15.6万人, 不少于 40 学时).';
COMMENT ON COLUMN facts.value IS 'The number with 万/亿 applied (1.33亿元 -> 133000000); percentages as 0-100.';
COMMENT ON COLUMN facts.unit IS 'The unit or measure word with the multiplier removed (件, 名, 家次, 学时, 元, %).';
COMMENT ON COLUMN facts.qualifier IS 'exact, approx (近/约/余/多/左右), at_least (以上/不少于/超过/高于/至少) or at_most (以下/不超过/低于).';
COMMENT ON COLUMN facts.subject IS 'What is counted, as the sentence names it (受理行政复议案件, 执法人员).';
COMMENT ON COLUMN facts.indicator IS 'The standard indicator (indicators.indicator_id) the mention states, or null (rules/indicator_rules.tsv).';
COMMENT ON COLUMN facts.char_start IS 'Offset of the mention in reports.text (0-based): substr(text, char_start + 1, char_end - char_start) = surface.';
COMMENT ON COLUMN facts.char_end IS 'Offset after the mention (exclusive).';
