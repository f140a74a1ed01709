-- mart.district_unit: each current reporting unit and the units it counts in: a district (until
-- 30/6/2025) in itself, its legacy province and the 2025 province that now contains it; a commune
-- (from 1/7/2025) in itself and its 2025 province.
CREATE VIEW mart.district_unit AS
SELECT district_code, level, district_code AS unit_code, district_name AS unit_name
FROM core.dim_district WHERE is_current
UNION ALL
SELECT district_code, 'province', province_code::text, province_name
FROM core.dim_district WHERE is_current AND level = 'district'
UNION ALL
SELECT district_code, 'province_2025', province_2025_code, province_2025_name
FROM core.dim_district WHERE is_current;
