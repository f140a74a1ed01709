-- mart.reporting_unit: every reporting unit in time, one row per version (core.dim_reporting_unit):
-- when a legacy district existed, what it was called and how many communes it had in each span;
-- the 2025 communes from 1/7/2025. A unit existed on day d when some row has
-- coalesce(valid_from, '-infinity') <= d <= coalesce(valid_to, 'infinity').
CREATE VIEW mart.reporting_unit AS
SELECT u.level, u.unit_code, u.unit_name, u.unit_type, u.province_code::text AS province_code,
       p.province_name, u.province_2025_code, p25.province_2025_name, u.commune_count,
       u.valid_from, u.valid_to, u.change, u.legal_act, u.date_confirmed,
       u.ended_by, u.ended_by_act, u.successor_code
FROM core.dim_reporting_unit AS u
LEFT JOIN core.dim_province AS p ON p.province_code = u.province_code AND p.is_current
LEFT JOIN core.dim_province_2025 AS p25 ON p25.province_2025_code = u.province_2025_code AND p25.is_current;
