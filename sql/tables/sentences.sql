CREATE OR REPLACE TABLE sentences (
    report_id VARCHAR NOT NULL,
    sentence_no INTEGER NOT NULL,
    section_no INTEGER,
    part VARCHAR NOT NULL,
    text VARCHAR NOT NULL,
    char_start BIGINT NOT NULL,
    char_end BIGINT NOT NULL
);
COMMENT ON TABLE sentences IS 'Every sentence of every report, split at 。！？ and line ends, never inside quotes, brackets, titles or numbers. One row per (report_id, sentence_no).';
COMMENT ON COLUMN sentences.report_id IS 'The report (reports.report_id).';
COMMENT ON COLUMN sentences.sentence_no IS 'Number of the sentence within its report, in reading order, from 0.';
COMMENT ON COLUMN sentences.section_no IS 'The innermost section the sentence starts in; null before the first heading.';
COMMENT ON COLUMN sentences.part IS 'The part of the report the sentence is in (measures, leadership, shortcomings, plans, other).';
COMMENT ON COLUMN sentences.text IS 'The sentence, equal to substr(reports.text, char_start + 1, char_end - char_start).';
COMMENT ON COLUMN sentences.char_start IS 'Offset of the first character in reports.text (0-based).';
COMMENT ON COLUMN sentences.char_end IS 'Offset after the last character (exclusive).';
