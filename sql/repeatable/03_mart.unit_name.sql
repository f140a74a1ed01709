-- mart.unit_name: the name of every unit at every level (one row per level and code).
CREATE VIEW mart.unit_name AS
SELECT DISTINCT level, unit_code, unit_name FROM mart.district_unit;
