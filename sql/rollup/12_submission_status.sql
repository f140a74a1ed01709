-- Step 12 of the rollup (etl.marts.rollup): the stored statuses (mart.submission_status_rollup; analysts
-- read the view mart.submission_status, whose as_of is the last refresh's, ops.status_refresh). Every
-- refresh brings every status up to date, a refresh with nothing queued too, by recomputing the ones
-- that can have changed since the last refresh (as_of in ops.status_refresh):
--   - every status, on a full rebuild, on the first refresh, and when the calendar (deadlines, time
--     zone, assignments) changed since;
--   - from the earliest month the clock moved on since (a month began: its statuses appear; a
--     deadline passed: pending becomes missing), every unit's;
--   - from January of the earliest year rebuilt, the units under a unit of the scope (rollup_scope
--     holds each changed unit's districts or communes, province and 2025 province, so a 2025
--     province's communes are recomputed when its territory's start moved: step 03 puts the years
--     between a province's old and new first expected month in the scope); a load queues every
--     version it records, rejected ones too, and the reference data queues the units it changes;
--   - and the units of the versions that arrived since (received_at): a file dated ahead of its
--     load counts from that moment.
-- The rest were true at the last refresh and nothing that decides them moved: they stay as they are.
-- Reads:      core.submission_status_at(now(), from_period, NULL, also_units, also_from), rollup_scope,
--             mart.district_unit, ops.status_refresh, core.reporting_calendar, core.reporting_assignment,
--             core.dim_period, core.fct_submission
-- Writes:     mart.submission_status_rollup (the inserted rows are RollupResult.status_rows), ops.status_refresh
-- Parameters: baocao.rollup_mode; sets baocao.status_calendar, baocao.status_since (the last refresh's
--             moment, '' when every status is recomputed), baocao.status_recent and baocao.status_from
--             (YYYYMM; 0: every month; 999912: none) and baocao.status_units
-- Runs as of: no

-- The calendar as text, its rules and its assignments (who must report from when): a change of
-- either recomputes every status.
SELECT set_config('baocao.status_calendar', concat_ws(' | ',
           (SELECT string_agg(concat_ws(' ', c.province_code, c.report_type, c.cutoff_day, c.deadline_day,
                                        c.deadline_time, c.timezone), '; ' ORDER BY c.province_code, c.report_type)
            FROM core.reporting_calendar AS c),
           (SELECT string_agg(concat_ws(' ', a.province_code, a.report_type, a.from_period_key), '; '
                              ORDER BY a.province_code, a.report_type)
            FROM core.reporting_assignment AS a)), true);
SELECT set_config('baocao.status_since', coalesce((
           SELECT CAST(r.as_of AS text) FROM ops.status_refresh AS r
           WHERE r.calendar = current_setting('baocao.status_calendar')
             AND current_setting('baocao.rollup_mode') <> 'full'), ''), true);

-- 999912 comes after every month: then no month is recomputed for every unit.
SELECT set_config('baocao.status_recent', CAST(
           CASE WHEN current_setting('baocao.status_since') = '' THEN 0
                ELSE coalesce(least(
                    -- a month that began since (in the calendar's time zone, as core.submission_status_at
                    -- reads "the month of as_of")
                    (SELECT min(p.period_key) FROM core.dim_period AS p
                     WHERE p.period_type = 'month'
                       AND CAST(p.start_date AS timestamp) AT TIME ZONE (
                               SELECT c.timezone FROM core.reporting_calendar AS c
                               WHERE c.province_code = '*' AND c.report_type = 'month')
                           BETWEEN CAST(nullif(current_setting('baocao.status_since'), '') AS timestamptz) AND now()),
                    -- a deadline passed since (the stored deadlines: the one definition made them)
                    (SELECT min(s.year * 100 + s.month) FROM mart.submission_status_rollup AS s
                     WHERE s.deadline BETWEEN CAST(nullif(current_setting('baocao.status_since'), '') AS timestamptz) AND now())
                ), 999912) END AS text), true);

-- The units under the scope, and those with a version that arrived since, from the earliest month
-- either needs (none on a full rebuild: every month is recomputed).
CREATE TEMP TABLE rollup_status_units ON COMMIT DROP AS
SELECT du.district_code, s.year * 100 + 1 AS from_period
FROM rollup_scope AS s
JOIN mart.district_unit AS du ON du.level = s.level AND du.unit_code = s.unit_code
WHERE current_setting('baocao.status_recent') <> '0'
UNION ALL
SELECT v.district_code, v.period_key
FROM core.fct_submission AS v
WHERE current_setting('baocao.status_recent') <> '0'
  AND v.received_at BETWEEN CAST(nullif(current_setting('baocao.status_since'), '') AS timestamptz) AND now();

SELECT set_config('baocao.status_units', coalesce((SELECT CAST(array_agg(DISTINCT district_code) AS text)
                                                   FROM rollup_status_units), '{}'), true),
       set_config('baocao.status_from', CAST(coalesce((SELECT min(from_period) FROM rollup_status_units), 999912)
                                             AS text), true);

-- The months recomputed for every unit, then the earlier ones of the units listed, each found by an
-- index (the month, the key): one statement with both conditions read every status.
DELETE FROM mart.submission_status_rollup
WHERE (year, month) >= ((SELECT current_setting('baocao.status_recent')::int / 100)::smallint,
                        (SELECT current_setting('baocao.status_recent')::int % 100)::smallint);
DELETE FROM mart.submission_status_rollup
WHERE district_code = ANY (CAST((SELECT current_setting('baocao.status_units')) AS text[]))  -- by the key, unit by unit
  AND (year, month) >= ((SELECT current_setting('baocao.status_from')::int / 100)::smallint,
                        (SELECT current_setting('baocao.status_from')::int % 100)::smallint);

-- In one pass: the months of every unit, and the earlier ones of the units listed. Settings, not
-- subqueries, as the arguments (the units' codes too): the planner still inlines the function, and
-- estimates with the values.
INSERT INTO mart.submission_status_rollup (district_code, district_name, province_code, year, month, status, deadline,
    first_received_at, accepted_at, days_late, versions_received, errors, warnings, level, province_2025_code)
SELECT s.*
FROM core.submission_status_at(now(), current_setting('baocao.status_recent')::int, NULL,
                               current_setting('baocao.status_units')::text[],
                               current_setting('baocao.status_from')::int) AS s;

-- Every status is now true as of this refresh (a DO block: RollupResult counts the statuses' INSERT only).
DO $$
BEGIN
    INSERT INTO ops.status_refresh (as_of, calendar) VALUES (now(), current_setting('baocao.status_calendar'))
    ON CONFLICT (singleton) DO UPDATE SET as_of = excluded.as_of, calendar = excluded.calendar;
END
$$;
