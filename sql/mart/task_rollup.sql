-- mart.task_rollup: task counts per unit, period and assigning body, status as at the end
-- of the period (the last month of the period the district reported). Read through the
-- views task_monthly, task_semiannual and task_annual.
CREATE TABLE mart.task_rollup (
    level            text COLLATE "C" NOT NULL CHECK (level IN ('district', 'province', 'province_2025')),
    unit_code        text COLLATE "C" NOT NULL,
    period_key       integer  NOT NULL,  -- core.dim_period (derived table: no per-row FK check)
    period_type      text     NOT NULL,
    year             smallint NOT NULL,
    half             smallint,
    month            smallint,
    assigning_body   text COLLATE "C" NOT NULL,
    tasks_total      integer  NOT NULL,
    done_on_time     integer  NOT NULL,
    done_late        integer  NOT NULL,
    in_progress      integer  NOT NULL,
    overdue          integer  NOT NULL,
    on_time_rate     numeric,
    refreshed_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (level, unit_code, period_key, assigning_body)
);
CREATE INDEX task_rollup_year ON mart.task_rollup (level, unit_code, year);
COMMENT ON TABLE mart.task_rollup IS 'Tình hình thực hiện nhiệm vụ tổng hợp / task rollup by unit, period and assigning body (materialized)';
