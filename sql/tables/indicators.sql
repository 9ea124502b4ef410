CREATE OR REPLACE TABLE indicators (
    indicator_id VARCHAR PRIMARY KEY,
    name_zh VARCHAR NOT NULL,
    unit VARCHAR NOT NULL,
    description VARCHAR
);
COMMENT ON TABLE indicators IS 'The standard indicators that facts are mapped to (rules/indicators.csv).';
COMMENT ON COLUMN indicators.indicator_id IS 'Stable id used in facts.indicator.';
COMMENT ON COLUMN indicators.name_zh IS 'Chinese name of the indicator.';
COMMENT ON COLUMN indicators.unit IS 'The unit values of this indicator are stated in.';
COMMENT ON COLUMN indicators.description IS 'What the indicator counts or measures.';
