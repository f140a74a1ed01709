-- ops.validation_message: every error and warning found in a file, with its place.
CREATE TABLE ops.validation_message (
    message_id    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    file_id       bigint  NOT NULL REFERENCES raw.file (file_id),
    code          text    NOT NULL,
    severity      text    NOT NULL CHECK (severity IN ('error', 'warning')),
    sheet         text,
    row_number    integer,
    column_name   text,
    found         text,
    expected      text,
    message_vi    text    NOT NULL,
    message_en    text    NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX validation_message_file ON ops.validation_message (file_id);
COMMENT ON TABLE ops.validation_message IS 'Lỗi và cảnh báo của từng tệp / errors and warnings per file';
COMMENT ON COLUMN ops.validation_message.code IS 'Stable machine code, e.g. VALUE_MALFORMED';
COMMENT ON COLUMN ops.validation_message.sheet IS 'Sheet (thong_tin, chi_tieu, nhiem_vu, ke_hoach) or JSON section';
COMMENT ON COLUMN ops.validation_message.row_number IS 'Row in the sheet (header = 1) or JSON item number';
COMMENT ON COLUMN ops.validation_message.message_vi IS 'Message for district staff, in Vietnamese';
