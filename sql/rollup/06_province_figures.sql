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
-- A unit summed from its stored partial sums (incremental, step 03: rollup_delta_unit) takes them,
-- minus its changed units' figures as the mart held them (rollup_old_figures), plus their figures
-- now (step 05), instead of its units' figures: the same sums, the same windows after them. The sums
-- are trimmed of trailing zeros (trim_scale) in every mode, so both ways give the same digits (a sum
-- keeps the most decimals of any term: 1,50 - 1,50 + 1 would print as 1,00, a full rebuild's 1 as 1).
-- The sums of the scope's province-level units, before the windows, go to rollup_partial_rows (only
-- in an incremental refresh: rollup_partial_basis is empty otherwise), which step 09 stores.
-- Reads:      rollup_figures, rollup_needed, rollup_district, rollup_delta_unit, rollup_delta_member,
--             rollup_stored_partial, rollup_old_figures, rollup_partial_basis, rollup_indicator
-- Creates:    temp table rollup_partial_rows (steps 06 and 07 fill it)
-- Writes:     rollup_figures (province and 2025 province rows added)
-- Parameters: none (sets enable_mergejoin off for its INSERT, then resets it)
-- Runs as of: yes

-- The planner underestimates the district figures and would sort them all to merge-join them
-- (~5 s on a national rebuild, when the plans were joined here); hash joins need no sort. RESET
-- after it.
SET LOCAL enable_mergejoin = off;

CREATE TEMP TABLE rollup_partial_rows (unit_id int, indicator_id int, period_key int, value numeric, value_units int,
                                       reporting_units int, ytd_delta numeric, ytd_first int, ytd_known int,
                                       annual_plan numeric, plan_units int, figure_units int, numerator numeric,
                                       denominator numeric) ON COMMIT DROP;

WITH
delta_unit AS (  -- summed from their stored partial sums (delta_level below)
    SELECT unit_id, year FROM rollup_delta_unit
),
parent_needed AS (  -- the first level up, wanted: legacy provinces, themselves or as parts of a wanted 2025
                    -- province; and wanted 2025 provinces, the parent of their communes
    SELECT unit_id, year FROM rollup_needed WHERE level IN ('province', 'province_2025')
    EXCEPT
    SELECT unit_id, year FROM delta_unit
    UNION
    SELECT d.province_id, n.year
    FROM rollup_needed AS n
    JOIN rollup_district AS d ON d.province_2025_id = n.unit_id AND d.province_id IS NOT NULL
    WHERE NOT EXISTS (SELECT FROM delta_unit AS x WHERE x.unit_id = n.unit_id AND x.year = n.year)
),
province_figure AS (  -- a district's legacy province; a commune's 2025 province, straight (it has no other)
    SELECT coalesce(d.province_id, d.province_2025_id) AS unit_id, f.indicator_id, f.period_key,
           bool_and(d.province_id IS NULL) AS of_communes,
           sum(f.value) AS value, count(f.value)::int AS value_units, sum(f.reporting_units)::int AS reporting_units,
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
    SELECT m.province_2025_id AS unit_id, p.indicator_id, p.period_key, p.value, p.value_units, p.reporting_units,
           p.ytd_delta, p.ytd_first, p.ytd_known, p.flow_month, p.annual_plan, p.plan_units, p.figure_units
    FROM province_figure AS p
    JOIN province_2025 AS m ON m.province_id = p.unit_id
    JOIN rollup_needed AS n ON n.unit_id = m.province_2025_id AND n.year = p.period_key / 100
    WHERE NOT p.of_communes
      AND NOT EXISTS (SELECT FROM delta_unit AS x WHERE x.unit_id = n.unit_id AND x.year = n.year)
    UNION ALL
    SELECT unit_id, indicator_id, period_key, value, value_units, reporting_units, ytd_delta, ytd_first, ytd_known,
           flow_month, annual_plan, plan_units, figure_units
    FROM province_figure
    WHERE of_communes
),
delta_sums AS (  -- a unit summed from its stored partial sums: those, plus its changed units' figures now,
                 -- minus as the mart held them (step 03)
    SELECT s.unit_id, s.indicator_id, s.period_key, s.value, s.value_units, s.reporting_units, s.ytd_delta,
           s.ytd_first, s.ytd_known, s.annual_plan, s.plan_units, s.figure_units
    FROM rollup_stored_partial AS s
    JOIN rollup_indicator AS i ON i.indicator_id = s.indicator_id AND i.kind <> 'rate'  -- a rate's: step 07
    UNION ALL
    SELECT m.unit_id, f.indicator_id, f.period_key, f.value, (f.value IS NOT NULL)::int, f.reporting_units,
           f.ytd_delta, f.ytd_first, (f.ytd_value IS NOT NULL)::int, f.annual_plan, (f.annual_plan IS NOT NULL)::int, 1
    FROM rollup_figures AS f  -- (a legacy province's other districts may be here, for its 2025 province)
    JOIN rollup_delta_member AS m ON m.district_id = f.unit_id AND m.year = f.period_key / 100
    UNION ALL
    SELECT m.unit_id, o.indicator_id, o.period_key, -o.value, -(o.value IS NOT NULL)::int, -o.reporting_units,
           -o.ytd_delta, -o.ytd_first, -o.ytd_known, -o.annual_plan, -(o.annual_plan IS NOT NULL)::int, -1
    FROM rollup_old_figures AS o
    JOIN rollup_delta_member AS m ON m.district_id = o.district_id AND m.year = o.period_key / 100
),
delta_level AS (  -- a sum is null where no unit has a term (a count says so), as sum() over its units gives
    SELECT s.unit_id, s.indicator_id, s.period_key,
           CASE WHEN sum(s.value_units) > 0 THEN sum(s.value) END AS value, sum(s.value_units)::int AS value_units,
           sum(s.reporting_units)::int AS reporting_units,
           CASE WHEN sum(s.ytd_known) > 0 THEN sum(s.ytd_delta) END AS ytd_delta, sum(s.ytd_first)::int AS ytd_first,
           sum(s.ytd_known)::int AS ytd_known,
           CASE WHEN i.kind = 'flow' AND s.period_key % 100 BETWEEN 1 AND 12 THEN 0 END AS flow_month,
           CASE WHEN sum(s.plan_units) > 0 THEN sum(s.annual_plan) END AS annual_plan,
           sum(s.plan_units)::int AS plan_units, sum(s.figure_units)::int AS figure_units
    FROM delta_sums AS s
    JOIN rollup_indicator AS i ON i.indicator_id = s.indicator_id
    GROUP BY s.unit_id, s.indicator_id, s.period_key, i.kind
    HAVING sum(s.figure_units) > 0  -- no unit has the figure any more: no row, as from its units
),
both_levels AS (
    SELECT p.unit_id, p.indicator_id, p.period_key, p.value, p.value_units, p.reporting_units, p.ytd_delta,
           p.ytd_first, p.ytd_known, p.flow_month, p.annual_plan, p.plan_units, p.figure_units
    FROM province_figure AS p
    WHERE NOT p.of_communes  -- (a legacy province summed as a part of a 2025 province, not as itself)
      AND NOT EXISTS (SELECT FROM delta_unit AS x WHERE x.unit_id = p.unit_id AND x.year = p.period_key / 100)
    UNION ALL
    SELECT unit_id, indicator_id, period_key, sum(value), sum(value_units)::int, sum(reporting_units)::int,
           sum(ytd_delta), sum(ytd_first)::int, sum(ytd_known)::int, max(flow_month),
           sum(annual_plan), sum(plan_units)::int, sum(figure_units)::int
    FROM to_2025
    GROUP BY unit_id, indicator_id, period_key
    UNION ALL
    SELECT unit_id, indicator_id, period_key, value, value_units, reporting_units, ytd_delta, ytd_first, ytd_known,
           flow_month, annual_plan, plan_units, figure_units
    FROM delta_level
),
stored AS (  -- the scope's province-level sums, for step 09 (incremental: else rollup_partial_basis is empty)
    INSERT INTO rollup_partial_rows (unit_id, indicator_id, period_key, value, value_units, reporting_units, ytd_delta,
                                     ytd_first, ytd_known, annual_plan, plan_units, figure_units)
    SELECT b.unit_id, b.indicator_id, b.period_key, b.value, b.value_units, b.reporting_units, b.ytd_delta,
           b.ytd_first, b.ytd_known, b.annual_plan, b.plan_units, b.figure_units
    FROM both_levels AS b
    JOIN rollup_partial_basis AS p ON p.unit_id = b.unit_id AND p.year = b.period_key / 100
)
INSERT INTO rollup_figures (unit_id, indicator_id, period_key, value, ytd_value, reporting_units,
                            carried_forward_units, annual_plan, plan_units, figure_units)
SELECT unit_id, indicator_id, period_key, trim_scale(value),
       trim_scale(CASE WHEN flow_month IS NOT NULL THEN sum(ytd_delta) OVER by_month
            -- a flow's H2 (its districts' H2 rows carry a year to date): the year's row, first in the window
            WHEN period_key % 100 = 92 AND ytd_known > 0 AND first_value(period_key) OVER by_month % 100 = 0
            THEN first_value(value) OVER by_month END),
       reporting_units,
       CASE WHEN flow_month IS NOT NULL THEN coalesce(sum(ytd_first) OVER by_month, 0) - ytd_known END,
       trim_scale(annual_plan), plan_units, figure_units
FROM both_levels
-- a year's key (YYYY00) sorts before its months and halves after: neither has a ytd_delta
WINDOW by_month AS (PARTITION BY unit_id, indicator_id, period_key / 100 ORDER BY period_key ROWS UNBOUNDED PRECEDING);

RESET enable_mergejoin;
