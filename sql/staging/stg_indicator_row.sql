-- staging.stg_indicator_row: each row of sheet chi_tieu (or JSON chi_tieu[]) as read,
-- with the raw text and the value converted to the catalog unit. Kept for every file,
-- rejected ones included, so a province analyst can see what a district actually sent.
CREATE TABLE staging.stg_indicator_row (
    file_id          bigint  NOT NULL REFERENCES raw.file (file_id),
    row_number       integer NOT NULL,
    ma_chi_tieu      text,
    ten_chi_tieu     text,
    don_vi_tinh      text,
    thuc_hien_thang_raw text,
    luy_ke_nam_raw   text,
    ghi_chu          text,
    indicator_code   text,
    conversion_factor numeric,
    thuc_hien_thang  numeric,
    luy_ke_nam       numeric,
    PRIMARY KEY (file_id, row_number)
);
COMMENT ON TABLE staging.stg_indicator_row IS 'Dòng chỉ tiêu như đã đọc / indicator rows as read from a file';
COMMENT ON COLUMN staging.stg_indicator_row.row_number IS 'Spreadsheet row (1-based, header is row 1) or JSON array index + 1';
COMMENT ON COLUMN staging.stg_indicator_row.thuc_hien_thang_raw IS 'Value for the month as written';
COMMENT ON COLUMN staging.stg_indicator_row.luy_ke_nam_raw IS 'Year-to-date value as written';
COMMENT ON COLUMN staging.stg_indicator_row.indicator_code IS 'Catalog code matched from ma_chi_tieu (null if unknown)';
COMMENT ON COLUMN staging.stg_indicator_row.conversion_factor IS 'Submitted unit -> catalog unit multiplier';
COMMENT ON COLUMN staging.stg_indicator_row.thuc_hien_thang IS 'Month value in the catalog unit';
COMMENT ON COLUMN staging.stg_indicator_row.luy_ke_nam IS 'Year-to-date value in the catalog unit';
