-- core.rollup_as_of(as_of, level, unit_code, year, view): the figures of the units and years asked
-- for (null: all) as they stood at a moment, made by the rollup's own steps (ops.rollup_step, stored
-- by `baocao db upgrade` from sql/rollup/; those whose header says "Runs as of: yes") in mode as_of:
-- from the versions and plans in force then (core.submission_in_force, core.plan_in_force) and who
-- was expected then, into temp tables only; the rows land in pg_temp.rollup_as_of (shaped as
-- mart.indicator_rollup). Returns the query that reads them through `view` (mart.indicator_monthly,
-- _semiannual or _annual: the view's own definition over those rows, filtered by $1 level, $2 unit
-- and $3 year), for the mart.indicator_*_at functions to run. Temp tables of a call earlier in the
-- same transaction are dropped first.
CREATE FUNCTION core.rollup_as_of(as_of timestamptz, level text, unit_code text, year integer, view regclass)
RETURNS text
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    leftover record;
    step record;
BEGIN
    IF as_of IS NULL THEN
        RAISE EXCEPTION 'as_of is required (a moment with its time zone, e.g. 2024-06-19 17:00+07)';
    END IF;
    FOR leftover IN
        SELECT c.relname, c.relkind FROM pg_class AS c
        WHERE c.relnamespace = pg_my_temp_schema() AND c.relname LIKE 'rollup\_%' AND c.relkind IN ('r', 'v')
        ORDER BY c.relkind = 'v' DESC  -- views before the tables they read
    LOOP
        EXECUTE format('DROP %s IF EXISTS pg_temp.%I CASCADE',
                       CASE leftover.relkind WHEN 'v' THEN 'VIEW' ELSE 'TABLE' END, leftover.relname);
    END LOOP;
    PERFORM set_config('baocao.rollup_mode', 'as_of', true), set_config('baocao.rollup_as_of', as_of::text, true),
            set_config('baocao.rollup_level', coalesce(level, ''), true),
            set_config('baocao.rollup_unit', coalesce(unit_code, ''), true),
            set_config('baocao.rollup_year', coalesce(year::text, ''), true);
    FOR step IN SELECT s.statements FROM ops.rollup_step AS s WHERE s.runs_as_of ORDER BY s.position LOOP
        EXECUTE step.statements;
    END LOOP;
    CREATE TEMP TABLE rollup_as_of (LIKE mart.indicator_rollup INCLUDING DEFAULTS) ON COMMIT DROP;
    INSERT INTO rollup_as_of (
        level, unit_code, period_key, period_type, year, half, month, indicator_code, value, ytd_value,
        annual_plan, pct_of_annual_plan, plan_attained, same_period_last_year, yoy_change_pct,
        yoy_change_points, reporting_units, expected_units, last_year_reporting_units, plan_units,
        carried_forward_units)
    SELECT r.level, r.unit_code, r.period_key, r.period_type, r.year, r.half, r.month, r.indicator_code, r.value,
           r.ytd_value, r.annual_plan, r.pct_of_annual_plan, r.plan_attained, r.same_period_last_year,
           r.yoy_change_pct, r.yoy_change_points, r.reporting_units, r.expected_units, r.last_year_reporting_units,
           r.plan_units, r.carried_forward_units
    FROM rollup_indicator_rows AS r;
    -- The view's own definition (names printed schema-qualified under this search_path), over these rows.
    RETURN format('SELECT v.* FROM (%s) AS v WHERE ($1 IS NULL OR v.level = $1) AND ($2 IS NULL OR v.unit_code = $2) '
                  'AND ($3 IS NULL OR v.year = $3)',
                  replace(rtrim(pg_get_viewdef(view), E'; \n'), 'mart.indicator_rollup', 'pg_temp.rollup_as_of'));
END
$$;
COMMENT ON FUNCTION core.rollup_as_of(timestamptz, text, text, integer, regclass) IS
    'Tổng hợp số liệu tại một thời điểm (bảng tạm) / the rollup as of a moment, into temp tables, for mart.indicator_*_at';
