-- Step 09 of the rollup (etl.marts.rollup): write the scope's rows (step 08) into
-- mart.indicator_rollup. Step 04 removed the scope's rows; on a full rebuild etl.marts.rollup
-- drops the table's key before this step and builds it again after (once, on rows already in
-- its order), or, in parallel sessions, attaches the tables they wrote instead of running this step
-- (ops.rollup_partitions_swap). A compare_only year (incremental, step 03: the year after a changed one) keeps its
-- rows: only their comparison with the same period last year is updated.
-- An incremental refresh then stores the partial sums of the scope's province-level units (steps 06
-- and 07), with what they were summed over (step 03), for the next refresh (revision 0024).
-- Reads:      rollup_indicator_rows, rollup_scope, rollup_mart_figures, rollup_partial_basis, rollup_partial_rows,
--             rollup_indicator, ops.rollup_queue, rollup_queue_seen, mart.district_unit
-- Writes:     mart.indicator_rollup (the scope's rows; the number inserted is RollupResult.indicator_rows),
--             ops.rollup_partial_unit and ops.rollup_partial (incremental: the scope's province-level units')
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

-- Not a unit-year with a district or commune queued since step 03 read the queue (a load that committed
-- while this refresh ran, or queued again what it had found: rollup_queue_seen): its figures may be in the
-- sums (each statement reads what has committed by its start) but not in its own mart rows, written by the
-- refresh that takes it; the next refresh subtracting those rows would count its change twice. Such a
-- unit-year keeps no sums, and the next refresh sums it from all its units.
-- (Incremental only: rollup_partial_basis is empty otherwise.)
DO $$
BEGIN
    IF EXISTS (SELECT FROM rollup_partial_basis) THEN
        DELETE FROM ops.rollup_partial_unit AS p USING rollup_partial_basis AS b  -- and their sums (cascade)
        WHERE p.level = b.level AND p.unit_code = b.unit_code AND p.year = b.year;
        INSERT INTO ops.rollup_partial_unit (level, unit_code, year, basis)
        SELECT b.level, b.unit_code, b.year, b.basis
        FROM rollup_partial_basis AS b
        WHERE NOT EXISTS (
            SELECT FROM ops.rollup_queue AS q
            JOIN mart.district_unit AS du ON du.district_code = q.district_code
            WHERE du.level = b.level AND du.unit_code = b.unit_code AND q.year = b.year
              AND NOT EXISTS (SELECT FROM rollup_queue_seen AS seen
                              WHERE seen.district_code = q.district_code AND seen.year = q.year
                                AND seen.queued_at = q.queued_at));
        INSERT INTO ops.rollup_partial (level, unit_code, year, indicator_code, period_key, value, value_units,
                                        reporting_units, ytd_delta, ytd_first, ytd_known, annual_plan, plan_units,
                                        figure_units, numerator, denominator)
        SELECT b.level, b.unit_code, b.year, i.indicator_code, r.period_key, r.value, r.value_units, r.reporting_units,
               r.ytd_delta, r.ytd_first, r.ytd_known, r.annual_plan, r.plan_units, r.figure_units, r.numerator,
               r.denominator
        FROM rollup_partial_rows AS r
        JOIN rollup_partial_basis AS b ON b.unit_id = r.unit_id AND b.year = r.period_key / 100
        JOIN ops.rollup_partial_unit AS kept ON kept.level = b.level AND kept.unit_code = b.unit_code
                                            AND kept.year = b.year
        JOIN rollup_indicator AS i ON i.indicator_id = r.indicator_id;
    END IF;
END
$$;
