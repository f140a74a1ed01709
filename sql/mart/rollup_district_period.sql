-- Step 1 of the indicator rollup (etl.rollup): each district's figure per period, by the
-- indicator's kind, for every district of the units and years in rollup_scope(level,
-- unit_code, year) and the year before. A month is its own figure; a half sums flows
-- over its months, takes a stock's last month reported and an opening balance's first;
-- a year combines its halves the same way. `complete` says nothing the kind needs was
-- missing. Keys are compared in the C collation (byte order), several times faster than
-- the locale's for these codes.
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
district_month AS (  -- the figures that count: each district-month's current submission
    SELECT v.district_code COLLATE "C" AS district_code, v.year, v.month, v.period_key,
           v.indicator_code COLLATE "C" AS indicator_code, i.kind COLLATE "C" AS kind, v.value, v.ytd_value
    FROM district_scope AS d
    JOIN core.fct_submission AS s ON s.district_code = d.district_code AND s.year = d.year AND s.is_current
    JOIN core.fct_indicator_value AS v ON v.submission_id = s.submission_id
    JOIN core.dim_indicator AS i ON i.indicator_code = v.indicator_code AND i.is_current AND i.kind <> 'rate'
    WHERE v.value IS NOT NULL
),
halves AS (
    SELECT period_key, year, half, half * 6 - 5 AS first_month, half * 6 AS last_month
    FROM core.dim_period
    WHERE period_type = 'half'
),
half_period AS (  -- months into halves
    SELECT dm.district_code, h.period_key, dm.year, h.half, dm.indicator_code, dm.kind,
           CASE dm.kind
               WHEN 'flow' THEN sum(dm.value)
               WHEN 'stock' THEN (array_agg(dm.value ORDER BY dm.month DESC))[1]
               ELSE (array_agg(dm.value ORDER BY dm.month))[1]
           END AS value,
           CASE dm.kind
               WHEN 'flow' THEN count(*) = 6
               WHEN 'stock' THEN max(dm.month) = max(h.last_month)
               ELSE min(dm.month) = max(h.first_month)
           END AS complete
    FROM district_month AS dm
    JOIN halves AS h ON h.year = dm.year AND dm.month BETWEEN h.first_month AND h.last_month
    GROUP BY dm.district_code, h.period_key, dm.year, h.half, dm.indicator_code, dm.kind
)
SELECT district_code, period_key, year, indicator_code, kind, value, ytd_value, true AS complete
FROM district_month
UNION ALL
SELECT district_code, period_key, year, indicator_code, kind, value, NULL::numeric, complete
FROM half_period
UNION ALL
-- A year from its two halves (half the rows of aggregating its months again): flows add
-- up, a stock is its H2 figure when there is one, an opening balance its H1 figure.
SELECT district_code, year * 100, year, indicator_code, kind,
       CASE kind
           WHEN 'flow' THEN sum(value)
           WHEN 'stock' THEN (array_agg(value ORDER BY half DESC))[1]
           ELSE (array_agg(value ORDER BY half))[1]
       END,
       NULL::numeric,
       CASE kind
           WHEN 'flow' THEN count(*) = 2 AND bool_and(complete)
           WHEN 'stock' THEN bool_or(half = 2 AND complete)
           ELSE bool_or(half = 1 AND complete)
       END
FROM half_period
GROUP BY district_code, year, indicator_code, kind;
