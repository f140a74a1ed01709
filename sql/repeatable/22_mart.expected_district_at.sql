-- mart.expected_district_at(as_of): core.expected_district_at for analysts (which reporting unit
-- must report, from which month to which, as known at a moment). SECURITY DEFINER with a fixed
-- search_path: it reads core as its owner while baocao_analyst still cannot. The refresh calls the
-- core function itself, which the planner can inline.
CREATE FUNCTION mart.expected_district_at(as_of timestamptz)
RETURNS TABLE (district_code text, province_code text, first_period_key integer, last_period_key integer,
               level text, province_2025_code text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
SELECT * FROM core.expected_district_at(as_of)
$$;
COMMENT ON FUNCTION mart.expected_district_at(timestamptz) IS
    'Đơn vị phải báo cáo, từ tháng nào đến tháng nào, tại một thời điểm / each reporting unit expected to report, its first and last expected month, as of a moment';
