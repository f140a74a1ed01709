-- Revision 0012 (issue 10): what the rollup needs to state figures from the best evidence, plan
-- coverage, rates sent alone, tasks through the year, assigning bodies and one definition of
-- "expected". Each part below is its own section; every district-year is queued at the end so the
-- next refresh rebuilds the marts with the new columns filled.

-- [figures] -------------------------------------------------------------------------------------

-- How many units a flow's monthly year to date counts with an earlier month's year to date, carried
-- forward because they did not give their own for the month (sql/rollup/06_province_figures.sql).
-- Its comment: reference/marts/.
ALTER TABLE mart.indicator_rollup ADD COLUMN carried_forward_units integer;

-- [plans and rates] -----------------------------------------------------------------------------

-- How many of a figure's units have a plan in force: a province's % of plan compares the same
-- districts on both sides (sql/rollup/08_indicator_rollup.sql). Its comment: reference/marts/.
ALTER TABLE mart.indicator_rollup ADD COLUMN plan_units integer;

-- [tasks] ---------------------------------------------------------------------------------------
-- Nothing: tasks through the year are counted by the rollup, assigning bodies canonicalised on intake.

-- [expected] ------------------------------------------------------------------------------------

-- A month with nothing accepted has no days late (it grew with every refresh: 952 days); how
-- overdue it is, is as_of - deadline.
ALTER TABLE mart.submission_status ALTER COLUMN days_late DROP NOT NULL;
UPDATE mart.submission_status SET days_late = NULL WHERE accepted_at IS NULL;

INSERT INTO ops.rollup_queue (district_code, year)
SELECT DISTINCT district_code, year FROM core.fct_submission
ON CONFLICT DO NOTHING;
