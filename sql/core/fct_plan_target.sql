-- core.fct_plan_target: annual targets. Grain: plan file x indicator.
CREATE TABLE core.fct_plan_target (
    plan_id           bigint   NOT NULL REFERENCES core.fct_plan (plan_id),
    indicator_key     bigint   NOT NULL REFERENCES core.dim_indicator (indicator_key),
    indicator_code    text     NOT NULL,
    district_code     char(3)  NOT NULL,
    year              smallint NOT NULL,
    target_value      numeric  NOT NULL,
    submitted_unit    text     NOT NULL,
    conversion_factor numeric  NOT NULL,
    PRIMARY KEY (plan_id, indicator_key)
);
COMMENT ON TABLE core.fct_plan_target IS 'Chỉ tiêu kế hoạch năm / annual plan targets';
COMMENT ON COLUMN core.fct_plan_target.target_value IS 'Kế hoạch năm in the catalog unit';
