-- Reporting units in time (issue 11). One row per version of a unit in BUSINESS time: the span in
-- which it had this name, type and commune count (valid_from null: before the first recorded
-- change; valid_to null: still in force). Loaded from vietnamadminunits and
-- reference/unit_changes.csv by etl.warehouse.reference (the same data gives the same rows).
-- core.dim_district keeps the facts' keys; this table answers "did it exist, and what was it, then".
CREATE TABLE core.dim_reporting_unit (
    unit_key bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    level text NOT NULL CHECK (level IN ('district', 'commune')),
    unit_code text COLLATE "C" NOT NULL,
    unit_name text NOT NULL,
    unit_type text NOT NULL,
    province_code character(2),
    province_2025_code text NOT NULL,
    commune_count integer CHECK (commune_count >= 0),
    valid_from date,
    valid_to date,
    change text CHECK (change IN ('established', 'renamed', 'type_changed', 'commune_count')),
    legal_act text,
    date_confirmed boolean NOT NULL DEFAULT true,
    ended_by text CHECK (ended_by IN ('merged_into', 'abolished')),
    ended_by_act text,
    successor_code text COLLATE "C",
    CONSTRAINT dim_reporting_unit_code_of_level CHECK (
        level = 'district' AND unit_code ~ '^[0-9]{3}$' AND province_code IS NOT NULL
        OR level = 'commune' AND unit_code ~ '^[0-9]{5}$'),
    CONSTRAINT dim_reporting_unit_span CHECK (valid_from IS NULL OR valid_to IS NULL OR valid_from <= valid_to),
    CONSTRAINT dim_reporting_unit_version UNIQUE NULLS NOT DISTINCT (level, unit_code, valid_from)
);
ALTER TABLE core.dim_reporting_unit ADD CONSTRAINT dim_reporting_unit_ending CHECK (
    ended_by IS NULL OR valid_to IS NOT NULL);
CREATE INDEX dim_reporting_unit_province_2025 ON core.dim_reporting_unit (province_2025_code, level);

COMMENT ON TABLE core.dim_reporting_unit IS
    'Đơn vị báo cáo theo thời gian / reporting units (legacy districts, 2025 communes), one row per version in business time';
COMMENT ON COLUMN core.dim_reporting_unit.unit_key IS 'Surrogate key of this version';
COMMENT ON COLUMN core.dim_reporting_unit.level IS 'district (huyện, until 30/6/2025) or commune (xã, phường, đặc khu, from 1/7/2025)';
COMMENT ON COLUMN core.dim_reporting_unit.unit_code IS 'Official code: 3 digits for a district, 5 for a commune; an identity, the name is a label';
COMMENT ON COLUMN core.dim_reporting_unit.unit_name IS 'Full name in this version, e.g. Huyện Việt Yên, then Thị xã Việt Yên';
COMMENT ON COLUMN core.dim_reporting_unit.unit_type IS 'Huyện, Quận, Thị xã, Thành phố; Xã, Phường, Đặc khu';
COMMENT ON COLUMN core.dim_reporting_unit.province_code IS 'Legacy province (districts only)';
COMMENT ON COLUMN core.dim_reporting_unit.province_2025_code IS 'Province since 1/7/2025 that holds the unit or its area';
COMMENT ON COLUMN core.dim_reporting_unit.commune_count IS 'Số xã, phường, thị trấn in this version (districts only)';
COMMENT ON COLUMN core.dim_reporting_unit.valid_from IS 'First day of this version (null: before the first recorded change)';
COMMENT ON COLUMN core.dim_reporting_unit.valid_to IS 'Last day of this version (null: in force); the last version''s is the unit''s last day';
COMMENT ON COLUMN core.dim_reporting_unit.change IS 'The change that started this version (reference/unit_changes.csv); established: the unit''s first day';
COMMENT ON COLUMN core.dim_reporting_unit.legal_act IS 'The act that made the change, e.g. 1191/NQ-UBTVQH15';
COMMENT ON COLUMN core.dim_reporting_unit.date_confirmed IS 'false when valid_from could not be confirmed in a source (see the note in reference/unit_changes.csv)';
COMMENT ON COLUMN core.dim_reporting_unit.ended_by IS 'On a unit''s last version: how it ended (merged_into another unit, or abolished with its level)';
COMMENT ON COLUMN core.dim_reporting_unit.ended_by_act IS 'The act that ended the unit, e.g. 72/2025/QH15 for every district';
COMMENT ON COLUMN core.dim_reporting_unit.successor_code IS 'merged_into: the unit (same level) it became part of';
