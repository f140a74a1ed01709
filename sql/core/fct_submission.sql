-- core.fct_submission: one row per monthly submission file whose district and month
-- could be read, accepted or rejected. Grain: file. `version` numbers a district-month's
-- files in order of arrival; `is_current` marks the latest accepted one, which is the
-- district's figure for the month; older versions stay for history.
CREATE TABLE core.fct_submission (
    submission_id    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    file_id          bigint      NOT NULL UNIQUE REFERENCES raw.file (file_id),
    district_key     bigint      NOT NULL REFERENCES core.dim_district (district_key),
    district_code    char(3)     NOT NULL,
    period_key       integer     NOT NULL REFERENCES core.dim_period (period_key),
    year             smallint    NOT NULL,
    month            smallint    NOT NULL,
    source_format    text        NOT NULL CHECK (source_format IN ('xlsx', 'json')),
    received_at      timestamptz NOT NULL,
    sha256           char(64)    NOT NULL,
    version          integer     NOT NULL,
    status           text        NOT NULL CHECK (status IN ('accepted', 'accepted_with_warnings', 'rejected')),
    is_current       boolean     NOT NULL DEFAULT false,
    error_count      integer     NOT NULL,
    warning_count    integer     NOT NULL,
    window_start     date        NOT NULL,
    window_end       date        NOT NULL,
    ngay_lap         date,
    nguoi_lap        text,
    email_lien_he    text,
    loaded_at        timestamptz NOT NULL DEFAULT now(),
    CHECK (NOT is_current OR status <> 'rejected')
);
CREATE UNIQUE INDEX fct_submission_current ON core.fct_submission (district_code, period_key) WHERE is_current;
CREATE INDEX fct_submission_district_period ON core.fct_submission (district_code, period_key);
COMMENT ON TABLE core.fct_submission IS 'Báo cáo tháng đã nhận (mỗi tệp một dòng) / monthly submissions, one row per file';
COMMENT ON COLUMN core.fct_submission.submission_id IS 'Surrogate key';
COMMENT ON COLUMN core.fct_submission.file_id IS 'The archived file (raw.file)';
COMMENT ON COLUMN core.fct_submission.district_key IS 'District version current when loaded';
COMMENT ON COLUMN core.fct_submission.period_key IS 'The reporting month (ky_bao_cao)';
COMMENT ON COLUMN core.fct_submission.received_at IS 'When the file arrived';
COMMENT ON COLUMN core.fct_submission.version IS 'Lần gửi: 1 for the first file of this district-month, by arrival';
COMMENT ON COLUMN core.fct_submission.status IS 'accepted, accepted_with_warnings or rejected';
COMMENT ON COLUMN core.fct_submission.is_current IS 'True for the latest accepted version: the figure that counts';
COMMENT ON COLUMN core.fct_submission.error_count IS 'Errors found (any error rejects)';
COMMENT ON COLUMN core.fct_submission.warning_count IS 'Warnings recorded';
COMMENT ON COLUMN core.fct_submission.window_start IS 'Data window start for this district''s province';
COMMENT ON COLUMN core.fct_submission.window_end IS 'Data window end (chốt số liệu); task statuses are as of this day';
COMMENT ON COLUMN core.fct_submission.email_lien_he IS 'Contact for alerts about this submission';
