-- The end of a parallel full rebuild (etl.marts.rollup), in the refresh's transaction, as the mart's
-- owner: drop the partitions of mart.indicator_rollup (the old rows; step 04 emptied them), attach each
-- session's table (ops.rollup_partition_build) for its years, renamed ops.indicator_rollup_yFIRST_LAST,
-- and a new, empty default partition for every other period (a year a later refresh adds). Their checks
-- of range and their keys make attaching them a change of the catalog, not a pass over the rows. Tables
-- a failed rebuild left (not attached) are dropped.
CREATE FUNCTION ops.rollup_partitions_swap(first_years int[], last_years int[]) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    old record;
    share int;
    build text;
    attached text;
BEGIN
    FOR old IN SELECT i.inhrelid::regclass AS partition FROM pg_inherits AS i
               WHERE i.inhparent = 'mart.indicator_rollup'::regclass LOOP
        EXECUTE format('DROP TABLE %s', old.partition);
    END LOOP;
    FOR share IN 1 .. coalesce(array_length(first_years, 1), 0) LOOP
        build := format('indicator_rollup_build_%s_%s', first_years[share], last_years[share]);
        attached := format('indicator_rollup_y%s_%s', first_years[share], last_years[share]);
        EXECUTE format('ALTER TABLE ops.%I RENAME TO %I', build, attached);
        EXECUTE format('ALTER INDEX ops.%I RENAME TO %I', build || '_pkey', attached || '_pkey');
        EXECUTE format('ALTER TABLE mart.indicator_rollup ATTACH PARTITION ops.%I FOR VALUES FROM (%s) TO (%s)',
                       attached, first_years[share] * 100, (last_years[share] + 1) * 100);
        EXECUTE format('COMMENT ON TABLE ops.%I IS %L', attached,
                       format('Phân vùng của mart.indicator_rollup: năm %s-%s / partition of mart.indicator_rollup: %s-%s',
                              first_years[share], last_years[share], first_years[share], last_years[share]));
        EXECUTE format('REVOKE ALL ON ops.%I FROM baocao_loader', attached);  -- (the session's, to write it)
    END LOOP;
    CREATE TABLE ops.indicator_rollup_default PARTITION OF mart.indicator_rollup DEFAULT;
    COMMENT ON TABLE ops.indicator_rollup_default IS
        'Phân vùng mặc định của mart.indicator_rollup: các kỳ không thuộc phân vùng nào khác / the default partition of mart.indicator_rollup: periods no other partition takes';
    FOR old IN SELECT c.oid::regclass AS build FROM pg_class AS c
               WHERE c.relnamespace = 'ops'::regnamespace AND c.relkind = 'r' AND NOT c.relispartition
                 AND c.relname LIKE 'indicator\_rollup\_build\_%' LOOP
        EXECUTE format('DROP TABLE %s', old.build);
    END LOOP;
END
$$;
COMMENT ON FUNCTION ops.rollup_partitions_swap(int[], int[]) IS
    'Attach the tables of a parallel full rebuild''s sessions as the partitions of mart.indicator_rollup, in place of the old ones (etl.marts.rollup)';
REVOKE ALL ON FUNCTION ops.rollup_partitions_swap(int[], int[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ops.rollup_partitions_swap(int[], int[]) TO baocao_loader;
