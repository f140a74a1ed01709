-- Step 08 of the rollup (etl.marts.rollup): write mart.indicator_rollup for the units and years in
-- rollup_scope from rollup_figures (steps 05-07), with the plan in force, % of the plan, plan
-- attainment and the comparison with the same period last year. Step 04 removed the scope's
-- rows; on a full rebuild etl.marts.rollup drops the table's key before this step and builds
-- it again after (once, on rows already in its order). Period keys are YYYYMM, YYYY*100+90+half
-- and YYYY*100 (core.dim_period), so last year is key - 100, the year of an H2 row key - 92.
-- Reads:      rollup_figures, rollup_scope, rollup_indicator, mart.district_unit, core.fct_plan, core.fct_plan_target, core.dim_period
-- Writes:     mart.indicator_rollup (the scope's rows; their number is RollupResult.indicator_rows)
-- Parameters: none
INSERT INTO mart.indicator_rollup (
    level, unit_code, period_key, period_type, year, half, month, indicator_code, value, ytd_value,
    annual_plan, pct_of_annual_plan, plan_attained, same_period_last_year, yoy_change_pct,
    yoy_change_points, reporting_units, expected_units, last_year_reporting_units)
WITH
plan AS (  -- the plan in force: a district's own; a province's the sum of its districts' (rates: none)
    SELECT s.unit_id, i.indicator_id, s.year, sum(t.target_value) AS annual_plan
    FROM rollup_scope AS s
    JOIN mart.district_unit AS du ON du.level = s.level AND du.unit_code = s.unit_code
    JOIN core.fct_plan AS p ON p.district_code = du.district_code AND p.year = s.year AND p.is_current
    JOIN core.fct_plan_target AS t ON t.plan_id = p.plan_id
    JOIN rollup_indicator AS i ON i.indicator_code = t.indicator_code
    WHERE s.level = 'district' OR i.kind <> 'rate'
    GROUP BY s.unit_id, i.indicator_id, s.year
),
compared AS (  -- the same period a year earlier, and the year's total, in one sort and no self-join
    SELECT f.unit_id, f.indicator_id, f.period_key, f.period_key / 100 AS year,
           f.value, f.ytd_value, f.reporting_units,
           first_value(f.value) OVER (by_period RANGE BETWEEN 100 PRECEDING AND 100 PRECEDING) AS last_year,
           first_value(f.reporting_units) OVER (by_period RANGE BETWEEN 100 PRECEDING AND 100 PRECEDING)
               AS last_year_reporting_units,
           -- on an H2 row, its year's figure: a flow's year to date at the end of H2
           first_value(f.value) OVER (by_period RANGE BETWEEN 92 PRECEDING AND 92 PRECEDING) AS year_of_h2
    FROM rollup_figures AS f
    WINDOW by_period AS (PARTITION BY f.unit_id, f.indicator_id ORDER BY f.period_key)
),
scoped AS (  -- only the scope is written; the year before was read for comparisons
    SELECT c.*, s.level, s.unit_code, s.expected_units, i.indicator_code, i.kind, i.direction,
           p.period_type, p.half, p.month,
           -- year to date at the end of the period: what "% of the annual plan" compares
           CASE WHEN i.kind <> 'flow' OR p.period_type = 'year' OR p.half = 1 AND p.period_type = 'half' THEN c.value
                WHEN p.period_type = 'half' THEN c.year_of_h2
                ELSE c.ytd_value END AS to_date
    FROM compared AS c
    JOIN rollup_scope AS s ON s.unit_id = c.unit_id AND s.year = c.year
    JOIN rollup_indicator AS i ON i.indicator_id = c.indicator_id
    JOIN core.dim_period AS p ON p.period_key = c.period_key
)
SELECT s.level, s.unit_code, s.period_key, s.period_type, s.year, s.half, s.month, s.indicator_code, s.value,
       CASE WHEN s.kind = 'flow' THEN s.to_date END AS ytd_value,
       pl.annual_plan,
       round(100 * s.to_date / NULLIF(pl.annual_plan, 0), 2) AS pct_of_annual_plan,
       -- Plan met, in the indicator's direction: for the year; and for any period where the plan
       -- is a threshold the level must keep (rates, lower-is-better stocks), not a total to reach.
       CASE WHEN pl.annual_plan IS NOT NULL
                 AND (s.period_type = 'year' OR s.kind = 'rate' OR s.kind <> 'flow' AND s.direction = 'lower_is_better')
            THEN CASE s.direction WHEN 'higher_is_better' THEN s.value >= pl.annual_plan
                                  WHEN 'lower_is_better' THEN s.value <= pl.annual_plan END
       END AS plan_attained,
       s.last_year AS same_period_last_year,
       CASE WHEN s.kind <> 'rate' THEN round(100 * (s.value - s.last_year) / NULLIF(s.last_year, 0), 2)
       END AS yoy_change_pct,
       CASE WHEN s.kind = 'rate' THEN round(s.value - s.last_year, 4) END AS yoy_change_points,
       s.reporting_units, s.expected_units, s.last_year_reporting_units
FROM scoped AS s
LEFT JOIN plan AS pl ON pl.unit_id = s.unit_id AND pl.indicator_id = s.indicator_id AND pl.year = s.year;
