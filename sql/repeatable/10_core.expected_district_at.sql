-- core.expected_district_at(as_of): the one definition of "expected" (which reporting unit must
-- report, from which month to which), read by core.submission_status_at (so by mart.submission_status,
-- mart.reporting_rate and the alerts) and by the rollup's expected_units (sql/rollup/02_keys.sql).
-- A current district (core.dim_district.is_current) is expected for every month from
-- first_period_key on: the assigned month of its province (core.reporting_assignment); for a
-- province not assigned, the first month any of ITS OWN districts sent an accepted report, as
-- known at as_of (what arrived later does not count; a file from another province changes
-- nothing). A district of a province neither assigned nor heard from is not expected.
-- Only while the district exists (core.dim_reporting_unit): from its first month if it was
-- established later (Thị xã Chũ: 2025-01), to last_period_key, the month of its last day (Yên Dũng:
-- 2024-12; every district: 2025-06, when the district level ended). Null: no end known.
-- A commune (from 2025-07) is expected in a 2025 province whose legacy provinces were expected
-- (assigned or heard from: the territory goes on reporting, through its communes), or else from its
-- communes' first accepted month; its province_code is null (it has no legacy province).
CREATE FUNCTION core.expected_district_at(as_of timestamptz)
RETURNS TABLE (district_code text, province_code text, first_period_key integer, last_period_key integer,
               level text, province_2025_code text)
LANGUAGE sql STABLE AS $$
WITH
assigned AS (
    SELECT a.province_code::text AS province_code, a.from_period_key AS first_period_key
    FROM core.reporting_assignment AS a
    WHERE a.report_type = 'month'
),
first_accepted AS (  -- each current unit's first accepted month, as known at as_of
    SELECT d.district_code, d.level, d.province_code::text AS province_code, d.province_2025_code, f.period_key
    FROM core.dim_district AS d
    CROSS JOIN LATERAL (  -- an index scan (unit, period) that stops at one row
        SELECT s.period_key FROM core.fct_submission AS s
        WHERE s.district_code = d.district_code AND s.status <> 'rejected' AND s.received_at <= as_of
        ORDER BY s.period_key
        LIMIT 1
    ) AS f
    WHERE d.is_current
),
heard_from AS (  -- legacy provinces not assigned: their own districts' first accepted month
    SELECT province_code, min(period_key) AS first_period_key
    FROM first_accepted
    WHERE level = 'district' AND province_code NOT IN (SELECT assigned.province_code FROM assigned)
    GROUP BY province_code
),
province_start AS (
    SELECT * FROM assigned
    UNION ALL
    SELECT * FROM heard_from
),
province_2025_start AS (  -- a 2025 province's communes: from when any of its legacy provinces was expected
                          -- (the territory kept reporting), else from its communes' first accepted month
    SELECT province_2025_code, min(first_period_key) AS first_period_key
    FROM (
        SELECT DISTINCT d.province_2025_code, p.first_period_key
        FROM province_start AS p
        JOIN core.dim_district AS d ON d.province_code::text = p.province_code AND d.is_current
        UNION ALL
        SELECT province_2025_code, period_key FROM first_accepted WHERE level = 'commune'
    ) AS starts
    GROUP BY province_2025_code
),
life AS (  -- each unit's first month (established in the records) and last month
    SELECT u.unit_code,
           min((extract(year FROM u.valid_from) * 100 + extract(month FROM u.valid_from))::int)
               FILTER (WHERE u.change = 'established') AS born_key,
           CASE WHEN bool_and(u.valid_to IS NOT NULL)
                THEN (extract(year FROM max(u.valid_to)) * 100 + extract(month FROM max(u.valid_to)))::int END AS last_key
    FROM core.dim_reporting_unit AS u
    GROUP BY u.unit_code  -- a district's code has 3 digits, a commune's 5: one code, one unit
),
unit_start AS (
    SELECT d.district_code, d.level, d.province_code::text AS province_code, d.province_2025_code,
           coalesce(p.first_period_key, p25.first_period_key) AS start_key
    FROM core.dim_district AS d
    LEFT JOIN province_start AS p ON d.level = 'district' AND p.province_code = d.province_code::text
    LEFT JOIN province_2025_start AS p25 ON d.level = 'commune' AND p25.province_2025_code = d.province_2025_code
    WHERE d.is_current
)
SELECT u.district_code::text, u.province_code, greatest(u.start_key, l.born_key), l.last_key, u.level,
       u.province_2025_code
FROM unit_start AS u
LEFT JOIN life AS l ON l.unit_code = u.district_code
WHERE u.start_key IS NOT NULL
  AND (l.last_key IS NULL OR l.last_key >= greatest(u.start_key, l.born_key))
$$;
COMMENT ON FUNCTION core.expected_district_at(timestamptz) IS
    'Đơn vị phải báo cáo, từ tháng nào đến tháng nào, tại một thời điểm / each reporting unit expected to report, its first and last expected month, as of a moment';
