-- Revision 0014 (issue 11): since 1/7/2025 the communes (xã, phường, đặc khu; 5-digit codes) report
-- to the province themselves. The contract's "district" is the reporting unit of the period, so
-- the columns that held 3-digit district codes take either code (text, byte order: codes are
-- digits), and core.dim_district holds both levels: a commune has no legacy province and no
-- commune count. The views were dropped before this revision and are re-created after it.

ALTER TABLE core.dim_district ADD COLUMN level text NOT NULL DEFAULT 'district'
    CHECK (level IN ('district', 'commune'));
ALTER TABLE core.dim_district ALTER COLUMN district_code TYPE text COLLATE "C",
    ALTER COLUMN province_code DROP NOT NULL,
    ALTER COLUMN province_name DROP NOT NULL,
    ALTER COLUMN commune_count DROP NOT NULL;
ALTER TABLE core.dim_district ADD CONSTRAINT dim_district_code_of_level CHECK (
    level = 'district' AND district_code ~ '^[0-9]{3}$' AND province_code IS NOT NULL AND commune_count IS NOT NULL
    OR level = 'commune' AND district_code ~ '^[0-9]{5}$' AND province_code IS NULL);
COMMENT ON TABLE core.dim_district IS
    'Đơn vị báo cáo: huyện (đến 30/6/2025) và xã, phường, đặc khu (từ 1/7/2025) / reporting units, current attributes, type 2';
COMMENT ON COLUMN core.dim_district.level IS 'district (huyện) or commune (xã, phường, đặc khu: reports from 1/7/2025)';
COMMENT ON COLUMN core.dim_district.district_code IS 'Mã đơn vị: 3 digits for a district (Chư Pưh 639), 5 for a commune (Xã Chư Pưh 23942)';
COMMENT ON COLUMN core.dim_district.commune_count IS 'Số xã, phường, thị trấn / communes in the district (null for a commune)';
COMMENT ON COLUMN core.dim_district.province_code IS 'Legacy province (null for a commune: it belongs to a 2025 province only)';

ALTER TABLE core.dim_task ALTER COLUMN district_code TYPE text COLLATE "C";
ALTER TABLE core.fct_indicator_value ALTER COLUMN district_code TYPE text COLLATE "C";
ALTER TABLE core.fct_plan ALTER COLUMN district_code TYPE text COLLATE "C";
ALTER TABLE core.fct_plan_target ALTER COLUMN district_code TYPE text COLLATE "C";
ALTER TABLE core.fct_submission ALTER COLUMN district_code TYPE text COLLATE "C";
ALTER TABLE core.fct_task_snapshot ALTER COLUMN district_code TYPE text COLLATE "C";
ALTER TABLE ops.rollup_queue ALTER COLUMN district_code TYPE text COLLATE "C";
ALTER TABLE mart.submission_status ALTER COLUMN district_code TYPE text COLLATE "C",
    ALTER COLUMN province_code DROP NOT NULL;
ALTER TABLE mart.submission_status ADD COLUMN level text, ADD COLUMN province_2025_code text;
UPDATE mart.submission_status AS s SET level = d.level, province_2025_code = d.province_2025_code
FROM core.dim_district AS d WHERE d.district_code = s.district_code AND d.is_current;
COMMENT ON COLUMN mart.submission_status.level IS 'district or commune';
COMMENT ON COLUMN mart.submission_status.province_2025_code IS 'The 2025 province of the unit';

-- The marts' level gains commune (contract v2).
ALTER TABLE mart.indicator_rollup DROP CONSTRAINT indicator_rollup_level_check,
    ADD CONSTRAINT indicator_rollup_level_check CHECK (level IN ('district', 'province', 'province_2025', 'commune'));
ALTER TABLE mart.task_rollup DROP CONSTRAINT task_rollup_level_check,
    ADD CONSTRAINT task_rollup_level_check CHECK (level IN ('district', 'province', 'province_2025', 'commune'));

-- Since 2025-07 a 2025 province expects its communes: its figures and statuses from 2025 on are
-- rebuilt at the next refresh (a queued district-year rebuilds its 2025 province too).
INSERT INTO ops.rollup_queue (district_code, year)
SELECT d.district_code, y.year
FROM core.dim_district AS d
CROSS JOIN generate_series(2025, greatest(2025, extract(year FROM now())::int)) AS y(year)
WHERE d.is_current
ON CONFLICT DO NOTHING;
