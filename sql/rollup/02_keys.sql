-- Step 02 of the rollup (etl.marts.rollup): integer ids for the units and indicators, so the big
-- sorts and groupings compare integers (about three times faster than text keys). Ids are
-- numbered in the byte order of the codes, so a sort on (unit_id, indicator_id, period_key) is
-- also a sort on the mart's key (level, unit_code, indicator_code, period_key).
-- Reads:      mart.district_unit, core.dim_indicator
-- Creates:    temp tables rollup_unit, rollup_district, rollup_indicator, rollup_rate_component (analyzed)
-- Parameters: none
-- Runs as of: yes
CREATE TEMP TABLE rollup_unit ON COMMIT DROP AS
-- expected_units: every current district of the unit (a district: 1); what a province-level
-- figure of a period expects is step 03's expected_in_period (mart.expected_district_at).
SELECT row_number() OVER (ORDER BY level, unit_code)::int AS unit_id, level, unit_code, expected_units
FROM (
    SELECT level COLLATE "C" AS level, unit_code COLLATE "C" AS unit_code, count(*)::int AS expected_units
    FROM mart.district_unit
    GROUP BY 1, 2
) AS units;

CREATE TEMP TABLE rollup_district ON COMMIT DROP AS  -- each district's unit id at every level
SELECT du.district_code COLLATE "C" AS district_code,
       max(u.unit_id) FILTER (WHERE u.level IN ('district', 'commune')) AS district_id,  -- the reporting unit's own
       max(u.unit_id) FILTER (WHERE u.level = 'province') AS province_id,
       max(u.unit_id) FILTER (WHERE u.level = 'province_2025') AS province_2025_id
FROM mart.district_unit AS du
JOIN rollup_unit AS u ON u.level = du.level AND u.unit_code = du.unit_code
GROUP BY 1;

CREATE TEMP TABLE rollup_indicator ON COMMIT DROP AS
SELECT row_number() OVER (ORDER BY indicator_code COLLATE "C")::int AS indicator_id,
       indicator_code COLLATE "C" AS indicator_code, kind, direction
FROM core.dim_indicator
WHERE is_current;

CREATE TEMP TABLE rollup_rate_component ON COMMIT DROP AS  -- one row per rate and distinct component
SELECT rate.indicator_id AS rate_id, component.indicator_id AS component_id,
       c.code = ANY (d.numerator_codes) AS in_numerator,
       c.code = ANY (d.denominator_codes) AS in_denominator,
       d.scale,
       c.components  -- counted before the join: a component missing from the catalog leaves the rate unset
FROM core.dim_indicator AS d
CROSS JOIN LATERAL (
    SELECT code, count(*) OVER ()::int AS components
    FROM (SELECT DISTINCT unnest(d.numerator_codes || d.denominator_codes) AS code) AS codes
) AS c
JOIN rollup_indicator AS rate ON rate.indicator_code = d.indicator_code
JOIN rollup_indicator AS component ON component.indicator_code = c.code
WHERE d.is_current AND d.kind = 'rate';

-- Temp tables get no statistics otherwise (autovacuum skips them): the planner would guess.
ANALYZE rollup_unit;
ANALYZE rollup_district;
ANALYZE rollup_indicator;
ANALYZE rollup_rate_component;
