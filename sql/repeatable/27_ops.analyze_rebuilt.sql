-- ops.analyze_rebuilt(): ANALYZE the mart tables a full rebuild has just rewritten, inside its
-- transaction (etl.marts.rollup calls it last), so analysts' queries plan on their new contents
-- from the moment the rebuild commits rather than after autovacuum's next round; and an
-- incremental refresh soon after finds nothing stale. SECURITY DEFINER: only a table's owner may
-- analyze it (PostgreSQL 16), and the ETL's login (baocao_loader) is not the owner.
CREATE FUNCTION ops.analyze_rebuilt() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    ANALYZE mart.indicator_rollup;
    ANALYZE mart.task_rollup;
    ANALYZE mart.submission_status_rollup;
END
$$;
COMMENT ON FUNCTION ops.analyze_rebuilt() IS
    'ANALYZE the mart tables a full rebuild rewrote, in its transaction (etl.marts.rollup)';
