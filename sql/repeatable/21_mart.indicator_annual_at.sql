-- mart.indicator_annual_at(as_of, level, unit_code, year): mart.indicator_annual as it stood at a
-- moment: the same columns, computed by the rollup's steps from the versions that had arrived by
-- as_of and the plans in force then, with the units expected then (core.rollup_as_of). level,
-- unit_code and year (null: all) say what to compute: a province's year is about a second, every
-- unit of every year a full rebuild. For analysts (baocao_analyst): SECURITY DEFINER with a fixed
-- search_path, so it reads core as its owner while the analyst still cannot.
CREATE FUNCTION mart.indicator_annual_at(as_of timestamptz, level text DEFAULT NULL, unit_code text DEFAULT NULL,
                                     year integer DEFAULT NULL)
RETURNS SETOF mart.indicator_annual
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    RETURN QUERY EXECUTE core.rollup_as_of(as_of, level, unit_code, year, 'mart.indicator_annual'::regclass)
        USING level, unit_code, year;
END
$$;
COMMENT ON FUNCTION mart.indicator_annual_at(timestamptz, text, text, integer) IS
    'Số liệu chỉ tiêu tại một thời điểm / mart.indicator_annual as it stood at a moment';
