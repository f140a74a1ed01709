-- Step 2 of the indicator rollup (etl.rollup): unit figures. A district's are its own;
-- districts sum into their legacy and 2025 provinces; rates are then recomputed from
-- their summed components at every level, never summed or averaged.
CREATE TEMP TABLE rollup_figures ON COMMIT DROP AS
WITH
needed AS (
    SELECT level COLLATE "C" AS level, unit_code COLLATE "C" AS unit_code, year FROM rollup_scope
    UNION
    SELECT level COLLATE "C", unit_code COLLATE "C", year - 1 FROM rollup_scope
),
province_unit AS (  -- the two province levels each district sums into, keys in the C collation
    SELECT district_code COLLATE "C" AS district_code, level COLLATE "C" AS level, unit_code COLLATE "C" AS unit_code
    FROM mart.district_unit
    WHERE level <> 'district'
),
rate AS (
    SELECT indicator_code COLLATE "C" AS indicator_code, numerator_codes, denominator_codes, scale,
           cardinality(ARRAY(SELECT DISTINCT unnest(numerator_codes || denominator_codes))) AS components
    FROM core.dim_indicator
    WHERE is_current AND kind = 'rate'
),
unit_period AS (
    SELECT 'district'::text COLLATE "C" AS level, dp.district_code::text COLLATE "C" AS unit_code, dp.period_key,
           dp.year, dp.indicator_code, dp.kind, dp.value, dp.ytd_value, dp.complete::int AS reporting_units
    FROM rollup_district_period AS dp
    JOIN needed AS n ON n.level = 'district' AND n.unit_code = dp.district_code AND n.year = dp.year
    UNION ALL
    SELECT pu.level, pu.unit_code, dp.period_key, dp.year, dp.indicator_code, dp.kind,
           sum(dp.value), sum(dp.ytd_value), count(*) FILTER (WHERE dp.complete)
    FROM rollup_district_period AS dp
    JOIN province_unit AS pu ON pu.district_code = dp.district_code
    JOIN needed AS n ON n.level = pu.level AND n.unit_code = pu.unit_code AND n.year = dp.year
    GROUP BY pu.level, pu.unit_code, dp.period_key, dp.year, dp.indicator_code, dp.kind
),
component AS (  -- each unit figure once per rate it is a component of
    SELECT u.*, r.indicator_code AS rate_code, r.scale, r.components,
           u.indicator_code = ANY (r.numerator_codes) AS in_numerator,
           u.indicator_code = ANY (r.denominator_codes) AS in_denominator
    FROM unit_period AS u
    JOIN rate AS r ON u.indicator_code = ANY (r.numerator_codes || r.denominator_codes)
),
rate_period AS (  -- rates from their summed components, when every component is there
    SELECT level, unit_code, period_key, year, rate_code AS indicator_code, 'rate' AS kind,
           sum(value) FILTER (WHERE in_numerator) / NULLIF(sum(value) FILTER (WHERE in_denominator), 0)
               * max(scale) AS value,
           NULL::numeric AS ytd_value,
           min(reporting_units) AS reporting_units
    FROM component
    GROUP BY level, unit_code, period_key, year, rate_code
    HAVING count(DISTINCT indicator_code) = max(components)
),
figures AS (
    SELECT * FROM unit_period
    UNION ALL
    SELECT * FROM rate_period
)
SELECT figures.*, p.period_type, p.half, p.month
FROM figures JOIN core.dim_period AS p USING (period_key);
