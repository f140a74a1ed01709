-- mart.reporting_rate: DHIS2-style reporting rates from mart.submission_status, per
-- district, legacy province and 2025 province and month. Months still pending count as
-- expected: the rate rises as reports arrive.
CREATE OR REPLACE VIEW mart.reporting_rate AS
SELECT du.level, du.unit_code, s.year, s.month,
       count(*) AS expected,
       count(*) FILTER (WHERE s.status IN ('on_time', 'late')) AS received,
       count(*) FILTER (WHERE s.status = 'on_time') AS on_time,
       round(100.0 * count(*) FILTER (WHERE s.status IN ('on_time', 'late')) / count(*), 2) AS reporting_rate_pct,
       round(100.0 * count(*) FILTER (WHERE s.status = 'on_time') / count(*), 2) AS on_time_rate_pct
FROM mart.submission_status AS s
JOIN mart.district_unit AS du ON du.district_code = s.district_code
GROUP BY du.level, du.unit_code, s.year, s.month;
COMMENT ON VIEW mart.reporting_rate IS 'Tỷ lệ báo cáo / reporting rates per unit and month';
COMMENT ON COLUMN mart.reporting_rate.level IS 'district, province (trước 1/7/2025 / legacy) or province_2025';
COMMENT ON COLUMN mart.reporting_rate.unit_code IS 'Mã đơn vị / unit code at that level';
COMMENT ON COLUMN mart.reporting_rate.year IS 'Năm / year';
COMMENT ON COLUMN mart.reporting_rate.month IS 'Tháng / month';
COMMENT ON COLUMN mart.reporting_rate.expected IS 'Số huyện phải báo cáo / districts expected to report';
COMMENT ON COLUMN mart.reporting_rate.received IS 'Số huyện đã có báo cáo hợp lệ / districts with an accepted report';
COMMENT ON COLUMN mart.reporting_rate.on_time IS 'Số huyện báo cáo đúng hạn / districts whose report was accepted by the deadline';
COMMENT ON COLUMN mart.reporting_rate.reporting_rate_pct IS 'Tỷ lệ báo cáo (%) / received / expected x 100';
COMMENT ON COLUMN mart.reporting_rate.on_time_rate_pct IS 'Tỷ lệ đúng hạn (%) / on time / expected x 100';
