-- Step 06 of the rollup (etl.marts.rollup): districts sum into their legacy province,
-- legacy provinces into their 2025 province (each lies wholly in one; fewer rows than
-- summing the districts again). reporting_units counts the complete districts.
-- Reads:      rollup_figures, rollup_needed, rollup_district
-- Writes:     rollup_figures (province and 2025 province rows added)
-- Parameters: none
INSERT INTO rollup_figures (unit_id, indicator_id, period_key, value, ytd_value, reporting_units)
WITH
province_needed AS (  -- legacy provinces wanted themselves or as parts of a wanted 2025 province
    SELECT unit_id AS province_id, year FROM rollup_needed WHERE level = 'province'
    UNION
    SELECT d.province_id, n.year
    FROM rollup_needed AS n
    JOIN rollup_district AS d ON d.province_2025_id = n.unit_id
),
province_figure AS (
    SELECT d.province_id AS unit_id, f.indicator_id, f.period_key,
           sum(f.value) AS value, sum(f.ytd_value) AS ytd_value, sum(f.reporting_units)::int AS reporting_units
    FROM rollup_figures AS f
    JOIN rollup_district AS d ON d.district_id = f.unit_id
    JOIN province_needed AS pn ON pn.province_id = d.province_id AND pn.year = f.period_key / 100
    GROUP BY d.province_id, f.indicator_id, f.period_key
),
province_2025 AS (
    SELECT DISTINCT province_id, province_2025_id FROM rollup_district
)
SELECT unit_id, indicator_id, period_key, value, ytd_value, reporting_units
FROM province_figure
UNION ALL
SELECT m.province_2025_id, p.indicator_id, p.period_key, sum(p.value), sum(p.ytd_value), sum(p.reporting_units)::int
FROM province_figure AS p
JOIN province_2025 AS m ON m.province_id = p.unit_id
JOIN rollup_needed AS n ON n.unit_id = m.province_2025_id AND n.year = p.period_key / 100
GROUP BY m.province_2025_id, p.indicator_id, p.period_key;
