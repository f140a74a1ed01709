-- A session of a parallel full rebuild (etl.marts.rollup) writes its share of the years of
-- mart.indicator_rollup into a table of its own, ops.indicator_rollup_build_FIRST_LAST, which
-- ops.rollup_partitions_swap attaches later as the mart's partition for those years. This makes it,
-- empty, as the mart's owner (the ETL's login runs the refresh and may not create tables), like the
-- mart (its columns, defaults and checks) with a check of its range: attaching it then needs no pass over
-- its rows. Called before the refresh's transaction locks the mart (step 04): LIKE reads the mart's
-- definition, which waits for that lock. A table of that name left by a rebuild that failed is dropped
-- first. Returns the table's name.
CREATE FUNCTION ops.rollup_partition_build(first_year int, last_year int) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    build text := format('indicator_rollup_build_%s_%s', first_year, last_year);
BEGIN
    IF first_year NOT BETWEEN 1000 AND 9999 OR last_year NOT BETWEEN first_year AND 9999 THEN
        RAISE EXCEPTION 'ops.rollup_partition_build: years % to % are not a range of years', first_year, last_year;
    END IF;
    EXECUTE format('DROP TABLE IF EXISTS ops.%I', build);
    EXECUTE format('CREATE TABLE ops.%I (LIKE mart.indicator_rollup INCLUDING DEFAULTS INCLUDING CONSTRAINTS, '
                   'CONSTRAINT %I CHECK (period_key >= %s AND period_key < %s))',
                   -- the check named as the partition it becomes (ops.rollup_partitions_swap renames the table)
                   build, format('indicator_rollup_y%s_%s_range', first_year, last_year), first_year * 100,
                   (last_year + 1) * 100);
    EXECUTE format('GRANT SELECT, INSERT ON ops.%I TO baocao_loader', build);  -- the ETL's login writes it
    EXECUTE format('COMMENT ON TABLE ops.%I IS %L', build,
                   format('Dòng mart.indicator_rollup năm %s-%s của một lần tổng hợp lại toàn bộ, chờ gắn vào mart / '
                          'rows of mart.indicator_rollup for %s-%s from a full rebuild, to be attached as its partition',
                          first_year, last_year, first_year, last_year));
    RETURN format('ops.%I', build);
END
$$;
COMMENT ON FUNCTION ops.rollup_partition_build(int, int) IS
    'Make the empty table a session of a parallel full rebuild writes its years of mart.indicator_rollup into (etl.marts.rollup)';
REVOKE ALL ON FUNCTION ops.rollup_partition_build(int, int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ops.rollup_partition_build(int, int) TO baocao_loader;
