-- mart.submission_status: mart.submission_status_at(now()) materialized by `baocao rollup`.
CREATE TABLE mart.submission_status (
    district_code      text        NOT NULL,
    district_name      text        NOT NULL,
    province_code      text        NOT NULL,
    year               smallint    NOT NULL,
    month              smallint    NOT NULL,
    status             text        NOT NULL CHECK (status IN ('on_time', 'late', 'missing', 'rejected', 'pending')),
    deadline           timestamptz NOT NULL,
    first_received_at  timestamptz,
    accepted_at        timestamptz,
    days_late          integer     NOT NULL,
    versions_received  integer     NOT NULL,
    errors             integer     NOT NULL,
    warnings           integer     NOT NULL,
    as_of              timestamptz NOT NULL,
    PRIMARY KEY (district_code, year, month)
);
COMMENT ON TABLE mart.submission_status IS 'Tình trạng nộp báo cáo tháng của từng huyện / monthly submission status per district';
COMMENT ON COLUMN mart.submission_status.district_code IS 'Mã huyện / district code';
COMMENT ON COLUMN mart.submission_status.district_name IS 'Tên huyện / district name';
COMMENT ON COLUMN mart.submission_status.province_code IS 'Mã tỉnh (trước 1/7/2025) / legacy province code';
COMMENT ON COLUMN mart.submission_status.year IS 'Năm / year';
COMMENT ON COLUMN mart.submission_status.month IS 'Tháng báo cáo / reporting month';
COMMENT ON COLUMN mart.submission_status.status IS 'Tình trạng: on_time (đúng hạn), late (muộn), missing (chưa nộp, quá hạn), rejected (bị trả lại), pending (chưa đến hạn) / status';
COMMENT ON COLUMN mart.submission_status.deadline IS 'Hạn nộp / submission deadline of the district''s province';
COMMENT ON COLUMN mart.submission_status.first_received_at IS 'Lần nhận đầu tiên / first file received';
COMMENT ON COLUMN mart.submission_status.accepted_at IS 'Thời điểm nhận bản hợp lệ đầu tiên / arrival of the first accepted version';
COMMENT ON COLUMN mart.submission_status.days_late IS 'Số ngày muộn (0 nếu đúng hạn) / days after the deadline, 0 when on time';
COMMENT ON COLUMN mart.submission_status.versions_received IS 'Số lần gửi / files received for the month';
COMMENT ON COLUMN mart.submission_status.errors IS 'Số lỗi của bản gửi gần nhất / errors in the latest version';
COMMENT ON COLUMN mart.submission_status.warnings IS 'Số cảnh báo của bản gửi gần nhất / warnings in the latest version';
COMMENT ON COLUMN mart.submission_status.as_of IS 'Thời điểm tính / moment the status was computed at';
