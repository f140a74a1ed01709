-- staging.stg_plan_row: each row of sheet ke_hoach of an annual plan file.
CREATE TABLE staging.stg_plan_row (
    file_id          bigint  NOT NULL REFERENCES raw.file (file_id),
    row_number       integer NOT NULL,
    ma_chi_tieu      text,
    don_vi_tinh      text,
    ke_hoach_nam_raw text,
    indicator_code   text,
    conversion_factor numeric,
    ke_hoach_nam     numeric,
    PRIMARY KEY (file_id, row_number)
);
COMMENT ON TABLE staging.stg_plan_row IS 'Dòng kế hoạch năm như đã đọc / annual plan rows as read';
COMMENT ON COLUMN staging.stg_plan_row.ke_hoach_nam IS 'Annual target in the catalog unit';
