-- core.dim_period: reporting periods (kỳ báo cáo) of three types, with the data window
-- of Decree 09/2019/NĐ-CP: a month runs from the 15th of the previous month to the 14th,
-- H1 from 15 Dec of the previous year to 14 Jun, the year to 14 Dec. Per-province cut-off
-- days override the window (core.reporting_calendar).
CREATE TABLE core.dim_period (
    period_key     integer PRIMARY KEY,
    period_code    text     NOT NULL UNIQUE,
    period_type    text     NOT NULL CHECK (period_type IN ('month', 'half', 'year')),
    year           smallint NOT NULL,
    half           smallint CHECK (half IN (1, 2)),
    month          smallint CHECK (month BETWEEN 1 AND 12),
    start_date     date     NOT NULL,
    end_date       date     NOT NULL,
    window_start   date     NOT NULL,
    window_end     date     NOT NULL
);
COMMENT ON TABLE core.dim_period IS 'Kỳ báo cáo: tháng, 6 tháng, năm / reporting periods';
COMMENT ON COLUMN core.dim_period.period_key IS 'YYYYMM for a month, YYYY*100+90+half for a half (202491), YYYY*100 for a year';
COMMENT ON COLUMN core.dim_period.period_code IS 'ky_bao_cao: 2024-05, 2024-H1, 2024';
COMMENT ON COLUMN core.dim_period.half IS '1 for months 1-6, 2 for months 7-12';
COMMENT ON COLUMN core.dim_period.start_date IS 'Calendar start';
COMMENT ON COLUMN core.dim_period.end_date IS 'Calendar end';
COMMENT ON COLUMN core.dim_period.window_start IS 'Data window start (Decree 09 default, cut-off day 14)';
COMMENT ON COLUMN core.dim_period.window_end IS 'Data window end, the default chốt số liệu';
