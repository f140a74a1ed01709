-- core.reporting_assignment: which provinces' districts must send a report type, from which
-- period (DHIS2: data set assignment). Loaded from the `assignments` of
-- reference/reporting_calendar.yaml. An assigned district is expected (and reminded, and
-- counted missing) from that period on, even before it ever sends anything; a province not
-- listed is expected once any of its districts has sent something.
CREATE TABLE core.reporting_assignment (
    province_code    text    NOT NULL,
    report_type      text    NOT NULL CHECK (report_type IN ('month')),
    from_period_key  integer NOT NULL REFERENCES core.dim_period (period_key),
    PRIMARY KEY (province_code, report_type)
);
COMMENT ON TABLE core.reporting_assignment IS 'Tỉnh phải báo cáo từ kỳ nào / provinces whose districts must report, and from when';
COMMENT ON COLUMN core.reporting_assignment.province_code IS 'Legacy province code; all its current districts are expected';
COMMENT ON COLUMN core.reporting_assignment.from_period_key IS 'First month expected (core.dim_period, YYYYMM)';
