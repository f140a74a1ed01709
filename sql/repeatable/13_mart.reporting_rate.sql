-- mart.reporting_rate: DHIS2-style reporting rates from mart.submission_status, per
-- district, legacy province and 2025 province and month. Months still pending count as
-- expected: the rate rises as reports arrive. Expected: the district-months mart.submission_status
-- holds (mart.expected_district_at), so `expected` equals the indicator marts' expected_units of a
-- month. Its comments: reference/marts/reporting_rate.yaml.
CREATE VIEW mart.reporting_rate AS
SELECT du.level, du.unit_code, s.year, s.month,
       count(*) AS expected,
       count(*) FILTER (WHERE s.status IN ('on_time', 'late')) AS received,
       count(*) FILTER (WHERE s.status = 'on_time') AS on_time,
       round(100.0 * count(*) FILTER (WHERE s.status IN ('on_time', 'late')) / count(*), 2) AS reporting_rate_pct,
       round(100.0 * count(*) FILTER (WHERE s.status = 'on_time') / count(*), 2) AS on_time_rate_pct,
       max(s.as_of) AS refreshed_at
FROM mart.submission_status AS s
JOIN mart.district_unit AS du ON du.district_code = s.district_code
GROUP BY du.level, du.unit_code, s.year, s.month;
