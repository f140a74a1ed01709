-- core.submission_in_force(as_of, units): the version of each unit-month that stood at a moment,
-- the one definition of "in force" (core.fct_submission.is_current is the same thing at now()):
-- the latest accepted version to have arrived by as_of, by arrival time, then by id. Read by the
-- rollup (sql/rollup/03_scope.sql: as-of figures), lineage (mart.figure_sources) and the revision
-- log. units (codes; null: all) narrows it to some units, read through the (unit, month) index.
CREATE FUNCTION core.submission_in_force(as_of timestamptz, units text[] DEFAULT NULL)
RETURNS TABLE (submission_id bigint, district_code text, period_key integer, year smallint, month smallint,
               received_at timestamptz, version integer)
LANGUAGE sql STABLE AS $$
SELECT DISTINCT ON (s.district_code, s.period_key)
       s.submission_id, s.district_code, s.period_key, s.year, s.month, s.received_at, s.version
FROM core.fct_submission AS s
WHERE s.status <> 'rejected' AND s.received_at <= as_of AND (units IS NULL OR s.district_code = ANY (units))
ORDER BY s.district_code, s.period_key, s.received_at DESC, s.submission_id DESC
$$;
COMMENT ON FUNCTION core.submission_in_force(timestamptz, text[]) IS
    'Phiên bản báo cáo có hiệu lực tại một thời điểm / the submission version of each unit-month in force at a moment';
