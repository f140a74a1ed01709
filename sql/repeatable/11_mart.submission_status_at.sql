-- mart.submission_status_at(as_of): every expected district-month and what became of it
-- as of a moment. Expected: every current district of an assigned province
-- (core.reporting_assignment) from its first assigned month, and of any other province that
-- has sent anything from the first period any district sent; up to the month of as_of.
-- Status: on_time / late (by the first accepted version's arrival against the deadline of
-- the district's province), rejected (only rejected versions), missing (nothing accepted
-- and the deadline has passed), pending (nothing accepted yet, deadline still ahead; an
-- extension of the contract's four statuses, for the current month). from_period
-- (YYYYMM) limits the months computed, for the incremental refresh. "The month of as_of" is
-- read in the calendar's time zone (the default monthly row of core.reporting_calendar, which
-- `baocao db upgrade` loads from reference/reporting_calendar.yaml).
CREATE FUNCTION mart.submission_status_at(as_of timestamptz, from_period integer DEFAULT 0)
RETURNS TABLE (
    district_code text, district_name text, province_code text, year smallint, month smallint,
    status text, deadline timestamptz, first_received_at timestamptz, accepted_at timestamptz,
    days_late integer, versions_received integer, errors integer, warnings integer)
LANGUAGE sql STABLE AS $$
WITH
assigned AS (
    SELECT province_code, from_period_key AS first_period FROM core.reporting_assignment WHERE report_type = 'month'
),
provinces AS (  -- assigned ones from their first month; others once they have sent anything
    SELECT province_code, first_period FROM assigned
    UNION ALL
    SELECT DISTINCT d.province_code,
           (SELECT min(period_key) FROM core.fct_submission WHERE received_at <= as_of)
    FROM core.fct_submission s
    JOIN core.dim_district d ON d.district_key = s.district_key
    WHERE d.province_code NOT IN (SELECT province_code FROM assigned)
),
months AS (
    SELECT p.year, p.month, p.period_key FROM core.dim_period p
    WHERE p.period_type = 'month'
      AND p.period_key >= from_period
      AND p.start_date <= (as_of AT TIME ZONE (SELECT c.timezone FROM core.reporting_calendar c
                                               WHERE c.province_code = '*' AND c.report_type = 'month'))::date
),
expected AS (
    SELECT d.district_code, d.district_name, d.province_code, m.year, m.month, m.period_key,
           make_timestamptz(m.year, m.month, c.deadline_day, extract(hour FROM c.deadline_time)::int,
                            extract(minute FROM c.deadline_time)::int, extract(second FROM c.deadline_time),
                            c.timezone) AS deadline
    FROM core.dim_district d
    JOIN provinces pr USING (province_code)
    JOIN months m ON m.period_key >= pr.first_period
    JOIN core.reporting_calendar c
      ON c.report_type = 'month'
     AND c.province_code = COALESCE((SELECT r.province_code FROM core.reporting_calendar r
                                     WHERE r.province_code = d.province_code AND r.report_type = 'month'), '*')
    WHERE d.is_current
),
received AS (  -- what had arrived by as_of
    SELECT s.district_code, s.period_key,
           min(s.received_at) AS first_received_at,
           min(s.received_at) FILTER (WHERE s.status <> 'rejected') AS accepted_at,
           count(*) AS versions_received,
           (array_agg(s.error_count ORDER BY s.received_at DESC, s.submission_id DESC))[1] AS errors,
           (array_agg(s.warning_count ORDER BY s.received_at DESC, s.submission_id DESC))[1] AS warnings
    FROM core.fct_submission s
    WHERE s.received_at <= as_of AND s.period_key >= from_period
    GROUP BY s.district_code, s.period_key
)
SELECT e.district_code, e.district_name, e.province_code, e.year, e.month,
       CASE WHEN r.accepted_at IS NOT NULL AND r.accepted_at <= e.deadline THEN 'on_time'
            WHEN r.accepted_at IS NOT NULL THEN 'late'
            WHEN r.first_received_at IS NOT NULL THEN 'rejected'
            WHEN as_of > e.deadline THEN 'missing'
            ELSE 'pending' END,
       e.deadline, r.first_received_at, r.accepted_at,
       CASE WHEN COALESCE(r.accepted_at, as_of) > e.deadline
            THEN ceil(extract(epoch FROM COALESCE(r.accepted_at, as_of) - e.deadline) / 86400)::int
            ELSE 0 END,
       COALESCE(r.versions_received, 0)::int, COALESCE(r.errors, 0)::int, COALESCE(r.warnings, 0)::int
FROM expected e
LEFT JOIN received r ON r.district_code = e.district_code AND r.period_key = e.period_key
$$;
COMMENT ON FUNCTION mart.submission_status_at(timestamptz, integer) IS
    'Tình trạng nộp báo cáo tại một thời điểm / submission status of every expected district-month as of a moment';
