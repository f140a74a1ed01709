-- Step 2 of the indicator rollup: unit figures. Districts sum into their units (district,
-- legacy province, 2025 province); rates are recomputed from their summed components at
-- every level, never summed or averaged.
CREATE TEMP TABLE rollup_figures ON COMMIT DROP AS
WITH
needed AS (
    SELECT level, unit_code, year FROM rollup_scope
    UNION
    SELECT level, unit_code, year - 1 FROM rollup_scope
),
indicator AS (
    SELECT indicator_code, kind, numerator_codes, denominator_codes, scale
    FROM core.dim_indicator
    WHERE is_current
),
unit_period AS (  -- districts sum into their units
    SELECT du.level, du.unit_code, dp.period_key, dp.year, dp.indicator_code, dp.kind,
           sum(dp.value) AS value, sum(dp.ytd_value) AS ytd_value,
           count(*) FILTER (WHERE dp.complete) AS reporting_units
    FROM rollup_district_period AS dp
    JOIN mart.district_unit AS du ON du.district_code = dp.district_code
    JOIN needed AS n ON n.level = du.level AND n.unit_code = du.unit_code AND n.year = dp.year
    GROUP BY du.level, du.unit_code, dp.period_key, dp.year, dp.indicator_code, dp.kind
),
rate_period AS (  -- rates from their summed components, when every component is there
    SELECT u.level, u.unit_code, u.period_key, u.year, r.indicator_code, 'rate' AS kind,
           sum(u.value) FILTER (WHERE u.indicator_code = ANY (r.numerator_codes))
               / NULLIF(sum(u.value) FILTER (WHERE u.indicator_code = ANY (r.denominator_codes)), 0)
               * r.scale AS value,
           NULL::numeric AS ytd_value,
           min(u.reporting_units) AS reporting_units
    FROM unit_period AS u
    JOIN indicator AS r ON r.kind = 'rate' AND u.indicator_code = ANY (r.numerator_codes || r.denominator_codes)
    GROUP BY u.level, u.unit_code, u.period_key, u.year, r.indicator_code, r.numerator_codes, r.denominator_codes,
             r.scale
    HAVING count(DISTINCT u.indicator_code)
           = cardinality(ARRAY(SELECT DISTINCT unnest(r.numerator_codes || r.denominator_codes)))
),
figures AS (
    SELECT * FROM unit_period
    UNION ALL
    SELECT * FROM rate_period
)
SELECT figures.*, p.period_type, p.half, p.month
FROM figures JOIN core.dim_period AS p USING (period_key);
