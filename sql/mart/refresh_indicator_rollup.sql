-- Step 3 of the indicator rollup (etl.rollup): write mart.indicator_rollup for the units and
-- years in rollup_scope from rollup_figures (steps 1-2), with the plan in force, % of the
-- plan, plan attainment and the comparison with the same period last year. The caller has
-- deleted the scope's rows in the same transaction.
INSERT INTO mart.indicator_rollup (
    level, unit_code, period_key, period_type, year, half, month, indicator_code, value, ytd_value,
    annual_plan, pct_of_annual_plan, plan_attained, same_period_last_year, yoy_change_pct,
    yoy_change_points, reporting_units, expected_units)
WITH
expected AS (  -- districts a unit's figure should cover
    SELECT level, unit_code, count(*) AS expected_units FROM mart.district_unit GROUP BY level, unit_code
),
plan AS (  -- the plan in force: a district's own; a province's the sum of its districts' (rates: none)
    SELECT du.level, du.unit_code, s.year, t.indicator_code, sum(t.target_value) AS annual_plan
    FROM rollup_scope AS s
    JOIN mart.district_unit AS du ON du.level = s.level AND du.unit_code = s.unit_code
    JOIN core.fct_plan AS p ON p.district_code = du.district_code AND p.year = s.year AND p.is_current
    JOIN core.fct_plan_target AS t ON t.plan_id = p.plan_id
    JOIN core.dim_indicator AS i ON i.indicator_code = t.indicator_code AND i.is_current
    WHERE du.level = 'district' OR i.kind <> 'rate'
    GROUP BY du.level, du.unit_code, s.year, t.indicator_code
),
compared AS (  -- the same period a year earlier, and the year's total, in one sort and no self-join:
               -- period keys are YYYYMM, YYYY*100+90+half, YYYY*100, so last year is key - 100
               -- and the year of an H2 row is key - 92
    SELECT f.*,
           max(f.value) OVER (by_period RANGE BETWEEN 100 PRECEDING AND 100 PRECEDING) AS last_year,
           CASE f.period_type
               WHEN 'year' THEN f.value
               WHEN 'half' THEN max(f.value) OVER (by_period RANGE BETWEEN 92 PRECEDING AND 92 PRECEDING)
           END AS year_value
    FROM rollup_figures AS f
    WINDOW by_period AS (PARTITION BY f.level, f.unit_code, f.indicator_code ORDER BY f.period_key)
),
scoped AS (  -- only the scope is written; the year before was read for comparisons
    SELECT c.*, i.direction,
           -- year to date at the end of the period: what "% of the annual plan" compares
           CASE WHEN c.kind <> 'flow' THEN c.value
                WHEN c.period_type = 'month' THEN c.ytd_value
                WHEN c.period_type = 'half' AND c.half = 1 THEN c.value
                ELSE c.year_value END AS to_date
    FROM compared AS c
    JOIN rollup_scope AS s ON s.level = c.level AND s.unit_code = c.unit_code AND s.year = c.year
    JOIN core.dim_indicator AS i ON i.indicator_code = c.indicator_code AND i.is_current
)
SELECT s.level, s.unit_code, s.period_key, s.period_type, s.year, s.half, s.month, s.indicator_code,
       s.value,
       CASE WHEN s.kind = 'flow' THEN s.to_date END AS ytd_value,
       pl.annual_plan,
       round(100 * s.to_date / NULLIF(pl.annual_plan, 0), 2) AS pct_of_annual_plan,
       CASE WHEN s.period_type = 'year' AND pl.annual_plan IS NOT NULL THEN
           CASE s.direction WHEN 'higher_is_better' THEN s.value >= pl.annual_plan
                            WHEN 'lower_is_better' THEN s.value <= pl.annual_plan END
       END AS plan_attained,
       s.last_year AS same_period_last_year,
       CASE WHEN s.kind <> 'rate' THEN round(100 * (s.value - s.last_year) / NULLIF(s.last_year, 0), 2)
       END AS yoy_change_pct,
       CASE WHEN s.kind = 'rate' THEN round(s.value - s.last_year, 4) END AS yoy_change_points,
       s.reporting_units, e.expected_units
FROM scoped AS s
JOIN expected AS e ON e.level = s.level AND e.unit_code = s.unit_code
LEFT JOIN plan AS pl
  ON pl.level = s.level AND pl.unit_code = s.unit_code AND pl.year = s.year AND pl.indicator_code = s.indicator_code;
