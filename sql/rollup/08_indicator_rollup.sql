-- Step 08 of the rollup (etl.marts.rollup): write mart.indicator_rollup for the units and years in
-- rollup_scope from rollup_figures (steps 05-07), with the plan in force, % of the plan, plan
-- attainment and the comparison with the same period last year. Step 04 removed the scope's
-- rows; on a full rebuild etl.marts.rollup drops the table's key before this step and builds
-- it again after (once, on rows already in its order). Period keys are YYYYMM, YYYY*100+90+half
-- and YYYY*100 (core.dim_period), so last year is key - 100, the year of an H2 row key - 92.
-- Reads:      rollup_figures, rollup_scope, rollup_indicator, rollup_district, core.fct_plan, core.fct_plan_target, core.dim_period
-- Creates:    temp table rollup_plan (analyzed)
-- Writes:     mart.indicator_rollup (the scope's rows; their number is RollupResult.indicator_rows)
-- Parameters: none (sets enable_mergejoin off for its INSERT, then resets it)

-- Plan coverage. A province's, per period, over the districts in the figure: the sum of the plans
-- of those that have one, how many do (plan_units) and how many districts the figure has; its % of
-- plan needs both counts equal. A district's is its own plan, per year (period_key = the year), with
-- both counts 1. A table, analyzed, of a few rows per unit: joining a row per district figure
-- instead made this step ~40 % slower.
CREATE TEMP TABLE rollup_plan ON COMMIT DROP AS
WITH
district_plan AS (  -- each district's plan in force, for the scope's years
    SELECT d.district_id, d.province_2025_id, i.indicator_id, p.year, t.target_value
    FROM (SELECT DISTINCT year FROM rollup_scope) AS y
    JOIN core.fct_plan AS p ON p.year = y.year AND p.is_current
    JOIN rollup_district AS d ON d.district_code = p.district_code
    JOIN core.fct_plan_target AS t ON t.plan_id = p.plan_id
    JOIN rollup_indicator AS i ON i.indicator_code = t.indicator_code
),
planned AS (  -- where any plan exists: a 2025 province holds every legacy province and district it counts
    SELECT DISTINCT province_2025_id, indicator_id, year FROM district_plan
),
plan_figure AS (  -- each district figure (rates aside) where its 2025 province has a plan for it, with the district's plan
    SELECT d.province_id, d.province_2025_id, f.indicator_id, f.period_key, dp.target_value
    FROM rollup_figures AS f
    JOIN rollup_district AS d ON d.district_id = f.unit_id
    JOIN planned AS pd ON pd.province_2025_id = d.province_2025_id AND pd.indicator_id = f.indicator_id
                      AND pd.year = f.period_key / 100
    JOIN rollup_indicator AS i ON i.indicator_id = f.indicator_id AND i.kind <> 'rate'
    LEFT JOIN district_plan AS dp ON dp.district_id = f.unit_id AND dp.indicator_id = f.indicator_id
                                 AND dp.year = f.period_key / 100
)
SELECT district_id AS unit_id, indicator_id, year AS period_key, target_value AS annual_plan,
       1 AS plan_units, 1 AS figure_units
FROM district_plan
UNION ALL
SELECT coalesce(province_id, province_2025_id), indicator_id, period_key, sum(target_value),
       count(target_value)::int, count(*)::int
FROM plan_figure
GROUP BY GROUPING SETS ((province_id, indicator_id, period_key), (province_2025_id, indicator_id, period_key));

ANALYZE rollup_plan;

-- The planner sorts every row of the scope to merge-join the plan (~2 s of 8 on a national
-- rebuild); a hash join needs no sort. For this statement only: RESET after it.
SET LOCAL enable_mergejoin = off;

INSERT INTO mart.indicator_rollup (
    level, unit_code, period_key, period_type, year, half, month, indicator_code, value, ytd_value,
    annual_plan, pct_of_annual_plan, plan_attained, same_period_last_year, yoy_change_pct,
    yoy_change_points, reporting_units, expected_units, last_year_reporting_units, plan_units,
    carried_forward_units)
WITH
compared AS (  -- the same period a year earlier, and the year's total, in one sort and no self-join
    SELECT f.unit_id, f.indicator_id, f.period_key, f.period_key / 100 AS year,
           f.value, f.ytd_value, f.reporting_units, f.carried_forward_units,
           first_value(f.value) OVER (by_period RANGE BETWEEN 100 PRECEDING AND 100 PRECEDING) AS last_year,
           first_value(f.reporting_units) OVER (by_period RANGE BETWEEN 100 PRECEDING AND 100 PRECEDING)
               AS last_year_reporting_units,
           -- on an H2 row, its year's figure: a flow's year to date at the end of H2
           first_value(f.value) OVER (by_period RANGE BETWEEN 92 PRECEDING AND 92 PRECEDING) AS year_of_h2
    FROM rollup_figures AS f
    WINDOW by_period AS (PARTITION BY f.unit_id, f.indicator_id ORDER BY f.period_key)
),
scoped AS (  -- only the scope is written; the year before was read for comparisons
    SELECT c.*, s.level, s.unit_code,
           -- the period's slot in expected_in_period (step 03): month 1-12, H1 13, H2 14, year 15
           coalesce(s.expected_in_period[CASE WHEN c.period_key % 100 = 0 THEN 15
                                              WHEN c.period_key % 100 > 90 THEN c.period_key % 100 - 78
                                              ELSE c.period_key % 100 END],
                    s.expected_units) AS expected_units,
           i.indicator_code, i.kind, i.direction,
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
       -- Only when every district in the figure has a plan: never a sum over some against a plan of others.
       CASE WHEN pl.plan_units = pl.figure_units THEN round(100 * s.to_date / NULLIF(pl.annual_plan, 0), 2)
       END AS pct_of_annual_plan,
       -- Plan met, in the indicator's direction: for the year; and for any period where the plan
       -- is a threshold the level must keep (rates, lower-is-better stocks), not a total to reach.
       CASE WHEN pl.annual_plan IS NOT NULL AND pl.plan_units = pl.figure_units
                 AND (s.period_type = 'year' OR s.kind = 'rate' OR s.kind <> 'flow' AND s.direction = 'lower_is_better')
            THEN CASE s.direction WHEN 'higher_is_better' THEN s.value >= pl.annual_plan
                                  WHEN 'lower_is_better' THEN s.value <= pl.annual_plan END
       END AS plan_attained,
       s.last_year AS same_period_last_year,
       CASE WHEN s.kind <> 'rate' THEN round(100 * (s.value - s.last_year) / NULLIF(s.last_year, 0), 2)
       END AS yoy_change_pct,
       CASE WHEN s.kind = 'rate' THEN round(s.value - s.last_year, 4) END AS yoy_change_points,
       s.reporting_units, s.expected_units, s.last_year_reporting_units, coalesce(pl.plan_units, 0) AS plan_units,
       s.carried_forward_units
FROM scoped AS s
LEFT JOIN rollup_plan AS pl ON pl.unit_id = s.unit_id AND pl.indicator_id = s.indicator_id
                            AND pl.period_key = CASE s.level WHEN 'district' THEN s.year ELSE s.period_key END;

RESET enable_mergejoin;
