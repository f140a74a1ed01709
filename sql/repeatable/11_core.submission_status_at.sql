-- core.submission_status_at(as_of): every expected district-month and what became of it
-- as of a moment. Expected: core.expected_district_at(as_of), the one definition (an assigned
-- province from its assigned month, any other from its own first accepted month as known at
-- as_of; current units only, while they exist: districts until 2025-06, communes after), up to the
-- month of as_of. level and province_2025_code say which (a commune has no legacy province_code).
-- Status: on_time / late (by the first accepted version's arrival against the deadline of
-- the district's province), rejected (only rejected versions), missing (nothing accepted
-- and the deadline has passed), pending (nothing accepted yet, deadline still ahead; an
-- extension of the contract's four statuses, for the current month). days_late is null while
-- nothing is accepted (it would grow with as_of; overdue = as_of - deadline). from_period
-- (YYYYMM) limits the months computed and units (codes; null: all) the units; also_units, from
-- also_from, adds earlier months of a few units (the incremental refresh, rollup step 12: every
-- unit's months from the earliest the clock moved on, and the earlier months of the units it
-- rebuilds or that received a version, in one pass). "The month of as_of" is read in the calendar's
-- time zone (the default monthly row of core.reporting_calendar, which
-- `baocao db upgrade` loads from reference/reporting_calendar.yaml).
CREATE FUNCTION core.submission_status_at(as_of timestamptz, from_period integer DEFAULT 0, units text[] DEFAULT NULL,
                                          also_units text[] DEFAULT NULL, also_from integer DEFAULT NULL)
RETURNS TABLE (
    district_code text, district_name text, province_code text, year smallint, month smallint,
    status text, deadline timestamptz, first_received_at timestamptz, accepted_at timestamptz,
    days_late integer, versions_received integer, errors integer, warnings integer, level text,
    province_2025_code text)
LANGUAGE sql STABLE AS $$
WITH
months AS (
    SELECT p.year, p.month, p.period_key FROM core.dim_period p
    WHERE p.period_type = 'month'
      AND p.period_key >= least(from_period, also_from)  -- least() skips a null
      AND p.start_date <= (as_of AT TIME ZONE (SELECT c.timezone FROM core.reporting_calendar c
                                               WHERE c.province_code = '*' AND c.report_type = 'month'))::date
),
expected AS (
    SELECT d.district_code, d.district_name, d.province_code, d.level, d.province_2025_code, m.year, m.month,
           m.period_key,
           make_timestamptz(m.year, m.month, c.deadline_day, extract(hour FROM c.deadline_time)::int,
                            extract(minute FROM c.deadline_time)::int, extract(second FROM c.deadline_time),
                            c.timezone) AS deadline
    FROM core.expected_district_at(as_of) x
    JOIN core.dim_district d ON d.district_code = x.district_code AND d.is_current
    JOIN months m ON m.period_key >= x.first_period_key AND m.period_key <= coalesce(x.last_period_key, m.period_key)
     -- IN over the unnested array, not = ANY: hashed once, where ANY compares each row with every
     -- code (a national month's 3.321 units: 376 s in the rollup's step 12, 0,2 s so)
     AND (m.period_key >= from_period AND (units IS NULL OR x.district_code IN (SELECT unnest(units)))
          OR m.period_key >= also_from AND x.district_code IN (SELECT unnest(also_units)))
    JOIN core.reporting_calendar c
      ON c.report_type = 'month'
     AND c.province_code = COALESCE((SELECT r.province_code FROM core.reporting_calendar r
                                     WHERE r.province_code = d.province_code AND r.report_type = 'month'), '*')
    WHERE d.is_current
      -- the same units, found before they meet the months: with from_period after every month (the
      -- incremental refresh, most of the time), only also_units (a commune's province at commune scale:
      -- 45 ms, against 100-150 ms when every unit met every month first)
      AND ((units IS NULL OR x.district_code IN (SELECT unnest(units)))
           AND from_period <= (SELECT max(months.period_key) FROM months)
           OR x.district_code IN (SELECT unnest(also_units)))
),
sent AS (  -- the versions of the months computed: of every unit, or, with units, looked up unit by unit
           -- (the index on unit and month; a filter on the list read every version ever received)
    SELECT s.* FROM core.fct_submission s
    WHERE units IS NULL AND s.received_at <= as_of AND s.period_key >= from_period
    UNION ALL
    SELECT s.*
    FROM (SELECT DISTINCT unnest(units) AS code) AS u
    JOIN core.fct_submission s ON s.district_code = u.code
    WHERE s.received_at <= as_of AND s.period_key >= from_period
    UNION ALL  -- the earlier months of also_units, not already read above
    SELECT s.*
    FROM (SELECT DISTINCT unnest(also_units) AS code) AS u
    JOIN core.fct_submission s ON s.district_code = u.code
    WHERE s.received_at <= as_of AND s.period_key >= also_from
      AND NOT (s.period_key >= from_period AND (units IS NULL OR s.district_code IN (SELECT unnest(units))))
),
received AS (  -- what had arrived by as_of
    SELECT s.district_code, s.period_key,
           min(s.received_at) AS first_received_at,
           min(s.received_at) FILTER (WHERE s.status <> 'rejected') AS accepted_at,
           count(*) AS versions_received,
           (array_agg(s.error_count ORDER BY s.received_at DESC, s.submission_id DESC))[1] AS errors,
           (array_agg(s.warning_count ORDER BY s.received_at DESC, s.submission_id DESC))[1] AS warnings
    FROM sent s
    GROUP BY s.district_code, s.period_key
)
SELECT e.district_code, e.district_name, e.province_code, e.year, e.month,
       CASE WHEN r.accepted_at IS NOT NULL AND r.accepted_at <= e.deadline THEN 'on_time'
            WHEN r.accepted_at IS NOT NULL THEN 'late'
            WHEN r.first_received_at IS NOT NULL THEN 'rejected'
            WHEN as_of > e.deadline THEN 'missing'
            ELSE 'pending' END,
       e.deadline, r.first_received_at, r.accepted_at,
       CASE WHEN r.accepted_at > e.deadline THEN ceil(extract(epoch FROM r.accepted_at - e.deadline) / 86400)::int
            WHEN r.accepted_at IS NOT NULL THEN 0 END,  -- null while nothing is accepted
       COALESCE(r.versions_received, 0)::int, COALESCE(r.errors, 0)::int, COALESCE(r.warnings, 0)::int,
       e.level, e.province_2025_code
FROM expected e
LEFT JOIN received r ON r.district_code = e.district_code AND r.period_key = e.period_key
$$;
COMMENT ON FUNCTION core.submission_status_at(timestamptz, integer, text[], text[], integer) IS
    'Tình trạng nộp báo cáo tại một thời điểm / submission status of every expected district-month as of a moment';
