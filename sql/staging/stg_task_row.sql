-- staging.stg_task_row: each row of sheet nhiem_vu as read, dates parsed.
CREATE TABLE staging.stg_task_row (
    file_id          bigint  NOT NULL REFERENCES raw.file (file_id),
    row_number       integer NOT NULL,
    ma_nhiem_vu      text,
    ten_nhiem_vu     text,
    co_quan_giao     text,
    van_ban_giao     text,
    ngay_giao        date,
    han_hoan_thanh   date,
    trang_thai       text,
    ngay_hoan_thanh  date,
    tien_do          numeric,
    ghi_chu          text,
    PRIMARY KEY (file_id, row_number)
);
COMMENT ON TABLE staging.stg_task_row IS 'Dòng nhiệm vụ như đã đọc / task rows as read from a file';
COMMENT ON COLUMN staging.stg_task_row.trang_thai IS 'Status as the district wrote it, normalised to Hoàn thành / Đang thực hiện / Chưa thực hiện';
