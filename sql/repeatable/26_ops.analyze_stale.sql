-- ops.analyze_stale(): ANALYZE now the tables of core that changed past autovacuum's own
-- threshold (autovacuum_analyze_threshold + autovacuum_analyze_scale_factor x rows) since their
-- last analyze; the tables it analyzed. Only core, what the loads write: the mart tables are the
-- refresh's own output, which it reads back only by key (deleting a scope) or whole (the provinces'
-- first months), and whose recent statuses it rewrites every time (about 13.000 of 144.000 rows on
-- ten national years: past the threshold at each refresh, 0,2 s of an incremental one); a full
-- rebuild analyzes them itself (ops.analyze_rebuilt). The rollup calls it before it starts (etl.marts.rollup):
-- it runs seconds after a load, before autovacuum's next round, and planned on the statistics of
-- an emptier warehouse it took a national month's 6.642 submissions for one and ran for minutes
-- (steps 10 and 12, 13 minutes for the communes' August). SECURITY DEFINER: only a table's owner
-- may analyze it (PostgreSQL 16), and the ETL's login (baocao_loader) is not the owner.
CREATE FUNCTION ops.analyze_stale() RETURNS text[]
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    stale record;
    analyzed text[] := '{}';
BEGIN
    FOR stale IN
        SELECT s.schemaname, s.relname
        FROM pg_stat_user_tables AS s
        JOIN pg_class AS c ON c.oid = s.relid
        WHERE s.schemaname = 'core'
          AND s.n_mod_since_analyze > current_setting('autovacuum_analyze_threshold')::bigint
              + current_setting('autovacuum_analyze_scale_factor')::float8 * greatest(c.reltuples, 0)
        ORDER BY s.schemaname, s.relname
    LOOP
        EXECUTE format('ANALYZE %I.%I', stale.schemaname, stale.relname);
        analyzed := analyzed || format('%I.%I', stale.schemaname, stale.relname);
    END LOOP;
    RETURN analyzed;
END
$$;
COMMENT ON FUNCTION ops.analyze_stale() IS
    'ANALYZE the core tables changed past autovacuum''s threshold since their last analyze (before a rollup)';
