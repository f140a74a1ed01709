-- mart.district_unit: each current district and the three units it counts in
-- (itself, its legacy province, the 2025 province that now contains it).
CREATE VIEW mart.district_unit AS
SELECT district_code, 'district' AS level, district_code::text AS unit_code, district_name AS unit_name
FROM core.dim_district WHERE is_current
UNION ALL
SELECT district_code, 'province', province_code::text, province_name
FROM core.dim_district WHERE is_current
UNION ALL
SELECT district_code, 'province_2025', province_2025_code, province_2025_name
FROM core.dim_district WHERE is_current;
