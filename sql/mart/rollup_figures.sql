-- Step 2 of the indicator rollup (etl.rollup): unit figures. A district's are its own;
-- districts sum into their legacy province, legacy provinces into their 2025 province;
-- rates are then recomputed from their summed components at every level, never summed
-- or averaged.
CREATE TEMP TABLE rollup_figures ON COMMIT DROP AS
WITH
needed AS (
    SELECT level COLLATE "C" AS level, unit_code COLLATE "C" AS unit_code, year FROM rollup_scope
    UNION
    SELECT level COLLATE "C", unit_code COLLATE "C", year - 1 FROM rollup_scope
),
district_province AS (
    SELECT district_code COLLATE "C" AS district_code, province_code COLLATE "C" AS province_code
    FROM core.dim_district
    WHERE is_current
),
province_map AS (  -- each legacy province lies wholly in one 2025 province
    SELECT DISTINCT province_code COLLATE "C" AS province_code, province_2025_code COLLATE "C" AS province_2025_code
    FROM core.dim_district
    WHERE is_current
),
province_years AS (  -- legacy provinces wanted themselves or as parts of a wanted 2025 province
    SELECT unit_code AS province_code, year FROM needed WHERE level = 'province'
    UNION
    SELECT m.province_code, n.year
    FROM needed AS n
    JOIN province_map AS m ON m.province_2025_code = n.unit_code
    WHERE n.level = 'province_2025'
),
province_period AS (  -- districts sum into their legacy province
    SELECT dpv.province_code, dp.period_key, dp.year, dp.indicator_code, dp.kind,
           sum(dp.value) AS value, sum(dp.ytd_value) AS ytd_value,
           count(*) FILTER (WHERE dp.complete) AS reporting_units
    FROM rollup_district_period AS dp
    JOIN district_province AS dpv ON dpv.district_code = dp.district_code
    JOIN province_years AS py ON py.province_code = dpv.province_code AND py.year = dp.year
    GROUP BY dpv.province_code, dp.period_key, dp.year, dp.indicator_code, dp.kind
),
unit_period AS (
    SELECT 'district'::text COLLATE "C" AS level, dp.district_code::text COLLATE "C" AS unit_code, dp.period_key,
           dp.year, dp.indicator_code, dp.kind, dp.value, dp.ytd_value, dp.complete::int AS reporting_units
    FROM rollup_district_period AS dp
    JOIN needed AS n ON n.level = 'district' AND n.unit_code = dp.district_code AND n.year = dp.year
    UNION ALL
    SELECT 'province', pp.province_code, pp.period_key, pp.year, pp.indicator_code, pp.kind, pp.value,
           pp.ytd_value, pp.reporting_units
    FROM province_period AS pp
    JOIN needed AS n ON n.level = 'province' AND n.unit_code = pp.province_code AND n.year = pp.year
    UNION ALL
    -- 2025 provinces sum their legacy provinces (fewer rows than summing districts again)
    SELECT 'province_2025', m.province_2025_code, pp.period_key, pp.year, pp.indicator_code, pp.kind,
           sum(pp.value), sum(pp.ytd_value), sum(pp.reporting_units)::int
    FROM province_period AS pp
    JOIN province_map AS m ON m.province_code = pp.province_code
    JOIN needed AS n ON n.level = 'province_2025' AND n.unit_code = m.province_2025_code AND n.year = pp.year
    GROUP BY m.province_2025_code, pp.period_key, pp.year, pp.indicator_code, pp.kind
),
rate AS (
    SELECT indicator_code COLLATE "C" AS indicator_code, numerator_codes, denominator_codes, scale,
           cardinality(ARRAY(SELECT DISTINCT unnest(numerator_codes || denominator_codes))) AS components
    FROM core.dim_indicator
    WHERE is_current AND kind = 'rate'
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
