-- core.fct_indicator_value: indicator values. Grain: submission x indicator, that is
-- district x month x indicator x version. Values are in the catalog unit. Only accepted
-- submissions have rows here (a rejected file's rows stay in staging).
CREATE TABLE core.fct_indicator_value (
    submission_id     bigint   NOT NULL REFERENCES core.fct_submission (submission_id),
    indicator_key     bigint   NOT NULL REFERENCES core.dim_indicator (indicator_key),
    district_key      bigint   NOT NULL REFERENCES core.dim_district (district_key),
    period_key        integer  NOT NULL REFERENCES core.dim_period (period_key),
    indicator_code    text     NOT NULL,
    district_code     char(3)  NOT NULL,
    year              smallint NOT NULL,
    month             smallint NOT NULL,
    value             numeric,
    ytd_value         numeric,
    value_source      text     NOT NULL CHECK (value_source IN ('submitted', 'derived_from_ytd', 'missing')),
    ytd_source        text     NOT NULL CHECK (ytd_source IN ('submitted', 'derived', 'not_applicable', 'missing')),
    submitted_unit    text     NOT NULL,
    conversion_factor numeric  NOT NULL,
    source_row        integer  NOT NULL,
    note              text,
    PRIMARY KEY (submission_id, indicator_key)
);
CREATE INDEX fct_indicator_value_lookup ON core.fct_indicator_value (district_code, indicator_code, period_key);
COMMENT ON TABLE core.fct_indicator_value IS 'Giá trị chỉ tiêu theo tháng / indicator values, district x month x indicator x version';
COMMENT ON COLUMN core.fct_indicator_value.value IS 'Thực hiện tháng: month value (flow), level at month end (stock), level at start (opening) or the rate submitted, in the catalog unit';
COMMENT ON COLUMN core.fct_indicator_value.ytd_value IS 'Lũy kế năm: year-to-date value (flows only), catalog unit';
COMMENT ON COLUMN core.fct_indicator_value.value_source IS 'submitted, derived_from_ytd (YTD minus previous month''s YTD) or missing';
COMMENT ON COLUMN core.fct_indicator_value.ytd_source IS 'submitted, derived (previous YTD plus month), not_applicable (not a flow) or missing';
COMMENT ON COLUMN core.fct_indicator_value.submitted_unit IS 'Unit the district wrote';
COMMENT ON COLUMN core.fct_indicator_value.conversion_factor IS 'Multiplier applied to reach the catalog unit';
COMMENT ON COLUMN core.fct_indicator_value.source_row IS 'Row of the sheet the value came from';
