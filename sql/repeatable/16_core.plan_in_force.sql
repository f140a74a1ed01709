-- core.plan_in_force(as_of, units): each unit's annual plan in force at a moment, the one definition
-- (core.fct_plan.is_current is the same thing at now()): the latest accepted plan of the unit-year
-- to have arrived by as_of. Read by the rollup (as-of figures) and lineage (mart.figure_sources).
CREATE FUNCTION core.plan_in_force(as_of timestamptz, units text[] DEFAULT NULL)
RETURNS TABLE (plan_id bigint, district_code text, year smallint, van_ban text, received_at timestamptz,
               version integer)
LANGUAGE sql STABLE AS $$
SELECT DISTINCT ON (p.district_code, p.year) p.plan_id, p.district_code, p.year, p.van_ban, p.received_at, p.version
FROM core.fct_plan AS p
WHERE p.status <> 'rejected' AND p.received_at <= as_of AND (units IS NULL OR p.district_code = ANY (units))
ORDER BY p.district_code, p.year, p.received_at DESC, p.plan_id DESC
$$;
COMMENT ON FUNCTION core.plan_in_force(timestamptz, text[]) IS
    'Kế hoạch năm có hiệu lực tại một thời điểm / the annual plan of each unit-year in force at a moment';
