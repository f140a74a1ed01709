-- ops.file_outcome: what became of each archived file. One row per raw.file once processed;
-- a file archived but not yet processed (a crash mid-way) has none and is retried.
CREATE TABLE ops.file_outcome (
    file_id        bigint PRIMARY KEY REFERENCES raw.file (file_id),
    file_kind      text   NOT NULL CHECK (file_kind IN ('submission', 'plan', 'unknown')),
    source_format  text,
    outcome        text   NOT NULL CHECK (outcome IN ('accepted', 'accepted_with_warnings', 'rejected')),
    district_code  text,
    period_code    text,
    error_count    integer NOT NULL,
    warning_count  integer NOT NULL,
    quarantined    boolean NOT NULL,
    processed_at   timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE ops.file_outcome IS 'Kết quả xử lý từng tệp / outcome of each file';
COMMENT ON COLUMN ops.file_outcome.quarantined IS 'True when rejected: kept in raw, nothing of it in the facts';
COMMENT ON COLUMN ops.file_outcome.period_code IS 'ky_bao_cao (YYYY-MM) or plan year, when readable';
