-- Step 06 of the rollup (etl.marts.rollup): districts sum into their legacy province,
-- legacy provinces into their 2025 province (each lies wholly in one; fewer rows than
-- summing the districts again), and communes (from 1/7/2025) straight into their 2025 province,
-- which so runs on across the reform: its legacy districts until 2025-06, its communes after.
-- reporting_units counts the complete units.
-- A flow's year to date at the end of a month never drops a district that did not give its own
-- for that month (did not report it, or it could not be derived): the district's latest known
-- year to date of the year is carried forward, and carried_forward_units counts those districts.
-- Done as running sums over the province's months of the districts' ytd_delta (so a district's
-- latest known year to date stays in) and ytd_first (the districts started so far).
-- A flow's H2 row carries the province's year figure as ytd_value (as a district's, step 05): the
-- first row of the same window, since a year's key sorts first.
-- Plan coverage, in the same pass over the district figures (each carries its district's plan,
-- step 05): annual_plan sums the plans of the districts in the figure that have one, plan_units
-- counts those, figure_units counts the districts in the figure; step 08 gives a % of plan only
-- when both counts are equal.
-- Reads:      rollup_figures, rollup_needed, rollup_district
-- Writes:     rollup_figures (province and 2025 province rows added)
-- Parameters: none (sets enable_mergejoin off for its INSERT, then resets it)
-- Runs as of: yes

-- The planner underestimates the district figures and would sort them all to merge-join them
-- (~5 s on a national rebuild, when the plans were joined here); hash joins need no sort. RESET
-- after it.
SET LOCAL enable_mergejoin = off;

INSERT INTO rollup_figures (unit_id, indicator_id, period_key, value, ytd_value, reporting_units,
                            carried_forward_units, annual_plan, plan_units, figure_units)
WITH
parent_needed AS (  -- the first level up, wanted: legacy provinces, themselves or as parts of a wanted 2025
                    -- province; and wanted 2025 provinces, the parent of their communes
    SELECT unit_id, year FROM rollup_needed WHERE level IN ('province', 'province_2025')
    UNION
    SELECT d.province_id, n.year
    FROM rollup_needed AS n
    JOIN rollup_district AS d ON d.province_2025_id = n.unit_id AND d.province_id IS NOT NULL
),
province_figure AS (  -- a district's legacy province; a commune's 2025 province, straight (it has no other)
    SELECT coalesce(d.province_id, d.province_2025_id) AS unit_id, f.indicator_id, f.period_key,
           bool_and(d.province_id IS NULL) AS of_communes,
           sum(f.value) AS value, sum(f.reporting_units)::int AS reporting_units,
           sum(f.ytd_delta) AS ytd_delta, sum(f.ytd_first)::int AS ytd_first, count(f.ytd_value)::int AS ytd_known,
           max(f.carried_forward_units) AS flow_month,  -- 0 for a flow's month, else NULL
           sum(f.annual_plan) AS annual_plan, count(f.annual_plan)::int AS plan_units, count(*)::int AS figure_units
    FROM rollup_figures AS f
    JOIN rollup_district AS d ON d.district_id = f.unit_id
    JOIN parent_needed AS pn ON pn.unit_id = coalesce(d.province_id, d.province_2025_id)
                            AND pn.year = f.period_key / 100
    GROUP BY coalesce(d.province_id, d.province_2025_id), f.indicator_id, f.period_key
),
province_2025 AS (
    SELECT DISTINCT province_id, province_2025_id FROM rollup_district WHERE province_id IS NOT NULL
),
to_2025 AS (  -- what a 2025 province sums: its legacy provinces' figures (until 2025-06), its communes' (after)
    SELECT m.province_2025_id AS unit_id, p.indicator_id, p.period_key, p.value, p.reporting_units, p.ytd_delta,
           p.ytd_first, p.ytd_known, p.flow_month, p.annual_plan, p.plan_units, p.figure_units
    FROM province_figure AS p
    JOIN province_2025 AS m ON m.province_id = p.unit_id
    JOIN rollup_needed AS n ON n.unit_id = m.province_2025_id AND n.year = p.period_key / 100
    WHERE NOT p.of_communes
    UNION ALL
    SELECT unit_id, indicator_id, period_key, value, reporting_units, ytd_delta, ytd_first, ytd_known, flow_month,
           annual_plan, plan_units, figure_units
    FROM province_figure
    WHERE of_communes
),
both_levels AS (
    SELECT unit_id, indicator_id, period_key, value, reporting_units, ytd_delta, ytd_first, ytd_known, flow_month,
           annual_plan, plan_units, figure_units
    FROM province_figure
    WHERE NOT of_communes
    UNION ALL
    SELECT unit_id, indicator_id, period_key, sum(value), sum(reporting_units)::int,
           sum(ytd_delta), sum(ytd_first)::int, sum(ytd_known)::int, max(flow_month),
           sum(annual_plan), sum(plan_units)::int, sum(figure_units)::int
    FROM to_2025
    GROUP BY unit_id, indicator_id, period_key
)
SELECT unit_id, indicator_id, period_key, value,
       CASE WHEN flow_month IS NOT NULL THEN sum(ytd_delta) OVER by_month
            -- a flow's H2 (its districts' H2 rows carry a year to date): the year's row, first in the window
            WHEN period_key % 100 = 92 AND ytd_known > 0 AND first_value(period_key) OVER by_month % 100 = 0
            THEN first_value(value) OVER by_month END,
       reporting_units,
       CASE WHEN flow_month IS NOT NULL THEN coalesce(sum(ytd_first) OVER by_month, 0) - ytd_known END,
       annual_plan, plan_units, figure_units
FROM both_levels
-- a year's key (YYYY00) sorts before its months and halves after: neither has a ytd_delta
WINDOW by_month AS (PARTITION BY unit_id, indicator_id, period_key / 100 ORDER BY period_key ROWS UNBOUNDED PRECEDING);

RESET enable_mergejoin;
