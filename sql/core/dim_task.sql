-- core.dim_task: tasks (nhiệm vụ) assigned to a district, type 2 on their attributes:
-- the same ma_nhiem_vu with a changed deadline is a new version of the same task.
CREATE TABLE core.dim_task (
    task_key         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    district_code    char(3) NOT NULL,
    ma_nhiem_vu      text    NOT NULL,
    ten_nhiem_vu     text    NOT NULL,
    co_quan_giao     text    NOT NULL,
    van_ban_giao     text,
    ngay_giao        date,
    han_hoan_thanh   date,
    row_hash         text    NOT NULL,
    first_submission_id bigint NOT NULL REFERENCES core.fct_submission (submission_id),
    valid_from       timestamptz NOT NULL,
    valid_to         timestamptz,
    is_current       boolean NOT NULL
);
CREATE UNIQUE INDEX dim_task_current ON core.dim_task (district_code, ma_nhiem_vu) WHERE is_current;
COMMENT ON TABLE core.dim_task IS 'Nhiệm vụ được giao / assigned tasks, type 2';
COMMENT ON COLUMN core.dim_task.ma_nhiem_vu IS 'Stable task id given by the district, e.g. 3466/QĐ-UBND#12';
COMMENT ON COLUMN core.dim_task.co_quan_giao IS 'Cơ quan giao: assigning body';
COMMENT ON COLUMN core.dim_task.van_ban_giao IS 'Văn bản giao: assigning document number';
COMMENT ON COLUMN core.dim_task.han_hoan_thanh IS 'Deadline; null for a standing task (thường xuyên)';
COMMENT ON COLUMN core.dim_task.first_submission_id IS 'Submission that introduced this version';
COMMENT ON COLUMN core.dim_task.valid_from IS 'received_at of that submission';
