-- core.dim_unit: units of measure and how they convert (tỷ đồng = 1000 triệu đồng).
CREATE TABLE core.dim_unit (
    unit        text    PRIMARY KEY,
    dimension   text    NOT NULL,
    factor      numeric NOT NULL CHECK (factor > 0),
    is_integer  boolean NOT NULL
);
COMMENT ON TABLE core.dim_unit IS 'Đơn vị tính và quy đổi / units and conversion factors';
COMMENT ON COLUMN core.dim_unit.dimension IS 'Units of the same dimension convert into each other';
COMMENT ON COLUMN core.dim_unit.factor IS 'Multiplier to the dimension''s base unit';
