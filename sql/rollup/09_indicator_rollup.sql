-- Step 09 of the rollup (etl.marts.rollup): write the scope's rows (step 08) into
-- mart.indicator_rollup. Step 04 removed the scope's rows; on a full rebuild etl.marts.rollup
-- drops the table's key before this step and builds it again after (once, on rows already in
-- its order).
-- Reads:      rollup_indicator_rows
-- Writes:     mart.indicator_rollup (the scope's rows; their number is RollupResult.indicator_rows)
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
FROM rollup_indicator_rows;

RESET enable_mergejoin;
