-- The key of a session's table (ops.rollup_partition_build), built once its rows are in, as the
-- mart's owner: the mart's key (indicator_rollup_pkey) on the same columns, so that attaching the table
-- (ops.rollup_partitions_swap) takes this index as its partition of the mart's key, not building another.
CREATE FUNCTION ops.rollup_partition_key(first_year int, last_year int) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    build text := format('indicator_rollup_build_%s_%s', first_year, last_year);
BEGIN
    EXECUTE format('ALTER TABLE ops.%I ADD CONSTRAINT %I %s', build, build || '_pkey',
                   (SELECT pg_get_constraintdef(c.oid) FROM pg_constraint AS c
                    WHERE c.conrelid = 'mart.indicator_rollup'::regclass AND c.contype = 'p'));
END
$$;
COMMENT ON FUNCTION ops.rollup_partition_key(int, int) IS
    'Build the key of a session''s table of a parallel full rebuild once its rows are in (etl.marts.rollup)';
REVOKE ALL ON FUNCTION ops.rollup_partition_key(int, int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ops.rollup_partition_key(int, int) TO baocao_loader;
