-- core.dim_province: the 63 legacy provinces (before 1 July 2025), type 2 history.
-- Codes are the identity; a changed name or 2025 parent closes the row and opens a new one.
CREATE TABLE core.dim_province (
    province_key        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    province_code       char(2) NOT NULL,
    province_name       text    NOT NULL,
    province_short      text    NOT NULL,
    province_type       text    NOT NULL,
    province_2025_code  text    NOT NULL,
    province_2025_name  text    NOT NULL,
    row_hash            text    NOT NULL,
    valid_from          date    NOT NULL,
    valid_to            date,
    is_current          boolean NOT NULL
);
CREATE UNIQUE INDEX dim_province_current ON core.dim_province (province_code) WHERE is_current;
COMMENT ON TABLE core.dim_province IS 'Tỉnh (63 tỉnh trước 1/7/2025) / legacy provinces, type 2';
COMMENT ON COLUMN core.dim_province.province_key IS 'Surrogate key of this version';
COMMENT ON COLUMN core.dim_province.province_code IS 'Mã tỉnh, 2 digits (Gia Lai 64)';
COMMENT ON COLUMN core.dim_province.province_type IS 'Tỉnh or Thành phố';
COMMENT ON COLUMN core.dim_province.province_2025_code IS 'Code of the merged province (from 1/7/2025) that now contains it';
COMMENT ON COLUMN core.dim_province.row_hash IS 'Hash of the attributes, to detect changes';
COMMENT ON COLUMN core.dim_province.valid_from IS 'First day this version holds';
COMMENT ON COLUMN core.dim_province.valid_to IS 'Day this version stopped holding (null while current)';
