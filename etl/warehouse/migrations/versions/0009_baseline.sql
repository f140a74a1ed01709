-- Revision 0009, the baseline: the warehouse's tables, indexes, constraints, schemas and the
-- analysts' role as a fresh install of revisions 0001-0009 left them (squashed). Frozen: never
-- edit this file; change the schema in a new revision. Views, functions and their grants are
-- not here but in sql/repeatable/, and the comments on mart objects in reference/marts/:
-- `baocao db upgrade` re-creates both after the revisions (etl/warehouse/schema.py).

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

-- raw.file: one row per distinct file content that ever arrived, kept byte for byte.
-- Insert-only: it is written before the file is parsed, in its own transaction, so a
-- file that later crashes the reader is still here. A byte-identical re-delivery
-- matches on sha256 and adds nothing.
CREATE TABLE raw.file (
    file_id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sha256       char(64)    NOT NULL UNIQUE,
    file_name    text        NOT NULL,
    source_uri   text        NOT NULL,
    size_bytes   bigint      NOT NULL CHECK (size_bytes >= 0),
    content      bytea       NOT NULL,
    received_at  timestamptz NOT NULL,
    archived_at  timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE raw.file IS 'Tệp nhận được, lưu nguyên văn / every file as it arrived, before parsing';
COMMENT ON COLUMN raw.file.sha256 IS 'SHA-256 of the bytes; identifies re-deliveries';
COMMENT ON COLUMN raw.file.file_name IS 'Tên tệp khi nhận / file name as delivered';
COMMENT ON COLUMN raw.file.source_uri IS 'Where the file was picked up (path or URL)';
COMMENT ON COLUMN raw.file.content IS 'The bytes exactly as received';
COMMENT ON COLUMN raw.file.received_at IS 'Thời điểm nhận / when the file arrived; decides on-time vs late';
COMMENT ON COLUMN raw.file.archived_at IS 'When baocao stored it';

-- staging.stg_indicator_row: each row of sheet chi_tieu (or JSON chi_tieu[]) as read,
-- with the raw text and the value converted to the catalog unit. Kept for every file,
-- rejected ones included, so a province analyst can see what a district actually sent.
CREATE TABLE staging.stg_indicator_row (
    file_id          bigint  NOT NULL REFERENCES raw.file (file_id),
    row_number       integer NOT NULL,
    ma_chi_tieu      text,
    ten_chi_tieu     text,
    don_vi_tinh      text,
    thuc_hien_thang_raw text,
    luy_ke_nam_raw   text,
    ghi_chu          text,
    indicator_code   text,
    conversion_factor numeric,
    thuc_hien_thang  numeric,
    luy_ke_nam       numeric,
    PRIMARY KEY (file_id, row_number)
);
COMMENT ON TABLE staging.stg_indicator_row IS 'Dòng chỉ tiêu như đã đọc / indicator rows as read from a file';
COMMENT ON COLUMN staging.stg_indicator_row.row_number IS 'Spreadsheet row (1-based, header is row 1) or JSON array index + 1';
COMMENT ON COLUMN staging.stg_indicator_row.thuc_hien_thang_raw IS 'Value for the month as written';
COMMENT ON COLUMN staging.stg_indicator_row.luy_ke_nam_raw IS 'Year-to-date value as written';
COMMENT ON COLUMN staging.stg_indicator_row.indicator_code IS 'Catalog code matched from ma_chi_tieu (null if unknown)';
COMMENT ON COLUMN staging.stg_indicator_row.conversion_factor IS 'Submitted unit -> catalog unit multiplier';
COMMENT ON COLUMN staging.stg_indicator_row.thuc_hien_thang IS 'Month value in the catalog unit';
COMMENT ON COLUMN staging.stg_indicator_row.luy_ke_nam IS 'Year-to-date value in the catalog unit';

-- staging.stg_task_row: each row of sheet nhiem_vu as read, dates parsed.
CREATE TABLE staging.stg_task_row (
    file_id          bigint  NOT NULL REFERENCES raw.file (file_id),
    row_number       integer NOT NULL,
    ma_nhiem_vu      text,
    ten_nhiem_vu     text,
    co_quan_giao     text,
    van_ban_giao     text,
    ngay_giao        date,
    han_hoan_thanh   date,
    trang_thai       text,
    ngay_hoan_thanh  date,
    tien_do          numeric,
    ghi_chu          text,
    PRIMARY KEY (file_id, row_number)
);
COMMENT ON TABLE staging.stg_task_row IS 'Dòng nhiệm vụ như đã đọc / task rows as read from a file';
COMMENT ON COLUMN staging.stg_task_row.trang_thai IS 'Status as the district wrote it, normalised to Hoàn thành / Đang thực hiện / Chưa thực hiện';

-- staging.stg_plan_row: each row of sheet ke_hoach of an annual plan file.
CREATE TABLE staging.stg_plan_row (
    file_id          bigint  NOT NULL REFERENCES raw.file (file_id),
    row_number       integer NOT NULL,
    ma_chi_tieu      text,
    don_vi_tinh      text,
    ke_hoach_nam_raw text,
    indicator_code   text,
    conversion_factor numeric,
    ke_hoach_nam     numeric,
    PRIMARY KEY (file_id, row_number)
);
COMMENT ON TABLE staging.stg_plan_row IS 'Dòng kế hoạch năm như đã đọc / annual plan rows as read';
COMMENT ON COLUMN staging.stg_plan_row.ke_hoach_nam IS 'Annual target in the catalog unit';

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

-- core.reporting_calendar: per-province cut-off day and submission deadline, per report
-- type; province_code '*' is the default. Loaded from reference/reporting_calendar.yaml.
CREATE TABLE core.reporting_calendar (
    province_code  text     NOT NULL,
    report_type    text     NOT NULL CHECK (report_type IN ('month', 'half', 'year')),
    cutoff_day     smallint NOT NULL CHECK (cutoff_day BETWEEN 1 AND 28),
    deadline_day   smallint NOT NULL CHECK (deadline_day BETWEEN 1 AND 28),
    deadline_time  time     NOT NULL,
    timezone       text     NOT NULL,
    PRIMARY KEY (province_code, report_type),
    CHECK (deadline_day > cutoff_day)
);
COMMENT ON TABLE core.reporting_calendar IS 'Ngày chốt số liệu và hạn gửi theo tỉnh / cut-off and deadline per province';
COMMENT ON COLUMN core.reporting_calendar.province_code IS 'Legacy province code, or * for the default';
COMMENT ON COLUMN core.reporting_calendar.cutoff_day IS 'Ngày chốt số liệu: last day of the data window in the period''s last month';
COMMENT ON COLUMN core.reporting_calendar.deadline_day IS 'Hạn gửi: day of the period''s last month by which the report is due';
COMMENT ON COLUMN core.reporting_calendar.deadline_time IS 'Local time on the deadline day';

-- core.reporting_assignment: which provinces' districts must send a report type, from which
-- period (DHIS2: data set assignment). Loaded from the `assignments` of
-- reference/reporting_calendar.yaml. An assigned district is expected (and reminded, and
-- counted missing) from that period on, even before it ever sends anything; a province not
-- listed is expected once any of its districts has sent something.
CREATE TABLE core.reporting_assignment (
    province_code    text    NOT NULL,
    report_type      text    NOT NULL CHECK (report_type IN ('month')),
    from_period_key  integer NOT NULL REFERENCES core.dim_period (period_key),
    PRIMARY KEY (province_code, report_type)
);
COMMENT ON TABLE core.reporting_assignment IS 'Tỉnh phải báo cáo từ kỳ nào / provinces whose districts must report, and from when';
COMMENT ON COLUMN core.reporting_assignment.province_code IS 'Legacy province code; all its current districts are expected';
COMMENT ON COLUMN core.reporting_assignment.from_period_key IS 'First month expected (core.dim_period, YYYYMM)';

-- core.dim_indicator: the catalog (reference/indicators.yaml), type 2 so a changed
-- definition keeps the old one for the facts loaded under it.
CREATE TABLE core.dim_indicator (
    indicator_key     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    indicator_code    text     NOT NULL,
    indicator_name    text     NOT NULL,
    indicator_name_en text     NOT NULL,
    unit              text     NOT NULL,
    kind              text     NOT NULL CHECK (kind IN ('flow', 'stock', 'opening', 'rate')),
    aggregation_type  text     NOT NULL,
    direction         text     NOT NULL CHECK (direction IN ('higher_is_better', 'lower_is_better', 'none')),
    numerator_codes   text[]   NOT NULL,
    denominator_codes text[]   NOT NULL,
    scale             numeric  NOT NULL,
    rule              text,
    allow_negative    boolean  NOT NULL,
    is_integer        boolean  NOT NULL,
    max_month_change_pct numeric,
    catalog_version   integer  NOT NULL,
    row_hash          text     NOT NULL,
    valid_from        date     NOT NULL,
    valid_to          date,
    is_current        boolean  NOT NULL
);
CREATE UNIQUE INDEX dim_indicator_current ON core.dim_indicator (indicator_code) WHERE is_current;
COMMENT ON TABLE core.dim_indicator IS 'Danh mục chỉ tiêu / indicator catalog, type 2';
COMMENT ON COLUMN core.dim_indicator.indicator_code IS 'Mã chỉ tiêu (ma_chi_tieu)';
COMMENT ON COLUMN core.dim_indicator.unit IS 'Đơn vị tính: the unit every value is stored in';
COMMENT ON COLUMN core.dim_indicator.kind IS 'flow (sums), stock (last value), opening (first value), rate (recomputed)';
COMMENT ON COLUMN core.dim_indicator.aggregation_type IS 'DHIS2 name of the aggregation: SUM, LAST, FIRST, RECOMPUTE';
COMMENT ON COLUMN core.dim_indicator.direction IS 'Which way is better, for plan attainment';
COMMENT ON COLUMN core.dim_indicator.numerator_codes IS 'Rates: indicators summed in the numerator';
COMMENT ON COLUMN core.dim_indicator.denominator_codes IS 'Rates: indicators summed in the denominator';
COMMENT ON COLUMN core.dim_indicator.scale IS 'Rates: multiplier (100 for a percentage)';
COMMENT ON COLUMN core.dim_indicator.rule IS 'Identity or bound checked by the quality gate';
COMMENT ON COLUMN core.dim_indicator.is_integer IS 'Counts: values must be whole numbers';
COMMENT ON COLUMN core.dim_indicator.max_month_change_pct IS 'Stocks: month-on-month change above this is an outlier warning';

-- core.fct_submission: one row per monthly submission file whose district and month
-- could be read, accepted or rejected. Grain: file. `version` numbers a district-month's
-- files in order of arrival; `is_current` marks the latest accepted one, which is the
-- district's figure for the month; older versions stay for history.
CREATE TABLE core.fct_submission (
    submission_id    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    file_id          bigint      NOT NULL UNIQUE REFERENCES raw.file (file_id),
    district_key     bigint      NOT NULL REFERENCES core.dim_district (district_key),
    district_code    char(3)     NOT NULL,
    period_key       integer     NOT NULL REFERENCES core.dim_period (period_key),
    year             smallint    NOT NULL,
    month            smallint    NOT NULL,
    source_format    text        NOT NULL CHECK (source_format IN ('xlsx', 'json')),
    received_at      timestamptz NOT NULL,
    sha256           char(64)    NOT NULL,
    version          integer     NOT NULL,
    status           text        NOT NULL CHECK (status IN ('accepted', 'accepted_with_warnings', 'rejected')),
    is_current       boolean     NOT NULL DEFAULT false,
    error_count      integer     NOT NULL,
    warning_count    integer     NOT NULL,
    window_start     date        NOT NULL,
    window_end       date        NOT NULL,
    ngay_lap         date,
    nguoi_lap        text,
    email_lien_he    text,
    loaded_at        timestamptz NOT NULL DEFAULT now(),
    CHECK (NOT is_current OR status <> 'rejected')
);
CREATE UNIQUE INDEX fct_submission_current ON core.fct_submission (district_code, period_key) WHERE is_current;
CREATE INDEX fct_submission_district_period ON core.fct_submission (district_code, period_key);
COMMENT ON TABLE core.fct_submission IS 'Báo cáo tháng đã nhận (mỗi tệp một dòng) / monthly submissions, one row per file';
COMMENT ON COLUMN core.fct_submission.submission_id IS 'Surrogate key';
COMMENT ON COLUMN core.fct_submission.file_id IS 'The archived file (raw.file)';
COMMENT ON COLUMN core.fct_submission.district_key IS 'District version current when loaded';
COMMENT ON COLUMN core.fct_submission.period_key IS 'The reporting month (ky_bao_cao)';
COMMENT ON COLUMN core.fct_submission.received_at IS 'When the file arrived';
COMMENT ON COLUMN core.fct_submission.version IS 'Lần gửi: 1 for the first file of this district-month, by arrival';
COMMENT ON COLUMN core.fct_submission.status IS 'accepted, accepted_with_warnings or rejected';
COMMENT ON COLUMN core.fct_submission.is_current IS 'True for the latest accepted version: the figure that counts';
COMMENT ON COLUMN core.fct_submission.error_count IS 'Errors found (any error rejects)';
COMMENT ON COLUMN core.fct_submission.warning_count IS 'Warnings recorded';
COMMENT ON COLUMN core.fct_submission.window_start IS 'Data window start for this district''s province';
COMMENT ON COLUMN core.fct_submission.window_end IS 'Data window end (chốt số liệu); task statuses are as of this day';
COMMENT ON COLUMN core.fct_submission.email_lien_he IS 'Contact for alerts about this submission';

-- core.fct_indicator_value: indicator values. Grain: submission x indicator, that is
-- district x month x indicator x version. Values are in the catalog unit. Only accepted
-- submissions have rows here (a rejected file's rows stay in staging).
CREATE TABLE core.fct_indicator_value (
    submission_id     bigint   NOT NULL REFERENCES core.fct_submission (submission_id),
    indicator_key     bigint   NOT NULL REFERENCES core.dim_indicator (indicator_key),
    district_key      bigint   NOT NULL REFERENCES core.dim_district (district_key),
    period_key        integer  NOT NULL REFERENCES core.dim_period (period_key),
    indicator_code    text     NOT NULL,
    district_code     char(3)  NOT NULL,
    year              smallint NOT NULL,
    month             smallint NOT NULL,
    value             numeric,
    ytd_value         numeric,
    value_source      text     NOT NULL CHECK (value_source IN ('submitted', 'derived_from_ytd', 'missing')),
    ytd_source        text     NOT NULL CHECK (ytd_source IN ('submitted', 'derived', 'not_applicable', 'missing')),
    submitted_unit    text     NOT NULL,
    conversion_factor numeric  NOT NULL,
    source_row        integer  NOT NULL,
    note              text,
    PRIMARY KEY (submission_id, indicator_key)
);
CREATE INDEX fct_indicator_value_lookup ON core.fct_indicator_value (district_code, indicator_code, period_key);
COMMENT ON TABLE core.fct_indicator_value IS 'Giá trị chỉ tiêu theo tháng / indicator values, district x month x indicator x version';
COMMENT ON COLUMN core.fct_indicator_value.value IS 'Thực hiện tháng: month value (flow), level at month end (stock), level at start (opening) or the rate submitted, in the catalog unit';
COMMENT ON COLUMN core.fct_indicator_value.ytd_value IS 'Lũy kế năm: year-to-date value (flows only), catalog unit';
COMMENT ON COLUMN core.fct_indicator_value.value_source IS 'submitted, derived_from_ytd (YTD minus previous month''s YTD) or missing';
COMMENT ON COLUMN core.fct_indicator_value.ytd_source IS 'submitted, derived (previous YTD plus month), not_applicable (not a flow) or missing';
COMMENT ON COLUMN core.fct_indicator_value.submitted_unit IS 'Unit the district wrote';
COMMENT ON COLUMN core.fct_indicator_value.conversion_factor IS 'Multiplier applied to reach the catalog unit';
COMMENT ON COLUMN core.fct_indicator_value.source_row IS 'Row of the sheet the value came from';

-- core.dim_task: tasks (nhiệm vụ) assigned to a district, type 2 on their attributes:
-- the same ma_nhiem_vu with a changed deadline is a new version of the same task.
CREATE TABLE core.dim_task (
    task_key         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    district_code    char(3) NOT NULL,
    ma_nhiem_vu      text    NOT NULL,
    ten_nhiem_vu     text    NOT NULL,
    co_quan_giao     text    NOT NULL,
    van_ban_giao     text,
    ngay_giao        date,
    han_hoan_thanh   date,
    row_hash         text    NOT NULL,
    first_submission_id bigint NOT NULL REFERENCES core.fct_submission (submission_id),
    valid_from       timestamptz NOT NULL,
    valid_to         timestamptz,
    is_current       boolean NOT NULL
);
CREATE UNIQUE INDEX dim_task_current ON core.dim_task (district_code, ma_nhiem_vu) WHERE is_current;
-- Every version of a district's task, found by its code (the partial unique index finds only
-- the current one); loads match a late correction's rows to the version they describe through it.
CREATE INDEX dim_task_lookup ON core.dim_task (district_code, ma_nhiem_vu);
COMMENT ON TABLE core.dim_task IS 'Nhiệm vụ được giao / assigned tasks, type 2';
COMMENT ON COLUMN core.dim_task.ma_nhiem_vu IS 'Stable task id given by the district, e.g. 3466/QĐ-UBND#12';
COMMENT ON COLUMN core.dim_task.co_quan_giao IS 'Cơ quan giao: assigning body';
COMMENT ON COLUMN core.dim_task.van_ban_giao IS 'Văn bản giao: assigning document number';
COMMENT ON COLUMN core.dim_task.han_hoan_thanh IS 'Deadline; null for a standing task (thường xuyên)';
COMMENT ON COLUMN core.dim_task.first_submission_id IS 'Submission that introduced this version';
COMMENT ON COLUMN core.dim_task.valid_from IS 'received_at of that submission';

-- core.fct_task_snapshot: monthly snapshot of each task. Grain: submission x task.
-- derived_status is computed from the dates as at the end of the data window, not
-- taken from the district's word.
CREATE TABLE core.fct_task_snapshot (
    submission_id    bigint   NOT NULL REFERENCES core.fct_submission (submission_id),
    task_key         bigint   NOT NULL REFERENCES core.dim_task (task_key),
    district_code    char(3)  NOT NULL,
    period_key       integer  NOT NULL REFERENCES core.dim_period (period_key),
    ma_nhiem_vu      text     NOT NULL,
    trang_thai       text     NOT NULL CHECK (trang_thai IN ('Hoàn thành', 'Đang thực hiện', 'Chưa thực hiện')),
    ngay_hoan_thanh  date,
    tien_do          numeric CHECK (tien_do BETWEEN 0 AND 100),
    as_of_date       date     NOT NULL,
    derived_status   text     NOT NULL CHECK (derived_status IN ('done_on_time', 'done_late', 'in_progress', 'overdue')),
    source_row       integer  NOT NULL,
    note             text,
    PRIMARY KEY (submission_id, task_key)
);
CREATE INDEX fct_task_snapshot_lookup ON core.fct_task_snapshot (district_code, period_key);
COMMENT ON TABLE core.fct_task_snapshot IS 'Tình hình thực hiện nhiệm vụ theo tháng / monthly task snapshot';
COMMENT ON COLUMN core.fct_task_snapshot.trang_thai IS 'Status as reported';
COMMENT ON COLUMN core.fct_task_snapshot.as_of_date IS 'End of the data window the status is judged at';
COMMENT ON COLUMN core.fct_task_snapshot.derived_status IS 'done_on_time, done_late, in_progress (within deadline or standing) or overdue';
COMMENT ON COLUMN core.fct_task_snapshot.tien_do IS 'Progress 0-100 as reported';

-- core.fct_plan: one row per annual plan file (kế hoạch năm). A later plan for the same
-- district and year replaces the earlier one (is_current); history stays.
CREATE TABLE core.fct_plan (
    plan_id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    file_id        bigint      NOT NULL UNIQUE REFERENCES raw.file (file_id),
    district_key   bigint      NOT NULL REFERENCES core.dim_district (district_key),
    district_code  char(3)     NOT NULL,
    year           smallint    NOT NULL,
    van_ban        text,
    received_at    timestamptz NOT NULL,
    version        integer     NOT NULL,
    status         text        NOT NULL CHECK (status IN ('accepted', 'accepted_with_warnings', 'rejected')),
    is_current     boolean     NOT NULL DEFAULT false,
    error_count    integer     NOT NULL,
    warning_count  integer     NOT NULL,
    loaded_at      timestamptz NOT NULL DEFAULT now(),
    CHECK (NOT is_current OR status <> 'rejected')
);
CREATE UNIQUE INDEX fct_plan_current ON core.fct_plan (district_code, year) WHERE is_current;
COMMENT ON TABLE core.fct_plan IS 'Kế hoạch năm đã nhận / annual plan files';
COMMENT ON COLUMN core.fct_plan.van_ban IS 'Decision that set the targets, e.g. 2115/QĐ-UBND';
COMMENT ON COLUMN core.fct_plan.is_current IS 'The plan in force: latest accepted for the district and year';

-- core.fct_plan_target: annual targets. Grain: plan file x indicator.
CREATE TABLE core.fct_plan_target (
    plan_id           bigint   NOT NULL REFERENCES core.fct_plan (plan_id),
    indicator_key     bigint   NOT NULL REFERENCES core.dim_indicator (indicator_key),
    indicator_code    text     NOT NULL,
    district_code     char(3)  NOT NULL,
    year              smallint NOT NULL,
    target_value      numeric  NOT NULL,
    submitted_unit    text     NOT NULL,
    conversion_factor numeric  NOT NULL,
    PRIMARY KEY (plan_id, indicator_key)
);
COMMENT ON TABLE core.fct_plan_target IS 'Chỉ tiêu kế hoạch năm / annual plan targets';
COMMENT ON COLUMN core.fct_plan_target.target_value IS 'Kế hoạch năm in the catalog unit';

-- ops.file_outcome: what became of each archived file. One row per raw.file once processed;
-- a file archived but not yet processed (a crash mid-way) has none and is retried.
CREATE TABLE ops.file_outcome (
    file_id        bigint PRIMARY KEY REFERENCES raw.file (file_id),
    file_kind      text   NOT NULL CHECK (file_kind IN ('submission', 'plan', 'unknown')),
    source_format  text,
    outcome        text   NOT NULL CHECK (outcome IN ('accepted', 'accepted_with_warnings', 'rejected')),
    district_code  text,
    period_code    text,
    error_count    integer NOT NULL,
    warning_count  integer NOT NULL,
    quarantined    boolean NOT NULL,
    processed_at   timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE ops.file_outcome IS 'Kết quả xử lý từng tệp / outcome of each file';
COMMENT ON COLUMN ops.file_outcome.quarantined IS 'True when rejected: kept in raw, nothing of it in the facts';
COMMENT ON COLUMN ops.file_outcome.period_code IS 'ky_bao_cao (YYYY-MM) or plan year, when readable';

-- ops.validation_message: every error and warning found in a file, with its place.
CREATE TABLE ops.validation_message (
    message_id    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    file_id       bigint  NOT NULL REFERENCES raw.file (file_id),
    code          text    NOT NULL,
    severity      text    NOT NULL CHECK (severity IN ('error', 'warning')),
    sheet         text,
    row_number    integer,
    column_name   text,
    found         text,
    expected      text,
    message_vi    text    NOT NULL,
    message_en    text    NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    source        text    NOT NULL DEFAULT 'structure' CHECK (source IN ('structure', 'expectation', 'rule')),
    rule_id       text
);
CREATE INDEX validation_message_file ON ops.validation_message (file_id);
CREATE INDEX validation_message_code ON ops.validation_message (code);
COMMENT ON TABLE ops.validation_message IS 'Lỗi và cảnh báo của từng tệp / errors and warnings per file';
COMMENT ON COLUMN ops.validation_message.code IS 'Stable machine code, e.g. VALUE_MALFORMED';
COMMENT ON COLUMN ops.validation_message.sheet IS 'Sheet (thong_tin, chi_tieu, nhiem_vu, ke_hoach) or JSON section';
COMMENT ON COLUMN ops.validation_message.row_number IS 'Row in the sheet (header = 1) or JSON item number';
COMMENT ON COLUMN ops.validation_message.message_vi IS 'Message for district staff, in Vietnamese';
COMMENT ON COLUMN ops.validation_message.source IS
    'structure (the file cannot be read as the contract says), expectation (a Great Expectations suite), rule (a consistency rule of reference/validation_rules.yaml)';
COMMENT ON COLUMN ops.validation_message.rule_id IS 'The expectation type or rule id that produced the message';

-- ops.ingest_run: one row per ingest invocation (CLI or DAG task), for engineers.
CREATE TABLE ops.ingest_run (
    run_id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    started_at    timestamptz NOT NULL,
    finished_at   timestamptz,
    caller        text        NOT NULL,
    files_seen    integer     NOT NULL DEFAULT 0,
    accepted      integer     NOT NULL DEFAULT 0,
    accepted_with_warnings integer NOT NULL DEFAULT 0,
    rejected      integer     NOT NULL DEFAULT 0,
    duplicates    integer     NOT NULL DEFAULT 0
);
COMMENT ON TABLE ops.ingest_run IS 'Nhật ký các lần nạp / ingest runs';

-- ops.rollup_queue: district-years whose figures changed since the marts were last
-- refreshed. Written by the load in the same transaction as the data, consumed by the
-- incremental refresh in the same transaction as the marts, so nothing is missed or lost.
CREATE TABLE ops.rollup_queue (
    district_code  char(3)     NOT NULL,
    year           smallint    NOT NULL,
    queued_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (district_code, year)
);
COMMENT ON TABLE ops.rollup_queue IS 'Huyện-năm cần tổng hợp lại / district-years waiting for the incremental rollup';

-- ops.alert_log: every alert baocao sent (or could not send), per channel. An alert is
-- identified by its idempotency key (e.g. late:247:2024-05); once a row with status sent
-- or no_channel exists for a key and channel, it is never sent again, however often the
-- monitor runs or is replayed.
CREATE TABLE ops.alert_log (
    alert_id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    idempotency_key  text        NOT NULL,
    kind             text        NOT NULL CHECK (kind IN ('invalid_submission', 'reminder', 'late', 'escalation')),
    channel          text        NOT NULL CHECK (channel IN ('email', 'webhook')),
    district_code    text,
    period_code      text,
    file_id          bigint REFERENCES raw.file (file_id),
    recipients       text[]      NOT NULL,
    subject          text        NOT NULL,
    body             text        NOT NULL,
    status           text        NOT NULL CHECK (status IN ('sent', 'failed', 'no_channel')),
    error            text,
    as_of            timestamptz NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX alert_log_once ON ops.alert_log (idempotency_key, channel) WHERE status IN ('sent', 'no_channel');
COMMENT ON TABLE ops.alert_log IS 'Nhật ký cảnh báo đã gửi / alerts sent, once per key and channel';
COMMENT ON COLUMN ops.alert_log.idempotency_key IS 'kind:district:period or invalid:file_id; the alert''s identity';
COMMENT ON COLUMN ops.alert_log.status IS 'sent; failed (retried next run); no_channel (none configured, logged once)';
COMMENT ON COLUMN ops.alert_log.as_of IS 'The moment the monitor judged the alert due (replayable with --as-of)';

-- ops.superseded_outcome: earlier attempts at a file that `baocao reprocess` ran again (after
-- an internal error was fixed, or the reference data changed). The file's current outcome and
-- messages stay in ops.file_outcome and ops.validation_message; what they said before is kept
-- here, so reprocessing loses nothing.
CREATE TABLE ops.superseded_outcome (
    file_id        bigint      NOT NULL REFERENCES raw.file (file_id),
    attempt        smallint    NOT NULL,
    outcome        text,
    error_count    integer,
    warning_count  integer,
    processed_at   timestamptz,
    messages       jsonb       NOT NULL,
    superseded_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (file_id, attempt)
);
COMMENT ON TABLE ops.superseded_outcome IS 'Kết quả xử lý trước khi xử lý lại / earlier attempts at a reprocessed file';
COMMENT ON COLUMN ops.superseded_outcome.attempt IS '1 for the first attempt; the current one is the count of rows here + 1';
COMMENT ON COLUMN ops.superseded_outcome.outcome IS 'accepted, accepted_with_warnings or rejected; NULL when the attempt never finished';
COMMENT ON COLUMN ops.superseded_outcome.messages IS 'That attempt''s ops.validation_message rows, as JSON';
COMMENT ON COLUMN ops.superseded_outcome.superseded_at IS 'When baocao reprocess ran the file again';

-- mart.indicator_rollup: indicator figures per unit and period, materialized by
-- `baocao rollup` (etl.marts.rollup) and read through the views indicator_monthly,
-- indicator_semiannual and indicator_annual. Grain: level x unit x period x indicator.
-- Key columns use the C collation: byte order sorts and indexes several times faster
-- than the locale's, and codes need no linguistic order.
CREATE TABLE mart.indicator_rollup (
    level                 text COLLATE "C" NOT NULL CHECK (level IN ('district', 'province', 'province_2025')),
    unit_code             text COLLATE "C" NOT NULL,
    period_key            integer  NOT NULL,  -- core.dim_period; no FK: a per-row check cost 85% of the insert
    period_type           text     NOT NULL,
    year                  smallint NOT NULL,
    half                  smallint,
    month                 smallint,
    indicator_code        text COLLATE "C" NOT NULL,
    value                 numeric,
    ytd_value             numeric,
    annual_plan           numeric,
    pct_of_annual_plan    numeric,
    plan_attained         boolean,
    same_period_last_year numeric,
    yoy_change_pct        numeric,
    yoy_change_points     numeric,
    reporting_units       integer  NOT NULL,
    expected_units        integer  NOT NULL,
    refreshed_at          timestamptz NOT NULL DEFAULT now(),
    last_year_reporting_units integer,  -- reporting_units of same_period_last_year (added last, by revision 0008)
    -- In the order a full rebuild writes the rows, so building the key after it finds them sorted.
    PRIMARY KEY (level, unit_code, indicator_code, period_key)
);
-- No second index: the key's (level, unit_code) prefix serves the per-unit reads and deletes.

-- mart.task_rollup: task counts per unit, period and assigning body, status as at the end
-- of the period (the last month of the period the district reported). Read through the
-- views task_monthly, task_semiannual and task_annual.
CREATE TABLE mart.task_rollup (
    level            text COLLATE "C" NOT NULL CHECK (level IN ('district', 'province', 'province_2025')),
    unit_code        text COLLATE "C" NOT NULL,
    period_key       integer  NOT NULL,  -- core.dim_period (derived table: no per-row FK check)
    period_type      text     NOT NULL,
    year             smallint NOT NULL,
    half             smallint,
    month            smallint,
    assigning_body   text COLLATE "C" NOT NULL,
    tasks_total      integer  NOT NULL,
    done_on_time     integer  NOT NULL,
    done_late        integer  NOT NULL,
    in_progress      integer  NOT NULL,
    overdue          integer  NOT NULL,
    on_time_rate     numeric,
    refreshed_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (level, unit_code, period_key, assigning_body)
);
CREATE INDEX task_rollup_year ON mart.task_rollup (level, unit_code, year);

-- mart.submission_status: mart.submission_status_at(now()) materialized by `baocao rollup`.
CREATE TABLE mart.submission_status (
    district_code      text        NOT NULL,
    district_name      text        NOT NULL,
    province_code      text        NOT NULL,
    year               smallint    NOT NULL,
    month              smallint    NOT NULL,
    status             text        NOT NULL CHECK (status IN ('on_time', 'late', 'missing', 'rejected', 'pending')),
    deadline           timestamptz NOT NULL,
    first_received_at  timestamptz,
    accepted_at        timestamptz,
    days_late          integer     NOT NULL,
    versions_received  integer     NOT NULL,
    errors             integer     NOT NULL,
    warnings           integer     NOT NULL,
    as_of              timestamptz NOT NULL,
    PRIMARY KEY (district_code, year, month)
);

-- baocao_analyst: the read-only role provincial analysts connect with (or are granted).
-- It reads mart and nothing else; mart objects created later are readable too. The grants on
-- the views and functions are re-applied with them (sql/repeatable/NN_analyst_grants.sql).
-- A role belongs to the server, shared by its databases: created and commented once.
DO $$
DECLARE
    described CONSTANT text := 'Chuyên viên phân tích: chỉ đọc schema mart / analysts: read-only on mart';
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'baocao_analyst') THEN
        CREATE ROLE baocao_analyst NOLOGIN;
    END IF;
    IF shobj_description('baocao_analyst'::regrole, 'pg_authid') IS DISTINCT FROM described THEN
        EXECUTE format('COMMENT ON ROLE baocao_analyst IS %L', described);
    END IF;
END
$$;
REVOKE ALL ON SCHEMA raw, staging, core, ops FROM baocao_analyst;
REVOKE CREATE ON SCHEMA public FROM baocao_analyst;
GRANT USAGE ON SCHEMA mart TO baocao_analyst;
GRANT SELECT ON ALL TABLES IN SCHEMA mart TO baocao_analyst;
ALTER DEFAULT PRIVILEGES IN SCHEMA mart GRANT SELECT ON TABLES TO baocao_analyst;
