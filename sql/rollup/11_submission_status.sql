-- Step 11 of the rollup (etl.marts.rollup): mart.submission_status. Statuses depend on the clock
-- (a month becomes missing at its deadline), so every refresh recomputes them, a refresh with
-- nothing queued too: every month on a full rebuild, else from the first month whose status
-- may have changed: January of the earliest year rebuilt, and at least the last three months
-- (deadlines pass with the clock). Which months are expected depends on data of other months
-- (a province's first accepted month, mart.expected_district_at): step 03 puts the years
-- between a province's old and new first month in the scope, so they are recomputed here too
-- (without that, a province's first file left its earlier expected months out until --full).
-- Reads:      mart.submission_status_at(now(), from_period), rollup_scope
-- Writes:     mart.submission_status (from_period on; the inserted rows are RollupResult.status_rows)
-- Parameters: baocao.rollup_mode; sets baocao.status_from (from_period, YYYYMM; 0: every month)
SELECT set_config('baocao.status_from', CAST(
    CASE WHEN current_setting('baocao.rollup_mode') = 'full' THEN 0
         -- least() skips the NULL of an empty scope: then the last three months only
         ELSE least(CAST(to_char(now() - interval '3 months', 'YYYYMM') AS int),
                    (SELECT min(year) FROM rollup_scope) * 100 + 1)
    END AS text), true);

DELETE FROM mart.submission_status WHERE year * 100 + month >= current_setting('baocao.status_from')::int;

-- A setting, not a subquery, as the argument: the planner still inlines the function (and
-- estimates with the value).
INSERT INTO mart.submission_status (district_code, district_name, province_code, year, month, status, deadline,
    first_received_at, accepted_at, days_late, versions_received, errors, warnings, level, province_2025_code, as_of)
SELECT s.*, now() FROM mart.submission_status_at(now(), current_setting('baocao.status_from')::int) AS s;
