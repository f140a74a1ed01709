-- Revision 0024 (issue 15): the partial sums of the province-level figures, kept between refreshes.
-- A province's figure is a sum over its districts or communes (rollup steps 06 and 07: the values,
-- the units reporting, the year-to-date steps, the plans, a rate's numerator and denominator). An
-- incremental refresh after one corrected commune summed the 126 communes of its 2025 province again
-- (about half of the refresh at commune scale); with the sums before the windows stored here it takes
-- the stored sums, minus the corrected communes' figures as the mart held them, plus their figures
-- now (rollup steps 03, 05-07, 09).
-- Unlogged: they are derived, and filled lazily: a province-year without a row in
-- ops.rollup_partial_unit is summed from all its units, as before, and its sums stored then. A crash
-- (which empties unlogged tables), a full rebuild or a year's rebuild (which empty them, step 04) cost
-- one slower refresh of each province-year, never a wrong figure.
CREATE UNLOGGED TABLE ops.rollup_partial_unit (
    level text COLLATE "C" NOT NULL,  -- province | province_2025
    unit_code text COLLATE "C" NOT NULL,
    year smallint NOT NULL,
    -- md5 of the unit's districts and communes and of the catalog's indicators the sums were made
    -- with: a refresh that finds them changed sums the unit from all its units again
    basis text NOT NULL,
    PRIMARY KEY (level, unit_code, year)
);
COMMENT ON TABLE ops.rollup_partial_unit IS
    'Tỉnh-năm có tổng thành phần đã lưu, và cơ sở của chúng / province-years whose partial sums are stored (ops.rollup_partial), and what they were summed over';

CREATE UNLOGGED TABLE ops.rollup_partial (
    level text COLLATE "C" NOT NULL,
    unit_code text COLLATE "C" NOT NULL,
    year smallint NOT NULL,
    indicator_code text COLLATE "C" NOT NULL,
    period_key integer NOT NULL,
    value numeric,                  -- sum of the units' values (null when none has one)
    value_units integer NOT NULL,   -- units with a value
    reporting_units integer NOT NULL,
    ytd_delta numeric,              -- a flow's month: sum of the units' year-to-date steps
    ytd_first integer,              -- a flow's month: units whose first known year to date it is
    ytd_known integer NOT NULL,     -- units with a year to date
    annual_plan numeric,
    plan_units integer NOT NULL,
    figure_units integer NOT NULL,  -- units with the figure (a rate: units with every component)
    numerator numeric,              -- a rate: its components' sums over those units
    denominator numeric,
    PRIMARY KEY (level, unit_code, year, indicator_code, period_key),
    FOREIGN KEY (level, unit_code, year) REFERENCES ops.rollup_partial_unit ON DELETE CASCADE
);
COMMENT ON TABLE ops.rollup_partial IS
    'Tổng thành phần của số liệu cấp tỉnh, trước khi tính lũy kế / partial sums of the province-level figures, before the year-to-date windows, for the incremental refresh';

-- The ETL's login runs the refresh.
GRANT SELECT, INSERT, DELETE, TRUNCATE ON ops.rollup_partial_unit, ops.rollup_partial TO baocao_loader;
