-- Step 07 of the rollup (etl.marts.rollup): rates recomputed from their summed
-- components at every level, never summed or averaged: a province's from the components of its
-- reporting units that have every one of them (reporting_units counts those units).
-- A district-month whose rate was sent without its components (the RATE_WITHOUT_COMPONENTS
-- warning) keeps the submitted rate at the district, for that month only: nothing can check it,
-- sum it into a province or make a half or year of it, so the province's rate counts only the
-- districts with components (its reporting_units says how many).
-- Reads:      rollup_figures, rollup_rate_component, rollup_district, rollup_needed, rollup_indicator, rollup_submission,
--             core.fct_indicator_value, rollup_district_plan
-- Writes:     rollup_figures (rate rows added, with a district's plan; analyzed again for step 08)
-- Parameters: none
-- Runs as of: yes
INSERT INTO rollup_figures (unit_id, indicator_id, period_key, value, ytd_value, reporting_units, annual_plan,
                            plan_units, figure_units)
WITH
unit_rate AS (  -- each reporting unit's numerator and denominator, where it has every component
    SELECT f.unit_id, c.rate_id, f.period_key,
           sum(f.value) FILTER (WHERE c.in_numerator) AS numerator,
           sum(f.value) FILTER (WHERE c.in_denominator) AS denominator,
           max(c.scale) AS scale,
           min(f.reporting_units) AS reporting_units
    FROM rollup_figures AS f
    JOIN rollup_rate_component AS c ON c.component_id = f.indicator_id
    JOIN rollup_district AS d ON d.district_id = f.unit_id
    GROUP BY f.unit_id, c.rate_id, f.period_key
    HAVING count(f.value) = max(c.components)  -- a flow's month may have no value yet (step 05)
),
rate AS (  -- the unit's own rate, and its provinces' from the same units' components: a unit that sent a
           -- numerator without its denominator is in neither sum (else XH01 of one district over XH02 of another)
    SELECT x.unit_id, u.rate_id, u.period_key,
           sum(u.numerator) / NULLIF(sum(u.denominator), 0) * max(u.scale) AS value,
           sum(u.reporting_units) AS reporting_units
    FROM unit_rate AS u
    JOIN rollup_district AS d ON d.district_id = u.unit_id
    CROSS JOIN LATERAL (VALUES (d.district_id), (d.province_id), (d.province_2025_id)) AS x(unit_id)
    WHERE x.unit_id IS NOT NULL
    GROUP BY x.unit_id, u.rate_id, u.period_key
)
-- A district's rate with its own plan, as its other figures (step 05); a province's rate has none
-- (unit ids are unique across levels: plan_units 0, figure_units 1).
SELECT r.unit_id, r.rate_id, r.period_key, r.value, NULL::numeric, r.reporting_units,
       dp.target_value, (dp.target_value IS NOT NULL)::int, 1
FROM rate AS r
LEFT JOIN rollup_district_plan AS dp ON dp.district_id = r.unit_id AND dp.indicator_id = r.rate_id
                                    AND dp.year = r.period_key / 100;

INSERT INTO rollup_figures (unit_id, indicator_id, period_key, value, ytd_value, reporting_units, annual_plan,
                            plan_units, figure_units)
SELECT n.unit_id, i.indicator_id, v.year * 100 + v.month, v.value, NULL::numeric, 1,
       dp.target_value, (dp.target_value IS NOT NULL)::int, 1
FROM rollup_needed AS n
JOIN rollup_submission AS s ON s.district_code = n.unit_code AND s.year = n.year
JOIN core.fct_indicator_value AS v ON v.submission_id = s.submission_id
JOIN rollup_indicator AS i ON i.indicator_code = v.indicator_code AND i.kind = 'rate'
LEFT JOIN rollup_district_plan AS dp ON dp.district_id = n.unit_id AND dp.indicator_id = i.indicator_id
                                    AND dp.year = v.year
WHERE n.level IN ('district', 'commune') AND v.value IS NOT NULL
  AND NOT EXISTS (  -- recomputed from its components above: those win
      SELECT 1 FROM rollup_figures AS f
      WHERE f.unit_id = n.unit_id AND f.indicator_id = i.indicator_id AND f.period_key = v.year * 100 + v.month);

-- The columns the later steps join, group and sort on only: the values' statistics would triple its cost.
ANALYZE rollup_figures (unit_id, indicator_id, period_key);
