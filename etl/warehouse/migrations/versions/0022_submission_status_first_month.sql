-- Revision 0022 (issue 15): every refresh asks, for each legacy province, the first month its
-- districts' statuses were stored for (rollup step 03, rollup_moved: has its first expected month
-- moved?). A pass over mart.submission_status took ~25 ms of an incremental refresh's ~0,6 s on ten
-- national years; one probe of this index per province, ~1,5 ms. Partial: the communes' statuses,
-- which every refresh rewrites for the last months, do not maintain it.
CREATE INDEX submission_status_district_first_month ON mart.submission_status (province_code, year, month)
    WHERE level = 'district';

-- And every refresh deletes the statuses of the last months (rollup step 12) before it computes them
-- again: found by this index, not by reading every status (~40 ms of the same refresh, growing with
-- the years kept and with the dead rows of the refreshes before).
CREATE INDEX submission_status_month ON mart.submission_status (year, month);

-- A warehouse installed fresh at 0021 got ops.rollup_build owned by the login that ran the install
-- (the revisions after 0017 ran as the login, not as baocao_owner, until etl/warehouse/migrations/env.py
-- made every one of them the owner's): hand it to the owner, as the login, which owns it.
DO $$
DECLARE
    acting text := current_user;
BEGIN
    IF (SELECT relowner FROM pg_class WHERE oid = 'ops.rollup_build'::regclass) <> to_regrole('baocao_owner') THEN
        SET LOCAL ROLE NONE;
        ALTER TABLE ops.rollup_build OWNER TO baocao_owner;
        EXECUTE format('SET LOCAL ROLE %I', acting);
    END IF;
END
$$;
