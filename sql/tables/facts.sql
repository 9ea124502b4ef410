CREATE OR REPLACE TABLE facts (
    report_id VARCHAR NOT NULL,
    fact_no INTEGER NOT NULL,
    sentence_no INTEGER NOT NULL,
    section_no INTEGER,
    part VARCHAR NOT NULL,
    is_target BOOLEAN NOT NULL,
    surface VARCHAR NOT NULL,
    value DOUBLE NOT NULL,
    value_high DOUBLE,
    unit VARCHAR NOT NULL,
    qualifier VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    role VARCHAR NOT NULL,
    parent_fact_no INTEGER,
    subject VARCHAR,
    indicator VARCHAR,
    indicator_rule VARCHAR,
    comparable_unit BOOLEAN,
    char_start BIGINT NOT NULL,
    char_end BIGINT NOT NULL
);
COMMENT ON TABLE facts IS 'Every quantity mention of every report (spec: quantities.md), traced to its sentence and characters. One row per (report_id, fact_no).';
COMMENT ON COLUMN facts.report_id IS 'The report (reports.report_id).';
COMMENT ON COLUMN facts.fact_no IS 'Number of the mention within its report, in reading order, from 0.';
COMMENT ON COLUMN facts.sentence_no IS 'The sentence it is in (sentences.sentence_no).';
COMMENT ON COLUMN facts.section_no IS 'The innermost section it is in; null before the first heading.';
COMMENT ON COLUMN facts.part IS 'The part of the report it is in: a figure in plans is next year''s target, not an achievement.';
COMMENT ON COLUMN facts.is_target IS 'True for a figure in the plans part (a target for the coming year).';
COMMENT ON COLUMN facts.surface IS 'The mention as written, qualifier words included (近15.6万人, 不少于 40 学时).';
COMMENT ON COLUMN facts.value IS 'The number with 万/亿 applied (1.33亿元 -> 133000000); percentages as 0-100.';
COMMENT ON COLUMN facts.value_high IS 'The high end of a range (3至5天: value 3, value_high 5); null for a single number.';
COMMENT ON COLUMN facts.unit IS 'The unit or measure word with the multiplier removed (件, 名, 家次, 学时, 元, %).';
COMMENT ON COLUMN facts.qualifier IS 'exact, approx (近/约/余/多/左右), at_least (以上/不少于/超过/高于/至少) or at_most (以下/不超过/低于).';
COMMENT ON COLUMN facts.kind IS 'What sort of figure: count (件, 人, 次 ...), amount (元), rate (a share or completion rate in %), change (同比增长250%: never chart it beside a rate), period (天, 学时, 工作日) or other (吨, 平方米).';
COMMENT ON COLUMN facts.role IS 'total (the sentence breaks it down: 其中..., or the figures after it add up to it), part (of the total parent_fact_no) or single.';
COMMENT ON COLUMN facts.parent_fact_no IS 'For a part, the fact_no of its total in the same sentence; null otherwise.';
COMMENT ON COLUMN facts.subject IS 'What is counted, as the sentence names it (受理行政复议案件, 执法人员).';
COMMENT ON COLUMN facts.indicator IS 'The standard indicator (indicators.indicator_id) the mention states, or null (rules/indicator_rules.tsv).';
COMMENT ON COLUMN facts.indicator_rule IS 'Why the indicator was chosen: the indicator, the object found (rules/indicator_objects.tsv) and where (clause: the mention''s own clause; carried: from the figure before it in the sentence; lead: from the clause before), the verb class (rules/indicator_verbs.tsv) and the unit class (rules/unit_classes.tsv) of the rule of rules/indicator_grammar.tsv that fitted.';
COMMENT ON COLUMN facts.comparable_unit IS 'For a figure with an indicator: true when its unit measures what the indicator''s own unit measures (rules/units.tsv: 宗 and 起 count pieces like 件, 人 and 位 people like 名), false when it counts something else (法律顾问 in 家: firms, not people; 家次: visits, not 次).';
COMMENT ON COLUMN facts.char_start IS 'Offset of the mention in reports.text (0-based): substr(text, char_start + 1, char_end - char_start) = surface.';
COMMENT ON COLUMN facts.char_end IS 'Offset after the mention (exclusive).';
