-- core.dim_indicator: the catalog (reference/indicators.yaml), type 2 so a changed
-- definition keeps the old one for the facts loaded under it.
CREATE TABLE core.dim_indicator (
    indicator_key     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    indicator_code    text     NOT NULL,
    indicator_name    text     NOT NULL,
    indicator_name_en text     NOT NULL,
    unit              text     NOT NULL,
    kind              text     NOT NULL CHECK (kind IN ('flow', 'stock', 'opening', 'rate')),
    aggregation_type  text     NOT NULL,
    direction         text     NOT NULL CHECK (direction IN ('higher_is_better', 'lower_is_better', 'none')),
    numerator_codes   text[]   NOT NULL,
    denominator_codes text[]   NOT NULL,
    scale             numeric  NOT NULL,
    rule              text,
    allow_negative    boolean  NOT NULL,
    is_integer        boolean  NOT NULL,
    max_month_change_pct numeric,
    catalog_version   integer  NOT NULL,
    row_hash          text     NOT NULL,
    valid_from        date     NOT NULL,
    valid_to          date,
    is_current        boolean  NOT NULL
);
CREATE UNIQUE INDEX dim_indicator_current ON core.dim_indicator (indicator_code) WHERE is_current;
COMMENT ON TABLE core.dim_indicator IS 'Danh mục chỉ tiêu / indicator catalog, type 2';
COMMENT ON COLUMN core.dim_indicator.indicator_code IS 'Mã chỉ tiêu (ma_chi_tieu)';
COMMENT ON COLUMN core.dim_indicator.unit IS 'Đơn vị tính: the unit every value is stored in';
COMMENT ON COLUMN core.dim_indicator.kind IS 'flow (sums), stock (last value), opening (first value), rate (recomputed)';
COMMENT ON COLUMN core.dim_indicator.aggregation_type IS 'DHIS2 name of the aggregation: SUM, LAST, FIRST, RECOMPUTE';
COMMENT ON COLUMN core.dim_indicator.direction IS 'Which way is better, for plan attainment';
COMMENT ON COLUMN core.dim_indicator.numerator_codes IS 'Rates: indicators summed in the numerator';
COMMENT ON COLUMN core.dim_indicator.denominator_codes IS 'Rates: indicators summed in the denominator';
COMMENT ON COLUMN core.dim_indicator.scale IS 'Rates: multiplier (100 for a percentage)';
COMMENT ON COLUMN core.dim_indicator.rule IS 'Identity or bound checked by the quality gate';
COMMENT ON COLUMN core.dim_indicator.is_integer IS 'Counts: values must be whole numbers';
COMMENT ON COLUMN core.dim_indicator.max_month_change_pct IS 'Stocks: month-on-month change above this is an outlier warning';
