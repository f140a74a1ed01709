-- core.fct_plan: one row per annual plan file (kế hoạch năm). A later plan for the same
-- district and year replaces the earlier one (is_current); history stays.
CREATE TABLE core.fct_plan (
    plan_id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    file_id        bigint      NOT NULL UNIQUE REFERENCES raw.file (file_id),
    district_key   bigint      NOT NULL REFERENCES core.dim_district (district_key),
    district_code  char(3)     NOT NULL,
    year           smallint    NOT NULL,
    van_ban        text,
    received_at    timestamptz NOT NULL,
    version        integer     NOT NULL,
    status         text        NOT NULL CHECK (status IN ('accepted', 'accepted_with_warnings', 'rejected')),
    is_current     boolean     NOT NULL DEFAULT false,
    error_count    integer     NOT NULL,
    warning_count  integer     NOT NULL,
    loaded_at      timestamptz NOT NULL DEFAULT now(),
    CHECK (NOT is_current OR status <> 'rejected')
);
CREATE UNIQUE INDEX fct_plan_current ON core.fct_plan (district_code, year) WHERE is_current;
COMMENT ON TABLE core.fct_plan IS 'Kế hoạch năm đã nhận / annual plan files';
COMMENT ON COLUMN core.fct_plan.van_ban IS 'Decision that set the targets, e.g. 2115/QĐ-UBND';
COMMENT ON COLUMN core.fct_plan.is_current IS 'The plan in force: latest accepted for the district and year';
