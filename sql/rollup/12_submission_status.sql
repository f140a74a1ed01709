-- Step 12 of the rollup (etl.marts.rollup): mart.submission_status. Statuses depend on the clock
-- (a month becomes missing at its deadline), so every refresh recomputes them, a refresh with
-- nothing queued too: every month on a full rebuild; else the last three months of every unit
-- (deadlines pass with the clock), and from January of the earliest year rebuilt, the units under
-- a unit of the scope (rollup_scope holds each changed unit's districts or communes, province and
-- 2025 province, so a 2025 province's communes are recomputed when its territory's start moved).
-- Which months are expected depends on data of other months (a province's first accepted month,
-- mart.expected_district_at): step 03 puts the years between a province's old and new first month
-- in the scope, so they are recomputed here too.
-- Reads:      core.submission_status_at(now(), from_period, NULL, also_units, also_from), rollup_scope, mart.district_unit
-- Writes:     mart.submission_status (the inserted rows are RollupResult.status_rows)
-- Parameters: baocao.rollup_mode; sets baocao.status_from and baocao.status_recent (YYYYMM; 0: every month)
--             and baocao.status_units (the units under the scope)
-- Runs as of: no
SELECT set_config('baocao.status_recent', CAST(
           CASE WHEN current_setting('baocao.rollup_mode') = 'full' THEN 0
                ELSE CAST(to_char(now() - interval '3 months', 'YYYYMM') AS int) END AS text), true),
       set_config('baocao.status_from', CAST(
           CASE WHEN current_setting('baocao.rollup_mode') = 'full' THEN 0
                -- least() skips the NULL of an empty scope: then the last three months only
                ELSE least(CAST(to_char(now() - interval '3 months', 'YYYYMM') AS int),
                           (SELECT min(year) FROM rollup_scope) * 100 + 1)
           END AS text), true);

-- The reporting units under the scope's units (none on a full rebuild: every month is recomputed).
SELECT set_config('baocao.status_units', coalesce((
           SELECT array_agg(DISTINCT du.district_code)
           FROM rollup_scope AS s
           JOIN mart.district_unit AS du ON du.level = s.level AND du.unit_code = s.unit_code
           WHERE current_setting('baocao.rollup_mode') <> 'full'), '{}')::text, true);

-- The recent months, then the earlier ones of the units under the scope, each found by an index (revision
-- 0022's on the month, the key): one statement with both conditions read every status (~40 ms of an
-- incremental refresh on ten national years, more with the dead rows of the refreshes before).
DELETE FROM mart.submission_status
WHERE (year, month) >= ((SELECT current_setting('baocao.status_recent')::int / 100)::smallint,
                        (SELECT current_setting('baocao.status_recent')::int % 100)::smallint);
DELETE FROM mart.submission_status
WHERE district_code = ANY (CAST((SELECT current_setting('baocao.status_units')) AS text[]))  -- by the key, unit by unit
  AND (year, month) >= ((SELECT current_setting('baocao.status_from')::int / 100)::smallint,
                        (SELECT current_setting('baocao.status_from')::int % 100)::smallint);

-- In one pass: the recent months of every unit, and the earlier ones of the units under the scope.
-- Settings, not subqueries, as the arguments (the units' codes too): the planner still inlines the
-- function, and estimates with the values.
INSERT INTO mart.submission_status (district_code, district_name, province_code, year, month, status, deadline,
    first_received_at, accepted_at, days_late, versions_received, errors, warnings, level, province_2025_code, as_of)
SELECT s.*, now()
FROM core.submission_status_at(now(), current_setting('baocao.status_recent')::int, NULL,
                               current_setting('baocao.status_units')::text[],
                               current_setting('baocao.status_from')::int) AS s;
