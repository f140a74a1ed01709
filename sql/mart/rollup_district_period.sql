-- Step 1 of the indicator rollup (etl.rollup): each district's figure per period, by the
-- indicator's kind, for every district of the units and years in rollup_scope(level,
-- unit_code, year) and the year before. Flows sum over the period, stocks take the last
-- month reported, opening balances the first; `complete` says nothing was missing.
CREATE TEMP TABLE rollup_district_period ON COMMIT DROP AS
WITH
needed AS (  -- the scope and the year before it (for the same period last year)
    SELECT level, unit_code, year FROM rollup_scope
    UNION
    SELECT level, unit_code, year - 1 FROM rollup_scope
),
district_scope AS (  -- every district of a needed unit, for the needed years
    SELECT DISTINCT du.district_code, n.year
    FROM needed AS n
    JOIN mart.district_unit AS du ON du.level = n.level AND du.unit_code = n.unit_code
),
indicator AS (
    SELECT indicator_code, kind, direction, numerator_codes, denominator_codes, scale
    FROM core.dim_indicator
    WHERE is_current
),
district_month AS (  -- the figures that count: each district-month's current submission
    SELECT v.district_code, v.year, v.month, v.indicator_code, i.kind, v.value, v.ytd_value
    FROM district_scope AS d
    JOIN core.fct_submission AS s ON s.district_code = d.district_code AND s.year = d.year AND s.is_current
    JOIN core.fct_indicator_value AS v ON v.submission_id = s.submission_id
    JOIN indicator AS i ON i.indicator_code = v.indicator_code AND i.kind <> 'rate'
    WHERE v.value IS NOT NULL
),
membership AS (  -- a month counts in itself, its half and its year
    SELECT m.year, m.month, p.period_key,
           CASE p.period_type WHEN 'month' THEN p.month WHEN 'half' THEN p.half * 6 - 5 ELSE 1 END AS first_month,
           CASE p.period_type WHEN 'month' THEN p.month WHEN 'half' THEN p.half * 6 ELSE 12 END AS last_month,
           p.period_type
    FROM core.dim_period AS m
    JOIN core.dim_period AS p
      ON p.year = m.year
     AND (p.period_key = m.period_key OR (p.period_type = 'half' AND p.half = m.half) OR p.period_type = 'year')
    WHERE m.period_type = 'month'
),
district_period AS (  -- one district's figure for a period, by kind; complete when nothing is missing
    SELECT dm.district_code, b.period_key, dm.year, dm.indicator_code, dm.kind,
           CASE dm.kind
               WHEN 'flow' THEN sum(dm.value)
               WHEN 'stock' THEN (array_agg(dm.value ORDER BY dm.month DESC))[1]
               ELSE (array_agg(dm.value ORDER BY dm.month))[1]
           END AS value,
           max(dm.ytd_value) FILTER (WHERE b.period_type = 'month') AS ytd_value,
           CASE dm.kind
               WHEN 'flow' THEN count(*) = max(b.last_month) - max(b.first_month) + 1
               WHEN 'stock' THEN max(dm.month) = max(b.last_month)
               ELSE min(dm.month) = max(b.first_month)
           END AS complete
    FROM district_month AS dm
    JOIN membership AS b ON b.year = dm.year AND b.month = dm.month
    GROUP BY dm.district_code, b.period_key, dm.year, dm.indicator_code, dm.kind
)
SELECT * FROM district_period;
