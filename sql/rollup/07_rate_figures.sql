-- Step 07 of the rollup (etl.marts.rollup): rates recomputed from their summed
-- components at every level, never summed or averaged: a province's from the components of its
-- reporting units that have every one of them (reporting_units counts those units).
-- A district-month whose rate was sent without its components (the RATE_WITHOUT_COMPONENTS
-- warning) keeps the submitted rate at the district, for that month only: nothing can check it,
-- sum it into a province or make a half or year of it, so the province's rate counts only the
-- districts with components (its reporting_units says how many).
-- A province-level unit summed from its stored partial sums (step 03, rollup_delta_unit) sums its
-- stored numerator and denominator, plus its changed units' now, minus as the mart held them
-- (rollup_old_figures), as step 06 does its other figures; the scope's province-level sums go to
-- rollup_partial_rows for step 09. The numerator and denominator are trimmed of trailing zeros before
-- the division, so both ways give the same digits.
-- Reads:      rollup_figures, rollup_rate_component, rollup_district, rollup_needed, rollup_indicator, rollup_submission,
--             core.fct_indicator_value, rollup_district_plan, rollup_delta_unit, rollup_delta_member,
--             rollup_stored_partial, rollup_old_figures, rollup_partial_basis
-- Writes:     rollup_figures (rate rows added, with a district's plan; analyzed again for step 08),
--             rollup_partial_rows (the scope's province-level rate sums, incremental)
-- Parameters: none
-- Runs as of: yes
WITH
component AS (  -- the reporting units' component figures: now (step 05), and, for a unit summed from its
               -- stored partial sums, its changed units' as the mart held them (step 03)
    SELECT false AS before, f.unit_id, f.indicator_id, f.period_key, f.value, f.reporting_units
    FROM rollup_figures AS f
    JOIN rollup_district AS d ON d.district_id = f.unit_id
    UNION ALL
    SELECT true, o.district_id, o.indicator_id, o.period_key, o.value, o.reporting_units
    FROM rollup_old_figures AS o
),
unit_rate AS (  -- each reporting unit's numerator and denominator, where it has every component
    SELECT f.before, f.unit_id, c.rate_id, f.period_key,
           sum(f.value) FILTER (WHERE c.in_numerator) AS numerator,
           sum(f.value) FILTER (WHERE c.in_denominator) AS denominator,
           min(f.reporting_units) AS reporting_units
    FROM component AS f
    JOIN rollup_rate_component AS c ON c.component_id = f.indicator_id
    GROUP BY f.before, f.unit_id, c.rate_id, f.period_key
    HAVING count(f.value) = max(c.components)  -- a flow's month may have no value yet (step 05)
),
rate_terms AS (  -- the unit's own rate, and its provinces' from the same units' components: a unit that sent a
                 -- numerator without its denominator is in neither sum (else XH01 of one district over XH02 of another)
    SELECT x.unit_id, u.rate_id, u.period_key, u.numerator, u.denominator, u.reporting_units, 1 AS units
    FROM unit_rate AS u
    JOIN rollup_district AS d ON d.district_id = u.unit_id
    CROSS JOIN LATERAL (VALUES (d.district_id), (d.province_id), (d.province_2025_id)) AS x(unit_id)
    WHERE NOT u.before AND x.unit_id IS NOT NULL
      AND NOT EXISTS (SELECT FROM rollup_delta_unit AS dx WHERE dx.unit_id = x.unit_id AND dx.year = u.period_key / 100)
    UNION ALL  -- a unit summed from its stored partial sums: those, plus its changed units' now, minus as before
    SELECT s.unit_id, s.indicator_id, s.period_key, s.numerator, s.denominator, s.reporting_units, s.figure_units
    FROM rollup_stored_partial AS s
    JOIN rollup_indicator AS i ON i.indicator_id = s.indicator_id AND i.kind = 'rate'
    UNION ALL
    SELECT m.unit_id, u.rate_id, u.period_key,
           CASE WHEN u.before THEN -u.numerator ELSE u.numerator END,
           CASE WHEN u.before THEN -u.denominator ELSE u.denominator END,
           CASE WHEN u.before THEN -u.reporting_units ELSE u.reporting_units END,
           CASE WHEN u.before THEN -1 ELSE 1 END
    FROM unit_rate AS u
    JOIN rollup_delta_member AS m ON m.district_id = u.unit_id AND m.year = u.period_key / 100
),
rate_sums AS (
    SELECT unit_id, rate_id, period_key, sum(numerator) AS numerator, sum(denominator) AS denominator,
           sum(reporting_units)::int AS reporting_units, sum(units)::int AS units
    FROM rate_terms
    GROUP BY unit_id, rate_id, period_key
    HAVING sum(units) > 0  -- no unit has every component any more: no rate
),
stored AS (  -- the scope's province-level sums, for step 09 (incremental: else rollup_partial_basis is empty)
    INSERT INTO rollup_partial_rows (unit_id, indicator_id, period_key, value_units, reporting_units, ytd_known,
                                     plan_units, figure_units, numerator, denominator)
    SELECT r.unit_id, r.rate_id, r.period_key, 0, r.reporting_units, 0, 0, r.units, r.numerator, r.denominator
    FROM rate_sums AS r
    JOIN rollup_partial_basis AS p ON p.unit_id = r.unit_id AND p.year = r.period_key / 100
),
rate AS (
    SELECT r.unit_id, r.rate_id, r.period_key,
           trim_scale(r.numerator) / NULLIF(trim_scale(r.denominator), 0) * sc.scale AS value, r.reporting_units
    FROM rate_sums AS r
    JOIN (SELECT rate_id, max(scale) AS scale FROM rollup_rate_component GROUP BY rate_id) AS sc USING (rate_id)
)
-- A district's rate with its own plan, as its other figures (step 05); a province's rate has none
-- (unit ids are unique across levels: plan_units 0, figure_units 1).
INSERT INTO rollup_figures (unit_id, indicator_id, period_key, value, ytd_value, reporting_units, annual_plan,
                            plan_units, figure_units)
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
