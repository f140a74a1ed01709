-- core.dim_district: legacy districts (huyện, quận, thị xã, thành phố thuộc tỉnh) with
-- their hierarchy flattened in (legacy province and 2025 province), type 2 history.
-- Facts keep the district_code and the key of the version current when they loaded.
CREATE TABLE core.dim_district (
    district_key        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    district_code       char(3) NOT NULL,
    district_name       text    NOT NULL,
    district_short      text    NOT NULL,
    district_type       text    NOT NULL,
    commune_count       integer NOT NULL CHECK (commune_count >= 0),
    province_code       char(2) NOT NULL,
    province_name       text    NOT NULL,
    province_2025_code  text    NOT NULL,
    province_2025_name  text    NOT NULL,
    row_hash            text    NOT NULL,
    valid_from          date    NOT NULL,
    valid_to            date,
    is_current          boolean NOT NULL
);
CREATE UNIQUE INDEX dim_district_current ON core.dim_district (district_code) WHERE is_current;
CREATE INDEX dim_district_province ON core.dim_district (province_code) WHERE is_current;
COMMENT ON TABLE core.dim_district IS 'Huyện (đơn vị cấp huyện trước 1/7/2025) / legacy districts, type 2';
COMMENT ON COLUMN core.dim_district.district_key IS 'Surrogate key of this version';
COMMENT ON COLUMN core.dim_district.district_code IS 'Mã huyện, 3 digits (Chư Pưh 639)';
COMMENT ON COLUMN core.dim_district.district_name IS 'Full name, e.g. Huyện Chư Pưh';
COMMENT ON COLUMN core.dim_district.district_short IS 'Name without the type word';
COMMENT ON COLUMN core.dim_district.district_type IS 'Huyện, Quận, Thị xã or Thành phố';
COMMENT ON COLUMN core.dim_district.commune_count IS 'Số xã, phường, thị trấn / communes in the district';
COMMENT ON COLUMN core.dim_district.province_code IS 'Legacy province code';
COMMENT ON COLUMN core.dim_district.province_2025_code IS 'Merged province (from 1/7/2025) that now contains the district';
COMMENT ON COLUMN core.dim_district.valid_from IS 'First day this version holds';
COMMENT ON COLUMN core.dim_district.valid_to IS 'Day this version stopped holding (null while current)';
