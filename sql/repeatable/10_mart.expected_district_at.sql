-- mart.expected_district_at(as_of): the one definition of "expected" (who must report, from
-- which month), read by mart.submission_status_at (so by mart.submission_status,
-- mart.reporting_rate and the alerts) and by the rollup's expected_units (sql/rollup/02_keys.sql).
-- A current district (core.dim_district.is_current) is expected for every month from
-- first_period_key on: the assigned month of its province (core.reporting_assignment); for a
-- province not assigned, the first month any of ITS OWN districts sent an accepted report, as
-- known at as_of (what arrived later does not count; a file from another province changes
-- nothing). A district of a province neither assigned nor heard from is not expected.
-- Only while the district exists (core.dim_reporting_unit): from its first month if it was
-- established later (Thị xã Chũ: 2025-01), to last_period_key, the month of its last day (Yên Dũng:
-- 2024-12; every district: 2025-06, when the district level ended). Null: no end known.
CREATE FUNCTION mart.expected_district_at(as_of timestamptz)
RETURNS TABLE (district_code text, province_code text, first_period_key integer, last_period_key integer)
LANGUAGE sql STABLE AS $$
WITH
assigned AS (
    SELECT a.province_code::text AS province_code, a.from_period_key AS first_period_key
    FROM core.reporting_assignment AS a
    WHERE a.report_type = 'month'
),
heard_from AS (  -- provinces not assigned: their own first accepted month, as known at as_of
    SELECT d.province_code::text AS province_code, min(f.period_key) AS first_period_key
    FROM core.dim_district AS d
    CROSS JOIN LATERAL (  -- each district's first: an index scan (district, period) that stops at one row
        SELECT s.period_key FROM core.fct_submission AS s
        WHERE s.district_code = d.district_code AND s.status <> 'rejected' AND s.received_at <= as_of
        ORDER BY s.period_key
        LIMIT 1
    ) AS f
    WHERE d.is_current AND d.province_code::text NOT IN (SELECT assigned.province_code FROM assigned)
    GROUP BY d.province_code
),
province_start AS (
    SELECT * FROM assigned
    UNION ALL
    SELECT * FROM heard_from
),
life AS (  -- each district's first month (established in the records) and last month
    SELECT u.unit_code,
           min((extract(year FROM u.valid_from) * 100 + extract(month FROM u.valid_from))::int)
               FILTER (WHERE u.change = 'established') AS born_key,
           CASE WHEN bool_and(u.valid_to IS NOT NULL)
                THEN (extract(year FROM max(u.valid_to)) * 100 + extract(month FROM max(u.valid_to)))::int END AS last_key
    FROM core.dim_reporting_unit AS u
    WHERE u.level = 'district'
    GROUP BY u.unit_code
)
SELECT d.district_code::text, d.province_code::text, greatest(p.first_period_key, l.born_key), l.last_key
FROM core.dim_district AS d
JOIN province_start AS p ON p.province_code = d.province_code::text
LEFT JOIN life AS l ON l.unit_code = d.district_code::text
WHERE d.is_current
  AND (l.last_key IS NULL OR l.last_key >= greatest(p.first_period_key, l.born_key))
$$;
COMMENT ON FUNCTION mart.expected_district_at(timestamptz) IS
    'Huyện phải báo cáo, từ tháng nào đến tháng nào, tại một thời điểm / each district expected to report, its first and last expected month, as of a moment';
