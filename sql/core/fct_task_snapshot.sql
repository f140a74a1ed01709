-- core.fct_task_snapshot: monthly snapshot of each task. Grain: submission x task.
-- derived_status is computed from the dates as at the end of the data window, not
-- taken from the district's word.
CREATE TABLE core.fct_task_snapshot (
    submission_id    bigint   NOT NULL REFERENCES core.fct_submission (submission_id),
    task_key         bigint   NOT NULL REFERENCES core.dim_task (task_key),
    district_code    char(3)  NOT NULL,
    period_key       integer  NOT NULL REFERENCES core.dim_period (period_key),
    ma_nhiem_vu      text     NOT NULL,
    trang_thai       text     NOT NULL CHECK (trang_thai IN ('Hoàn thành', 'Đang thực hiện', 'Chưa thực hiện')),
    ngay_hoan_thanh  date,
    tien_do          numeric CHECK (tien_do BETWEEN 0 AND 100),
    as_of_date       date     NOT NULL,
    derived_status   text     NOT NULL CHECK (derived_status IN ('done_on_time', 'done_late', 'in_progress', 'overdue')),
    source_row       integer  NOT NULL,
    note             text,
    PRIMARY KEY (submission_id, task_key)
);
CREATE INDEX fct_task_snapshot_lookup ON core.fct_task_snapshot (district_code, period_key);
COMMENT ON TABLE core.fct_task_snapshot IS 'Tình hình thực hiện nhiệm vụ theo tháng / monthly task snapshot';
COMMENT ON COLUMN core.fct_task_snapshot.trang_thai IS 'Status as reported';
COMMENT ON COLUMN core.fct_task_snapshot.as_of_date IS 'End of the data window the status is judged at';
COMMENT ON COLUMN core.fct_task_snapshot.derived_status IS 'done_on_time, done_late, in_progress (within deadline or standing) or overdue';
COMMENT ON COLUMN core.fct_task_snapshot.tien_do IS 'Progress 0-100 as reported';
