-- core.reporting_calendar: per-province cut-off day and submission deadline, per report
-- type; province_code '*' is the default. Loaded from reference/reporting_calendar.yaml.
CREATE TABLE core.reporting_calendar (
    province_code  text     NOT NULL,
    report_type    text     NOT NULL CHECK (report_type IN ('month', 'half', 'year')),
    cutoff_day     smallint NOT NULL CHECK (cutoff_day BETWEEN 1 AND 28),
    deadline_day   smallint NOT NULL CHECK (deadline_day BETWEEN 1 AND 28),
    deadline_time  time     NOT NULL,
    timezone       text     NOT NULL,
    PRIMARY KEY (province_code, report_type),
    CHECK (deadline_day > cutoff_day)
);
COMMENT ON TABLE core.reporting_calendar IS 'Ngày chốt số liệu và hạn gửi theo tỉnh / cut-off and deadline per province';
COMMENT ON COLUMN core.reporting_calendar.province_code IS 'Legacy province code, or * for the default';
COMMENT ON COLUMN core.reporting_calendar.cutoff_day IS 'Ngày chốt số liệu: last day of the data window in the period''s last month';
COMMENT ON COLUMN core.reporting_calendar.deadline_day IS 'Hạn gửi: day of the period''s last month by which the report is due';
COMMENT ON COLUMN core.reporting_calendar.deadline_time IS 'Local time on the deadline day';
