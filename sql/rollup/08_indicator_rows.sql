-- Step 08 of the rollup (etl.marts.rollup): the rows of mart.indicator_rollup for the units and
-- years in rollup_scope, from rollup_figures (steps 05-07), with the plan in force, % of the
-- plan, plan attainment and the comparison with the same period last year: a temp view, written
-- by step 09 or, as of a moment, read by core.rollup_as_of (mart.indicator_*_at). Period keys are
-- YYYYMM, YYYY*100+90+half and YYYY*100 (core.dim_period), so last year is key - 100.
-- A figure carries its plan and coverage: a district's own plan (steps 05, 07), a province's sum of
-- its districts' (step 06).
-- Reads:      rollup_figures, rollup_mart_figures (incremental: the unchanged years before and after the changed
--             ones, from the mart, step 03), rollup_scope, rollup_indicator, core.dim_period
-- Creates:    temp view rollup_indicator_rows (columns named as mart.indicator_rollup's; dropped
--             with rollup_figures at commit)
-- Parameters: none
-- Runs as of: yes
CREATE OR REPLACE TEMP VIEW rollup_indicator_rows AS
WITH
compared AS (  -- the same period a year earlier, in one sort and no self-join
    SELECT f.unit_id, f.indicator_id, f.period_key, f.period_key / 100 AS year,
           f.value, f.ytd_value, f.reporting_units, f.carried_forward_units,
           first_value(f.value) OVER (by_period RANGE BETWEEN 100 PRECEDING AND 100 PRECEDING) AS last_year,
           first_value(f.reporting_units) OVER (by_period RANGE BETWEEN 100 PRECEDING AND 100 PRECEDING)
               AS last_year_reporting_units,
           -- the plan and its coverage, carried by the figure: a district's own (steps 05, 07), a
           -- province's sum (step 06)
           f.annual_plan, f.plan_units, f.figure_units
    FROM (SELECT unit_id, indicator_id, period_key, value, ytd_value, reporting_units, carried_forward_units,
                 annual_plan, plan_units, figure_units
          FROM rollup_figures
          UNION ALL  -- incremental: the unchanged years before and after, as the mart holds them (step 03);
                     -- a compare_only year's rows are complete in their comparisons only (step 09)
          SELECT unit_id, indicator_id, period_key, value, NULL, reporting_units, NULL, NULL, NULL, NULL
          FROM rollup_mart_figures) AS f
    -- Only the scope's units: a province's districts, read to sum it, are not written (an incremental
    -- refresh sorted ~44k rows to write ~2k). Whole units, so no window loses a row of its own. In
    -- modes full and year every unit read is in the scope: the test, read once, is skipped.
    WHERE (SELECT current_setting('baocao.rollup_mode') IN ('full', 'year'))
       OR f.unit_id IN (SELECT s.unit_id FROM rollup_scope AS s)
    WINDOW by_period AS (PARTITION BY f.unit_id, f.indicator_id ORDER BY f.period_key)
),
scoped AS (  -- only the scope is written; the year before was read for comparisons
    SELECT c.*, s.level, s.unit_code,
           -- the period's slot in expected_in_period (step 03): month 1-12, H1 13, H2 14, year 15;
           -- plus 15 for a stock (units expected at the period's end), 30 for an opening balance (start).
           -- A district's or commune's has none (its own 1): tested first, the subscript on every row
           -- cost ~2 s of a national rebuild.
           CASE WHEN s.expected_in_period IS NULL THEN s.expected_units
                ELSE coalesce(s.expected_in_period[
                                  CASE WHEN c.period_key % 100 = 0 THEN 15
                                       WHEN c.period_key % 100 > 90 THEN c.period_key % 100 - 78
                                       ELSE c.period_key % 100 END
                                  + CASE i.kind WHEN 'stock' THEN 15 WHEN 'opening' THEN 30 ELSE 0 END],
                              s.expected_units) END AS expected_units,
           i.indicator_code, i.kind, i.direction,
           p.period_type, p.half, p.month,
           -- year to date at the end of the period: what "% of the annual plan" compares
           CASE WHEN i.kind <> 'flow' OR p.period_type = 'year' OR p.half = 1 AND p.period_type = 'half' THEN c.value
                ELSE c.ytd_value END AS to_date  -- an H2 row's ytd_value is its year's figure (steps 05, 06)
    FROM compared AS c
    JOIN rollup_scope AS s ON s.unit_id = c.unit_id AND s.year = c.year
    JOIN rollup_indicator AS i ON i.indicator_id = c.indicator_id
    JOIN core.dim_period AS p ON p.period_key = c.period_key
)
SELECT s.level, s.unit_code, s.period_key, s.period_type, s.year, s.half, s.month, s.indicator_code, s.value,
       CASE WHEN s.kind = 'flow' THEN s.to_date END AS ytd_value,
       s.annual_plan,
       -- Only when every district in the figure has a plan: never a sum over some against a plan of others.
       CASE WHEN s.plan_units = s.figure_units THEN round(100 * s.to_date / NULLIF(s.annual_plan, 0), 2)
       END AS pct_of_annual_plan,
       -- Plan met, in the indicator's direction: for the year; and for any period where the plan
       -- is a threshold the level must keep (rates, lower-is-better stocks), not a total to reach.
       CASE WHEN s.annual_plan IS NOT NULL AND s.plan_units = s.figure_units
                 AND (s.period_type = 'year' OR s.kind = 'rate' OR s.kind <> 'flow' AND s.direction = 'lower_is_better')
            THEN CASE s.direction WHEN 'higher_is_better' THEN s.value >= s.annual_plan
                                  WHEN 'lower_is_better' THEN s.value <= s.annual_plan END
       END AS plan_attained,
       s.last_year AS same_period_last_year,
       CASE WHEN s.kind <> 'rate' THEN round(100 * (s.value - s.last_year) / NULLIF(s.last_year, 0), 2)
       END AS yoy_change_pct,
       CASE WHEN s.kind = 'rate' THEN round(s.value - s.last_year, 4) END AS yoy_change_points,
       s.reporting_units, s.expected_units, s.last_year_reporting_units, coalesce(s.plan_units, 0) AS plan_units,
       s.carried_forward_units
FROM scoped AS s;
