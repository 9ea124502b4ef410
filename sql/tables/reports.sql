CREATE OR REPLACE TABLE reports (
    report_id VARCHAR PRIMARY KEY,
    source_name VARCHAR NOT NULL,
    source_format VARCHAR NOT NULL,
    encoding VARCHAR,
    ocr_confidence DOUBLE,
    sha256 VARCHAR NOT NULL,
    arrived_at TIMESTAMPTZ,
    org_name VARCHAR,
    org_kind VARCHAR,
    region VARCHAR,
    parent_region VARCHAR,
    report_year INTEGER NOT NULL,
    title VARCHAR,
    title_printed BOOLEAN,
    published_date DATE,
    source_url VARCHAR,
    text VARCHAR NOT NULL,
    n_chars BIGINT NOT NULL
);
COMMENT ON TABLE reports IS 'One row per distinct annual report on law-based government (法治政府建设年度报告).';
COMMENT ON COLUMN reports.report_id IS 'Stable id: the first 16 hex digits of the SHA-256 of the bytes as they arrived.';
COMMENT ON COLUMN reports.source_name IS 'Where it came from: the path relative to the corpus folder, or the URL it was scraped from (the first name these bytes arrived under; source_files lists all).';
COMMENT ON COLUMN reports.source_format IS 'How the text was read: txt, html, docx, pdf (its text layer), doc or wps (legacy Word, and .wps files that are Word 97 inside, converted by LibreOffice), or pdf-ocr (a scanned PDF whose pages without a text layer were read by OCR: check a figure against the page before relying on it; see ocr_confidence).';
COMMENT ON COLUMN reports.ocr_confidence IS 'For source_format pdf-ocr: the mean confidence (0-1) of the characters OCR read, over every page it read; a page under 0.9 is flagged by the ocr_pages_confident check. Null for text that was not read by OCR.';
COMMENT ON COLUMN reports.encoding IS 'The character encoding detected for text formats (utf-8, utf-8-sig, utf-16-le, gb18030 ...).';
COMMENT ON COLUMN reports.sha256 IS 'SHA-256 of the bytes as they arrived; the store keeps them under this name.';
COMMENT ON COLUMN reports.arrived_at IS 'When these bytes first arrived (UTC).';
COMMENT ON COLUMN reports.org_name IS 'The issuing body as the report names it (signature, title or opening), e.g. 天津经济技术开发区管理委员会.';
COMMENT ON COLUMN reports.org_kind IS 'government (a people''s government, a zone committee) or department (a bureau or office reporting on its own work).';
COMMENT ON COLUMN reports.region IS 'The unit compared across reports, one spelling per unit whatever spelling the report uses (rules/region_aliases.csv), e.g. 天津经济技术开发区.';
COMMENT ON COLUMN reports.parent_region IS 'The unit the region belongs to, where known, e.g. 滨海新区 for its functional zones.';
COMMENT ON COLUMN reports.report_year IS 'The year the report covers, not the year it was published.';
COMMENT ON COLUMN reports.title IS 'The title as printed; where the report prints none, composed from org_name and report_year.';
COMMENT ON COLUMN reports.title_printed IS 'True where the report prints its title, false where fazhi composed it.';
COMMENT ON COLUMN reports.published_date IS 'Publication date where the source states one: a labelled date on the page (发布日期, 发布时间), the page''s meta tags, or a dated signature.';
COMMENT ON COLUMN reports.source_url IS 'The report''s web address: the URL it was fetched from, or the one the source names as its own (canonical link, og:url, an archive copy''s 原文链接); null when none is known.';
COMMENT ON COLUMN reports.text IS 'The clean report text, one paragraph per line: site chrome, archive headers and artefacts are dropped (see boilerplate). Offsets in sections, sentences and facts index into it (0-based, half-open).';
COMMENT ON COLUMN reports.n_chars IS 'Length of text in characters.';
