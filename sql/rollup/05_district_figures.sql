-- Step 05 of the rollup (etl.marts.rollup): each district's figures, by the indicator's kind, for
-- every district of the units and years in rollup_needed (the scope and the year before it),
-- into rollup_figures(unit_id, indicator_id, period_key, value, ytd_value, reporting_units),
-- which steps 06 and 07 extend with provinces and rates. A month is its own figure; a half or
-- year sums a flow's months, takes a stock's last month reported and an opening balance's
-- first. reporting_units is 1 when nothing the kind needs was missing
-- (every month of a flow; the period's last month of a stock, its first of an opening balance).
-- Period keys are YYYYMM, YYYY*100+90+half and YYYY*100 (core.dim_period).
-- Reads:      rollup_needed, rollup_district, rollup_indicator, mart.district_unit, core.fct_submission, core.fct_indicator_value
-- Creates:    temp table rollup_figures (analyzed)
-- Parameters: none
CREATE TEMP TABLE rollup_figures ON COMMIT DROP AS
WITH
district_scope AS (  -- every district of a needed unit, for the needed years
    SELECT DISTINCT d.district_code, d.district_id, n.year
    FROM rollup_needed AS n
    JOIN mart.district_unit AS du ON du.level = n.level AND du.unit_code = n.unit_code
    JOIN rollup_district AS d ON d.district_code = du.district_code
),
month_figure AS (  -- the figures that count: each district-month's current submission
    SELECT ds.district_id AS unit_id, i.indicator_id, i.kind, v.year, v.month, (v.month + 5) / 6 AS half,
           v.value, v.ytd_value
    FROM district_scope AS ds
    JOIN core.fct_submission AS s ON s.district_code = ds.district_code AND s.year = ds.year AND s.is_current
    JOIN core.fct_indicator_value AS v ON v.submission_id = s.submission_id
    JOIN rollup_indicator AS i ON i.indicator_code = v.indicator_code AND i.kind <> 'rate'
    WHERE v.value IS NOT NULL
),
flow_figure AS (  -- halves and years of flows in one pass: sums
    SELECT unit_id, indicator_id, year, half, sum(value) AS value,
           count(*) = CASE WHEN half IS NULL THEN 12 ELSE 6 END AS complete
    FROM month_figure
    WHERE kind = 'flow'
    GROUP BY unit_id, indicator_id, year, ROLLUP (half)
),
point_half AS (  -- a stock's last month reported in the half, an opening balance's first
    SELECT DISTINCT ON (unit_id, indicator_id, year, half) unit_id, indicator_id, year, half, value,
           month = CASE kind WHEN 'stock' THEN half * 6 ELSE half * 6 - 5 END AS complete
    FROM month_figure
    WHERE kind <> 'flow'
    ORDER BY unit_id, indicator_id, year, half, CASE kind WHEN 'stock' THEN -month ELSE month END
),
point_year AS (  -- the same over the year: the same as taking the H2 figure, else H1 (stocks)
    SELECT DISTINCT ON (unit_id, indicator_id, year) unit_id, indicator_id, year, value,
           month = CASE kind WHEN 'stock' THEN 12 ELSE 1 END AS complete
    FROM month_figure
    WHERE kind <> 'flow'
    ORDER BY unit_id, indicator_id, year, CASE kind WHEN 'stock' THEN -month ELSE month END
)
SELECT unit_id, indicator_id, year * 100 + month AS period_key, value, ytd_value, 1 AS reporting_units
FROM month_figure
UNION ALL
SELECT unit_id, indicator_id, year * 100 + coalesce(90 + half, 0), value, NULL::numeric, complete::int
FROM flow_figure
UNION ALL
SELECT unit_id, indicator_id, year * 100 + 90 + half, value, NULL::numeric, complete::int
FROM point_half
UNION ALL
SELECT unit_id, indicator_id, year * 100, value, NULL::numeric, complete::int
FROM point_year;

ANALYZE rollup_figures;
