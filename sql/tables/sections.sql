CREATE OR REPLACE TABLE sections (
    report_id VARCHAR NOT NULL,
    section_no INTEGER NOT NULL,
    parent_no INTEGER,
    level INTEGER NOT NULL,
    label VARCHAR NOT NULL,
    heading VARCHAR NOT NULL,
    part VARCHAR NOT NULL,
    char_start BIGINT NOT NULL,
    char_end BIGINT NOT NULL
);
COMMENT ON TABLE sections IS 'The heading tree of every report (一、 （一） 1. 1、 (1) ①, headings run into their paragraph included), and an unheaded closing paragraph about next year (下一步……) where no heading opens the plans. One row per (report_id, section_no).';
COMMENT ON COLUMN sections.report_id IS 'The report (reports.report_id).';
COMMENT ON COLUMN sections.section_no IS 'Number of the section within its report, in reading order, from 1.';
COMMENT ON COLUMN sections.parent_no IS 'section_no of the enclosing section; null for a top-level section.';
COMMENT ON COLUMN sections.level IS '1 for top-level sections; deeper levels in the order the report first uses each label style.';
COMMENT ON COLUMN sections.label IS 'The outline label as printed, e.g. 一、 or （二）; empty for an unheaded closing paragraph taken as the plans.';
COMMENT ON COLUMN sections.heading IS 'The heading text without its label, ended where a heading run into its paragraph ends (its full stop, a space before its first sentence, an enumeration 一是), at most 60 characters; for an unheaded closing paragraph, its opening words (下一步).';
COMMENT ON COLUMN sections.part IS 'measures, leadership, shortcomings, plans or other (the parts of the 2019 督察工作规定): the part of the report the top-level section opens, by its heading''s words (rules/report_parts.tsv), the years it names (the year after the report''s is plans) or where it stands (the first unknown heading after the shortcomings is plans; after the leadership part, what its first sentence says, or other; before the later parts, measures); sub-sections inherit it.';
COMMENT ON COLUMN sections.char_start IS 'Offset of the label in reports.text (0-based).';
COMMENT ON COLUMN sections.char_end IS 'Offset where the section ends (exclusive): the next section at its level or above, or the end of the text.';
