-- Step 03 of the rollup (etl.marts.rollup): the (unit, year) to rebuild, and with them the year
-- before each (read for the same period last year). What changed, by mode: every district-year
-- with data (full), one year of every current district (year), the district-years the loads
-- queued since the last refresh (incremental), none (nothing: the scope is empty, the later
-- steps do nothing but step 11). A changed district-year rebuilds its district, legacy
-- province and 2025 province, for that year and the next (whose same-period-last-year
-- figures read it).
-- Reads:      core.fct_submission, core.fct_plan, core.dim_district, ops.rollup_queue, mart.district_unit, rollup_unit
-- Creates:    temp tables rollup_scope (unit, year to write) and rollup_needed (and the year before) (analyzed)
-- Parameters: baocao.rollup_mode (full | year | incremental | nothing), baocao.rollup_year (year mode)
CREATE TEMP TABLE rollup_scope (unit_id int, level text COLLATE "C", unit_code text COLLATE "C", expected_units int,
                                year smallint) ON COMMIT DROP;

-- The rows this inserts are the refresh's unit-years (RollupResult.units). Only the branch of
-- the mode runs: the others' conditions are constant (one-time filters).
INSERT INTO rollup_scope (unit_id, level, unit_code, expected_units, year)
WITH changed AS (
    SELECT district_code, year FROM core.fct_submission WHERE current_setting('baocao.rollup_mode') = 'full'
    UNION
    SELECT district_code, year FROM core.fct_plan WHERE current_setting('baocao.rollup_mode') = 'full'
    UNION
    SELECT district_code, nullif(current_setting('baocao.rollup_year'), '')::int FROM core.dim_district
    WHERE is_current AND current_setting('baocao.rollup_mode') = 'year'
    UNION
    SELECT district_code, year FROM ops.rollup_queue WHERE current_setting('baocao.rollup_mode') = 'incremental'
)
SELECT DISTINCT u.unit_id, u.level, u.unit_code, u.expected_units, y.year
FROM changed
JOIN mart.district_unit AS du ON du.district_code = changed.district_code
JOIN rollup_unit AS u ON u.level = du.level AND u.unit_code = du.unit_code
CROSS JOIN LATERAL (VALUES (changed.year), (changed.year + 1)) AS y(year);

CREATE TEMP TABLE rollup_needed ON COMMIT DROP AS
SELECT unit_id, level, unit_code, year FROM rollup_scope
UNION
SELECT unit_id, level, unit_code, year - 1 FROM rollup_scope;

ANALYZE rollup_scope;
ANALYZE rollup_needed;
