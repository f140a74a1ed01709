-- The warehouse layers, one schema each (dbt-style raw -> staging -> core -> mart, plus ops).
CREATE SCHEMA IF NOT EXISTS raw;      -- every file exactly as it arrived; insert-only
CREATE SCHEMA IF NOT EXISTS staging;  -- rows as read from each file, before they become facts
CREATE SCHEMA IF NOT EXISTS core;     -- conformed dimensions and facts (Kimball star)
CREATE SCHEMA IF NOT EXISTS mart;     -- what analysts query (contract section 3)
CREATE SCHEMA IF NOT EXISTS ops;      -- outcomes, validation messages, runs and alerts
COMMENT ON SCHEMA raw IS 'Tệp gốc như khi nhận / every file exactly as it arrived';
COMMENT ON SCHEMA staging IS 'Dòng đọc từ tệp / rows as read from each file';
COMMENT ON SCHEMA core IS 'Bảng chiều và bảng sự kiện / conformed dimensions and facts';
COMMENT ON SCHEMA mart IS 'Bảng báo cáo cho chuyên viên phân tích / report tables for analysts';
COMMENT ON SCHEMA ops IS 'Nhật ký vận hành / processing outcomes, validation messages, run and alert logs';
