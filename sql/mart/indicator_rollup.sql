-- mart.indicator_rollup: indicator figures per unit and period, materialized by
-- `baocao rollup` (etl.marts.rollup) and read through the views indicator_monthly,
-- indicator_semiannual and indicator_annual. Grain: level x unit x period x indicator.
-- Key columns use the C collation: byte order sorts and indexes several times faster
-- than the locale's, and codes need no linguistic order.
CREATE TABLE mart.indicator_rollup (
    level                 text COLLATE "C" NOT NULL CHECK (level IN ('district', 'province', 'province_2025')),
    unit_code             text COLLATE "C" NOT NULL,
    period_key            integer  NOT NULL,  -- core.dim_period; no FK: a per-row check cost 85% of the insert
    period_type           text     NOT NULL,
    year                  smallint NOT NULL,
    half                  smallint,
    month                 smallint,
    indicator_code        text COLLATE "C" NOT NULL,
    value                 numeric,
    ytd_value             numeric,
    annual_plan           numeric,
    pct_of_annual_plan    numeric,
    plan_attained         boolean,
    same_period_last_year numeric,
    yoy_change_pct        numeric,
    yoy_change_points     numeric,
    reporting_units       integer  NOT NULL,
    expected_units        integer  NOT NULL,
    refreshed_at          timestamptz NOT NULL DEFAULT now(),
    last_year_reporting_units integer,  -- reporting_units of same_period_last_year (added by migration 0008)
    -- In the order a full rebuild writes the rows, so building the key after it finds them sorted.
    PRIMARY KEY (level, unit_code, indicator_code, period_key)
);
-- No second index: the key's (level, unit_code) prefix serves the per-unit reads and deletes.
COMMENT ON TABLE mart.indicator_rollup IS 'Số liệu chỉ tiêu tổng hợp theo đơn vị và kỳ / indicator rollup by unit and period (materialized)';
