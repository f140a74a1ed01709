-- core.dim_province_2025: the 34 provinces from 1 July 2025, type 2 history.
CREATE TABLE core.dim_province_2025 (
    province_2025_key   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    province_2025_code  text    NOT NULL,
    province_2025_name  text    NOT NULL,
    province_2025_short text    NOT NULL,
    row_hash            text    NOT NULL,
    valid_from          date    NOT NULL,
    valid_to            date,
    is_current          boolean NOT NULL
);
CREATE UNIQUE INDEX dim_province_2025_current ON core.dim_province_2025 (province_2025_code) WHERE is_current;
COMMENT ON TABLE core.dim_province_2025 IS 'Tỉnh sau sắp xếp (34 tỉnh từ 1/7/2025) / merged provinces, type 2';
