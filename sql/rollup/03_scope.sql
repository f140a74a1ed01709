-- Step 03 of the rollup (etl.marts.rollup): the (unit, year) to rebuild, and with them the year
-- before each (read for the same period last year). What changed, by mode: every district-year
-- with data (full), one year of every current district (year), the district-years the loads
-- queued since the last refresh (incremental), none (nothing: the scope is empty, the later
-- steps do nothing but step 12); in these two also the years of a province whose first
-- expected month moved. A changed district-year rebuilds its district, legacy province and
-- 2025 province, for that year and the next (whose same-period-last-year figures read it).
-- Each province-level scope row carries the expected_units of its periods (expected_in_period).
-- As of a moment (mode as_of, for mart.indicator_*_at): the units and years asked for, from the
-- versions and plans in force then (core.submission_in_force, core.plan_in_force), with who was
-- expected then; the later steps compute into temp tables only.
-- Reads:      core.fct_submission, core.fct_plan, core.dim_district, ops.rollup_queue, mart.district_unit, rollup_unit,
--             rollup_indicator, mart.submission_status_rollup, core.expected_district_at(now() or as_of),
--             mart.indicator_rollup, ops.rollup_partial_unit, ops.rollup_partial (incremental)
-- Creates:    temp tables rollup_queue_seen (the queue as found), rollup_expected, rollup_moved, rollup_changed,
--             rollup_scope (unit, year to write),
--             rollup_needed (and the year before; incremental, only the changed ones: the figures of the year
--             before and after are read from mart.indicator_rollup into rollup_mart_figures) (analyzed);
--             rollup_partial_basis, rollup_delta_unit, rollup_delta_member, rollup_stored_partial,
--             rollup_old_figures (incremental: the province-level units summed from their stored partial sums);
--             rollup_submission and rollup_plan, the versions and plans the figures are made of (temp views,
--             which etl.marts.rollup drops after the last step; as of a moment, analyzed tables)
-- Parameters: baocao.rollup_mode (full | year | incremental | nothing | as_of), baocao.rollup_year
--             (year mode; as_of: the year asked for, '' for all), baocao.rollup_as_of, baocao.rollup_level
--             and baocao.rollup_unit (as_of: the moment, and the level and unit asked for, '' for all);
--             baocao.rollup_years (optional, '{2015,2016}': only these years of the scope, for one
--             session of a parallel full rebuild; unset or '': all)
-- Runs as of: yes

-- The queue as this refresh found it: step 11 deletes exactly these rows, queued_at included, so a
-- district-year a load queued again meanwhile (etl.warehouse.load.queue_rollups moves its queued_at),
-- perhaps after step 05 read its figures, stays queued for the next refresh.
CREATE TEMP TABLE rollup_queue_seen ON COMMIT DROP AS
SELECT district_code, year, queued_at FROM ops.rollup_queue
WHERE current_setting('baocao.rollup_mode') IN ('full', 'year', 'incremental', 'nothing');

-- Unassigned or assigned, a province whose first expected month (mart.expected_district_at) moved
-- since the last refresh (mart.submission_status_rollup still holds the old one): the expected_units of
-- its districts' units change in every year between the two (to this year if it had none or has
-- none now). A first file, an older first month, a reprocessed file, a new assignment. A table of
-- its own, analyzed: the planner then knows it is (nearly always) empty.
-- Who is expected when, now (the one definition), computed once for the two uses below.
CREATE TEMP TABLE rollup_expected ON COMMIT DROP AS
SELECT * FROM core.expected_district_at(CASE current_setting('baocao.rollup_mode') WHEN 'as_of'
                                             THEN current_setting('baocao.rollup_as_of')::timestamptz
                                             ELSE now() END);

CREATE TEMP TABLE rollup_moved ON COMMIT DROP AS
SELECT province_code,
       least(old_first, new_first) / 100 AS from_year,
       CASE WHEN old_first IS NULL OR new_first IS NULL THEN extract(year FROM now())::int
            ELSE greatest(old_first, new_first) / 100 END AS to_year
FROM (SELECT p.province_code, f.old_first  -- a province's first stored month: one probe of the index of
                                           -- revision 0022 each, not a pass over every status
      FROM (SELECT DISTINCT d.province_code::text AS province_code FROM core.dim_district AS d
            WHERE d.province_code IS NOT NULL) AS p
      CROSS JOIN LATERAL (
          SELECT st.year * 100 + st.month AS old_first FROM mart.submission_status_rollup AS st
          WHERE st.level = 'district' AND st.province_code = p.province_code
          ORDER BY st.year, st.month
          LIMIT 1
      ) AS f) AS stored
FULL JOIN (SELECT province_code, min(first_period_key) AS new_first
           FROM rollup_expected WHERE level = 'district' GROUP BY province_code) AS now_known
     USING (province_code)
WHERE old_first IS DISTINCT FROM new_first
  AND current_setting('baocao.rollup_mode') IN ('incremental', 'nothing');
ANALYZE rollup_moved;

-- expected_in_period: each period's expected_units by slot (months 1-12, H1 13, H2 14, year 15; again
-- from 16 for stocks and from 31 for opening balances), set below; null for a district or commune (1).
-- compare_only (incremental): the unit-year is in the scope only as the year after a changed one, whose
-- figures did not change, only their comparison with the same period last year; else false.
CREATE TEMP TABLE rollup_scope (unit_id int, level text COLLATE "C", unit_code text COLLATE "C", expected_units int,
                                year smallint, expected_in_period int[], compare_only boolean NOT NULL DEFAULT false)
ON COMMIT DROP;

-- The district-years that changed, by mode: planned only for the mode that runs (a DO block), since
-- one statement with a branch per mode sized its hash tables for a full rebuild's every submission
-- (~25 ms of an incremental refresh at commune scale, for an empty branch).
CREATE TEMP TABLE rollup_changed (district_code text COLLATE "C", year int) ON COMMIT DROP;
DO $$
BEGIN
    CASE current_setting('baocao.rollup_mode')
    WHEN 'full' THEN
        INSERT INTO rollup_changed
        SELECT district_code, year FROM core.fct_submission
        UNION
        SELECT district_code, year FROM core.fct_plan;
    WHEN 'year' THEN
        INSERT INTO rollup_changed
        SELECT district_code, nullif(current_setting('baocao.rollup_year'), '')::int FROM core.dim_district
        WHERE is_current;
    WHEN 'incremental' THEN
        INSERT INTO rollup_changed SELECT district_code, year FROM rollup_queue_seen;
    ELSE  -- nothing, as_of: none
    END CASE;
    -- the provinces whose first expected month moved (modes incremental and nothing; else none)
    INSERT INTO rollup_changed
    SELECT d.district_code, y.year
    FROM rollup_moved AS moved
    JOIN core.dim_district AS d ON d.province_code = moved.province_code AND d.is_current
    CROSS JOIN LATERAL generate_series(moved.from_year, moved.to_year) AS y(year);
END
$$;

-- The rows this inserts are the refresh's unit-years (RollupResult.units).
INSERT INTO rollup_scope (unit_id, level, unit_code, expected_units, year, compare_only)
SELECT u.unit_id, u.level, u.unit_code, u.expected_units, y.year,
       bool_and(y.next_year) AND current_setting('baocao.rollup_mode') = 'incremental'
FROM rollup_changed AS changed
JOIN mart.district_unit AS du ON du.district_code = changed.district_code
JOIN rollup_unit AS u ON u.level = du.level AND u.unit_code = du.unit_code
CROSS JOIN LATERAL (VALUES (changed.year, false), (changed.year + 1, true)) AS y(year, next_year)
-- A session of a parallel full rebuild (etl.marts.rollup) builds only its share of the years.
-- (Unset, or '' once a session that set it has ended: every year; the planner folds the cast.)
WHERE coalesce(y.year = ANY (CAST(nullif(current_setting('baocao.rollup_years', true), '') AS int[])), true)
GROUP BY u.unit_id, u.level, u.unit_code, u.expected_units, y.year;

-- As of a moment: the units and years asked for (a year's figures need no rebuild of the next).
INSERT INTO rollup_scope (unit_id, level, unit_code, expected_units, year)
SELECT u.unit_id, u.level, u.unit_code, u.expected_units, y.year
FROM rollup_unit AS u
CROSS JOIN (SELECT DISTINCT s.year FROM core.fct_submission AS s
            WHERE nullif(current_setting('baocao.rollup_year'), '') IS NULL
            UNION
            SELECT nullif(current_setting('baocao.rollup_year'), '')::smallint) AS y(year)
WHERE current_setting('baocao.rollup_mode') = 'as_of' AND y.year IS NOT NULL
  AND u.level = coalesce(nullif(current_setting('baocao.rollup_level'), ''), u.level)
  AND u.unit_code = coalesce(nullif(current_setting('baocao.rollup_unit'), ''), u.unit_code);

-- expected_units of a province-level figure: its districts expected in the period, by the one
-- definition (mart.expected_district_at, as mart.submission_status and mart.reporting_rate; as
-- known now). In a half or a year, by what the figure is made of: a flow (and a rate) sums the
-- months, so every unit expected in any month of the period; a stock is the level at its end, so
-- the units expected in its last month; an opening balance, in its first month. They differ only
-- where units began or ended within the period (the 2025 reform: a 2025 province's households at
-- the end of 2025 are its communes', not also its former districts'). Carried by the scope row, so
-- step 08 reads it without one more join.
WITH
unit_start AS MATERIALIZED (  -- once, not per scope row: per unit, its districts expected in each span
    SELECT u.unit_id, x.first_period_key, coalesce(x.last_period_key, 999999) AS last_period_key,
           count(*)::int AS districts
    FROM rollup_expected AS x
    JOIN mart.district_unit AS du ON du.district_code = x.district_code AND du.level NOT IN ('district', 'commune')
    JOIN rollup_unit AS u ON u.level = du.level AND u.unit_code = du.unit_code
    GROUP BY u.unit_id, x.first_period_key, coalesce(x.last_period_key, 999999)
),
period AS (  -- a period's first and last month: months 1-12, H1 13, H2 14 and the year 15
    SELECT p, CASE WHEN p <= 12 THEN p WHEN p = 14 THEN 7 ELSE 1 END AS first_month,
           CASE WHEN p <= 12 THEN p WHEN p = 13 THEN 6 ELSE 12 END AS last_month
    FROM generate_series(1, 15) AS p
),
slot AS (  -- slots 1-15: expected in any month (flows, rates); 16-30: in the last month (stocks);
           -- 31-45: in the first month (opening balances)
    SELECT g * 15 + p AS slot,
           CASE g WHEN 2 THEN first_month ELSE last_month END AS from_before,  -- expected from this month or earlier
           CASE g WHEN 1 THEN last_month ELSE first_month END AS until_after   -- and until this month or later
    FROM period CROSS JOIN generate_series(0, 2) AS g
)
UPDATE rollup_scope AS s
SET expected_in_period = ARRAY(
    SELECT coalesce(sum(e.districts), 0)::int
    FROM slot
    LEFT JOIN unit_start AS e ON e.unit_id = s.unit_id AND e.first_period_key <= s.year * 100 + slot.from_before
                             AND e.last_period_key >= s.year * 100 + slot.until_after
    GROUP BY slot.slot
    ORDER BY slot.slot)
WHERE s.level NOT IN ('district', 'commune');

-- The unit-years whose figures steps 05-07 compute: the scope and the year before it, read for the
-- same period last year. Incremental, only the changed unit-years: a year before that is not one of
-- them has not changed since the last refresh (a change would have queued it), nor has a year after
-- (compare_only): step 08 reads their figures from mart.indicator_rollup (rollup_mart_figures) rather
-- than computing them again (two thirds of an incremental refresh's figures), and step 09 rewrites
-- only a compare_only year's comparisons. Every other mode computes them: a year mode's year before
-- may still be queued, a full rebuild has no mart to read, an as-of run needs them as known then.
CREATE TEMP TABLE rollup_needed ON COMMIT DROP AS
SELECT unit_id, level, unit_code, year FROM rollup_scope WHERE NOT compare_only
UNION
SELECT unit_id, level, unit_code, year - 1 FROM rollup_scope WHERE current_setting('baocao.rollup_mode') <> 'incremental';

ANALYZE rollup_scope;
ANALYZE rollup_needed;

-- rollup_mart_figures: those figures, as the mart holds them (what step 08 compares), read before
-- step 04 clears the scope's rows. Only incremental reads the mart, through EXECUTE: a statement
-- naming it would wait, in a session of a parallel full rebuild, for the lock of the refresh's TRUNCATE.
CREATE TEMP TABLE rollup_mart_figures (unit_id int, indicator_id int, period_key int, value numeric,
                                       reporting_units int) ON COMMIT DROP;
DO $$
BEGIN
    IF current_setting('baocao.rollup_mode') = 'incremental' THEN
        EXECUTE $sql$
            INSERT INTO rollup_mart_figures (unit_id, indicator_id, period_key, value, reporting_units)
            SELECT l.unit_id, i.indicator_id, r.period_key, r.value, r.reporting_units
            FROM (SELECT unit_id, level, unit_code, year - 1 AS year FROM rollup_scope WHERE NOT compare_only
                  UNION
                  SELECT unit_id, level, unit_code, year FROM rollup_scope WHERE compare_only
                  EXCEPT
                  SELECT unit_id, level, unit_code, year FROM rollup_scope WHERE NOT compare_only) AS l
            CROSS JOIN rollup_indicator AS i
            JOIN mart.indicator_rollup AS r ON r.level = l.level AND r.unit_code = l.unit_code
                                           AND r.indicator_code = i.indicator_code
                                           AND r.period_key BETWEEN l.year * 100 AND l.year * 100 + 99
        $sql$;
    END IF;
END
$$;

-- Partial sums (revision 0024; incremental only). A province-level unit of the scope whose sums
-- before the windows (steps 06, 07) were stored by an earlier refresh, over the same districts and
-- communes and the same catalog (basis), and at most half of whose summed units changed, is
-- summed from them (rollup_delta_unit): the stored sums, minus its changed units' figures as the mart
-- holds them (rollup_old_figures, read here, before step 04 deletes them), plus their figures now
-- (step 05 computes those only, not the unit's 125 others). Any other unit is summed from all its
-- units, as in every other mode, and its sums stored for the next refresh (step 09). The basis of
-- each province-level unit-year of the scope:
CREATE TEMP TABLE rollup_partial_basis ON COMMIT DROP AS
WITH catalog AS (
    SELECT (SELECT string_agg(concat_ws(' ', i.indicator_code, i.kind, i.direction), ',' ORDER BY i.indicator_id)
            FROM rollup_indicator AS i)
           || ';' || coalesce((SELECT string_agg(concat_ws(' ', c.rate_id, c.component_id, c.in_numerator,
                                                           c.in_denominator, c.scale, c.components), ','
                                                 ORDER BY c.rate_id, c.component_id)
                               FROM rollup_rate_component AS c), '') AS indicators
)
SELECT n.unit_id, n.level, n.unit_code, n.year,
       md5(coalesce((SELECT string_agg(du.district_code, ',' ORDER BY du.district_code) FROM mart.district_unit AS du
                     WHERE du.level = n.level AND du.unit_code = n.unit_code), '') || ';' || catalog.indicators) AS basis
FROM rollup_needed AS n
CROSS JOIN catalog
WHERE n.level IN ('province', 'province_2025') AND current_setting('baocao.rollup_mode') = 'incremental';

CREATE TEMP TABLE rollup_delta_unit (unit_id int, year smallint) ON COMMIT DROP;
-- Their changed units: each district or commune of the scope, with each of its province-level units
-- that is summed from stored sums (what steps 06 and 07 add now and take away as the mart held it).
CREATE TEMP TABLE rollup_delta_member (district_id int, unit_id int, year smallint) ON COMMIT DROP;
-- The columns of the sums (also what steps 06 and 07 store, rollup_partial_rows): a rate's row has
-- its numerator and denominator; figure_units counts the units in the sum.
CREATE TEMP TABLE rollup_stored_partial (unit_id int, indicator_id int, period_key int, value numeric,
                                         value_units int, reporting_units int, ytd_delta numeric, ytd_first int,
                                         ytd_known int, annual_plan numeric, plan_units int, figure_units int,
                                         numerator numeric, denominator numeric) ON COMMIT DROP;
-- The changed units' figures under those units, as the mart holds them, in step 05's columns: a
-- flow month's year-to-date step and whether it is the first known (steps 05, 06) from its month rows.
CREATE TEMP TABLE rollup_old_figures (district_id int, indicator_id int, period_key int, value numeric,
                                      reporting_units int, ytd_delta numeric, ytd_first int, ytd_known int,
                                      annual_plan numeric) ON COMMIT DROP;
DO $$
BEGIN
    IF current_setting('baocao.rollup_mode') = 'incremental' THEN  -- EXECUTE: as step 03 reads the mart above
        -- Only while at most half of the units its sums were made of changed (figure_units: a 2025
        -- province's 2024 is its districts', not also its communes'): past that, reading the changed
        -- units' old figures from the mart and taking them away costs more than summing every unit (a
        -- national month's refresh at commune scale, every commune changed: 7,8 s more; at half, the
        -- same either way).
        EXECUTE $sql$
            WITH changed AS (  -- the scope's districts or communes under each province-level unit-year
                SELECT x.unit_id, n.year, count(*) AS units
                FROM rollup_needed AS n
                JOIN rollup_district AS d ON d.district_id = n.unit_id
                CROSS JOIN LATERAL (VALUES (d.province_id), (d.province_2025_id)) AS x(unit_id)
                GROUP BY x.unit_id, n.year
            )
            INSERT INTO rollup_delta_unit (unit_id, year)
            SELECT b.unit_id, b.year
            FROM rollup_partial_basis AS b
            JOIN ops.rollup_partial_unit AS p ON p.level = b.level AND p.unit_code = b.unit_code AND p.year = b.year
                                             AND p.basis = b.basis
            LEFT JOIN changed AS c ON c.unit_id = b.unit_id AND c.year = b.year
            WHERE 2 * coalesce(c.units, 0) <= (SELECT max(x.figure_units) FROM ops.rollup_partial AS x
                                               WHERE x.level = b.level AND x.unit_code = b.unit_code
                                                 AND x.year = b.year)
        $sql$;
        ANALYZE rollup_delta_unit;  -- before the joins below: unanalyzed, a few rows looked like 2.000
        INSERT INTO rollup_delta_member (district_id, unit_id, year)
        SELECT n.unit_id, x.unit_id, n.year
        FROM rollup_needed AS n
        JOIN rollup_district AS d ON d.district_id = n.unit_id
        JOIN rollup_delta_unit AS x ON x.year = n.year AND x.unit_id IN (d.province_id, d.province_2025_id);
        ANALYZE rollup_delta_member;  -- else the old figures hash the whole mart (1,4 s) for one unit's rows
        EXECUTE $sql$
            INSERT INTO rollup_stored_partial
            SELECT d.unit_id, i.indicator_id, p.period_key, p.value, p.value_units, p.reporting_units, p.ytd_delta,
                   p.ytd_first, p.ytd_known, p.annual_plan, p.plan_units, p.figure_units, p.numerator, p.denominator
            FROM rollup_delta_unit AS d
            JOIN rollup_unit AS u ON u.unit_id = d.unit_id
            JOIN ops.rollup_partial AS p ON p.level = u.level AND p.unit_code = u.unit_code AND p.year = d.year
            JOIN rollup_indicator AS i ON i.indicator_code = p.indicator_code
        $sql$;
        EXECUTE $sql$
            INSERT INTO rollup_old_figures
            WITH changed AS (
                SELECT DISTINCT m.district_id, u.level, u.unit_code, m.year
                FROM rollup_delta_member AS m
                JOIN rollup_unit AS u ON u.unit_id = m.district_id
            ),
            old AS (
                SELECT c.district_id, i.indicator_id, r.period_key, r.value, r.reporting_units, r.ytd_value,
                       r.annual_plan, i.kind = 'flow' AND r.period_key % 100 BETWEEN 1 AND 12 AS flow_month,
                       i.kind = 'flow' AND (r.period_key % 100 BETWEEN 1 AND 12 OR r.period_key % 100 = 92) AS has_ytd
                FROM changed AS c
                JOIN mart.indicator_rollup AS r ON r.level = c.level AND r.unit_code = c.unit_code
                                               AND r.period_key BETWEEN c.year * 100 AND c.year * 100 + 99
                JOIN rollup_indicator AS i ON i.indicator_code = r.indicator_code AND i.kind <> 'rate'
            ),
            previous AS (  -- a flow month's previous known year to date of its year (step 05's previous_ytd)
                SELECT o.*,
                       CASE WHEN o.flow_month THEN
                           (max(ARRAY[o.period_key, o.ytd_value]) FILTER (WHERE o.ytd_value IS NOT NULL)
                                OVER (PARTITION BY o.district_id, o.indicator_id, o.period_key / 100, o.flow_month
                                      ORDER BY o.period_key
                                      ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING))[2] END AS previous_ytd
                FROM old AS o
            )
            SELECT district_id, indicator_id, period_key, value, reporting_units,
                   CASE WHEN flow_month THEN ytd_value - coalesce(previous_ytd, 0) END,
                   CASE WHEN flow_month AND ytd_value IS NOT NULL AND previous_ytd IS NULL THEN 1 END,
                   (has_ytd AND ytd_value IS NOT NULL)::int, annual_plan
            FROM previous
        $sql$;
    END IF;
END
$$;
ANALYZE rollup_delta_unit;  -- (again: in modes other than incremental, analyzed empty)
ANALYZE rollup_delta_member;

-- The versions the figures are made of: the current ones (a view: the planner sees the table and its
-- indexes, as before there was an as-of mode), or, as of a moment, those then in force (the one
-- definition, core.submission_in_force) for the districts and years needed; likewise the annual plans.
DO $$
BEGIN
    IF current_setting('baocao.rollup_mode') <> 'as_of' THEN
        CREATE OR REPLACE TEMP VIEW rollup_submission AS
        SELECT submission_id, district_code, year, month, window_end FROM core.fct_submission WHERE is_current;
        CREATE OR REPLACE TEMP VIEW rollup_plan AS
        SELECT plan_id, district_code, year FROM core.fct_plan WHERE is_current;
        RETURN;
    END IF;
    CREATE TEMP TABLE rollup_submission ON COMMIT DROP AS
    WITH needed AS (
        SELECT DISTINCT du.district_code, n.year
        FROM rollup_needed AS n
        JOIN mart.district_unit AS du ON du.level = n.level AND du.unit_code = n.unit_code
    )
    SELECT s.submission_id, s.district_code, s.year, s.month, s.window_end
    FROM core.submission_in_force(current_setting('baocao.rollup_as_of')::timestamptz,
                                  ARRAY(SELECT DISTINCT district_code FROM needed)) AS f
    JOIN needed ON needed.district_code = f.district_code AND needed.year = f.year
    JOIN core.fct_submission AS s ON s.submission_id = f.submission_id;
    CREATE TEMP TABLE rollup_plan ON COMMIT DROP AS
    SELECT f.plan_id, f.district_code, f.year
    FROM core.plan_in_force(current_setting('baocao.rollup_as_of')::timestamptz) AS f
    WHERE f.year IN (SELECT year FROM rollup_scope);
    ANALYZE rollup_submission;
    ANALYZE rollup_plan;
END
$$;
