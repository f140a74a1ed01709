-- Step 05 of the rollup (etl.marts.rollup): each district's figures, by the indicator's kind, for
-- every district of the units and years in rollup_needed (the scope and the year before it, step 03),
-- into rollup_figures(unit_id, indicator_id, period_key, value, ytd_value, reporting_units,
-- ytd_delta, ytd_first, carried_forward_units, annual_plan, plan_units, figure_units), which steps
-- 06 and 07 extend with provinces and rates; and each district's plan in force for the scope's
-- years into rollup_district_plan (read here and in step 07). Period keys are YYYYMM, YYYY*100+90+half and YYYY*100 (core.dim_period).
-- Only what the current versions SUBMITTED is read (value_source / ytd_source = 'submitted'):
-- what the loader derived depended on what had loaded before, so a flow's missing month value or
-- year to date is derived here, from the submitted figures of the year's other current months:
--   year to date: the one sent; else the nearest month before that sent one (January: 0) plus
--     the month values sent since (every month in between must have its value); else the next
--     month's year to date minus its month value;
--   month value: the one sent; else its year to date minus the previous month's (January: 0).
-- Periods take the best evidence. A flow's year is December's year to date, H1 June's (or July's
-- minus July's month when June is missing), H2 December's minus June's; without them, the sum
-- of the months, complete only when every month is known. A stock takes the period's last month
-- reported, an opening balance its first. reporting_units is 1 when the figure is complete (a
-- flow's month: its value is known; the last month of a stock, the first of an opening balance).
-- ytd_delta / ytd_first (a flow's month: its year to date minus the district's previous known
-- one of the year / 1 for the first known) let step 06 carry a district forward through the
-- months whose year to date it did not give; carried_forward_units is 0 for a district's flow months.
-- A flow's H2 row carries its year's figure as ytd_value (the year to date at the end of H2, what
-- step 08 compares with the annual plan): no second window over every figure there.
-- annual_plan is the district's plan in force for the year, plan_units 1 if it has one, figure_units 1
-- (steps 06 and 07 set them for provinces and rates).
-- Reads:      rollup_needed, rollup_delta_unit, rollup_scope, rollup_district, rollup_indicator, mart.district_unit, rollup_submission,
--             core.fct_indicator_value, rollup_plan, core.fct_plan_target, core.dim_reporting_unit
-- Creates:    temp tables rollup_district_plan, rollup_life and rollup_figures (analyzed)
-- Parameters: baocao.rollup_mode (sets enable_nestloop and jit off for rollup_figures in modes full and
--             year, then puts the caller's values back, kept in baocao.caller_nestloop and baocao.caller_jit)
-- Runs as of: yes

-- Each district's plan in force (every indicator, rates too), for the scope's years, of the districts
-- under a unit of the scope that year: the plans of the figures written (a year before is read only
-- for its value).
CREATE TEMP TABLE rollup_district_plan ON COMMIT DROP AS
SELECT d.district_id, i.indicator_id, p.year, t.target_value
FROM (SELECT DISTINCT du.district_code, s.year
      FROM rollup_scope AS s
      JOIN mart.district_unit AS du ON du.level = s.level AND du.unit_code = s.unit_code
      WHERE NOT s.compare_only) AS y
JOIN rollup_plan AS p ON p.year = y.year AND p.district_code = y.district_code
JOIN rollup_district AS d ON d.district_code = p.district_code
JOIN core.fct_plan_target AS t ON t.plan_id = p.plan_id
JOIN rollup_indicator AS i ON i.indicator_code = t.indicator_code;

ANALYZE rollup_district_plan;

-- The units that existed for part of a needed year only (core.dim_reporting_unit): the districts in
-- 2025 (until June), the communes in 2025 (from July), a unit established or merged in the year.
-- Their year runs from first_month to last_month: a flow's year to date starts at 0 before its
-- first month and its periods are complete with the months of its life; a stock counts in a period
-- only if it still existed at the period's end, an opening balance only if it existed at its start
-- (else the 2025 province would add the districts' June stock to the communes' December one).
-- Everyone else: 1 and 12 (the join finds no row).
CREATE TEMP TABLE rollup_life ON COMMIT DROP AS
WITH life AS (
    SELECT unit_code,
           min(valid_from) FILTER (WHERE change = 'established') AS born,
           CASE WHEN bool_and(valid_to IS NOT NULL) THEN max(valid_to) END AS last_day
    FROM core.dim_reporting_unit
    GROUP BY unit_code
)
SELECT d.district_id AS unit_id, y.year,
       CASE WHEN extract(year FROM l.born) = y.year THEN extract(month FROM l.born)::int ELSE 1 END AS first_month,
       CASE WHEN extract(year FROM l.last_day) = y.year THEN extract(month FROM l.last_day)::int ELSE 12 END AS last_month
FROM life AS l
JOIN rollup_district AS d ON d.district_code = l.unit_code
JOIN (SELECT DISTINCT year FROM rollup_needed) AS y
  ON extract(year FROM l.born) = y.year OR extract(year FROM l.last_day) = y.year;

ANALYZE rollup_life;

-- Every district-year (a full rebuild, a year): one pass over the indicator values, hashed on the
-- submissions, rather than ~84k index look-ups (the planner, underestimating the districts, would
-- loop; 1,6 s of a national rebuild). A few districts (incremental, as of a moment): the loop wins.
-- Without JIT: the loops that remain (flow_period's LATERAL VALUES) count as disabled, and the
-- inflated cost would have the statement compiled with every optimization (1,9 s).
-- The caller's values are kept and put back after it (an as-of run inside a function that sets
-- jit off must not find it on again: nothing is changed or restored in the other modes).
SELECT set_config('baocao.caller_nestloop', current_setting('enable_nestloop'), true),
       set_config('baocao.caller_jit', current_setting('jit'), true),
       set_config('enable_nestloop', 'off', true), set_config('jit', 'off', true)
WHERE current_setting('baocao.rollup_mode') IN ('full', 'year');

CREATE TEMP TABLE rollup_figures ON COMMIT DROP AS
WITH
district_scope AS (  -- every district of a needed unit, for the needed years, with the months of its
                     -- life in the year (f, l: 1 and 12 but for rollup_life's few): carried by the
                     -- rows, not joined to millions of them
    SELECT ds.*, coalesce(lf.first_month, 1) AS f, coalesce(lf.last_month, 12) AS l
    FROM (SELECT DISTINCT d.district_code, d.district_id, n.year
          FROM rollup_needed AS n
          JOIN mart.district_unit AS du ON du.level = n.level AND du.unit_code = n.unit_code
          JOIN rollup_district AS d ON d.district_code = du.district_code
          -- a unit summed from its stored partial sums (step 03) needs its changed units' figures only,
          -- which are needed units themselves
          WHERE NOT EXISTS (SELECT FROM rollup_delta_unit AS x WHERE x.unit_id = n.unit_id AND x.year = n.year)) AS ds
    LEFT JOIN rollup_life AS lf ON lf.unit_id = ds.district_id AND lf.year = ds.year
),
month_figure AS (  -- each district-month's current submission, as submitted
    SELECT ds.district_id AS unit_id, i.indicator_id, i.kind, v.year, v.month, (v.month + 5) / 6 AS half,
           CASE WHEN v.value_source = 'submitted' THEN v.value END AS value,
           CASE WHEN v.ytd_source = 'submitted' THEN v.ytd_value END AS ytd_sent,
           ds.f, ds.l
    FROM district_scope AS ds
    JOIN rollup_submission AS s ON s.district_code = ds.district_code AND s.year = ds.year
    JOIN core.fct_indicator_value AS v ON v.submission_id = s.submission_id
    JOIN rollup_indicator AS i ON i.indicator_code = v.indicator_code AND i.kind <> 'rate'
    WHERE v.value_source = 'submitted' OR v.ytd_source = 'submitted'
),
flow_running AS (  -- a flow's months; the usual year has every month sent with both values and needs
                   -- nothing derived (the cheap branch of flow_month)
    SELECT unit_id, indicator_id, year, month, value, ytd_sent, f, l,
           lag(ytd_sent) OVER unit_year AS previous_ytd_sent,
           bool_and(value IS NOT NULL AND ytd_sent IS NOT NULL) OVER unit_year AS all_sent
    FROM month_figure
    WHERE kind = 'flow'
    -- one window for both (lag ignores the frame): one pass over the sorted months, not two
    WINDOW unit_year AS (PARTITION BY unit_id, indicator_id, year ORDER BY month
                         ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
),
flow_sent AS (  -- the other years, in month order: the month values sent so far (sum, count), the next month
    SELECT unit_id, indicator_id, year, month, value, ytd_sent, f, l,
           coalesce(sum(value) OVER by_month, 0) AS sent_sum,
           count(value) OVER by_month AS sent_months,
           lead(month) OVER by_month AS next_month,
           lead(ytd_sent - value) OVER by_month AS next_ytd_before  -- the next month's year to date minus its value
    FROM flow_running
    WHERE NOT all_sent
    WINDOW by_month AS (PARTITION BY unit_id, indicator_id, year ORDER BY month ROWS UNBOUNDED PRECEDING)
),
flow_anchor AS (  -- the nearest earlier month whose year to date was sent, as
                  -- ARRAY[month, ytd - sent_sum, sent_months] (one max carries all three)
    SELECT r.*,
           coalesce(max(ARRAY[r.month, r.ytd_sent - r.sent_sum, r.sent_months]) FILTER (WHERE r.ytd_sent IS NOT NULL)
                        OVER (PARTITION BY r.unit_id, r.indicator_id, r.year ORDER BY r.month
                              ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING),
                    -- none: the start of the year, or of the unit's life in it, year to date 0
                    ARRAY[r.f - 1, 0, 0]::numeric[]) AS before
    FROM flow_sent AS r
),
flow_derived AS (  -- their months' value and year to date, sent or derived from the other months
    SELECT a.unit_id, a.indicator_id, a.year, a.month,
           coalesce(a.value,
                    -- no month value (so its year to date was sent): minus the previous month's
                    CASE WHEN a.sent_months - a.before[3] = a.month - 1 - a.before[1]
                         THEN a.ytd_sent - (a.before[2] + a.sent_sum) END) AS value,
           coalesce(a.ytd_sent,
                    CASE WHEN a.sent_months - a.before[3] = a.month - a.before[1] THEN a.before[2] + a.sent_sum
                         WHEN a.next_month = a.month + 1 THEN a.next_ytd_before END) AS ytd_value,
           a.f, a.l
    FROM flow_anchor AS a
),
flow_month AS (  -- every flow month, with the previous known year to date of its year
    SELECT unit_id, indicator_id, year, month, value, ytd_sent AS ytd_value, ytd_sent - value AS ytd_before,
           previous_ytd_sent AS previous_ytd, f, l
    FROM flow_running
    WHERE all_sent
    UNION ALL
    SELECT d.unit_id, d.indicator_id, d.year, d.month, d.value, d.ytd_value, d.ytd_value - d.value,
           (max(ARRAY[d.month, d.ytd_value]) FILTER (WHERE d.ytd_value IS NOT NULL)
                OVER (PARTITION BY d.unit_id, d.indicator_id, d.year ORDER BY d.month
                      ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING))[2],
           d.f, d.l
    FROM flow_derived AS d
),
flow_year AS (  -- per district, flow and year: the year-to-date evidence and the months' sums (over the
                -- months of the unit's life: first_month f to last_month l, 1 and 12 for nearly all)
    SELECT m.unit_id, m.indicator_id, m.year, min(m.f) AS f, min(m.l) AS l,  -- one f and l per unit-year
           -- year to date at the end of H1 (June, or the unit's last month before it); 0 when its life
           -- starts after June
           CASE WHEN min(m.f) > 6 THEN 0
                ELSE coalesce(max(m.ytd_value) FILTER (WHERE m.month = least(6, m.l)),
                              max(m.ytd_before) FILTER (WHERE m.month = 7)) END AS ytd_june,
           max(m.ytd_value) FILTER (WHERE m.month = m.l) AS ytd_december,  -- at the end of the unit's year
           sum(m.value) FILTER (WHERE m.month <= 6) AS h1_sum, count(m.value) FILTER (WHERE m.month <= 6) AS h1_months,
           sum(m.value) FILTER (WHERE m.month > 6) AS h2_sum, count(m.value) FILTER (WHERE m.month > 6) AS h2_months,
           sum(m.value) AS year_sum, count(m.value) AS year_months
    FROM flow_month AS m
    GROUP BY m.unit_id, m.indicator_id, m.year
),
flow_period AS (  -- halves and years of flows: the year to date where known, else the months' sum; a half
                  -- only where the unit existed in it
    SELECT y.unit_id, y.indicator_id, y.year * 100 + p.period AS period_key, p.value, p.ytd_value, p.complete
    FROM flow_year AS y
    CROSS JOIN LATERAL (VALUES
        (91, y.f <= 6, coalesce(y.ytd_june, y.h1_sum), NULL::numeric,
         y.ytd_june IS NOT NULL OR y.h1_months = least(6, y.l) - y.f + 1),
        (92, y.l >= 7, coalesce(y.ytd_december - y.ytd_june, y.h2_sum), coalesce(y.ytd_december, y.year_sum),
         y.ytd_june IS NOT NULL AND y.ytd_december IS NOT NULL OR y.h2_months = y.l - greatest(7, y.f) + 1),
        (0, true, coalesce(y.ytd_december, y.year_sum), NULL::numeric,
         y.ytd_december IS NOT NULL OR y.year_months = y.l - y.f + 1)
    ) AS p(period, alive, value, ytd_value, complete)
    WHERE p.alive AND p.value IS NOT NULL
),
point_half AS (  -- a stock's last month reported in the half, an opening balance's first; only from a
                 -- unit that existed at the half's end (stock) or start (opening balance)
    SELECT DISTINCT ON (f.unit_id, f.indicator_id, f.year, f.half)
           f.unit_id, f.indicator_id, f.kind, f.year, f.half, f.value,
           f.month = CASE f.kind WHEN 'stock' THEN f.half * 6 ELSE f.half * 6 - 5 END AS complete, f.f, f.l
    FROM month_figure AS f
    WHERE f.kind <> 'flow' AND f.value IS NOT NULL
      AND CASE f.kind WHEN 'stock' THEN f.l >= f.half * 6 ELSE f.f <= f.half * 6 - 5 END
    ORDER BY f.unit_id, f.indicator_id, f.year, f.half, CASE f.kind WHEN 'stock' THEN -f.month ELSE f.month END
),
point_year AS (  -- the same over the year, from the halves (a sixth of the rows to sort): a stock's last month
                 -- of the year is H2's, else H1's, complete only in December (H2's complete); an opening
                 -- balance's first is H1's, else H2's, complete only in January (H1's); only from a unit that
                 -- existed at the year's end (stock: l = 12) or start (opening balance: f = 1)
    SELECT DISTINCT ON (h.unit_id, h.indicator_id, h.year) h.unit_id, h.indicator_id, h.year, h.value,
           h.complete AND h.half = CASE h.kind WHEN 'stock' THEN 2 ELSE 1 END AS complete
    FROM point_half AS h
    WHERE CASE h.kind WHEN 'stock' THEN h.l = 12 ELSE h.f = 1 END
    ORDER BY h.unit_id, h.indicator_id, h.year, CASE h.kind WHEN 'stock' THEN -h.half ELSE h.half END
),
district_figure AS (
    SELECT unit_id, indicator_id, year * 100 + month AS period_key, value, NULL::numeric AS ytd_value,
           1 AS reporting_units, NULL::numeric AS ytd_delta, NULL::int AS ytd_first, NULL::int AS carried_forward_units
    FROM month_figure
    WHERE kind <> 'flow' AND value IS NOT NULL
    UNION ALL
    SELECT unit_id, indicator_id, year * 100 + month, value, ytd_value, (value IS NOT NULL)::int,
           ytd_value - coalesce(previous_ytd, 0), CASE WHEN ytd_value IS NOT NULL AND previous_ytd IS NULL THEN 1 END, 0
    FROM flow_month
    UNION ALL
    SELECT unit_id, indicator_id, period_key, value, ytd_value, complete::int, NULL::numeric, NULL::int, NULL::int
    FROM flow_period
    UNION ALL
    SELECT unit_id, indicator_id, year * 100 + 90 + half, value, NULL::numeric, complete::int, NULL::numeric, NULL::int,
           NULL::int
    FROM point_half
    UNION ALL
    SELECT unit_id, indicator_id, year * 100, value, NULL::numeric, complete::int, NULL::numeric, NULL::int, NULL::int
    FROM point_year
)
-- The district's own plan, joined once here rather than in both step 06 (what the provinces sum) and
-- step 08 (every mart row): a district's figure has one unit, with a plan or not.
SELECT f.*, dp.target_value AS annual_plan, (dp.target_value IS NOT NULL)::int AS plan_units, 1 AS figure_units
FROM district_figure AS f
LEFT JOIN rollup_district_plan AS dp ON dp.district_id = f.unit_id AND dp.indicator_id = f.indicator_id
                                    AND dp.year = f.period_key / 100;

SELECT set_config('enable_nestloop', current_setting('baocao.caller_nestloop'), true),
       set_config('jit', current_setting('baocao.caller_jit'), true)
WHERE current_setting('baocao.rollup_mode') IN ('full', 'year');

-- The columns the later steps join, group and sort on only: the values' statistics would triple its cost.
ANALYZE rollup_figures (unit_id, indicator_id, period_key);
