-- mart.submission_status_at(as_of, from_period, units): core.submission_status_at for analysts:
-- every expected unit-month and what became of it, from what had arrived by as_of (received_at:
-- README, "When a file arrived"). SECURITY DEFINER with a fixed search_path: it reads core as its
-- owner while baocao_analyst still cannot. The refresh calls the core function itself, which the
-- planner can inline.
CREATE FUNCTION mart.submission_status_at(as_of timestamptz, from_period integer DEFAULT 0, units text[] DEFAULT NULL)
RETURNS TABLE (
    district_code text, district_name text, province_code text, year smallint, month smallint,
    status text, deadline timestamptz, first_received_at timestamptz, accepted_at timestamptz,
    days_late integer, versions_received integer, errors integer, warnings integer, level text,
    province_2025_code text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
SELECT * FROM core.submission_status_at(as_of, from_period, units)
$$;
COMMENT ON FUNCTION mart.submission_status_at(timestamptz, integer, text[]) IS
    'Tình trạng nộp báo cáo tại một thời điểm / submission status of every expected district-month as of a moment';
