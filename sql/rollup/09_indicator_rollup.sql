-- Step 09 of the rollup (etl.marts.rollup): write the scope's rows (step 08) into
-- mart.indicator_rollup. Step 04 removed the scope's rows; on a full rebuild etl.marts.rollup
-- drops the table's key before this step and builds it again after (once, on rows already in
-- its order). A compare_only year (incremental, step 03: the year after a changed one) keeps its
-- rows: only their comparison with the same period last year is updated.
-- Reads:      rollup_indicator_rows, rollup_scope, rollup_mart_figures
-- Writes:     mart.indicator_rollup (the scope's rows; the number inserted is RollupResult.indicator_rows)
-- Parameters: none (sets enable_mergejoin off for its INSERT, then resets it)
-- Runs as of: no

-- The planner underestimates the figures and would sort every row of the scope to merge-join them
-- (it did for the plan, ~2 s of 8 on a national rebuild); hash joins need no sort. For this
-- statement only: RESET after it.
SET LOCAL enable_mergejoin = off;

INSERT INTO mart.indicator_rollup (
    level, unit_code, period_key, period_type, year, half, month, indicator_code, value, ytd_value,
    annual_plan, pct_of_annual_plan, plan_attained, same_period_last_year, yoy_change_pct,
    yoy_change_points, reporting_units, expected_units, last_year_reporting_units, plan_units,
    carried_forward_units)
SELECT level, unit_code, period_key, period_type, year, half, month, indicator_code, value, ytd_value,
       annual_plan, pct_of_annual_plan, plan_attained, same_period_last_year, yoy_change_pct,
       yoy_change_points, reporting_units, expected_units, last_year_reporting_units, plan_units,
       carried_forward_units
FROM rollup_indicator_rows AS v
-- (no compare_only year: a test read once, and every row written, as on a full rebuild)
WHERE (SELECT NOT EXISTS (SELECT FROM rollup_scope WHERE compare_only))
   OR NOT EXISTS (SELECT FROM rollup_scope AS s
                  WHERE s.compare_only AND s.level = v.level AND s.unit_code = v.unit_code AND s.year = v.year);

RESET enable_mergejoin;

-- (Only if a compare_only year has rows: the view is computed a second time.)
DO $$
BEGIN
    IF EXISTS (SELECT FROM rollup_scope AS s JOIN rollup_mart_figures AS f ON f.unit_id = s.unit_id
               WHERE s.compare_only AND f.period_key / 100 = s.year) THEN
        UPDATE mart.indicator_rollup AS r
        SET same_period_last_year = v.same_period_last_year, yoy_change_pct = v.yoy_change_pct,
            yoy_change_points = v.yoy_change_points, last_year_reporting_units = v.last_year_reporting_units
        FROM rollup_indicator_rows AS v
        JOIN rollup_scope AS s ON s.level = v.level AND s.unit_code = v.unit_code AND s.year = v.year
        WHERE s.compare_only
          AND r.level = v.level AND r.unit_code = v.unit_code AND r.indicator_code = v.indicator_code
          AND r.period_key = v.period_key;
    END IF;
END
$$;
