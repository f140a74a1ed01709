-- The warehouse schema at revision 0025, as `baocao db upgrade` leaves an empty database.
-- Generated from the catalog by `python -m etl.warehouse.schema dump > docs/schema.sql`: do not edit;
-- tests/test_schema.py fails when it is stale. Owners (baocao_owner, since revision 0017) and the owner's
-- privileges are left out.
-- Dumped on PostgreSQL 18.

-- Roles

CREATE ROLE baocao_analyst NOLOGIN;
COMMENT ON ROLE baocao_analyst IS 'Chuyên viên phân tích: chỉ đọc schema mart / analysts: read-only on mart';
ALTER ROLE baocao_analyst SET idle_in_transaction_session_timeout = '10min';
ALTER ROLE baocao_analyst SET lock_timeout = '1min';
ALTER ROLE baocao_analyst SET statement_timeout = '5min';
CREATE ROLE baocao_loader NOLOGIN;
COMMENT ON ROLE baocao_loader IS 'Nạp dữ liệu: ETL, DAG, baocao ingest/rollup/alerts / the ETL: appends to raw, writes staging, core, ops and the rollup''s mart tables; never changes raw.file';

-- Schemas

CREATE SCHEMA core;
COMMENT ON SCHEMA core IS 'Bảng chiều và bảng sự kiện / conformed dimensions and facts';
GRANT USAGE ON SCHEMA core TO baocao_loader;
CREATE SCHEMA mart;
COMMENT ON SCHEMA mart IS 'Bảng báo cáo cho chuyên viên phân tích / report tables for analysts';
GRANT USAGE ON SCHEMA mart TO baocao_analyst;
GRANT USAGE ON SCHEMA mart TO baocao_loader;
CREATE SCHEMA ops;
COMMENT ON SCHEMA ops IS 'Nhật ký vận hành / processing outcomes, validation messages, run and alert logs';
GRANT USAGE ON SCHEMA ops TO baocao_loader;
CREATE SCHEMA raw;
COMMENT ON SCHEMA raw IS 'Tệp gốc như khi nhận / every file exactly as it arrived';
GRANT USAGE ON SCHEMA raw TO baocao_loader;
CREATE SCHEMA staging;
COMMENT ON SCHEMA staging IS 'Dòng đọc từ tệp / rows as read from each file';
GRANT USAGE ON SCHEMA staging TO baocao_loader;

-- Tables

CREATE TABLE core.dim_district (
    district_key bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
    district_code text COLLATE "C" NOT NULL,
    district_name text NOT NULL,
    district_short text NOT NULL,
    district_type text NOT NULL,
    commune_count integer,
    province_code character(2),
    province_name text,
    province_2025_code text NOT NULL,
    province_2025_name text NOT NULL,
    row_hash text NOT NULL,
    valid_from date NOT NULL,
    valid_to date,
    is_current boolean NOT NULL,
    level text DEFAULT 'district'::text NOT NULL
);
ALTER TABLE core.dim_district ADD CONSTRAINT dim_district_code_of_level CHECK (level = 'district'::text AND district_code ~ '^[0-9]{3}$'::text AND province_code IS NOT NULL AND commune_count IS NOT NULL OR level = 'commune'::text AND district_code ~ '^[0-9]{5}$'::text AND province_code IS NULL);
ALTER TABLE core.dim_district ADD CONSTRAINT dim_district_commune_count_check CHECK (commune_count >= 0);
ALTER TABLE core.dim_district ADD CONSTRAINT dim_district_level_check CHECK (level = ANY (ARRAY['district'::text, 'commune'::text]));
ALTER TABLE core.dim_district ADD CONSTRAINT dim_district_pkey PRIMARY KEY (district_key);
CREATE UNIQUE INDEX dim_district_current ON core.dim_district USING btree (district_code) WHERE is_current;
CREATE INDEX dim_district_province ON core.dim_district USING btree (province_code) WHERE is_current;
COMMENT ON TABLE core.dim_district IS 'Đơn vị báo cáo: huyện (đến 30/6/2025) và xã, phường, đặc khu (từ 1/7/2025) / reporting units, current attributes, type 2';
COMMENT ON COLUMN core.dim_district.district_key IS 'Surrogate key of this version';
COMMENT ON COLUMN core.dim_district.district_code IS 'Mã đơn vị: 3 digits for a district (Chư Pưh 639), 5 for a commune (Xã Chư Pưh 23942)';
COMMENT ON COLUMN core.dim_district.district_name IS 'Full name, e.g. Huyện Chư Pưh';
COMMENT ON COLUMN core.dim_district.district_short IS 'Name without the type word';
COMMENT ON COLUMN core.dim_district.district_type IS 'Huyện, Quận, Thị xã or Thành phố';
COMMENT ON COLUMN core.dim_district.commune_count IS 'Số xã, phường, thị trấn / communes in the district (null for a commune)';
COMMENT ON COLUMN core.dim_district.province_code IS 'Legacy province (null for a commune: it belongs to a 2025 province only)';
COMMENT ON COLUMN core.dim_district.province_2025_code IS 'Merged province (from 1/7/2025) that now contains the district';
COMMENT ON COLUMN core.dim_district.valid_from IS 'First day this version holds';
COMMENT ON COLUMN core.dim_district.valid_to IS 'Day this version stopped holding (null while current)';
COMMENT ON COLUMN core.dim_district.level IS 'district (huyện) or commune (xã, phường, đặc khu: reports from 1/7/2025)';
GRANT SELECT ON TABLE core.dim_district TO baocao_loader;

CREATE TABLE core.dim_indicator (
    indicator_key bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
    indicator_code text NOT NULL,
    indicator_name text NOT NULL,
    indicator_name_en text NOT NULL,
    unit text NOT NULL,
    kind text NOT NULL,
    aggregation_type text NOT NULL,
    direction text NOT NULL,
    numerator_codes text[] NOT NULL,
    denominator_codes text[] NOT NULL,
    scale numeric NOT NULL,
    rule text,
    allow_negative boolean NOT NULL,
    is_integer boolean NOT NULL,
    max_month_change_pct numeric,
    catalog_version integer NOT NULL,
    row_hash text NOT NULL,
    valid_from date NOT NULL,
    valid_to date,
    is_current boolean NOT NULL
);
ALTER TABLE core.dim_indicator ADD CONSTRAINT dim_indicator_direction_check CHECK (direction = ANY (ARRAY['higher_is_better'::text, 'lower_is_better'::text, 'none'::text]));
ALTER TABLE core.dim_indicator ADD CONSTRAINT dim_indicator_kind_check CHECK (kind = ANY (ARRAY['flow'::text, 'stock'::text, 'opening'::text, 'rate'::text]));
ALTER TABLE core.dim_indicator ADD CONSTRAINT dim_indicator_pkey PRIMARY KEY (indicator_key);
CREATE UNIQUE INDEX dim_indicator_current ON core.dim_indicator USING btree (indicator_code) WHERE is_current;
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
GRANT SELECT ON TABLE core.dim_indicator TO baocao_loader;

CREATE TABLE core.dim_period (
    period_key integer NOT NULL,
    period_code text NOT NULL,
    period_type text NOT NULL,
    year smallint NOT NULL,
    half smallint,
    month smallint,
    start_date date NOT NULL,
    end_date date NOT NULL,
    window_start date NOT NULL,
    window_end date NOT NULL
);
ALTER TABLE core.dim_period ADD CONSTRAINT dim_period_half_check CHECK (half = ANY (ARRAY[1, 2]));
ALTER TABLE core.dim_period ADD CONSTRAINT dim_period_month_check CHECK (month >= 1 AND month <= 12);
ALTER TABLE core.dim_period ADD CONSTRAINT dim_period_period_code_key UNIQUE (period_code);
ALTER TABLE core.dim_period ADD CONSTRAINT dim_period_period_type_check CHECK (period_type = ANY (ARRAY['month'::text, 'half'::text, 'year'::text]));
ALTER TABLE core.dim_period ADD CONSTRAINT dim_period_pkey PRIMARY KEY (period_key);
COMMENT ON TABLE core.dim_period IS 'Kỳ báo cáo: tháng, 6 tháng, năm / reporting periods';
COMMENT ON COLUMN core.dim_period.period_key IS 'YYYYMM for a month, YYYY*100+90+half for a half (202491), YYYY*100 for a year';
COMMENT ON COLUMN core.dim_period.period_code IS 'ky_bao_cao: 2024-05, 2024-H1, 2024';
COMMENT ON COLUMN core.dim_period.half IS '1 for months 1-6, 2 for months 7-12';
COMMENT ON COLUMN core.dim_period.start_date IS 'Calendar start';
COMMENT ON COLUMN core.dim_period.end_date IS 'Calendar end';
COMMENT ON COLUMN core.dim_period.window_start IS 'Data window start (Decree 09 default, cut-off day 14)';
COMMENT ON COLUMN core.dim_period.window_end IS 'Data window end, the default chốt số liệu';
GRANT SELECT ON TABLE core.dim_period TO baocao_loader;

CREATE TABLE core.dim_province (
    province_key bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
    province_code character(2) NOT NULL,
    province_name text NOT NULL,
    province_short text NOT NULL,
    province_type text NOT NULL,
    province_2025_code text NOT NULL,
    province_2025_name text NOT NULL,
    row_hash text NOT NULL,
    valid_from date NOT NULL,
    valid_to date,
    is_current boolean NOT NULL
);
ALTER TABLE core.dim_province ADD CONSTRAINT dim_province_pkey PRIMARY KEY (province_key);
CREATE UNIQUE INDEX dim_province_current ON core.dim_province USING btree (province_code) WHERE is_current;
COMMENT ON TABLE core.dim_province IS 'Tỉnh (63 tỉnh trước 1/7/2025) / legacy provinces, type 2';
COMMENT ON COLUMN core.dim_province.province_key IS 'Surrogate key of this version';
COMMENT ON COLUMN core.dim_province.province_code IS 'Mã tỉnh, 2 digits (Gia Lai 64)';
COMMENT ON COLUMN core.dim_province.province_type IS 'Tỉnh or Thành phố';
COMMENT ON COLUMN core.dim_province.province_2025_code IS 'Code of the merged province (from 1/7/2025) that now contains it';
COMMENT ON COLUMN core.dim_province.row_hash IS 'Hash of the attributes, to detect changes';
COMMENT ON COLUMN core.dim_province.valid_from IS 'First day this version holds';
COMMENT ON COLUMN core.dim_province.valid_to IS 'Day this version stopped holding (null while current)';
GRANT SELECT ON TABLE core.dim_province TO baocao_loader;

CREATE TABLE core.dim_province_2025 (
    province_2025_key bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
    province_2025_code text NOT NULL,
    province_2025_name text NOT NULL,
    province_2025_short text NOT NULL,
    row_hash text NOT NULL,
    valid_from date NOT NULL,
    valid_to date,
    is_current boolean NOT NULL
);
ALTER TABLE core.dim_province_2025 ADD CONSTRAINT dim_province_2025_pkey PRIMARY KEY (province_2025_key);
CREATE UNIQUE INDEX dim_province_2025_current ON core.dim_province_2025 USING btree (province_2025_code) WHERE is_current;
COMMENT ON TABLE core.dim_province_2025 IS 'Tỉnh sau sắp xếp (34 tỉnh từ 1/7/2025) / merged provinces, type 2';
GRANT SELECT ON TABLE core.dim_province_2025 TO baocao_loader;

CREATE TABLE core.dim_reporting_unit (
    unit_key bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
    level text NOT NULL,
    unit_code text COLLATE "C" NOT NULL,
    unit_name text NOT NULL,
    unit_type text NOT NULL,
    province_code character(2),
    province_2025_code text NOT NULL,
    commune_count integer,
    valid_from date,
    valid_to date,
    change text,
    legal_act text,
    date_confirmed boolean DEFAULT true NOT NULL,
    ended_by text,
    ended_by_act text,
    successor_code text COLLATE "C"
);
ALTER TABLE core.dim_reporting_unit ADD CONSTRAINT dim_reporting_unit_change_check CHECK (change = ANY (ARRAY['established'::text, 'renamed'::text, 'type_changed'::text, 'commune_count'::text]));
ALTER TABLE core.dim_reporting_unit ADD CONSTRAINT dim_reporting_unit_code_of_level CHECK (level = 'district'::text AND unit_code ~ '^[0-9]{3}$'::text AND province_code IS NOT NULL OR level = 'commune'::text AND unit_code ~ '^[0-9]{5}$'::text);
ALTER TABLE core.dim_reporting_unit ADD CONSTRAINT dim_reporting_unit_commune_count_check CHECK (commune_count >= 0);
ALTER TABLE core.dim_reporting_unit ADD CONSTRAINT dim_reporting_unit_ended_by_check CHECK (ended_by = ANY (ARRAY['merged_into'::text, 'abolished'::text]));
ALTER TABLE core.dim_reporting_unit ADD CONSTRAINT dim_reporting_unit_ending CHECK (ended_by IS NULL OR valid_to IS NOT NULL);
ALTER TABLE core.dim_reporting_unit ADD CONSTRAINT dim_reporting_unit_level_check CHECK (level = ANY (ARRAY['district'::text, 'commune'::text]));
ALTER TABLE core.dim_reporting_unit ADD CONSTRAINT dim_reporting_unit_pkey PRIMARY KEY (unit_key);
ALTER TABLE core.dim_reporting_unit ADD CONSTRAINT dim_reporting_unit_span CHECK (valid_from IS NULL OR valid_to IS NULL OR valid_from <= valid_to);
ALTER TABLE core.dim_reporting_unit ADD CONSTRAINT dim_reporting_unit_version UNIQUE NULLS NOT DISTINCT (level, unit_code, valid_from);
CREATE INDEX dim_reporting_unit_province_2025 ON core.dim_reporting_unit USING btree (province_2025_code, level);
COMMENT ON TABLE core.dim_reporting_unit IS 'Đơn vị báo cáo theo thời gian / reporting units (legacy districts, 2025 communes), one row per version in business time';
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
GRANT SELECT ON TABLE core.dim_reporting_unit TO baocao_loader;

CREATE TABLE core.dim_task (
    task_key bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
    district_code text COLLATE "C" NOT NULL,
    ma_nhiem_vu text NOT NULL,
    ten_nhiem_vu text NOT NULL,
    co_quan_giao text NOT NULL,
    van_ban_giao text,
    ngay_giao date,
    han_hoan_thanh date,
    row_hash text NOT NULL,
    first_submission_id bigint NOT NULL,
    valid_from timestamp with time zone NOT NULL,
    valid_to timestamp with time zone,
    is_current boolean NOT NULL
);
ALTER TABLE core.dim_task ADD CONSTRAINT dim_task_pkey PRIMARY KEY (task_key);
CREATE UNIQUE INDEX dim_task_current ON core.dim_task USING btree (district_code, ma_nhiem_vu) WHERE is_current;
CREATE INDEX dim_task_lookup ON core.dim_task USING btree (district_code, ma_nhiem_vu);
COMMENT ON TABLE core.dim_task IS 'Nhiệm vụ được giao / assigned tasks, type 2';
COMMENT ON COLUMN core.dim_task.ma_nhiem_vu IS 'Stable task id given by the district, e.g. 3466/QĐ-UBND#12';
COMMENT ON COLUMN core.dim_task.co_quan_giao IS 'Cơ quan giao: assigning body';
COMMENT ON COLUMN core.dim_task.van_ban_giao IS 'Văn bản giao: assigning document number';
COMMENT ON COLUMN core.dim_task.han_hoan_thanh IS 'Deadline; null for a standing task (thường xuyên)';
COMMENT ON COLUMN core.dim_task.first_submission_id IS 'Submission that introduced this version';
COMMENT ON COLUMN core.dim_task.valid_from IS 'received_at of that submission';
GRANT INSERT, SELECT, UPDATE ON TABLE core.dim_task TO baocao_loader;

CREATE TABLE core.dim_unit (
    unit text NOT NULL,
    dimension text NOT NULL,
    factor numeric NOT NULL,
    is_integer boolean NOT NULL
);
ALTER TABLE core.dim_unit ADD CONSTRAINT dim_unit_factor_check CHECK (factor > 0::numeric);
ALTER TABLE core.dim_unit ADD CONSTRAINT dim_unit_pkey PRIMARY KEY (unit);
COMMENT ON TABLE core.dim_unit IS 'Đơn vị tính và quy đổi / units and conversion factors';
COMMENT ON COLUMN core.dim_unit.dimension IS 'Units of the same dimension convert into each other';
COMMENT ON COLUMN core.dim_unit.factor IS 'Multiplier to the dimension''s base unit';
GRANT SELECT ON TABLE core.dim_unit TO baocao_loader;

CREATE TABLE core.fct_indicator_value (
    submission_id bigint NOT NULL,
    indicator_key bigint NOT NULL,
    district_key bigint NOT NULL,
    period_key integer NOT NULL,
    indicator_code text NOT NULL,
    district_code text COLLATE "C" NOT NULL,
    year smallint NOT NULL,
    month smallint NOT NULL,
    value numeric,
    ytd_value numeric,
    value_source text NOT NULL,
    ytd_source text NOT NULL,
    submitted_unit text NOT NULL,
    conversion_factor numeric NOT NULL,
    source_row integer NOT NULL,
    note text
);
ALTER TABLE core.fct_indicator_value ADD CONSTRAINT fct_indicator_value_pkey PRIMARY KEY (submission_id, indicator_key);
ALTER TABLE core.fct_indicator_value ADD CONSTRAINT fct_indicator_value_value_source_check CHECK (value_source = ANY (ARRAY['submitted'::text, 'derived_from_ytd'::text, 'missing'::text]));
ALTER TABLE core.fct_indicator_value ADD CONSTRAINT fct_indicator_value_ytd_source_check CHECK (ytd_source = ANY (ARRAY['submitted'::text, 'derived'::text, 'not_applicable'::text, 'missing'::text]));
CREATE INDEX fct_indicator_value_lookup ON core.fct_indicator_value USING btree (district_code, indicator_code, period_key);
COMMENT ON TABLE core.fct_indicator_value IS 'Giá trị chỉ tiêu theo tháng / indicator values, district x month x indicator x version';
COMMENT ON COLUMN core.fct_indicator_value.value IS 'Thực hiện tháng: month value (flow), level at month end (stock), level at start (opening) or the rate submitted, in the catalog unit';
COMMENT ON COLUMN core.fct_indicator_value.ytd_value IS 'Lũy kế năm: year-to-date value (flows only), catalog unit';
COMMENT ON COLUMN core.fct_indicator_value.value_source IS 'submitted, derived_from_ytd (YTD minus previous month''s YTD) or missing';
COMMENT ON COLUMN core.fct_indicator_value.ytd_source IS 'submitted, derived (previous YTD plus month), not_applicable (not a flow) or missing';
COMMENT ON COLUMN core.fct_indicator_value.submitted_unit IS 'Unit the district wrote';
COMMENT ON COLUMN core.fct_indicator_value.conversion_factor IS 'Multiplier applied to reach the catalog unit';
COMMENT ON COLUMN core.fct_indicator_value.source_row IS 'Row of the sheet the value came from';
GRANT INSERT, SELECT ON TABLE core.fct_indicator_value TO baocao_loader;

CREATE TABLE core.fct_plan (
    plan_id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
    file_id bigint NOT NULL,
    district_key bigint NOT NULL,
    district_code text COLLATE "C" NOT NULL,
    year smallint NOT NULL,
    van_ban text,
    received_at timestamp with time zone NOT NULL,
    version integer NOT NULL,
    status text NOT NULL,
    is_current boolean DEFAULT false NOT NULL,
    error_count integer NOT NULL,
    warning_count integer NOT NULL,
    loaded_at timestamp with time zone DEFAULT now() NOT NULL
);
ALTER TABLE core.fct_plan ADD CONSTRAINT fct_plan_check CHECK (NOT is_current OR status <> 'rejected'::text);
ALTER TABLE core.fct_plan ADD CONSTRAINT fct_plan_district_key_fkey FOREIGN KEY (district_key) REFERENCES core.dim_district(district_key);
ALTER TABLE core.fct_plan ADD CONSTRAINT fct_plan_file_id_fkey FOREIGN KEY (file_id) REFERENCES raw.file(file_id);
ALTER TABLE core.fct_plan ADD CONSTRAINT fct_plan_file_id_key UNIQUE (file_id);
ALTER TABLE core.fct_plan ADD CONSTRAINT fct_plan_pkey PRIMARY KEY (plan_id);
ALTER TABLE core.fct_plan ADD CONSTRAINT fct_plan_status_check CHECK (status = ANY (ARRAY['accepted'::text, 'accepted_with_warnings'::text, 'rejected'::text]));
CREATE UNIQUE INDEX fct_plan_current ON core.fct_plan USING btree (district_code, year) WHERE is_current;
COMMENT ON TABLE core.fct_plan IS 'Kế hoạch năm đã nhận / annual plan files';
COMMENT ON COLUMN core.fct_plan.van_ban IS 'Decision that set the targets, e.g. 2115/QĐ-UBND';
COMMENT ON COLUMN core.fct_plan.is_current IS 'The plan in force: latest accepted for the district and year';
GRANT DELETE, INSERT, SELECT, UPDATE ON TABLE core.fct_plan TO baocao_loader;

CREATE TABLE core.fct_plan_target (
    plan_id bigint NOT NULL,
    indicator_key bigint NOT NULL,
    indicator_code text NOT NULL,
    district_code text COLLATE "C" NOT NULL,
    year smallint NOT NULL,
    target_value numeric NOT NULL,
    submitted_unit text NOT NULL,
    conversion_factor numeric NOT NULL
);
ALTER TABLE core.fct_plan_target ADD CONSTRAINT fct_plan_target_indicator_key_fkey FOREIGN KEY (indicator_key) REFERENCES core.dim_indicator(indicator_key);
ALTER TABLE core.fct_plan_target ADD CONSTRAINT fct_plan_target_pkey PRIMARY KEY (plan_id, indicator_key);
ALTER TABLE core.fct_plan_target ADD CONSTRAINT fct_plan_target_plan_id_fkey FOREIGN KEY (plan_id) REFERENCES core.fct_plan(plan_id);
COMMENT ON TABLE core.fct_plan_target IS 'Chỉ tiêu kế hoạch năm / annual plan targets';
COMMENT ON COLUMN core.fct_plan_target.target_value IS 'Kế hoạch năm in the catalog unit';
GRANT INSERT, SELECT ON TABLE core.fct_plan_target TO baocao_loader;

CREATE TABLE core.fct_submission (
    submission_id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
    file_id bigint NOT NULL,
    district_key bigint NOT NULL,
    district_code text COLLATE "C" NOT NULL,
    period_key integer NOT NULL,
    year smallint NOT NULL,
    month smallint NOT NULL,
    source_format text NOT NULL,
    received_at timestamp with time zone NOT NULL,
    sha256 character(64) NOT NULL,
    version integer NOT NULL,
    status text NOT NULL,
    is_current boolean DEFAULT false NOT NULL,
    error_count integer NOT NULL,
    warning_count integer NOT NULL,
    window_start date NOT NULL,
    window_end date NOT NULL,
    ngay_lap date,
    nguoi_lap text,
    email_lien_he text,
    loaded_at timestamp with time zone DEFAULT now() NOT NULL
);
ALTER TABLE core.fct_submission ADD CONSTRAINT fct_submission_check CHECK (NOT is_current OR status <> 'rejected'::text);
ALTER TABLE core.fct_submission ADD CONSTRAINT fct_submission_district_key_fkey FOREIGN KEY (district_key) REFERENCES core.dim_district(district_key);
ALTER TABLE core.fct_submission ADD CONSTRAINT fct_submission_file_id_fkey FOREIGN KEY (file_id) REFERENCES raw.file(file_id);
ALTER TABLE core.fct_submission ADD CONSTRAINT fct_submission_file_id_key UNIQUE (file_id);
ALTER TABLE core.fct_submission ADD CONSTRAINT fct_submission_period_key_fkey FOREIGN KEY (period_key) REFERENCES core.dim_period(period_key);
ALTER TABLE core.fct_submission ADD CONSTRAINT fct_submission_pkey PRIMARY KEY (submission_id);
ALTER TABLE core.fct_submission ADD CONSTRAINT fct_submission_source_format_check CHECK (source_format = ANY (ARRAY['xlsx'::text, 'xls'::text, 'ods'::text, 'json'::text]));
ALTER TABLE core.fct_submission ADD CONSTRAINT fct_submission_status_check CHECK (status = ANY (ARRAY['accepted'::text, 'accepted_with_warnings'::text, 'rejected'::text]));
CREATE UNIQUE INDEX fct_submission_current ON core.fct_submission USING btree (district_code, period_key) WHERE is_current;
CREATE INDEX fct_submission_district_period ON core.fct_submission USING btree (district_code, period_key);
CREATE INDEX fct_submission_received_at ON core.fct_submission USING btree (received_at);
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
GRANT DELETE, INSERT, SELECT, UPDATE ON TABLE core.fct_submission TO baocao_loader;

CREATE TABLE core.fct_task_snapshot (
    submission_id bigint NOT NULL,
    task_key bigint NOT NULL,
    district_code text COLLATE "C" NOT NULL,
    period_key integer NOT NULL,
    ma_nhiem_vu text NOT NULL,
    trang_thai text NOT NULL,
    ngay_hoan_thanh date,
    tien_do numeric,
    as_of_date date NOT NULL,
    derived_status text NOT NULL,
    source_row integer NOT NULL,
    note text
);
ALTER TABLE core.fct_task_snapshot ADD CONSTRAINT fct_task_snapshot_derived_status_check CHECK (derived_status = ANY (ARRAY['done_on_time'::text, 'done_late'::text, 'in_progress'::text, 'overdue'::text]));
ALTER TABLE core.fct_task_snapshot ADD CONSTRAINT fct_task_snapshot_pkey PRIMARY KEY (submission_id, task_key);
ALTER TABLE core.fct_task_snapshot ADD CONSTRAINT fct_task_snapshot_tien_do_check CHECK (tien_do >= 0::numeric AND tien_do <= 100::numeric);
ALTER TABLE core.fct_task_snapshot ADD CONSTRAINT fct_task_snapshot_trang_thai_check CHECK (trang_thai = ANY (ARRAY['Hoàn thành'::text, 'Đang thực hiện'::text, 'Chưa thực hiện'::text]));
CREATE INDEX fct_task_snapshot_lookup ON core.fct_task_snapshot USING btree (district_code, period_key);
COMMENT ON TABLE core.fct_task_snapshot IS 'Tình hình thực hiện nhiệm vụ theo tháng / monthly task snapshot';
COMMENT ON COLUMN core.fct_task_snapshot.trang_thai IS 'Status as reported';
COMMENT ON COLUMN core.fct_task_snapshot.tien_do IS 'Progress 0-100 as reported';
COMMENT ON COLUMN core.fct_task_snapshot.as_of_date IS 'End of the data window the status is judged at';
COMMENT ON COLUMN core.fct_task_snapshot.derived_status IS 'done_on_time, done_late, in_progress (within deadline or standing) or overdue';
GRANT INSERT, SELECT ON TABLE core.fct_task_snapshot TO baocao_loader;

CREATE TABLE core.reporting_assignment (
    province_code text NOT NULL,
    report_type text NOT NULL,
    from_period_key integer NOT NULL
);
ALTER TABLE core.reporting_assignment ADD CONSTRAINT reporting_assignment_from_period_key_fkey FOREIGN KEY (from_period_key) REFERENCES core.dim_period(period_key);
ALTER TABLE core.reporting_assignment ADD CONSTRAINT reporting_assignment_pkey PRIMARY KEY (province_code, report_type);
ALTER TABLE core.reporting_assignment ADD CONSTRAINT reporting_assignment_report_type_check CHECK (report_type = 'month'::text);
COMMENT ON TABLE core.reporting_assignment IS 'Tỉnh phải báo cáo từ kỳ nào / provinces whose districts must report, and from when';
COMMENT ON COLUMN core.reporting_assignment.province_code IS 'Legacy province code; all its current districts are expected';
COMMENT ON COLUMN core.reporting_assignment.from_period_key IS 'First month expected (core.dim_period, YYYYMM)';
GRANT SELECT ON TABLE core.reporting_assignment TO baocao_loader;

CREATE TABLE core.reporting_calendar (
    province_code text NOT NULL,
    report_type text NOT NULL,
    cutoff_day smallint NOT NULL,
    deadline_day smallint NOT NULL,
    deadline_time time without time zone NOT NULL,
    timezone text NOT NULL
);
ALTER TABLE core.reporting_calendar ADD CONSTRAINT reporting_calendar_check CHECK (deadline_day > cutoff_day);
ALTER TABLE core.reporting_calendar ADD CONSTRAINT reporting_calendar_cutoff_day_check CHECK (cutoff_day >= 1 AND cutoff_day <= 28);
ALTER TABLE core.reporting_calendar ADD CONSTRAINT reporting_calendar_deadline_day_check CHECK (deadline_day >= 1 AND deadline_day <= 28);
ALTER TABLE core.reporting_calendar ADD CONSTRAINT reporting_calendar_pkey PRIMARY KEY (province_code, report_type);
ALTER TABLE core.reporting_calendar ADD CONSTRAINT reporting_calendar_report_type_check CHECK (report_type = ANY (ARRAY['month'::text, 'half'::text, 'year'::text]));
COMMENT ON TABLE core.reporting_calendar IS 'Ngày chốt số liệu và hạn gửi theo tỉnh / cut-off and deadline per province';
COMMENT ON COLUMN core.reporting_calendar.province_code IS 'Legacy province code, or * for the default';
COMMENT ON COLUMN core.reporting_calendar.cutoff_day IS 'Ngày chốt số liệu: last day of the data window in the period''s last month';
COMMENT ON COLUMN core.reporting_calendar.deadline_day IS 'Hạn gửi: day of the period''s last month by which the report is due';
COMMENT ON COLUMN core.reporting_calendar.deadline_time IS 'Local time on the deadline day';
GRANT SELECT ON TABLE core.reporting_calendar TO baocao_loader;

CREATE TABLE mart.indicator_rollup (
    level text COLLATE "C" NOT NULL,
    unit_code text COLLATE "C" NOT NULL,
    period_key integer NOT NULL,
    period_type text NOT NULL,
    year smallint NOT NULL,
    half smallint,
    month smallint,
    indicator_code text COLLATE "C" NOT NULL,
    value numeric,
    ytd_value numeric,
    annual_plan numeric,
    pct_of_annual_plan numeric,
    plan_attained boolean,
    same_period_last_year numeric,
    yoy_change_pct numeric,
    yoy_change_points numeric,
    reporting_units integer NOT NULL,
    expected_units integer NOT NULL,
    refreshed_at timestamp with time zone DEFAULT now() NOT NULL,
    last_year_reporting_units integer,
    carried_forward_units integer,
    plan_units integer
) PARTITION BY RANGE (period_key);
ALTER TABLE mart.indicator_rollup ADD CONSTRAINT indicator_rollup_level_check CHECK (level = ANY (ARRAY['district'::text, 'province'::text, 'province_2025'::text, 'commune'::text]));
ALTER TABLE mart.indicator_rollup ADD CONSTRAINT indicator_rollup_pkey PRIMARY KEY (level, unit_code, indicator_code, period_key);
COMMENT ON TABLE mart.indicator_rollup IS 'Số liệu chỉ tiêu tổng hợp theo đơn vị và kỳ / indicator rollup by unit and period (materialized)';
COMMENT ON COLUMN mart.indicator_rollup.level IS 'Cấp tổng hợp: district (huyện, đến 6/2025), commune (xã, phường, đặc khu, từ 7/2025), province (tỉnh trước 1/7/2025, đến 6/2025), province_2025 (tỉnh sau sắp xếp, liên tục qua cải cách) / level: district, commune, legacy province or the 2025 province (continuous across the reform)';
COMMENT ON COLUMN mart.indicator_rollup.unit_code IS 'Mã đơn vị ở cấp đó (mã huyện 3 số, mã xã 5 số, mã tỉnh) / code of the unit at that level';
COMMENT ON COLUMN mart.indicator_rollup.period_key IS 'Khóa kỳ báo cáo (core.dim_period): YYYYMM cho tháng, YYYY*100+90+kỳ cho 6 tháng (202491), YYYY*100 cho năm / period key: YYYYMM for a month, YYYY*100+90+half for a half, YYYY*100 for a year';
COMMENT ON COLUMN mart.indicator_rollup.period_type IS 'Loại kỳ: month, half hoặc year; mỗi view đọc một loại / period type: month, half or year, one per view';
COMMENT ON COLUMN mart.indicator_rollup.year IS 'Năm / year';
COMMENT ON COLUMN mart.indicator_rollup.half IS 'Kỳ 6 tháng: 1 = tháng 1-6, 2 = tháng 7-12; với kỳ tháng là nửa năm chứa tháng đó, trống với kỳ năm / half-year: 1 = months 1-6, 2 = months 7-12; a month''s half for monthly rows, empty for years';
COMMENT ON COLUMN mart.indicator_rollup.month IS 'Tháng; trống với kỳ 6 tháng và năm / month; empty for halves and years';
COMMENT ON COLUMN mart.indicator_rollup.indicator_code IS 'Mã chỉ tiêu (danh mục) / indicator code from the catalog';
COMMENT ON COLUMN mart.indicator_rollup.value IS 'Giá trị kỳ: chỉ tiêu lưu lượng lấy lũy kế năm nếu có (năm: lũy kế tháng 12; 6 tháng đầu: lũy kế tháng 6; 6 tháng cuối: lũy kế tháng 12 trừ tháng 6), nếu không thì cộng các tháng, chỉ tiêu thời điểm lấy tháng cuối, số đầu kỳ lấy tháng đầu, tỷ lệ tính lại từ tử số và mẫu số / the period''s figure: flows from the year to date where known (the year: December''s; H1: June''s; H2: December''s minus June''s), else the sum of the months, stocks take the last month, opening balances the first, rates are recomputed from their components';
COMMENT ON COLUMN mart.indicator_rollup.ytd_value IS 'Lũy kế từ đầu năm đến hết kỳ (chỉ tiêu lưu lượng) / year to date at the end of the period (flows)';
COMMENT ON COLUMN mart.indicator_rollup.annual_plan IS 'Kế hoạch năm đang có hiệu lực; cấp tỉnh là tổng kế hoạch của các huyện có số liệu trong kỳ (plan_units), không áp dụng cho tỷ lệ / the annual plan in force; for a province the sum of the plans of the districts in the figure (plan_units), none for rates';
COMMENT ON COLUMN mart.indicator_rollup.pct_of_annual_plan IS 'Tỷ lệ thực hiện so với kế hoạch năm (%): lũy kế đến hết kỳ với chỉ tiêu lưu lượng, giá trị kỳ với chỉ tiêu khác / % of the annual plan: year to date for flows, the period''s value otherwise';
COMMENT ON COLUMN mart.indicator_rollup.plan_attained IS 'Đạt kế hoạch theo chiều của chỉ tiêu: với cả năm mọi chỉ tiêu; với tháng và 6 tháng chỉ khi kế hoạch là ngưỡng phải giữ (tỷ lệ, chỉ tiêu thời điểm thấp hơn là tốt) / plan met in the indicator''s direction: for the year, every indicator; for a month or half, only where the plan is a threshold to keep (rates, lower-is-better levels)';
COMMENT ON COLUMN mart.indicator_rollup.same_period_last_year IS 'Giá trị cùng kỳ năm trước / the same period last year';
COMMENT ON COLUMN mart.indicator_rollup.yoy_change_pct IS 'Tăng/giảm so với cùng kỳ (%), cho chỉ tiêu lưu lượng và thời điểm / relative change on the same period last year, flows and stocks';
COMMENT ON COLUMN mart.indicator_rollup.yoy_change_points IS 'Tăng/giảm so với cùng kỳ (điểm phần trăm), cho tỷ lệ / change on the same period last year in percentage points, rates';
COMMENT ON COLUMN mart.indicator_rollup.reporting_units IS 'Số huyện có đủ số liệu cho kỳ / districts whose figure for the period is complete';
COMMENT ON COLUMN mart.indicator_rollup.expected_units IS 'Số huyện phải báo cáo trong kỳ (như mart.reporting_rate: tỉnh được giao từ tháng được giao, tỉnh khác từ tháng đầu tiên có báo cáo hợp lệ của chính tỉnh đó; kỳ 6 tháng, năm: phải báo cáo trong tháng nào đó của kỳ; cấp huyện: 1); khi reporting_units nhỏ hơn số này thì số tổng hợp chưa đầy đủ / districts expected in the period, as mart.reporting_rate counts them (mart.expected_district_at: an assigned province from its assigned month, another from its own first accepted month; a half or year: expected in any month of it; a district: 1); a total with fewer reporting units is partial';
COMMENT ON COLUMN mart.indicator_rollup.refreshed_at IS 'Thời điểm baocao rollup ghi dòng này / when baocao rollup wrote the row';
COMMENT ON COLUMN mart.indicator_rollup.last_year_reporting_units IS 'Số huyện có đủ số liệu ở cùng kỳ năm trước; khác reporting_units thì so sánh cùng kỳ không cùng phạm vi / districts complete in the same period last year; when it differs from reporting_units the year-on-year change compares different sets';
COMMENT ON COLUMN mart.indicator_rollup.carried_forward_units IS 'Chỉ tiêu lưu lượng, theo tháng: số đơn vị mà lũy kế năm trong ytd_value lấy lũy kế của tháng gần nhất trước đó (đơn vị không báo cáo tháng này hoặc chưa tính được lũy kế của tháng); 0 là không có; để trống với kỳ 6 tháng, năm và chỉ tiêu khác / a flow''s month: how many units ytd_value counts with their latest earlier year to date, carried forward because their own for the month is not known (the month not reported, or its year to date not derivable); 0 when none; empty for halves, years and other kinds';
COMMENT ON COLUMN mart.indicator_rollup.plan_units IS 'Số đơn vị trong số liệu có kế hoạch năm; cấp tỉnh: kế hoạch năm là tổng kế hoạch của các đơn vị này, và tỷ lệ so với kế hoạch chỉ tính khi mọi đơn vị trong số liệu đều có kế hoạch (plan_units nhỏ hơn số đơn vị thì để trống) / units in the figure that have an annual plan; for a province, annual_plan sums their plans, and % of plan and plan_attained are given only when every unit in the figure has one (otherwise empty)';
GRANT DELETE, INSERT, SELECT, TRUNCATE, UPDATE ON TABLE mart.indicator_rollup TO baocao_loader;
GRANT SELECT ON TABLE mart.indicator_rollup TO baocao_analyst;

CREATE TABLE mart.submission_status_rollup (
    district_code text COLLATE "C" NOT NULL,
    district_name text NOT NULL,
    province_code text,
    year smallint NOT NULL,
    month smallint NOT NULL,
    status text NOT NULL,
    deadline timestamp with time zone NOT NULL,
    first_received_at timestamp with time zone,
    accepted_at timestamp with time zone,
    days_late integer,
    versions_received integer NOT NULL,
    errors integer NOT NULL,
    warnings integer NOT NULL,
    level text,
    province_2025_code text
);
ALTER TABLE mart.submission_status_rollup ADD CONSTRAINT submission_status_rollup_pkey PRIMARY KEY (district_code, year, month);
ALTER TABLE mart.submission_status_rollup ADD CONSTRAINT submission_status_rollup_status_check CHECK (status = ANY (ARRAY['on_time'::text, 'late'::text, 'missing'::text, 'rejected'::text, 'pending'::text]));
CREATE INDEX submission_status_rollup_deadline ON mart.submission_status_rollup USING btree (deadline);
CREATE INDEX submission_status_rollup_district_first_month ON mart.submission_status_rollup USING btree (province_code, year, month) WHERE (level = 'district'::text);
CREATE INDEX submission_status_rollup_month ON mart.submission_status_rollup USING btree (year, month);
COMMENT ON TABLE mart.submission_status_rollup IS 'Tình trạng nộp báo cáo tháng đã tính, lưu bởi baocao rollup (đọc qua mart.submission_status) / the stored submission statuses (read mart.submission_status)';
COMMENT ON COLUMN mart.submission_status_rollup.district_code IS 'Mã đơn vị báo cáo: huyện (3 chữ số) hoặc xã (5 chữ số, từ 7/2025) / reporting unit code: a district (3 digits) or a commune (5, from 2025-07)';
COMMENT ON COLUMN mart.submission_status_rollup.district_name IS 'Tên huyện / district name';
COMMENT ON COLUMN mart.submission_status_rollup.province_code IS 'Mã tỉnh (trước 1/7/2025; trống với xã) / legacy province code (null for a commune)';
COMMENT ON COLUMN mart.submission_status_rollup.year IS 'Năm / year';
COMMENT ON COLUMN mart.submission_status_rollup.month IS 'Tháng báo cáo / reporting month';
COMMENT ON COLUMN mart.submission_status_rollup.status IS 'Tình trạng: on_time (đúng hạn), late (muộn), missing (chưa nộp, quá hạn), rejected (bị trả lại), pending (chưa đến hạn) / status';
COMMENT ON COLUMN mart.submission_status_rollup.deadline IS 'Hạn nộp / submission deadline of the district''s province';
COMMENT ON COLUMN mart.submission_status_rollup.first_received_at IS 'Lần nhận đầu tiên / first file received';
COMMENT ON COLUMN mart.submission_status_rollup.accepted_at IS 'Thời điểm nhận bản hợp lệ đầu tiên / arrival of the first accepted version';
COMMENT ON COLUMN mart.submission_status_rollup.days_late IS 'Số ngày muộn của bản hợp lệ đầu tiên (0 nếu đúng hạn; để trống khi chưa có bản hợp lệ: số ngày quá hạn là as_of - deadline) / days the first accepted version came after the deadline, 0 when on time; empty while nothing is accepted (overdue: as_of - deadline)';
COMMENT ON COLUMN mart.submission_status_rollup.versions_received IS 'Số lần gửi / files received for the month';
COMMENT ON COLUMN mart.submission_status_rollup.errors IS 'Số lỗi của bản gửi gần nhất / errors in the latest version';
COMMENT ON COLUMN mart.submission_status_rollup.warnings IS 'Số cảnh báo của bản gửi gần nhất / warnings in the latest version';
COMMENT ON COLUMN mart.submission_status_rollup.level IS 'Cấp của đơn vị: district (huyện, đến 6/2025) hoặc commune (xã, phường, đặc khu, từ 7/2025) / district or commune';
COMMENT ON COLUMN mart.submission_status_rollup.province_2025_code IS 'Mã tỉnh từ 1/7/2025 của đơn vị (province_code để trống với xã) / the unit''s 2025 province (a commune has no legacy province_code)';
GRANT DELETE, INSERT, SELECT ON TABLE mart.submission_status_rollup TO baocao_loader;
GRANT SELECT ON TABLE mart.submission_status_rollup TO baocao_analyst;

CREATE TABLE mart.task_rollup (
    level text COLLATE "C" NOT NULL,
    unit_code text COLLATE "C" NOT NULL,
    period_key integer NOT NULL,
    period_type text NOT NULL,
    year smallint NOT NULL,
    half smallint,
    month smallint,
    assigning_body text COLLATE "C" NOT NULL,
    tasks_total integer NOT NULL,
    done_on_time integer NOT NULL,
    done_late integer NOT NULL,
    in_progress integer NOT NULL,
    overdue integer NOT NULL,
    on_time_rate numeric,
    refreshed_at timestamp with time zone DEFAULT now() NOT NULL
);
ALTER TABLE mart.task_rollup ADD CONSTRAINT task_rollup_level_check CHECK (level = ANY (ARRAY['district'::text, 'province'::text, 'province_2025'::text, 'commune'::text]));
ALTER TABLE mart.task_rollup ADD CONSTRAINT task_rollup_pkey PRIMARY KEY (level, unit_code, period_key, assigning_body);
CREATE INDEX task_rollup_year ON mart.task_rollup USING btree (level, unit_code, year);
COMMENT ON TABLE mart.task_rollup IS 'Tình hình thực hiện nhiệm vụ tổng hợp / task rollup by unit, period and assigning body (materialized)';
COMMENT ON COLUMN mart.task_rollup.level IS 'Cấp tổng hợp: district (huyện, đến 6/2025), commune (xã, phường, đặc khu, từ 7/2025), province (tỉnh trước 1/7/2025, đến 6/2025), province_2025 (tỉnh sau sắp xếp, liên tục qua cải cách) / level: district, commune, legacy province or the 2025 province (continuous across the reform)';
COMMENT ON COLUMN mart.task_rollup.unit_code IS 'Mã đơn vị ở cấp đó (mã huyện 3 số, mã xã 5 số, mã tỉnh) / code of the unit at that level';
COMMENT ON COLUMN mart.task_rollup.period_key IS 'Khóa kỳ báo cáo (core.dim_period): YYYYMM cho tháng, YYYY*100+90+kỳ cho 6 tháng (202491), YYYY*100 cho năm / period key: YYYYMM for a month, YYYY*100+90+half for a half, YYYY*100 for a year';
COMMENT ON COLUMN mart.task_rollup.period_type IS 'Loại kỳ: month, half hoặc year; mỗi view đọc một loại / period type: month, half or year, one per view';
COMMENT ON COLUMN mart.task_rollup.year IS 'Năm / year';
COMMENT ON COLUMN mart.task_rollup.half IS 'Kỳ 6 tháng: 1 = tháng 1-6, 2 = tháng 7-12; với kỳ tháng là nửa năm chứa tháng đó, trống với kỳ năm / half-year: 1 = months 1-6, 2 = months 7-12; a month''s half for monthly rows, empty for years';
COMMENT ON COLUMN mart.task_rollup.month IS 'Tháng; trống với kỳ 6 tháng và năm / month; empty for halves and years';
COMMENT ON COLUMN mart.task_rollup.assigning_body IS 'Cơ quan giao nhiệm vụ, tên chuẩn theo reference/assigning_bodies.yaml (cơ quan ngoài danh mục: như huyện ghi) / assigning body, its canonical name from reference/assigning_bodies.yaml (a body not in the list: as written)';
COMMENT ON COLUMN mart.task_rollup.tasks_total IS 'Tổng số nhiệm vụ đã báo cáo trong năm đến cuối kỳ, mỗi nhiệm vụ theo tình trạng báo cáo gần nhất (nhiệm vụ đã hoàn thành không cần báo lại) / every task reported in the year up to the end of the period, each in its latest reported state (a task done need not be sent again)';
COMMENT ON COLUMN mart.task_rollup.done_on_time IS 'Hoàn thành đúng hạn / done by the deadline';
COMMENT ON COLUMN mart.task_rollup.done_late IS 'Hoàn thành quá hạn / done after the deadline';
COMMENT ON COLUMN mart.task_rollup.in_progress IS 'Đang thực hiện trong hạn (kể cả nhiệm vụ thường xuyên) / in progress within the deadline, standing tasks included';
COMMENT ON COLUMN mart.task_rollup.overdue IS 'Quá hạn chưa hoàn thành / past the deadline and not done';
COMMENT ON COLUMN mart.task_rollup.on_time_rate IS 'Tỷ lệ hoàn thành đúng hạn trên tổng số nhiệm vụ (%) / done on time out of all tasks, %';
COMMENT ON COLUMN mart.task_rollup.refreshed_at IS 'Thời điểm baocao rollup ghi dòng này / when baocao rollup wrote the row';
GRANT DELETE, INSERT, SELECT, TRUNCATE ON TABLE mart.task_rollup TO baocao_loader;
GRANT SELECT ON TABLE mart.task_rollup TO baocao_analyst;

CREATE TABLE ops.alembic_version (
    version_num character varying(32) NOT NULL
);
ALTER TABLE ops.alembic_version ADD CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num);
GRANT SELECT ON TABLE ops.alembic_version TO baocao_loader;

CREATE TABLE ops.alert_log (
    alert_id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
    idempotency_key text NOT NULL,
    kind text NOT NULL,
    channel text NOT NULL,
    district_code text,
    period_code text,
    file_id bigint,
    recipients text[] NOT NULL,
    subject text NOT NULL,
    body text NOT NULL,
    status text NOT NULL,
    error text,
    as_of timestamp with time zone NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL
);
ALTER TABLE ops.alert_log ADD CONSTRAINT alert_log_channel_check CHECK (channel = ANY (ARRAY['email'::text, 'webhook'::text]));
ALTER TABLE ops.alert_log ADD CONSTRAINT alert_log_file_id_fkey FOREIGN KEY (file_id) REFERENCES raw.file(file_id);
ALTER TABLE ops.alert_log ADD CONSTRAINT alert_log_kind_check CHECK (kind = ANY (ARRAY['invalid_submission'::text, 'reminder'::text, 'late'::text, 'escalation'::text]));
ALTER TABLE ops.alert_log ADD CONSTRAINT alert_log_pkey PRIMARY KEY (alert_id);
ALTER TABLE ops.alert_log ADD CONSTRAINT alert_log_status_check CHECK (status = ANY (ARRAY['sent'::text, 'failed'::text, 'no_channel'::text]));
CREATE UNIQUE INDEX alert_log_once ON ops.alert_log USING btree (idempotency_key, channel) WHERE (status = 'sent'::text);
COMMENT ON TABLE ops.alert_log IS 'Nhật ký cảnh báo đã gửi / alerts sent, once per key and channel';
COMMENT ON COLUMN ops.alert_log.idempotency_key IS 'kind:district:period or invalid:file_id; the alert''s identity';
COMMENT ON COLUMN ops.alert_log.status IS 'sent; failed (retried next run); no_channel (none configured, logged once)';
COMMENT ON COLUMN ops.alert_log.as_of IS 'The moment the monitor judged the alert due (replayable with --as-of)';
GRANT INSERT, SELECT ON TABLE ops.alert_log TO baocao_loader;

CREATE TABLE ops.file_outcome (
    file_id bigint NOT NULL,
    file_kind text NOT NULL,
    source_format text,
    outcome text NOT NULL,
    district_code text,
    period_code text,
    error_count integer NOT NULL,
    warning_count integer NOT NULL,
    quarantined boolean NOT NULL,
    processed_at timestamp with time zone DEFAULT now() NOT NULL
);
ALTER TABLE ops.file_outcome ADD CONSTRAINT file_outcome_file_id_fkey FOREIGN KEY (file_id) REFERENCES raw.file(file_id);
ALTER TABLE ops.file_outcome ADD CONSTRAINT file_outcome_file_kind_check CHECK (file_kind = ANY (ARRAY['submission'::text, 'plan'::text, 'unknown'::text]));
ALTER TABLE ops.file_outcome ADD CONSTRAINT file_outcome_outcome_check CHECK (outcome = ANY (ARRAY['accepted'::text, 'accepted_with_warnings'::text, 'rejected'::text]));
ALTER TABLE ops.file_outcome ADD CONSTRAINT file_outcome_pkey PRIMARY KEY (file_id);
COMMENT ON TABLE ops.file_outcome IS 'Kết quả xử lý từng tệp / outcome of each file';
COMMENT ON COLUMN ops.file_outcome.period_code IS 'ky_bao_cao (YYYY-MM) or plan year, when readable';
COMMENT ON COLUMN ops.file_outcome.quarantined IS 'True when rejected: kept in raw, nothing of it in the facts';
GRANT DELETE, INSERT, SELECT ON TABLE ops.file_outcome TO baocao_loader;

CREATE TABLE ops.ingest_run (
    run_id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
    started_at timestamp with time zone NOT NULL,
    finished_at timestamp with time zone,
    caller text NOT NULL,
    files_seen integer DEFAULT 0 NOT NULL,
    accepted integer DEFAULT 0 NOT NULL,
    accepted_with_warnings integer DEFAULT 0 NOT NULL,
    rejected integer DEFAULT 0 NOT NULL,
    duplicates integer DEFAULT 0 NOT NULL,
    load_path text
);
ALTER TABLE ops.ingest_run ADD CONSTRAINT ingest_run_load_path_check CHECK (load_path = ANY (ARRAY['batch'::text, 'per_file'::text, 'nothing'::text]));
ALTER TABLE ops.ingest_run ADD CONSTRAINT ingest_run_pkey PRIMARY KEY (run_id);
COMMENT ON TABLE ops.ingest_run IS 'Nhật ký các lần nạp / ingest runs';
COMMENT ON COLUMN ops.ingest_run.load_path IS 'batch: all files loaded in one transaction; per_file: the batch failed, each file was loaded in its own; nothing: no file to load (every one a duplicate, or failed before the quality gate); null: runs before revision 0015';
GRANT INSERT, SELECT ON TABLE ops.ingest_run TO baocao_loader;

CREATE TABLE ops.repeatable_checksum (
    singleton boolean DEFAULT true NOT NULL,
    checksum character(64) NOT NULL,
    applied_at timestamp with time zone DEFAULT now() NOT NULL
);
ALTER TABLE ops.repeatable_checksum ADD CONSTRAINT repeatable_checksum_pkey PRIMARY KEY (singleton);
ALTER TABLE ops.repeatable_checksum ADD CONSTRAINT repeatable_checksum_singleton_check CHECK (singleton);
COMMENT ON TABLE ops.repeatable_checksum IS 'Phiên bản view, hàm đã áp dụng / checksum of the repeatable objects last applied (one row)';
COMMENT ON COLUMN ops.repeatable_checksum.singleton IS 'Always true: the table holds one row';
COMMENT ON COLUMN ops.repeatable_checksum.checksum IS 'SHA-256 of the repeatable SQL and mart comments applied (etl.warehouse.schema.repeatables_checksum)';
COMMENT ON COLUMN ops.repeatable_checksum.applied_at IS 'When baocao db upgrade re-created them';
GRANT SELECT ON TABLE ops.repeatable_checksum TO baocao_loader;

CREATE TABLE ops.rollup_partial (
    level text COLLATE "C" NOT NULL,
    unit_code text COLLATE "C" NOT NULL,
    year smallint NOT NULL,
    indicator_code text COLLATE "C" NOT NULL,
    period_key integer NOT NULL,
    value numeric,
    value_units integer NOT NULL,
    reporting_units integer NOT NULL,
    ytd_delta numeric,
    ytd_first integer,
    ytd_known integer NOT NULL,
    annual_plan numeric,
    plan_units integer NOT NULL,
    figure_units integer NOT NULL,
    numerator numeric,
    denominator numeric
);
ALTER TABLE ops.rollup_partial ADD CONSTRAINT rollup_partial_level_unit_code_year_fkey FOREIGN KEY (level, unit_code, year) REFERENCES ops.rollup_partial_unit(level, unit_code, year) ON DELETE CASCADE;
ALTER TABLE ops.rollup_partial ADD CONSTRAINT rollup_partial_pkey PRIMARY KEY (level, unit_code, year, indicator_code, period_key);
COMMENT ON TABLE ops.rollup_partial IS 'Tổng thành phần của số liệu cấp tỉnh, trước khi tính lũy kế / partial sums of the province-level figures, before the year-to-date windows, for the incremental refresh';
GRANT DELETE, INSERT, SELECT, TRUNCATE ON TABLE ops.rollup_partial TO baocao_loader;

CREATE TABLE ops.rollup_partial_unit (
    level text COLLATE "C" NOT NULL,
    unit_code text COLLATE "C" NOT NULL,
    year smallint NOT NULL,
    basis text NOT NULL
);
ALTER TABLE ops.rollup_partial_unit ADD CONSTRAINT rollup_partial_unit_pkey PRIMARY KEY (level, unit_code, year);
COMMENT ON TABLE ops.rollup_partial_unit IS 'Tỉnh-năm có tổng thành phần đã lưu, và cơ sở của chúng / province-years whose partial sums are stored (ops.rollup_partial), and what they were summed over';
GRANT DELETE, INSERT, SELECT, TRUNCATE ON TABLE ops.rollup_partial_unit TO baocao_loader;

CREATE TABLE ops.rollup_queue (
    district_code text COLLATE "C" NOT NULL,
    year smallint NOT NULL,
    queued_at timestamp with time zone DEFAULT now() NOT NULL
);
ALTER TABLE ops.rollup_queue ADD CONSTRAINT rollup_queue_pkey PRIMARY KEY (district_code, year);
COMMENT ON TABLE ops.rollup_queue IS 'Huyện-năm cần tổng hợp lại / district-years waiting for the incremental rollup';
GRANT DELETE, INSERT, SELECT, UPDATE ON TABLE ops.rollup_queue TO baocao_loader;

CREATE TABLE ops.rollup_step (
    "position" smallint NOT NULL,
    name text NOT NULL,
    statements text NOT NULL,
    runs_as_of boolean NOT NULL
);
ALTER TABLE ops.rollup_step ADD CONSTRAINT rollup_step_name_key UNIQUE (name);
ALTER TABLE ops.rollup_step ADD CONSTRAINT rollup_step_pkey PRIMARY KEY ("position");
COMMENT ON TABLE ops.rollup_step IS 'Các bước tổng hợp / the rollup steps of sql/rollup/, loaded by the upgrade, run by the as-of functions';
COMMENT ON COLUMN ops.rollup_step."position" IS 'The step''s number: the order it runs in';
COMMENT ON COLUMN ops.rollup_step.name IS 'The step file''s name without number and suffix (district_figures)';
COMMENT ON COLUMN ops.rollup_step.statements IS 'The step file''s SQL';
COMMENT ON COLUMN ops.rollup_step.runs_as_of IS 'Whether an as-of computation runs it (the steps that compute figures; not those that write mart tables)';
GRANT SELECT ON TABLE ops.rollup_step TO baocao_loader;

CREATE TABLE ops.status_refresh (
    singleton boolean DEFAULT true NOT NULL,
    as_of timestamp with time zone NOT NULL,
    calendar text NOT NULL
);
ALTER TABLE ops.status_refresh ADD CONSTRAINT status_refresh_pkey PRIMARY KEY (singleton);
ALTER TABLE ops.status_refresh ADD CONSTRAINT status_refresh_singleton_check CHECK (singleton);
COMMENT ON TABLE ops.status_refresh IS 'Lần làm mới gần nhất đưa mọi tình trạng nộp báo cáo về hiện tại, và lịch báo cáo đã dùng / when mart.submission_status was last brought up to date, and the calendar it was judged by';
GRANT INSERT, SELECT, UPDATE ON TABLE ops.status_refresh TO baocao_loader;

CREATE TABLE ops.superseded_outcome (
    file_id bigint NOT NULL,
    attempt smallint NOT NULL,
    outcome text,
    error_count integer,
    warning_count integer,
    processed_at timestamp with time zone,
    messages jsonb NOT NULL,
    superseded_at timestamp with time zone DEFAULT now() NOT NULL
);
ALTER TABLE ops.superseded_outcome ADD CONSTRAINT superseded_outcome_file_id_fkey FOREIGN KEY (file_id) REFERENCES raw.file(file_id);
ALTER TABLE ops.superseded_outcome ADD CONSTRAINT superseded_outcome_pkey PRIMARY KEY (file_id, attempt);
COMMENT ON TABLE ops.superseded_outcome IS 'Kết quả xử lý trước khi xử lý lại / earlier attempts at a reprocessed file';
COMMENT ON COLUMN ops.superseded_outcome.attempt IS '1 for the first attempt; the current one is the count of rows here + 1';
COMMENT ON COLUMN ops.superseded_outcome.outcome IS 'accepted, accepted_with_warnings or rejected; NULL when the attempt never finished';
COMMENT ON COLUMN ops.superseded_outcome.messages IS 'That attempt''s ops.validation_message rows, as JSON';
COMMENT ON COLUMN ops.superseded_outcome.superseded_at IS 'When baocao reprocess ran the file again';
GRANT INSERT, SELECT ON TABLE ops.superseded_outcome TO baocao_loader;

CREATE TABLE ops.validation_message (
    message_id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
    file_id bigint NOT NULL,
    code text NOT NULL,
    severity text NOT NULL,
    sheet text,
    row_number integer,
    column_name text,
    found text,
    expected text,
    message_vi text NOT NULL,
    message_en text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    source text DEFAULT 'structure'::text NOT NULL,
    rule_id text,
    cell text,
    item_code text,
    item_name text
);
ALTER TABLE ops.validation_message ADD CONSTRAINT validation_message_file_id_fkey FOREIGN KEY (file_id) REFERENCES raw.file(file_id);
ALTER TABLE ops.validation_message ADD CONSTRAINT validation_message_pkey PRIMARY KEY (message_id);
ALTER TABLE ops.validation_message ADD CONSTRAINT validation_message_severity_check CHECK (severity = ANY (ARRAY['error'::text, 'warning'::text]));
ALTER TABLE ops.validation_message ADD CONSTRAINT validation_message_source_check CHECK (source = ANY (ARRAY['structure'::text, 'expectation'::text, 'rule'::text]));
CREATE INDEX validation_message_code ON ops.validation_message USING btree (code);
CREATE INDEX validation_message_file ON ops.validation_message USING btree (file_id);
COMMENT ON TABLE ops.validation_message IS 'Lỗi và cảnh báo của từng tệp / errors and warnings per file';
COMMENT ON COLUMN ops.validation_message.code IS 'Stable machine code, e.g. VALUE_MALFORMED';
COMMENT ON COLUMN ops.validation_message.sheet IS 'Sheet (thong_tin, chi_tieu, nhiem_vu, ke_hoach) or JSON section';
COMMENT ON COLUMN ops.validation_message.row_number IS 'Row in the sheet (header = 1) or JSON item number';
COMMENT ON COLUMN ops.validation_message.message_vi IS 'Message for district staff, in Vietnamese';
COMMENT ON COLUMN ops.validation_message.source IS 'structure (the file cannot be read as the contract says), expectation (a Great Expectations suite), rule (a consistency rule of reference/validation_rules.yaml)';
COMMENT ON COLUMN ops.validation_message.rule_id IS 'The expectation type or rule id that produced the message';
COMMENT ON COLUMN ops.validation_message.cell IS 'The cell as the clerk''s office suite names it (D13); NULL for JSON files and messages about a whole sheet or file';
COMMENT ON COLUMN ops.validation_message.item_code IS 'The indicator code (ma_chi_tieu) or task id (ma_nhiem_vu) of the row the message is about';
COMMENT ON COLUMN ops.validation_message.item_name IS 'That indicator''s catalog name, or the task''s title as sent';
GRANT DELETE, INSERT, SELECT ON TABLE ops.validation_message TO baocao_loader;

CREATE TABLE raw.file (
    file_id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
    sha256 character(64) NOT NULL,
    file_name text NOT NULL,
    source_uri text NOT NULL,
    size_bytes bigint NOT NULL,
    content bytea NOT NULL,
    received_at timestamp with time zone NOT NULL,
    archived_at timestamp with time zone DEFAULT now() NOT NULL,
    received_at_rule text NOT NULL,
    override_by text,
    override_at timestamp with time zone
);
ALTER TABLE raw.file ADD CONSTRAINT file_override_recorded CHECK ((received_at_rule = 'override'::text) = (override_by IS NOT NULL AND override_at IS NOT NULL));
ALTER TABLE raw.file ADD CONSTRAINT file_pkey PRIMARY KEY (file_id);
ALTER TABLE raw.file ADD CONSTRAINT file_received_at_rule_check CHECK (received_at_rule = ANY (ARRAY['inode_change'::text, 'object_store'::text, 'call'::text, 'override'::text, 'unrecorded'::text]));
ALTER TABLE raw.file ADD CONSTRAINT file_sha256_key UNIQUE (sha256);
ALTER TABLE raw.file ADD CONSTRAINT file_size_bytes_check CHECK (size_bytes >= 0);
CREATE TRIGGER file_append_only BEFORE DELETE OR UPDATE ON raw.file FOR EACH ROW EXECUTE FUNCTION raw.refuse_change();
CREATE TRIGGER file_no_truncate BEFORE TRUNCATE ON raw.file FOR EACH STATEMENT EXECUTE FUNCTION raw.refuse_change();
COMMENT ON TABLE raw.file IS 'Tệp nhận được, lưu nguyên văn / every file as it arrived, before parsing';
COMMENT ON COLUMN raw.file.sha256 IS 'SHA-256 of the bytes; identifies re-deliveries';
COMMENT ON COLUMN raw.file.file_name IS 'Tên tệp khi nhận / file name as delivered';
COMMENT ON COLUMN raw.file.source_uri IS 'Where the file was picked up (path or URL)';
COMMENT ON COLUMN raw.file.content IS 'The bytes exactly as received';
COMMENT ON COLUMN raw.file.received_at IS 'Thời điểm nhận / when baocao''s side first saw the file (received_at_rule says how); decides on time or late';
COMMENT ON COLUMN raw.file.archived_at IS 'When baocao stored it';
COMMENT ON COLUMN raw.file.received_at_rule IS 'inode_change: a landing folder''s inode change time (set by the kernel when the file lands, not by the sender''s copy); object_store: the store''s own timestamp; call: the moment of `baocao ingest`; override: an operator''s --received-at (backfill, replay); unrecorded: archived before revision 0016';
COMMENT ON COLUMN raw.file.override_by IS 'Who set received_at by hand (override only)';
COMMENT ON COLUMN raw.file.override_at IS 'When received_at was set by hand (override only)';
GRANT INSERT, SELECT ON TABLE raw.file TO baocao_loader;

CREATE TABLE raw.file_delivery (
    delivery_id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
    file_id bigint NOT NULL,
    file_name text NOT NULL,
    source_uri text NOT NULL,
    received_at timestamp with time zone NOT NULL,
    received_at_rule text NOT NULL,
    override_by text,
    recorded_at timestamp with time zone DEFAULT now() NOT NULL
);
ALTER TABLE raw.file_delivery ADD CONSTRAINT file_delivery_file_id_fkey FOREIGN KEY (file_id) REFERENCES raw.file(file_id);
ALTER TABLE raw.file_delivery ADD CONSTRAINT file_delivery_once UNIQUE (file_id, source_uri, received_at);
ALTER TABLE raw.file_delivery ADD CONSTRAINT file_delivery_override_recorded CHECK ((received_at_rule = 'override'::text) = (override_by IS NOT NULL));
ALTER TABLE raw.file_delivery ADD CONSTRAINT file_delivery_pkey PRIMARY KEY (delivery_id);
ALTER TABLE raw.file_delivery ADD CONSTRAINT file_delivery_received_at_rule_check CHECK (received_at_rule = ANY (ARRAY['inode_change'::text, 'object_store'::text, 'call'::text, 'override'::text, 'unrecorded'::text]));
CREATE TRIGGER file_delivery_append_only BEFORE DELETE OR UPDATE ON raw.file_delivery FOR EACH ROW EXECUTE FUNCTION raw.refuse_change();
CREATE TRIGGER file_delivery_no_truncate BEFORE TRUNCATE ON raw.file_delivery FOR EACH STATEMENT EXECUTE FUNCTION raw.refuse_change();
COMMENT ON TABLE raw.file_delivery IS 'Mỗi lần nhận tệp / every delivery of a file, the same bytes delivered again included; append-only';
COMMENT ON COLUMN raw.file_delivery.delivery_id IS 'Delivery number (identity)';
COMMENT ON COLUMN raw.file_delivery.file_id IS 'The content delivered (raw.file, one row per distinct sha256)';
COMMENT ON COLUMN raw.file_delivery.file_name IS 'Tên tệp khi nhận / file name as delivered this time';
COMMENT ON COLUMN raw.file_delivery.source_uri IS 'Where this delivery was picked up (path or URL)';
COMMENT ON COLUMN raw.file_delivery.received_at IS 'Thời điểm nhận / when baocao''s side saw this delivery (received_at_rule says how)';
COMMENT ON COLUMN raw.file_delivery.received_at_rule IS 'How received_at was established: inode_change, object_store, call, override, unrecorded (as raw.file)';
COMMENT ON COLUMN raw.file_delivery.override_by IS 'Who set received_at by hand (override only)';
COMMENT ON COLUMN raw.file_delivery.recorded_at IS 'When baocao recorded the delivery';
GRANT INSERT, SELECT ON TABLE raw.file_delivery TO baocao_loader;

CREATE TABLE staging.stg_indicator_row (
    file_id bigint NOT NULL,
    row_number integer NOT NULL,
    ma_chi_tieu text,
    ten_chi_tieu text,
    don_vi_tinh text,
    thuc_hien_thang_raw text,
    luy_ke_nam_raw text,
    ghi_chu text,
    indicator_code text,
    conversion_factor numeric,
    thuc_hien_thang numeric,
    luy_ke_nam numeric
);
ALTER TABLE staging.stg_indicator_row ADD CONSTRAINT stg_indicator_row_pkey PRIMARY KEY (file_id, row_number);
COMMENT ON TABLE staging.stg_indicator_row IS 'Dòng chỉ tiêu như đã đọc / indicator rows as read from a file';
COMMENT ON COLUMN staging.stg_indicator_row.row_number IS 'Spreadsheet row (1-based, header is row 1) or JSON array index + 1';
COMMENT ON COLUMN staging.stg_indicator_row.thuc_hien_thang_raw IS 'Value for the month as written';
COMMENT ON COLUMN staging.stg_indicator_row.luy_ke_nam_raw IS 'Year-to-date value as written';
COMMENT ON COLUMN staging.stg_indicator_row.indicator_code IS 'Catalog code matched from ma_chi_tieu (null if unknown)';
COMMENT ON COLUMN staging.stg_indicator_row.conversion_factor IS 'Submitted unit -> catalog unit multiplier';
COMMENT ON COLUMN staging.stg_indicator_row.thuc_hien_thang IS 'Month value in the catalog unit';
COMMENT ON COLUMN staging.stg_indicator_row.luy_ke_nam IS 'Year-to-date value in the catalog unit';
GRANT DELETE, INSERT, SELECT ON TABLE staging.stg_indicator_row TO baocao_loader;

CREATE TABLE staging.stg_plan_row (
    file_id bigint NOT NULL,
    row_number integer NOT NULL,
    ma_chi_tieu text,
    don_vi_tinh text,
    ke_hoach_nam_raw text,
    indicator_code text,
    conversion_factor numeric,
    ke_hoach_nam numeric
);
ALTER TABLE staging.stg_plan_row ADD CONSTRAINT stg_plan_row_pkey PRIMARY KEY (file_id, row_number);
COMMENT ON TABLE staging.stg_plan_row IS 'Dòng kế hoạch năm như đã đọc / annual plan rows as read';
COMMENT ON COLUMN staging.stg_plan_row.ke_hoach_nam IS 'Annual target in the catalog unit';
GRANT DELETE, INSERT, SELECT ON TABLE staging.stg_plan_row TO baocao_loader;

CREATE TABLE staging.stg_task_row (
    file_id bigint NOT NULL,
    row_number integer NOT NULL,
    ma_nhiem_vu text,
    ten_nhiem_vu text,
    co_quan_giao text,
    van_ban_giao text,
    ngay_giao date,
    han_hoan_thanh date,
    trang_thai text,
    ngay_hoan_thanh date,
    tien_do numeric,
    ghi_chu text
);
ALTER TABLE staging.stg_task_row ADD CONSTRAINT stg_task_row_pkey PRIMARY KEY (file_id, row_number);
COMMENT ON TABLE staging.stg_task_row IS 'Dòng nhiệm vụ như đã đọc / task rows as read from a file';
COMMENT ON COLUMN staging.stg_task_row.trang_thai IS 'Status as the district wrote it, normalised to Hoàn thành / Đang thực hiện / Chưa thực hiện';
GRANT DELETE, INSERT, SELECT ON TABLE staging.stg_task_row TO baocao_loader;

-- Views

CREATE VIEW core.indicator_value_current AS
 SELECT v.submission_id,
    v.indicator_key,
    v.district_key,
    v.period_key,
    v.indicator_code,
    v.district_code,
    v.year,
    v.month,
    v.value,
    v.ytd_value,
    v.value_source,
    v.ytd_source,
    v.submitted_unit,
    v.conversion_factor,
    v.source_row,
    v.note
   FROM core.fct_indicator_value v
     JOIN core.fct_submission s USING (submission_id)
  WHERE s.is_current;
COMMENT ON VIEW core.indicator_value_current IS 'Giá trị chỉ tiêu hiện hành / values of the current submission of each district-month';
GRANT SELECT ON TABLE core.indicator_value_current TO baocao_loader;

CREATE VIEW mart.district_unit AS
 SELECT dim_district.district_code,
    dim_district.level,
    dim_district.district_code AS unit_code,
    dim_district.district_name AS unit_name
   FROM core.dim_district
  WHERE dim_district.is_current
UNION ALL
 SELECT dim_district.district_code,
    'province'::text AS level,
    dim_district.province_code::text AS unit_code,
    dim_district.province_name AS unit_name
   FROM core.dim_district
  WHERE dim_district.is_current AND dim_district.level = 'district'::text
UNION ALL
 SELECT dim_district.district_code,
    'province_2025'::text AS level,
    dim_district.province_2025_code AS unit_code,
    dim_district.province_2025_name AS unit_name
   FROM core.dim_district
  WHERE dim_district.is_current;
COMMENT ON VIEW mart.district_unit IS 'Huyện và các đơn vị tổng hợp chứa nó / each district and the units it rolls up into';
COMMENT ON COLUMN mart.district_unit.district_code IS 'Mã huyện (3 chữ số) / district code, 3 digits';
COMMENT ON COLUMN mart.district_unit.level IS 'Cấp tổng hợp: district (huyện, đến 6/2025), commune (xã, phường, đặc khu, từ 7/2025), province (tỉnh trước 1/7/2025, đến 6/2025), province_2025 (tỉnh sau sắp xếp, liên tục qua cải cách) / level: district, commune, legacy province or the 2025 province (continuous across the reform)';
COMMENT ON COLUMN mart.district_unit.unit_code IS 'Mã đơn vị ở cấp đó (mã huyện 3 số, mã xã 5 số, mã tỉnh) / code of the unit at that level';
COMMENT ON COLUMN mart.district_unit.unit_name IS 'Tên đơn vị / unit name';
GRANT SELECT ON TABLE mart.district_unit TO baocao_analyst;
GRANT SELECT ON TABLE mart.district_unit TO baocao_loader;

CREATE VIEW mart.figure_revision AS
 WITH accepted AS (
         SELECT s.submission_id,
            s.file_id,
            s.district_code,
            s.year,
            s.month,
            s.period_key,
            s.received_at,
            s.version,
            row_number() OVER (PARTITION BY s.district_code, s.period_key ORDER BY s.received_at, s.submission_id) AS accepted_rank
           FROM core.fct_submission s
          WHERE s.status <> 'rejected'::text
        ), pairs AS (
         SELECT n.submission_id,
            n.file_id,
            n.district_code,
            n.year,
            n.month,
            n.period_key,
            n.received_at,
            n.version,
            n.accepted_rank,
            p.submission_id AS previous_submission_id,
            p.version AS previous_version
           FROM accepted n
             JOIN accepted p ON p.district_code = n.district_code AND p.period_key = n.period_key AND p.accepted_rank = (n.accepted_rank - 1)
        ), submitted AS (
         SELECT v.submission_id,
            v.indicator_code,
                CASE
                    WHEN v.value_source = 'submitted'::text THEN v.value
                    ELSE NULL::numeric
                END AS value,
                CASE
                    WHEN v.ytd_source = 'submitted'::text THEN v.ytd_value
                    ELSE NULL::numeric
                END AS ytd_value
           FROM core.fct_indicator_value v
        ), changes AS (
         SELECT pr.submission_id,
            pr.file_id,
            pr.district_code,
            pr.year,
            pr.month,
            pr.period_key,
            pr.received_at,
            pr.version,
            pr.accepted_rank,
            pr.previous_submission_id,
            pr.previous_version,
            COALESCE(nv.indicator_code, ov.indicator_code) AS indicator_code,
            ov.value AS old_value,
            nv.value AS new_value,
            ov.ytd_value AS old_ytd_value,
            nv.ytd_value AS new_ytd_value
           FROM pairs pr
             CROSS JOIN LATERAL ( SELECT indicator_code,
                    nv_1.submission_id,
                    nv_1.value,
                    nv_1.ytd_value,
                    ov_1.submission_id,
                    ov_1.value,
                    ov_1.ytd_value
                   FROM ( SELECT submitted.submission_id,
                            submitted.indicator_code,
                            submitted.value,
                            submitted.ytd_value
                           FROM submitted
                          WHERE submitted.submission_id = pr.submission_id) nv_1
                     FULL JOIN ( SELECT submitted.submission_id,
                            submitted.indicator_code,
                            submitted.value,
                            submitted.ytd_value
                           FROM submitted
                          WHERE submitted.submission_id = pr.previous_submission_id) ov_1 USING (indicator_code)) x(indicator_code, n_submission_id, n_value, n_ytd, o_submission_id, o_value, o_ytd)
             LEFT JOIN LATERAL ( SELECT x.indicator_code,
                    x.n_value AS value,
                    x.n_ytd AS ytd_value) nv ON x.n_submission_id IS NOT NULL
             LEFT JOIN LATERAL ( SELECT x.indicator_code,
                    x.o_value AS value,
                    x.o_ytd AS ytd_value) ov ON x.o_submission_id IS NOT NULL
        )
 SELECT
        CASE
            WHEN length(c.district_code) = 5 THEN 'commune'::text
            ELSE 'district'::text
        END AS level,
    c.district_code AS unit_code,
    c.year,
    c.month,
    c.indicator_code,
    c.previous_version,
    c.version,
    c.old_value,
    c.new_value,
    c.old_ytd_value,
    c.new_ytd_value,
    c.received_at AS revised_at,
    f.file_name,
    st.deadline,
    c.received_at > st.deadline AS after_deadline
   FROM changes c
     JOIN raw.file f ON f.file_id = c.file_id
     LEFT JOIN mart.submission_status st ON st.district_code = c.district_code AND st.year = c.year AND st.month = c.month
  WHERE c.old_value IS DISTINCT FROM c.new_value OR c.old_ytd_value IS DISTINCT FROM c.new_ytd_value;
COMMENT ON VIEW mart.figure_revision IS 'Nhật ký điều chỉnh số liệu: mỗi thay đổi của một chỉ tiêu tháng sau bản hợp lệ đầu tiên / revision log: every change to a unit-month figure after its first accepted version';
COMMENT ON COLUMN mart.figure_revision.level IS 'Cấp của đơn vị gửi: district (huyện) hoặc commune (xã, từ 7/2025) / level of the reporting unit';
COMMENT ON COLUMN mart.figure_revision.unit_code IS 'Mã đơn vị báo cáo (huyện 3 số, xã 5 số) / reporting unit code';
COMMENT ON COLUMN mart.figure_revision.year IS 'Năm / year';
COMMENT ON COLUMN mart.figure_revision.month IS 'Tháng báo cáo / reporting month';
COMMENT ON COLUMN mart.figure_revision.indicator_code IS 'Mã chỉ tiêu / indicator code';
COMMENT ON COLUMN mart.figure_revision.previous_version IS 'Phiên bản hợp lệ trước đó (số thứ tự theo thời điểm nhận) / the accepted version replaced';
COMMENT ON COLUMN mart.figure_revision.version IS 'Phiên bản điều chỉnh / the accepted version that changed the figure';
COMMENT ON COLUMN mart.figure_revision.old_value IS 'Giá trị tháng trước điều chỉnh (như đã gửi, theo đơn vị của danh mục; trống: không gửi) / month value before, as submitted';
COMMENT ON COLUMN mart.figure_revision.new_value IS 'Giá trị tháng sau điều chỉnh (trống: không gửi) / month value after, as submitted';
COMMENT ON COLUMN mart.figure_revision.old_ytd_value IS 'Lũy kế năm trước điều chỉnh (như đã gửi) / year to date before, as submitted';
COMMENT ON COLUMN mart.figure_revision.new_ytd_value IS 'Lũy kế năm sau điều chỉnh (như đã gửi) / year to date after, as submitted';
COMMENT ON COLUMN mart.figure_revision.revised_at IS 'Thời điểm nhận bản điều chỉnh; so với ngày phát hành một báo cáo để biết điều chỉnh sau báo cáo đó / when the revising version arrived; compare with a report''s cut-off';
COMMENT ON COLUMN mart.figure_revision.file_name IS 'Tên tệp của bản điều chỉnh / file name of the revising version';
COMMENT ON COLUMN mart.figure_revision.deadline IS 'Hạn nộp báo cáo tháng (của tháng phải báo cáo; trống nếu không thuộc diện phải báo cáo) / the month''s submission deadline';
COMMENT ON COLUMN mart.figure_revision.after_deadline IS 'Điều chỉnh sau hạn nộp / whether the revision arrived after the deadline';
GRANT SELECT ON TABLE mart.figure_revision TO baocao_analyst;
GRANT SELECT ON TABLE mart.figure_revision TO baocao_loader;

CREATE VIEW mart.indicator_annual AS
 SELECT r.level,
    r.unit_code,
    u.unit_name,
    r.year,
    r.indicator_code,
    i.indicator_name,
    i.unit,
    r.value,
    r.annual_plan,
    r.pct_of_annual_plan,
    r.same_period_last_year,
    r.yoy_change_pct,
    r.yoy_change_points,
    r.plan_attained,
    r.reporting_units,
    r.expected_units,
    r.last_year_reporting_units,
    r.carried_forward_units,
    r.plan_units,
    r.refreshed_at
   FROM mart.indicator_rollup r
     JOIN mart.unit_name u ON u.level = r.level AND u.unit_code = r.unit_code
     JOIN core.dim_indicator i ON i.indicator_code = r.indicator_code AND i.is_current
  WHERE r.period_type = 'year'::text;
COMMENT ON VIEW mart.indicator_annual IS 'Chỉ tiêu cả năm / indicators by year';
COMMENT ON COLUMN mart.indicator_annual.level IS 'Cấp tổng hợp: district (huyện, đến 6/2025), commune (xã, phường, đặc khu, từ 7/2025), province (tỉnh trước 1/7/2025, đến 6/2025), province_2025 (tỉnh sau sắp xếp, liên tục qua cải cách) / level: district, commune, legacy province or the 2025 province (continuous across the reform)';
COMMENT ON COLUMN mart.indicator_annual.unit_code IS 'Mã đơn vị ở cấp đó (mã huyện 3 số, mã xã 5 số, mã tỉnh) / code of the unit at that level';
COMMENT ON COLUMN mart.indicator_annual.unit_name IS 'Tên đơn vị / unit name';
COMMENT ON COLUMN mart.indicator_annual.year IS 'Năm / year';
COMMENT ON COLUMN mart.indicator_annual.indicator_code IS 'Mã chỉ tiêu (danh mục) / indicator code from the catalog';
COMMENT ON COLUMN mart.indicator_annual.indicator_name IS 'Tên chỉ tiêu / indicator name';
COMMENT ON COLUMN mart.indicator_annual.unit IS 'Đơn vị tính (mọi giá trị đã quy đổi về đơn vị này) / unit every value is expressed in';
COMMENT ON COLUMN mart.indicator_annual.value IS 'Giá trị kỳ: chỉ tiêu lưu lượng lấy lũy kế năm nếu có (năm: lũy kế tháng 12; 6 tháng đầu: lũy kế tháng 6; 6 tháng cuối: lũy kế tháng 12 trừ tháng 6), nếu không thì cộng các tháng, chỉ tiêu thời điểm lấy tháng cuối, số đầu kỳ lấy tháng đầu, tỷ lệ tính lại từ tử số và mẫu số / the period''s figure: flows from the year to date where known (the year: December''s; H1: June''s; H2: December''s minus June''s), else the sum of the months, stocks take the last month, opening balances the first, rates are recomputed from their components';
COMMENT ON COLUMN mart.indicator_annual.annual_plan IS 'Kế hoạch năm đang có hiệu lực; cấp tỉnh là tổng kế hoạch của các huyện có số liệu trong kỳ (plan_units), không áp dụng cho tỷ lệ / the annual plan in force; for a province the sum of the plans of the districts in the figure (plan_units), none for rates';
COMMENT ON COLUMN mart.indicator_annual.pct_of_annual_plan IS 'Tỷ lệ thực hiện so với kế hoạch năm (%): lũy kế đến hết kỳ với chỉ tiêu lưu lượng, giá trị kỳ với chỉ tiêu khác / % of the annual plan: year to date for flows, the period''s value otherwise';
COMMENT ON COLUMN mart.indicator_annual.same_period_last_year IS 'Giá trị cùng kỳ năm trước / the same period last year';
COMMENT ON COLUMN mart.indicator_annual.yoy_change_pct IS 'Tăng/giảm so với cùng kỳ (%), cho chỉ tiêu lưu lượng và thời điểm / relative change on the same period last year, flows and stocks';
COMMENT ON COLUMN mart.indicator_annual.yoy_change_points IS 'Tăng/giảm so với cùng kỳ (điểm phần trăm), cho tỷ lệ / change on the same period last year in percentage points, rates';
COMMENT ON COLUMN mart.indicator_annual.plan_attained IS 'Đạt kế hoạch theo chiều của chỉ tiêu (cao hơn là tốt hoặc thấp hơn là tốt) / plan met in the indicator''s direction (higher or lower is better)';
COMMENT ON COLUMN mart.indicator_annual.reporting_units IS 'Số huyện có đủ số liệu cho kỳ / districts whose figure for the period is complete';
COMMENT ON COLUMN mart.indicator_annual.expected_units IS 'Số huyện phải báo cáo trong kỳ (như mart.reporting_rate: tỉnh được giao từ tháng được giao, tỉnh khác từ tháng đầu tiên có báo cáo hợp lệ của chính tỉnh đó; kỳ 6 tháng, năm: phải báo cáo trong tháng nào đó của kỳ; cấp huyện: 1); khi reporting_units nhỏ hơn số này thì số tổng hợp chưa đầy đủ / districts expected in the period, as mart.reporting_rate counts them (mart.expected_district_at: an assigned province from its assigned month, another from its own first accepted month; a half or year: expected in any month of it; a district: 1); a total with fewer reporting units is partial';
COMMENT ON COLUMN mart.indicator_annual.last_year_reporting_units IS 'Số huyện có đủ số liệu ở cùng kỳ năm trước; khác reporting_units thì so sánh cùng kỳ không cùng phạm vi / districts complete in the same period last year; when it differs from reporting_units the year-on-year change compares different sets';
COMMENT ON COLUMN mart.indicator_annual.carried_forward_units IS 'Chỉ tiêu lưu lượng, theo tháng: số đơn vị mà lũy kế năm trong ytd_value lấy lũy kế của tháng gần nhất trước đó (đơn vị không báo cáo tháng này hoặc chưa tính được lũy kế của tháng); 0 là không có; để trống với kỳ 6 tháng, năm và chỉ tiêu khác / a flow''s month: how many units ytd_value counts with their latest earlier year to date, carried forward because their own for the month is not known (the month not reported, or its year to date not derivable); 0 when none; empty for halves, years and other kinds';
COMMENT ON COLUMN mart.indicator_annual.plan_units IS 'Số đơn vị trong số liệu có kế hoạch năm; cấp tỉnh: kế hoạch năm là tổng kế hoạch của các đơn vị này, và tỷ lệ so với kế hoạch chỉ tính khi mọi đơn vị trong số liệu đều có kế hoạch (plan_units nhỏ hơn số đơn vị thì để trống) / units in the figure that have an annual plan; for a province, annual_plan sums their plans, and % of plan and plan_attained are given only when every unit in the figure has one (otherwise empty)';
COMMENT ON COLUMN mart.indicator_annual.refreshed_at IS 'Thời điểm baocao rollup tính dòng này (theo hàm _at: thời điểm tính) / when baocao rollup computed the row (from an _at function: when it was computed)';
GRANT SELECT ON TABLE mart.indicator_annual TO baocao_analyst;
GRANT SELECT ON TABLE mart.indicator_annual TO baocao_loader;

CREATE VIEW mart.indicator_monthly AS
 SELECT r.level,
    r.unit_code,
    u.unit_name,
    r.year,
    r.month,
    r.indicator_code,
    i.indicator_name,
    i.unit,
    r.value,
    r.ytd_value,
    r.annual_plan,
    r.pct_of_annual_plan,
    r.same_period_last_year,
    r.yoy_change_pct,
    r.yoy_change_points,
    r.plan_attained,
    r.reporting_units,
    r.expected_units,
    r.last_year_reporting_units,
    r.carried_forward_units,
    r.plan_units,
    r.refreshed_at
   FROM mart.indicator_rollup r
     JOIN mart.unit_name u ON u.level = r.level AND u.unit_code = r.unit_code
     JOIN core.dim_indicator i ON i.indicator_code = r.indicator_code AND i.is_current
  WHERE r.period_type = 'month'::text;
COMMENT ON VIEW mart.indicator_monthly IS 'Chỉ tiêu theo tháng / indicators by month';
COMMENT ON COLUMN mart.indicator_monthly.level IS 'Cấp tổng hợp: district (huyện, đến 6/2025), commune (xã, phường, đặc khu, từ 7/2025), province (tỉnh trước 1/7/2025, đến 6/2025), province_2025 (tỉnh sau sắp xếp, liên tục qua cải cách) / level: district, commune, legacy province or the 2025 province (continuous across the reform)';
COMMENT ON COLUMN mart.indicator_monthly.unit_code IS 'Mã đơn vị ở cấp đó (mã huyện 3 số, mã xã 5 số, mã tỉnh) / code of the unit at that level';
COMMENT ON COLUMN mart.indicator_monthly.unit_name IS 'Tên đơn vị / unit name';
COMMENT ON COLUMN mart.indicator_monthly.year IS 'Năm / year';
COMMENT ON COLUMN mart.indicator_monthly.month IS 'Tháng / month';
COMMENT ON COLUMN mart.indicator_monthly.indicator_code IS 'Mã chỉ tiêu (danh mục) / indicator code from the catalog';
COMMENT ON COLUMN mart.indicator_monthly.indicator_name IS 'Tên chỉ tiêu / indicator name';
COMMENT ON COLUMN mart.indicator_monthly.unit IS 'Đơn vị tính (mọi giá trị đã quy đổi về đơn vị này) / unit every value is expressed in';
COMMENT ON COLUMN mart.indicator_monthly.value IS 'Giá trị kỳ: chỉ tiêu lưu lượng lấy lũy kế năm nếu có (năm: lũy kế tháng 12; 6 tháng đầu: lũy kế tháng 6; 6 tháng cuối: lũy kế tháng 12 trừ tháng 6), nếu không thì cộng các tháng, chỉ tiêu thời điểm lấy tháng cuối, số đầu kỳ lấy tháng đầu, tỷ lệ tính lại từ tử số và mẫu số / the period''s figure: flows from the year to date where known (the year: December''s; H1: June''s; H2: December''s minus June''s), else the sum of the months, stocks take the last month, opening balances the first, rates are recomputed from their components';
COMMENT ON COLUMN mart.indicator_monthly.ytd_value IS 'Lũy kế từ đầu năm đến hết kỳ (chỉ tiêu lưu lượng) / year to date at the end of the period (flows)';
COMMENT ON COLUMN mart.indicator_monthly.annual_plan IS 'Kế hoạch năm đang có hiệu lực; cấp tỉnh là tổng kế hoạch của các huyện có số liệu trong kỳ (plan_units), không áp dụng cho tỷ lệ / the annual plan in force; for a province the sum of the plans of the districts in the figure (plan_units), none for rates';
COMMENT ON COLUMN mart.indicator_monthly.pct_of_annual_plan IS 'Tỷ lệ thực hiện so với kế hoạch năm (%): lũy kế đến hết kỳ với chỉ tiêu lưu lượng, giá trị kỳ với chỉ tiêu khác / % of the annual plan: year to date for flows, the period''s value otherwise';
COMMENT ON COLUMN mart.indicator_monthly.same_period_last_year IS 'Giá trị cùng kỳ năm trước / the same period last year';
COMMENT ON COLUMN mart.indicator_monthly.yoy_change_pct IS 'Tăng/giảm so với cùng kỳ (%), cho chỉ tiêu lưu lượng và thời điểm / relative change on the same period last year, flows and stocks';
COMMENT ON COLUMN mart.indicator_monthly.yoy_change_points IS 'Tăng/giảm so với cùng kỳ (điểm phần trăm), cho tỷ lệ / change on the same period last year in percentage points, rates';
COMMENT ON COLUMN mart.indicator_monthly.plan_attained IS 'Đạt kế hoạch theo chiều của chỉ tiêu: với cả năm mọi chỉ tiêu; với tháng và 6 tháng chỉ khi kế hoạch là ngưỡng phải giữ (tỷ lệ, chỉ tiêu thời điểm thấp hơn là tốt) / plan met in the indicator''s direction: for the year, every indicator; for a month or half, only where the plan is a threshold to keep (rates, lower-is-better levels)';
COMMENT ON COLUMN mart.indicator_monthly.reporting_units IS 'Số huyện có đủ số liệu cho kỳ / districts whose figure for the period is complete';
COMMENT ON COLUMN mart.indicator_monthly.expected_units IS 'Số huyện phải báo cáo trong kỳ (như mart.reporting_rate: tỉnh được giao từ tháng được giao, tỉnh khác từ tháng đầu tiên có báo cáo hợp lệ của chính tỉnh đó; kỳ 6 tháng, năm: phải báo cáo trong tháng nào đó của kỳ; cấp huyện: 1); khi reporting_units nhỏ hơn số này thì số tổng hợp chưa đầy đủ / districts expected in the period, as mart.reporting_rate counts them (mart.expected_district_at: an assigned province from its assigned month, another from its own first accepted month; a half or year: expected in any month of it; a district: 1); a total with fewer reporting units is partial';
COMMENT ON COLUMN mart.indicator_monthly.last_year_reporting_units IS 'Số huyện có đủ số liệu ở cùng kỳ năm trước; khác reporting_units thì so sánh cùng kỳ không cùng phạm vi / districts complete in the same period last year; when it differs from reporting_units the year-on-year change compares different sets';
COMMENT ON COLUMN mart.indicator_monthly.carried_forward_units IS 'Chỉ tiêu lưu lượng, theo tháng: số đơn vị mà lũy kế năm trong ytd_value lấy lũy kế của tháng gần nhất trước đó (đơn vị không báo cáo tháng này hoặc chưa tính được lũy kế của tháng); 0 là không có; để trống với kỳ 6 tháng, năm và chỉ tiêu khác / a flow''s month: how many units ytd_value counts with their latest earlier year to date, carried forward because their own for the month is not known (the month not reported, or its year to date not derivable); 0 when none; empty for halves, years and other kinds';
COMMENT ON COLUMN mart.indicator_monthly.plan_units IS 'Số đơn vị trong số liệu có kế hoạch năm; cấp tỉnh: kế hoạch năm là tổng kế hoạch của các đơn vị này, và tỷ lệ so với kế hoạch chỉ tính khi mọi đơn vị trong số liệu đều có kế hoạch (plan_units nhỏ hơn số đơn vị thì để trống) / units in the figure that have an annual plan; for a province, annual_plan sums their plans, and % of plan and plan_attained are given only when every unit in the figure has one (otherwise empty)';
COMMENT ON COLUMN mart.indicator_monthly.refreshed_at IS 'Thời điểm baocao rollup tính dòng này (theo hàm _at: thời điểm tính) / when baocao rollup computed the row (from an _at function: when it was computed)';
GRANT SELECT ON TABLE mart.indicator_monthly TO baocao_analyst;
GRANT SELECT ON TABLE mart.indicator_monthly TO baocao_loader;

CREATE VIEW mart.indicator_semiannual AS
 SELECT r.level,
    r.unit_code,
    u.unit_name,
    r.year,
    r.half,
    r.indicator_code,
    i.indicator_name,
    i.unit,
    r.value,
    r.annual_plan,
    r.pct_of_annual_plan,
    r.same_period_last_year,
    r.yoy_change_pct,
    r.yoy_change_points,
    r.plan_attained,
    r.reporting_units,
    r.expected_units,
    r.last_year_reporting_units,
    r.carried_forward_units,
    r.plan_units,
    r.refreshed_at
   FROM mart.indicator_rollup r
     JOIN mart.unit_name u ON u.level = r.level AND u.unit_code = r.unit_code
     JOIN core.dim_indicator i ON i.indicator_code = r.indicator_code AND i.is_current
  WHERE r.period_type = 'half'::text;
COMMENT ON VIEW mart.indicator_semiannual IS 'Chỉ tiêu 6 tháng (H1 = tháng 1-6, H2 = tháng 7-12) / indicators by half-year';
COMMENT ON COLUMN mart.indicator_semiannual.level IS 'Cấp tổng hợp: district (huyện, đến 6/2025), commune (xã, phường, đặc khu, từ 7/2025), province (tỉnh trước 1/7/2025, đến 6/2025), province_2025 (tỉnh sau sắp xếp, liên tục qua cải cách) / level: district, commune, legacy province or the 2025 province (continuous across the reform)';
COMMENT ON COLUMN mart.indicator_semiannual.unit_code IS 'Mã đơn vị ở cấp đó (mã huyện 3 số, mã xã 5 số, mã tỉnh) / code of the unit at that level';
COMMENT ON COLUMN mart.indicator_semiannual.unit_name IS 'Tên đơn vị / unit name';
COMMENT ON COLUMN mart.indicator_semiannual.year IS 'Năm / year';
COMMENT ON COLUMN mart.indicator_semiannual.half IS 'Kỳ 6 tháng: 1 = 6 tháng đầu năm, 2 = 6 tháng cuối năm / half-year: 1 = months 1-6, 2 = months 7-12';
COMMENT ON COLUMN mart.indicator_semiannual.indicator_code IS 'Mã chỉ tiêu (danh mục) / indicator code from the catalog';
COMMENT ON COLUMN mart.indicator_semiannual.indicator_name IS 'Tên chỉ tiêu / indicator name';
COMMENT ON COLUMN mart.indicator_semiannual.unit IS 'Đơn vị tính (mọi giá trị đã quy đổi về đơn vị này) / unit every value is expressed in';
COMMENT ON COLUMN mart.indicator_semiannual.value IS 'Giá trị kỳ: chỉ tiêu lưu lượng lấy lũy kế năm nếu có (năm: lũy kế tháng 12; 6 tháng đầu: lũy kế tháng 6; 6 tháng cuối: lũy kế tháng 12 trừ tháng 6), nếu không thì cộng các tháng, chỉ tiêu thời điểm lấy tháng cuối, số đầu kỳ lấy tháng đầu, tỷ lệ tính lại từ tử số và mẫu số / the period''s figure: flows from the year to date where known (the year: December''s; H1: June''s; H2: December''s minus June''s), else the sum of the months, stocks take the last month, opening balances the first, rates are recomputed from their components';
COMMENT ON COLUMN mart.indicator_semiannual.annual_plan IS 'Kế hoạch năm đang có hiệu lực; cấp tỉnh là tổng kế hoạch của các huyện có số liệu trong kỳ (plan_units), không áp dụng cho tỷ lệ / the annual plan in force; for a province the sum of the plans of the districts in the figure (plan_units), none for rates';
COMMENT ON COLUMN mart.indicator_semiannual.pct_of_annual_plan IS 'Tỷ lệ thực hiện so với kế hoạch năm (%): lũy kế đến hết kỳ với chỉ tiêu lưu lượng, giá trị kỳ với chỉ tiêu khác / % of the annual plan: year to date for flows, the period''s value otherwise';
COMMENT ON COLUMN mart.indicator_semiannual.same_period_last_year IS 'Giá trị cùng kỳ năm trước / the same period last year';
COMMENT ON COLUMN mart.indicator_semiannual.yoy_change_pct IS 'Tăng/giảm so với cùng kỳ (%), cho chỉ tiêu lưu lượng và thời điểm / relative change on the same period last year, flows and stocks';
COMMENT ON COLUMN mart.indicator_semiannual.yoy_change_points IS 'Tăng/giảm so với cùng kỳ (điểm phần trăm), cho tỷ lệ / change on the same period last year in percentage points, rates';
COMMENT ON COLUMN mart.indicator_semiannual.plan_attained IS 'Đạt kế hoạch theo chiều của chỉ tiêu: với cả năm mọi chỉ tiêu; với tháng và 6 tháng chỉ khi kế hoạch là ngưỡng phải giữ (tỷ lệ, chỉ tiêu thời điểm thấp hơn là tốt) / plan met in the indicator''s direction: for the year, every indicator; for a month or half, only where the plan is a threshold to keep (rates, lower-is-better levels)';
COMMENT ON COLUMN mart.indicator_semiannual.reporting_units IS 'Số huyện có đủ số liệu cho kỳ / districts whose figure for the period is complete';
COMMENT ON COLUMN mart.indicator_semiannual.expected_units IS 'Số huyện phải báo cáo trong kỳ (như mart.reporting_rate: tỉnh được giao từ tháng được giao, tỉnh khác từ tháng đầu tiên có báo cáo hợp lệ của chính tỉnh đó; kỳ 6 tháng, năm: phải báo cáo trong tháng nào đó của kỳ; cấp huyện: 1); khi reporting_units nhỏ hơn số này thì số tổng hợp chưa đầy đủ / districts expected in the period, as mart.reporting_rate counts them (mart.expected_district_at: an assigned province from its assigned month, another from its own first accepted month; a half or year: expected in any month of it; a district: 1); a total with fewer reporting units is partial';
COMMENT ON COLUMN mart.indicator_semiannual.last_year_reporting_units IS 'Số huyện có đủ số liệu ở cùng kỳ năm trước; khác reporting_units thì so sánh cùng kỳ không cùng phạm vi / districts complete in the same period last year; when it differs from reporting_units the year-on-year change compares different sets';
COMMENT ON COLUMN mart.indicator_semiannual.carried_forward_units IS 'Chỉ tiêu lưu lượng, theo tháng: số đơn vị mà lũy kế năm trong ytd_value lấy lũy kế của tháng gần nhất trước đó (đơn vị không báo cáo tháng này hoặc chưa tính được lũy kế của tháng); 0 là không có; để trống với kỳ 6 tháng, năm và chỉ tiêu khác / a flow''s month: how many units ytd_value counts with their latest earlier year to date, carried forward because their own for the month is not known (the month not reported, or its year to date not derivable); 0 when none; empty for halves, years and other kinds';
COMMENT ON COLUMN mart.indicator_semiannual.plan_units IS 'Số đơn vị trong số liệu có kế hoạch năm; cấp tỉnh: kế hoạch năm là tổng kế hoạch của các đơn vị này, và tỷ lệ so với kế hoạch chỉ tính khi mọi đơn vị trong số liệu đều có kế hoạch (plan_units nhỏ hơn số đơn vị thì để trống) / units in the figure that have an annual plan; for a province, annual_plan sums their plans, and % of plan and plan_attained are given only when every unit in the figure has one (otherwise empty)';
COMMENT ON COLUMN mart.indicator_semiannual.refreshed_at IS 'Thời điểm baocao rollup tính dòng này (theo hàm _at: thời điểm tính) / when baocao rollup computed the row (from an _at function: when it was computed)';
GRANT SELECT ON TABLE mart.indicator_semiannual TO baocao_analyst;
GRANT SELECT ON TABLE mart.indicator_semiannual TO baocao_loader;

CREATE VIEW mart.reporting_rate AS
 SELECT du.level,
    du.unit_code,
    s.year,
    s.month,
    count(*) AS expected,
    count(*) FILTER (WHERE s.status = ANY (ARRAY['on_time'::text, 'late'::text])) AS received,
    count(*) FILTER (WHERE s.status = 'on_time'::text) AS on_time,
    round(100.0 * count(*) FILTER (WHERE s.status = ANY (ARRAY['on_time'::text, 'late'::text]))::numeric / count(*)::numeric, 2) AS reporting_rate_pct,
    round(100.0 * count(*) FILTER (WHERE s.status = 'on_time'::text)::numeric / count(*)::numeric, 2) AS on_time_rate_pct,
    max(s.as_of) AS refreshed_at
   FROM mart.submission_status s
     JOIN mart.district_unit du ON du.district_code = s.district_code
  GROUP BY du.level, du.unit_code, s.year, s.month;
COMMENT ON VIEW mart.reporting_rate IS 'Tỷ lệ báo cáo / reporting rates per unit and month';
COMMENT ON COLUMN mart.reporting_rate.level IS 'district (đến 6/2025), commune (từ 7/2025), province (trước 1/7/2025 / legacy) or province_2025';
COMMENT ON COLUMN mart.reporting_rate.unit_code IS 'Mã đơn vị / unit code at that level';
COMMENT ON COLUMN mart.reporting_rate.year IS 'Năm / year';
COMMENT ON COLUMN mart.reporting_rate.month IS 'Tháng / month';
COMMENT ON COLUMN mart.reporting_rate.expected IS 'Số huyện phải báo cáo trong tháng (mart.expected_district_at; bằng expected_units của các bảng chỉ tiêu) / districts expected to report that month (mart.expected_district_at; the indicator marts'' expected_units)';
COMMENT ON COLUMN mart.reporting_rate.received IS 'Số huyện đã có báo cáo hợp lệ / districts with an accepted report';
COMMENT ON COLUMN mart.reporting_rate.on_time IS 'Số huyện báo cáo đúng hạn / districts whose report was accepted by the deadline';
COMMENT ON COLUMN mart.reporting_rate.reporting_rate_pct IS 'Tỷ lệ báo cáo (%) / received / expected x 100';
COMMENT ON COLUMN mart.reporting_rate.on_time_rate_pct IS 'Tỷ lệ đúng hạn (%) / on time / expected x 100';
COMMENT ON COLUMN mart.reporting_rate.refreshed_at IS 'Thời điểm baocao rollup tính các tình trạng này (mới nhất) / when baocao rollup last computed the statuses counted';
GRANT SELECT ON TABLE mart.reporting_rate TO baocao_analyst;
GRANT SELECT ON TABLE mart.reporting_rate TO baocao_loader;

CREATE VIEW mart.reporting_unit AS
 SELECT u.level,
    u.unit_code,
    u.unit_name,
    u.unit_type,
    u.province_code::text AS province_code,
    p.province_name,
    u.province_2025_code,
    p25.province_2025_name,
    u.commune_count,
    u.valid_from,
    u.valid_to,
    u.change,
    u.legal_act,
    u.date_confirmed,
    u.ended_by,
    u.ended_by_act,
    u.successor_code
   FROM core.dim_reporting_unit u
     LEFT JOIN core.dim_province p ON p.province_code = u.province_code AND p.is_current
     LEFT JOIN core.dim_province_2025 p25 ON p25.province_2025_code = u.province_2025_code AND p25.is_current;
COMMENT ON VIEW mart.reporting_unit IS 'Đơn vị báo cáo theo thời gian: huyện (đến 30/6/2025) và xã, phường, đặc khu (từ 1/7/2025), mỗi dòng một giai đoạn / reporting units in time, one row per version';
COMMENT ON COLUMN mart.reporting_unit.level IS 'Cấp: district (huyện) hoặc commune (xã, phường, đặc khu) / district or commune';
COMMENT ON COLUMN mart.reporting_unit.unit_code IS 'Mã đơn vị: 3 chữ số (huyện), 5 chữ số (xã) / official code, 3 digits for a district, 5 for a commune';
COMMENT ON COLUMN mart.reporting_unit.unit_name IS 'Tên trong giai đoạn này (Huyện Việt Yên, rồi Thị xã Việt Yên) / name in this version';
COMMENT ON COLUMN mart.reporting_unit.unit_type IS 'Loại: Huyện, Quận, Thị xã, Thành phố; Xã, Phường, Đặc khu / unit type';
COMMENT ON COLUMN mart.reporting_unit.province_code IS 'Mã tỉnh trước 1/7/2025 (chỉ với huyện) / legacy province code (districts only)';
COMMENT ON COLUMN mart.reporting_unit.province_name IS 'Tên tỉnh trước 1/7/2025 / legacy province name';
COMMENT ON COLUMN mart.reporting_unit.province_2025_code IS 'Mã tỉnh từ 1/7/2025 chứa đơn vị hoặc địa bàn của nó / province since 1/7/2025 holding the unit or its area';
COMMENT ON COLUMN mart.reporting_unit.province_2025_name IS 'Tên tỉnh từ 1/7/2025 / its name';
COMMENT ON COLUMN mart.reporting_unit.commune_count IS 'Số xã, phường, thị trấn trong giai đoạn này (chỉ với huyện) / communes in this version (districts)';
COMMENT ON COLUMN mart.reporting_unit.valid_from IS 'Ngày đầu của giai đoạn (trống: trước thay đổi đầu tiên được ghi nhận) / first day of the version (null: before the first recorded change)';
COMMENT ON COLUMN mart.reporting_unit.valid_to IS 'Ngày cuối của giai đoạn (trống: còn hiệu lực); giai đoạn cuối kết thúc ngày đơn vị chấm dứt / last day of the version (null: in force)';
COMMENT ON COLUMN mart.reporting_unit.change IS 'Thay đổi mở đầu giai đoạn: established (thành lập), renamed, type_changed, commune_count / the change that started the version';
COMMENT ON COLUMN mart.reporting_unit.legal_act IS 'Văn bản quy định thay đổi, ví dụ 1191/NQ-UBTVQH15 / the legal act of the change';
COMMENT ON COLUMN mart.reporting_unit.date_confirmed IS 'false khi ngày hiệu lực chưa được xác nhận từ nguồn (xem reference/unit_changes.csv) / false when the effective date is not confirmed';
COMMENT ON COLUMN mart.reporting_unit.ended_by IS 'Trên giai đoạn cuối: đơn vị chấm dứt thế nào (merged_into: nhập vào đơn vị khác; abolished: bỏ cấp huyện từ 1/7/2025) / how the unit ended';
COMMENT ON COLUMN mart.reporting_unit.ended_by_act IS 'Văn bản chấm dứt (72/2025/QH15 với mọi huyện) / the act that ended it';
COMMENT ON COLUMN mart.reporting_unit.successor_code IS 'merged_into: mã đơn vị đã nhập vào / the unit it became part of';
GRANT SELECT ON TABLE mart.reporting_unit TO baocao_analyst;
GRANT SELECT ON TABLE mart.reporting_unit TO baocao_loader;

CREATE VIEW mart.submission_status AS
 SELECT district_code,
    district_name,
    province_code,
    year,
    month,
    status,
    deadline,
    first_received_at,
    accepted_at,
    days_late,
    versions_received,
    errors,
    warnings,
    ( SELECT r.as_of
           FROM ops.status_refresh r) AS as_of,
    level,
    province_2025_code
   FROM mart.submission_status_rollup s;
COMMENT ON VIEW mart.submission_status IS 'Tình trạng nộp báo cáo tháng của từng huyện phải báo cáo (mart.expected_district_at) / monthly submission status of every expected district-month (mart.expected_district_at)';
COMMENT ON COLUMN mart.submission_status.district_code IS 'Mã đơn vị báo cáo: huyện (3 chữ số) hoặc xã (5 chữ số, từ 7/2025) / reporting unit code: a district (3 digits) or a commune (5, from 2025-07)';
COMMENT ON COLUMN mart.submission_status.district_name IS 'Tên huyện / district name';
COMMENT ON COLUMN mart.submission_status.province_code IS 'Mã tỉnh (trước 1/7/2025; trống với xã) / legacy province code (null for a commune)';
COMMENT ON COLUMN mart.submission_status.year IS 'Năm / year';
COMMENT ON COLUMN mart.submission_status.month IS 'Tháng báo cáo / reporting month';
COMMENT ON COLUMN mart.submission_status.status IS 'Tình trạng: on_time (đúng hạn), late (muộn), missing (chưa nộp, quá hạn), rejected (bị trả lại), pending (chưa đến hạn) / status';
COMMENT ON COLUMN mart.submission_status.deadline IS 'Hạn nộp / submission deadline of the district''s province';
COMMENT ON COLUMN mart.submission_status.first_received_at IS 'Lần nhận đầu tiên / first file received';
COMMENT ON COLUMN mart.submission_status.accepted_at IS 'Thời điểm nhận bản hợp lệ đầu tiên / arrival of the first accepted version';
COMMENT ON COLUMN mart.submission_status.days_late IS 'Số ngày muộn của bản hợp lệ đầu tiên (0 nếu đúng hạn; để trống khi chưa có bản hợp lệ: số ngày quá hạn là as_of - deadline) / days the first accepted version came after the deadline, 0 when on time; empty while nothing is accepted (overdue: as_of - deadline)';
COMMENT ON COLUMN mart.submission_status.versions_received IS 'Số lần gửi / files received for the month';
COMMENT ON COLUMN mart.submission_status.errors IS 'Số lỗi của bản gửi gần nhất / errors in the latest version';
COMMENT ON COLUMN mart.submission_status.warnings IS 'Số cảnh báo của bản gửi gần nhất / warnings in the latest version';
COMMENT ON COLUMN mart.submission_status.as_of IS 'Thời điểm làm mới gần nhất: mọi tình trạng đúng tại thời điểm này / the last refresh: every status holds as of this moment';
COMMENT ON COLUMN mart.submission_status.level IS 'Cấp của đơn vị: district (huyện, đến 6/2025) hoặc commune (xã, phường, đặc khu, từ 7/2025) / district or commune';
COMMENT ON COLUMN mart.submission_status.province_2025_code IS 'Mã tỉnh từ 1/7/2025 của đơn vị (province_code để trống với xã) / the unit''s 2025 province (a commune has no legacy province_code)';
GRANT SELECT ON TABLE mart.submission_status TO baocao_analyst;
GRANT SELECT ON TABLE mart.submission_status TO baocao_loader;

CREATE VIEW mart.task_annual AS
 SELECT r.level,
    r.unit_code,
    u.unit_name,
    r.year,
    r.assigning_body,
    r.tasks_total,
    r.done_on_time,
    r.done_late,
    r.in_progress,
    r.overdue,
    r.on_time_rate,
    r.refreshed_at
   FROM mart.task_rollup r
     JOIN mart.unit_name u ON u.level = r.level AND u.unit_code = r.unit_code
  WHERE r.period_type = 'year'::text;
COMMENT ON VIEW mart.task_annual IS 'Nhiệm vụ cả năm / tasks by year';
COMMENT ON COLUMN mart.task_annual.level IS 'Cấp tổng hợp: district (huyện, đến 6/2025), commune (xã, phường, đặc khu, từ 7/2025), province (tỉnh trước 1/7/2025, đến 6/2025), province_2025 (tỉnh sau sắp xếp, liên tục qua cải cách) / level: district, commune, legacy province or the 2025 province (continuous across the reform)';
COMMENT ON COLUMN mart.task_annual.unit_code IS 'Mã đơn vị ở cấp đó (mã huyện 3 số, mã xã 5 số, mã tỉnh) / code of the unit at that level';
COMMENT ON COLUMN mart.task_annual.unit_name IS 'Tên đơn vị / unit name';
COMMENT ON COLUMN mart.task_annual.year IS 'Năm / year';
COMMENT ON COLUMN mart.task_annual.assigning_body IS 'Cơ quan giao nhiệm vụ, tên chuẩn theo reference/assigning_bodies.yaml (cơ quan ngoài danh mục: như huyện ghi) / assigning body, its canonical name from reference/assigning_bodies.yaml (a body not in the list: as written)';
COMMENT ON COLUMN mart.task_annual.tasks_total IS 'Tổng số nhiệm vụ đã báo cáo trong năm đến cuối kỳ, mỗi nhiệm vụ theo tình trạng báo cáo gần nhất (nhiệm vụ đã hoàn thành không cần báo lại) / every task reported in the year up to the end of the period, each in its latest reported state (a task done need not be sent again)';
COMMENT ON COLUMN mart.task_annual.done_on_time IS 'Hoàn thành đúng hạn / done by the deadline';
COMMENT ON COLUMN mart.task_annual.done_late IS 'Hoàn thành quá hạn / done after the deadline';
COMMENT ON COLUMN mart.task_annual.in_progress IS 'Đang thực hiện trong hạn (kể cả nhiệm vụ thường xuyên) / in progress within the deadline, standing tasks included';
COMMENT ON COLUMN mart.task_annual.overdue IS 'Quá hạn chưa hoàn thành / past the deadline and not done';
COMMENT ON COLUMN mart.task_annual.on_time_rate IS 'Tỷ lệ hoàn thành đúng hạn trên tổng số nhiệm vụ (%) / done on time out of all tasks, %';
COMMENT ON COLUMN mart.task_annual.refreshed_at IS 'Thời điểm baocao rollup tính dòng này / when baocao rollup computed the row';
GRANT SELECT ON TABLE mart.task_annual TO baocao_analyst;
GRANT SELECT ON TABLE mart.task_annual TO baocao_loader;

CREATE VIEW mart.task_monthly AS
 SELECT r.level,
    r.unit_code,
    u.unit_name,
    r.year,
    r.month,
    r.assigning_body,
    r.tasks_total,
    r.done_on_time,
    r.done_late,
    r.in_progress,
    r.overdue,
    r.on_time_rate,
    r.refreshed_at
   FROM mart.task_rollup r
     JOIN mart.unit_name u ON u.level = r.level AND u.unit_code = r.unit_code
  WHERE r.period_type = 'month'::text;
COMMENT ON VIEW mart.task_monthly IS 'Nhiệm vụ theo tháng / tasks by month';
COMMENT ON COLUMN mart.task_monthly.level IS 'Cấp tổng hợp: district (huyện, đến 6/2025), commune (xã, phường, đặc khu, từ 7/2025), province (tỉnh trước 1/7/2025, đến 6/2025), province_2025 (tỉnh sau sắp xếp, liên tục qua cải cách) / level: district, commune, legacy province or the 2025 province (continuous across the reform)';
COMMENT ON COLUMN mart.task_monthly.unit_code IS 'Mã đơn vị ở cấp đó (mã huyện 3 số, mã xã 5 số, mã tỉnh) / code of the unit at that level';
COMMENT ON COLUMN mart.task_monthly.unit_name IS 'Tên đơn vị / unit name';
COMMENT ON COLUMN mart.task_monthly.year IS 'Năm / year';
COMMENT ON COLUMN mart.task_monthly.month IS 'Tháng / month';
COMMENT ON COLUMN mart.task_monthly.assigning_body IS 'Cơ quan giao nhiệm vụ, tên chuẩn theo reference/assigning_bodies.yaml (cơ quan ngoài danh mục: như huyện ghi) / assigning body, its canonical name from reference/assigning_bodies.yaml (a body not in the list: as written)';
COMMENT ON COLUMN mart.task_monthly.tasks_total IS 'Tổng số nhiệm vụ đã báo cáo trong năm đến cuối kỳ, mỗi nhiệm vụ theo tình trạng báo cáo gần nhất (nhiệm vụ đã hoàn thành không cần báo lại) / every task reported in the year up to the end of the period, each in its latest reported state (a task done need not be sent again)';
COMMENT ON COLUMN mart.task_monthly.done_on_time IS 'Hoàn thành đúng hạn / done by the deadline';
COMMENT ON COLUMN mart.task_monthly.done_late IS 'Hoàn thành quá hạn / done after the deadline';
COMMENT ON COLUMN mart.task_monthly.in_progress IS 'Đang thực hiện trong hạn (kể cả nhiệm vụ thường xuyên) / in progress within the deadline, standing tasks included';
COMMENT ON COLUMN mart.task_monthly.overdue IS 'Quá hạn chưa hoàn thành / past the deadline and not done';
COMMENT ON COLUMN mart.task_monthly.on_time_rate IS 'Tỷ lệ hoàn thành đúng hạn trên tổng số nhiệm vụ (%) / done on time out of all tasks, %';
COMMENT ON COLUMN mart.task_monthly.refreshed_at IS 'Thời điểm baocao rollup tính dòng này / when baocao rollup computed the row';
GRANT SELECT ON TABLE mart.task_monthly TO baocao_analyst;
GRANT SELECT ON TABLE mart.task_monthly TO baocao_loader;

CREATE VIEW mart.task_overdue AS
 WITH reported AS NOT MATERIALIZED (
         SELECT du.level,
            du.unit_code,
            du.unit_name,
            s_1.district_code,
            s_1.submission_id,
            s_1.year,
            s_1.month,
            s_1.window_end
           FROM mart.district_unit du
             JOIN core.fct_submission s_1 ON s_1.district_code = du.district_code AND s_1.is_current
        ), period_as_of AS NOT MATERIALIZED (
         SELECT r.level,
            r.unit_code,
            r.unit_name,
            r.district_code,
            p.period_key,
            p.period_type,
            p.year,
            p.half,
            p.month,
            max(r.month) AS last_month,
            (array_agg(r.window_end ORDER BY r.month DESC))[1] AS cut_off
           FROM reported r
             JOIN core.dim_period p ON p.year = r.year AND (p.month = r.month OR p.period_type = 'half'::text AND p.half =
                CASE
                    WHEN r.month <= 6 THEN 1
                    ELSE 2
                END OR p.period_type = 'year'::text)
          GROUP BY r.level, r.unit_code, r.unit_name, r.district_code, p.period_key, p.period_type, p.year, p.half, p.month
        ), task_spans AS NOT MATERIALIZED (
         SELECT r.level,
            r.unit_code,
            r.district_code,
            r.year,
            r.month,
            s_1.task_key,
            s_1.derived_status,
            s_1.ngay_hoan_thanh,
            COALESCE(lead(r.month) OVER (PARTITION BY r.level, r.unit_code, r.district_code, r.year, s_1.ma_nhiem_vu ORDER BY r.month)::integer, 13) AS until_month
           FROM reported r
             JOIN core.fct_task_snapshot s_1 ON s_1.submission_id = r.submission_id
        ), known_tasks AS NOT MATERIALIZED (
         SELECT e.level,
            e.unit_code,
            e.unit_name,
            e.district_code,
            e.period_key,
            e.period_type,
            e.year,
            e.half,
            e.month,
            e.cut_off,
            t.month AS last_reported_month,
            t.task_key,
            t.derived_status,
            t.ngay_hoan_thanh
           FROM period_as_of e
             JOIN task_spans t ON t.level = e.level AND t.unit_code = e.unit_code AND t.district_code = e.district_code AND t.year = e.year AND e.last_month >= t.month AND e.last_month < t.until_month
        ), task_status AS NOT MATERIALIZED (
         SELECT k.level,
            k.unit_code,
            k.unit_name,
            k.district_code,
            k.period_key,
            k.period_type,
            k.year,
            k.half,
            k.month,
            k.cut_off,
            k.last_reported_month,
            k.ngay_hoan_thanh,
            t.co_quan_giao,
            t.ma_nhiem_vu,
            t.van_ban_giao,
            t.ten_nhiem_vu,
            t.han_hoan_thanh,
                CASE
                    WHEN k.derived_status = ANY (ARRAY['done_on_time'::text, 'done_late'::text]) THEN k.derived_status
                    WHEN t.han_hoan_thanh IS NOT NULL AND t.han_hoan_thanh < k.cut_off THEN 'overdue'::text
                    ELSE 'in_progress'::text
                END AS status
           FROM known_tasks k
             JOIN core.dim_task t ON t.task_key = k.task_key
        )
 SELECT s.level,
    s.unit_code,
    s.unit_name,
    s.period_key,
    s.period_type,
    s.year,
    s.half,
    s.month,
    s.co_quan_giao AS assigning_body,
    s.district_code,
    d.district_name,
    s.ma_nhiem_vu AS task_id,
    s.van_ban_giao AS document,
    s.ten_nhiem_vu AS title,
    s.han_hoan_thanh AS deadline,
        CASE
            WHEN s.status = 'done_late'::text THEN s.ngay_hoan_thanh
            ELSE NULL::date
        END AS completed_on,
    s.status,
        CASE
            WHEN s.status = 'overdue'::text THEN s.cut_off
            ELSE s.ngay_hoan_thanh
        END - s.han_hoan_thanh AS days_overdue,
    s.cut_off,
    s.last_reported_month
   FROM task_status s
     JOIN core.dim_district d ON d.district_code = s.district_code AND d.is_current
  WHERE s.status = ANY (ARRAY['overdue'::text, 'done_late'::text]);
COMMENT ON VIEW mart.task_overdue IS 'Nhiệm vụ quá hạn và hoàn thành quá hạn đến cuối kỳ, từng nhiệm vụ; đếm theo status bằng overdue và done_late của mart.task_monthly, task_semiannual, task_annual (sau baocao rollup) / every task overdue or done late at the end of a period, one row per task; counted by status it gives overdue and done_late of the task marts (once refreshed)';
COMMENT ON COLUMN mart.task_overdue.level IS 'Cấp tổng hợp: district (huyện, đến 6/2025), commune (xã, phường, đặc khu, từ 7/2025), province (tỉnh trước 1/7/2025, đến 6/2025), province_2025 (tỉnh sau sắp xếp, liên tục qua cải cách); một nhiệm vụ có một dòng ở mỗi cấp nó được tính / level: district, commune, legacy province or the 2025 province; a task has a row at every level it counts in';
COMMENT ON COLUMN mart.task_overdue.unit_code IS 'Mã đơn vị ở cấp đó (mã huyện 3 số, mã xã 5 số, mã tỉnh); nối với mart.task_rollup, task_monthly... theo level, unit_code, kỳ và assigning_body / code of the unit at that level; joins the task marts on level, unit_code, the period and assigning_body';
COMMENT ON COLUMN mart.task_overdue.unit_name IS 'Tên đơn vị ở cấp đó / name of the unit at that level';
COMMENT ON COLUMN mart.task_overdue.period_key IS 'Khóa kỳ báo cáo (core.dim_period): YYYYMM cho tháng, YYYY*100+90+kỳ cho 6 tháng (202491), YYYY*100 cho năm / period key: YYYYMM for a month, YYYY*100+90+half for a half, YYYY*100 for a year';
COMMENT ON COLUMN mart.task_overdue.period_type IS 'Loại kỳ: month, half hoặc year / period type: month, half or year';
COMMENT ON COLUMN mart.task_overdue.year IS 'Năm / year';
COMMENT ON COLUMN mart.task_overdue.half IS 'Kỳ 6 tháng: 1 = tháng 1-6, 2 = tháng 7-12; với kỳ tháng là nửa năm chứa tháng đó, trống với kỳ năm / half-year: 1 = months 1-6, 2 = months 7-12; a month''s half for monthly rows, empty for years';
COMMENT ON COLUMN mart.task_overdue.month IS 'Tháng; trống với kỳ 6 tháng và năm / month; empty for halves and years';
COMMENT ON COLUMN mart.task_overdue.assigning_body IS 'Cơ quan giao nhiệm vụ, tên chuẩn theo reference/assigning_bodies.yaml (cơ quan ngoài danh mục: như huyện ghi) / assigning body, its canonical name from reference/assigning_bodies.yaml (a body not in the list: as written)';
COMMENT ON COLUMN mart.task_overdue.district_code IS 'Mã đơn vị báo cáo nhiệm vụ: huyện (3 chữ số) hoặc xã (5 chữ số, từ 7/2025) / the reporting unit the task is reported by: a district (3 digits) or a commune (5, from 2025-07)';
COMMENT ON COLUMN mart.task_overdue.district_name IS 'Tên đơn vị báo cáo / name of the reporting unit';
COMMENT ON COLUMN mart.task_overdue.task_id IS 'Mã nhiệm vụ do đơn vị đặt, giữ nguyên qua các tháng (ma_nhiem_vu) / the task''s stable id given by the reporting unit';
COMMENT ON COLUMN mart.task_overdue.document IS 'Văn bản giao nhiệm vụ (van_ban_giao), trống nếu không ghi / assigning document number, empty if not given';
COMMENT ON COLUMN mart.task_overdue.title IS 'Tên nhiệm vụ / task title';
COMMENT ON COLUMN mart.task_overdue.deadline IS 'Hạn hoàn thành / deadline';
COMMENT ON COLUMN mart.task_overdue.completed_on IS 'Ngày hoàn thành theo báo cáo (nhiệm vụ hoàn thành quá hạn); trống với nhiệm vụ quá hạn chưa hoàn thành / completion date as reported (done late); empty for an overdue task';
COMMENT ON COLUMN mart.task_overdue.status IS 'overdue (quá hạn chưa hoàn thành đến ngày chốt số liệu của kỳ) hoặc done_late (hoàn thành sau hạn) / overdue (open past its deadline at the period''s cut-off) or done_late (done after its deadline)';
COMMENT ON COLUMN mart.task_overdue.days_overdue IS 'Số ngày quá hạn: overdue = ngày chốt số liệu của kỳ (cut_off) trừ hạn hoàn thành; done_late = ngày hoàn thành trừ hạn hoàn thành (số ngày trễ khi xong, không tăng thêm theo kỳ) / days overdue: overdue = the period''s cut-off minus the deadline; done_late = the completion date minus the deadline (fixed once done)';
COMMENT ON COLUMN mart.task_overdue.cut_off IS 'Ngày chốt số liệu của kỳ: cuối khung số liệu của tháng cuối cùng trong kỳ mà đơn vị báo cáo (district_code) đã gửi (ngày 14 theo Nghị định 09/2019/NĐ-CP), ngày xét quá hạn / the period''s data cut-off: the end of the data window of the last month in the period the reporting unit (district_code) reported (the 14th under Decree 09/2019), the date overdue is judged at';
COMMENT ON COLUMN mart.task_overdue.last_reported_month IS 'Tháng gần nhất đơn vị báo cáo (district_code) báo cáo nhiệm vụ này (trong năm, đến cuối kỳ); trước tháng cuối kỳ: nhiệm vụ không có trong các báo cáo sau, giữ tình trạng đã báo / the latest month the unit reported this task in (in the year, up to the period''s end); earlier than the period''s last month: left out of later files and carried in its last reported state';
GRANT SELECT ON TABLE mart.task_overdue TO baocao_analyst;
GRANT SELECT ON TABLE mart.task_overdue TO baocao_loader;

CREATE VIEW mart.task_semiannual AS
 SELECT r.level,
    r.unit_code,
    u.unit_name,
    r.year,
    r.half,
    r.assigning_body,
    r.tasks_total,
    r.done_on_time,
    r.done_late,
    r.in_progress,
    r.overdue,
    r.on_time_rate,
    r.refreshed_at
   FROM mart.task_rollup r
     JOIN mart.unit_name u ON u.level = r.level AND u.unit_code = r.unit_code
  WHERE r.period_type = 'half'::text;
COMMENT ON VIEW mart.task_semiannual IS 'Nhiệm vụ 6 tháng / tasks by half-year';
COMMENT ON COLUMN mart.task_semiannual.level IS 'Cấp tổng hợp: district (huyện, đến 6/2025), commune (xã, phường, đặc khu, từ 7/2025), province (tỉnh trước 1/7/2025, đến 6/2025), province_2025 (tỉnh sau sắp xếp, liên tục qua cải cách) / level: district, commune, legacy province or the 2025 province (continuous across the reform)';
COMMENT ON COLUMN mart.task_semiannual.unit_code IS 'Mã đơn vị ở cấp đó (mã huyện 3 số, mã xã 5 số, mã tỉnh) / code of the unit at that level';
COMMENT ON COLUMN mart.task_semiannual.unit_name IS 'Tên đơn vị / unit name';
COMMENT ON COLUMN mart.task_semiannual.year IS 'Năm / year';
COMMENT ON COLUMN mart.task_semiannual.half IS 'Kỳ 6 tháng: 1 = 6 tháng đầu năm, 2 = 6 tháng cuối năm / half-year: 1 = months 1-6, 2 = months 7-12';
COMMENT ON COLUMN mart.task_semiannual.assigning_body IS 'Cơ quan giao nhiệm vụ, tên chuẩn theo reference/assigning_bodies.yaml (cơ quan ngoài danh mục: như huyện ghi) / assigning body, its canonical name from reference/assigning_bodies.yaml (a body not in the list: as written)';
COMMENT ON COLUMN mart.task_semiannual.tasks_total IS 'Tổng số nhiệm vụ đã báo cáo trong năm đến cuối kỳ, mỗi nhiệm vụ theo tình trạng báo cáo gần nhất (nhiệm vụ đã hoàn thành không cần báo lại) / every task reported in the year up to the end of the period, each in its latest reported state (a task done need not be sent again)';
COMMENT ON COLUMN mart.task_semiannual.done_on_time IS 'Hoàn thành đúng hạn / done by the deadline';
COMMENT ON COLUMN mart.task_semiannual.done_late IS 'Hoàn thành quá hạn / done after the deadline';
COMMENT ON COLUMN mart.task_semiannual.in_progress IS 'Đang thực hiện trong hạn (kể cả nhiệm vụ thường xuyên) / in progress within the deadline, standing tasks included';
COMMENT ON COLUMN mart.task_semiannual.overdue IS 'Quá hạn chưa hoàn thành / past the deadline and not done';
COMMENT ON COLUMN mart.task_semiannual.on_time_rate IS 'Tỷ lệ hoàn thành đúng hạn trên tổng số nhiệm vụ (%) / done on time out of all tasks, %';
COMMENT ON COLUMN mart.task_semiannual.refreshed_at IS 'Thời điểm baocao rollup tính dòng này / when baocao rollup computed the row';
GRANT SELECT ON TABLE mart.task_semiannual TO baocao_analyst;
GRANT SELECT ON TABLE mart.task_semiannual TO baocao_loader;

CREATE VIEW mart.unit_name AS
 SELECT DISTINCT level,
    unit_code,
    unit_name
   FROM mart.district_unit;
COMMENT ON VIEW mart.unit_name IS 'Tên đơn vị theo cấp / unit names per level';
COMMENT ON COLUMN mart.unit_name.level IS 'Cấp tổng hợp: district (huyện, đến 6/2025), commune (xã, phường, đặc khu, từ 7/2025), province (tỉnh trước 1/7/2025, đến 6/2025), province_2025 (tỉnh sau sắp xếp, liên tục qua cải cách) / level: district, commune, legacy province or the 2025 province (continuous across the reform)';
COMMENT ON COLUMN mart.unit_name.unit_code IS 'Mã đơn vị ở cấp đó (mã huyện 3 số, mã xã 5 số, mã tỉnh) / code of the unit at that level';
COMMENT ON COLUMN mart.unit_name.unit_name IS 'Tên đơn vị / unit name';
GRANT SELECT ON TABLE mart.unit_name TO baocao_analyst;
GRANT SELECT ON TABLE mart.unit_name TO baocao_loader;

-- Functions

CREATE OR REPLACE FUNCTION core.expected_district_at(as_of timestamp with time zone)
 RETURNS TABLE(district_code text, province_code text, first_period_key integer, last_period_key integer, level text, province_2025_code text)
 LANGUAGE sql
 STABLE
AS $function$
WITH
assigned AS (
    SELECT a.province_code::text AS province_code, a.from_period_key AS first_period_key
    FROM core.reporting_assignment AS a
    WHERE a.report_type = 'month'
),
first_accepted AS (  -- each current unit's first accepted month, as known at as_of
    SELECT d.district_code, d.level, d.province_code::text AS province_code, d.province_2025_code, f.period_key
    FROM core.dim_district AS d
    CROSS JOIN LATERAL (  -- an index scan (unit, period) that stops at one row
        SELECT s.period_key FROM core.fct_submission AS s
        WHERE s.district_code = d.district_code AND s.status <> 'rejected' AND s.received_at <= as_of
        ORDER BY s.period_key
        LIMIT 1
    ) AS f
    WHERE d.is_current
),
heard_from AS (  -- legacy provinces not assigned: their own districts' first accepted month
    SELECT province_code, min(period_key) AS first_period_key
    FROM first_accepted
    WHERE level = 'district' AND province_code NOT IN (SELECT assigned.province_code FROM assigned)
    GROUP BY province_code
),
province_start AS (
    SELECT * FROM assigned
    UNION ALL
    SELECT * FROM heard_from
),
province_2025_start AS (  -- a 2025 province's communes: from when any of its legacy provinces was expected
                          -- (the territory kept reporting), else from its communes' first accepted month
    SELECT province_2025_code, min(first_period_key) AS first_period_key
    FROM (
        SELECT DISTINCT d.province_2025_code, p.first_period_key
        FROM province_start AS p
        JOIN core.dim_district AS d ON d.province_code::text = p.province_code AND d.is_current
        UNION ALL
        SELECT province_2025_code, period_key FROM first_accepted WHERE level = 'commune'
    ) AS starts
    GROUP BY province_2025_code
),
life AS (  -- each unit's first month (established in the records) and last month
    SELECT u.unit_code,
           min((extract(year FROM u.valid_from) * 100 + extract(month FROM u.valid_from))::int)
               FILTER (WHERE u.change = 'established') AS born_key,
           CASE WHEN bool_and(u.valid_to IS NOT NULL)
                THEN (extract(year FROM max(u.valid_to)) * 100 + extract(month FROM max(u.valid_to)))::int END AS last_key
    FROM core.dim_reporting_unit AS u
    GROUP BY u.unit_code  -- a district's code has 3 digits, a commune's 5: one code, one unit
),
unit_start AS (
    SELECT d.district_code, d.level, d.province_code::text AS province_code, d.province_2025_code,
           coalesce(p.first_period_key, p25.first_period_key) AS start_key
    FROM core.dim_district AS d
    LEFT JOIN province_start AS p ON d.level = 'district' AND p.province_code = d.province_code::text
    LEFT JOIN province_2025_start AS p25 ON d.level = 'commune' AND p25.province_2025_code = d.province_2025_code
    WHERE d.is_current
)
SELECT u.district_code::text, u.province_code, greatest(u.start_key, l.born_key), l.last_key, u.level,
       u.province_2025_code
FROM unit_start AS u
LEFT JOIN life AS l ON l.unit_code = u.district_code
WHERE u.start_key IS NOT NULL
  AND (l.last_key IS NULL OR l.last_key >= greatest(u.start_key, l.born_key))
$function$;
COMMENT ON FUNCTION core.expected_district_at(as_of timestamp with time zone) IS 'Đơn vị phải báo cáo, từ tháng nào đến tháng nào, tại một thời điểm / each reporting unit expected to report, its first and last expected month, as of a moment';
GRANT EXECUTE ON FUNCTION core.expected_district_at(as_of timestamp with time zone) TO PUBLIC;

CREATE OR REPLACE FUNCTION core.plan_in_force(as_of timestamp with time zone, units text[] DEFAULT NULL::text[])
 RETURNS TABLE(plan_id bigint, district_code text, year smallint, van_ban text, received_at timestamp with time zone, version integer)
 LANGUAGE sql
 STABLE
AS $function$
SELECT DISTINCT ON (p.district_code, p.year) p.plan_id, p.district_code, p.year, p.van_ban, p.received_at, p.version
FROM core.fct_plan AS p
WHERE p.status <> 'rejected' AND p.received_at <= as_of AND (units IS NULL OR p.district_code = ANY (units))
ORDER BY p.district_code, p.year, p.received_at DESC, p.plan_id DESC
$function$;
COMMENT ON FUNCTION core.plan_in_force(as_of timestamp with time zone, units text[]) IS 'Kế hoạch năm có hiệu lực tại một thời điểm / the annual plan of each unit-year in force at a moment';
GRANT EXECUTE ON FUNCTION core.plan_in_force(as_of timestamp with time zone, units text[]) TO PUBLIC;

CREATE OR REPLACE FUNCTION core.rollup_as_of(as_of timestamp with time zone, level text, unit_code text, year integer, view regclass)
 RETURNS text
 LANGUAGE plpgsql
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
DECLARE
    leftover record;
    step record;
BEGIN
    IF as_of IS NULL THEN
        RAISE EXCEPTION 'as_of is required (a moment with its time zone, e.g. 2024-06-19 17:00+07)';
    END IF;
    FOR leftover IN
        SELECT c.relname, c.relkind FROM pg_class AS c
        WHERE c.relnamespace = pg_my_temp_schema() AND c.relname LIKE 'rollup\_%' AND c.relkind IN ('r', 'v')
        ORDER BY c.relkind = 'v' DESC  -- views before the tables they read
    LOOP
        EXECUTE format('DROP %s IF EXISTS pg_temp.%I CASCADE',
                       CASE leftover.relkind WHEN 'v' THEN 'VIEW' ELSE 'TABLE' END, leftover.relname);
    END LOOP;
    PERFORM set_config('baocao.rollup_mode', 'as_of', true), set_config('baocao.rollup_as_of', as_of::text, true),
            set_config('baocao.rollup_level', coalesce(level, ''), true),
            set_config('baocao.rollup_unit', coalesce(unit_code, ''), true),
            set_config('baocao.rollup_year', coalesce(year::text, ''), true);
    FOR step IN SELECT s.statements FROM ops.rollup_step AS s WHERE s.runs_as_of ORDER BY s.position LOOP
        EXECUTE step.statements;
    END LOOP;
    CREATE TEMP TABLE rollup_as_of (LIKE mart.indicator_rollup INCLUDING DEFAULTS) ON COMMIT DROP;
    INSERT INTO rollup_as_of (
        level, unit_code, period_key, period_type, year, half, month, indicator_code, value, ytd_value,
        annual_plan, pct_of_annual_plan, plan_attained, same_period_last_year, yoy_change_pct,
        yoy_change_points, reporting_units, expected_units, last_year_reporting_units, plan_units,
        carried_forward_units)
    SELECT r.level, r.unit_code, r.period_key, r.period_type, r.year, r.half, r.month, r.indicator_code, r.value,
           r.ytd_value, r.annual_plan, r.pct_of_annual_plan, r.plan_attained, r.same_period_last_year,
           r.yoy_change_pct, r.yoy_change_points, r.reporting_units, r.expected_units, r.last_year_reporting_units,
           r.plan_units, r.carried_forward_units
    FROM rollup_indicator_rows AS r;
    -- The view's own definition (names printed schema-qualified under this search_path), over these rows.
    RETURN format('SELECT v.* FROM (%s) AS v WHERE ($1 IS NULL OR v.level = $1) AND ($2 IS NULL OR v.unit_code = $2) '
                  'AND ($3 IS NULL OR v.year = $3)',
                  replace(rtrim(pg_get_viewdef(view), E'; \n'), 'mart.indicator_rollup', 'pg_temp.rollup_as_of'));
END
$function$;
COMMENT ON FUNCTION core.rollup_as_of(as_of timestamp with time zone, level text, unit_code text, year integer, view regclass) IS 'Tổng hợp số liệu tại một thời điểm (bảng tạm) / the rollup as of a moment, into temp tables, for mart.indicator_*_at';
GRANT EXECUTE ON FUNCTION core.rollup_as_of(as_of timestamp with time zone, level text, unit_code text, year integer, view regclass) TO PUBLIC;

CREATE OR REPLACE FUNCTION core.submission_in_force(as_of timestamp with time zone, units text[] DEFAULT NULL::text[])
 RETURNS TABLE(submission_id bigint, district_code text, period_key integer, year smallint, month smallint, received_at timestamp with time zone, version integer)
 LANGUAGE sql
 STABLE
AS $function$
SELECT DISTINCT ON (s.district_code, s.period_key)
       s.submission_id, s.district_code, s.period_key, s.year, s.month, s.received_at, s.version
FROM core.fct_submission AS s
WHERE s.status <> 'rejected' AND s.received_at <= as_of AND (units IS NULL OR s.district_code = ANY (units))
ORDER BY s.district_code, s.period_key, s.received_at DESC, s.submission_id DESC
$function$;
COMMENT ON FUNCTION core.submission_in_force(as_of timestamp with time zone, units text[]) IS 'Phiên bản báo cáo có hiệu lực tại một thời điểm / the submission version of each unit-month in force at a moment';
GRANT EXECUTE ON FUNCTION core.submission_in_force(as_of timestamp with time zone, units text[]) TO PUBLIC;

CREATE OR REPLACE FUNCTION core.submission_status_at(as_of timestamp with time zone, from_period integer DEFAULT 0, units text[] DEFAULT NULL::text[], also_units text[] DEFAULT NULL::text[], also_from integer DEFAULT NULL::integer)
 RETURNS TABLE(district_code text, district_name text, province_code text, year smallint, month smallint, status text, deadline timestamp with time zone, first_received_at timestamp with time zone, accepted_at timestamp with time zone, days_late integer, versions_received integer, errors integer, warnings integer, level text, province_2025_code text)
 LANGUAGE sql
 STABLE
AS $function$
WITH
months AS (
    SELECT p.year, p.month, p.period_key FROM core.dim_period p
    WHERE p.period_type = 'month'
      AND p.period_key >= least(from_period, also_from)  -- least() skips a null
      AND p.start_date <= (as_of AT TIME ZONE (SELECT c.timezone FROM core.reporting_calendar c
                                               WHERE c.province_code = '*' AND c.report_type = 'month'))::date
),
expected AS (
    SELECT d.district_code, d.district_name, d.province_code, d.level, d.province_2025_code, m.year, m.month,
           m.period_key,
           make_timestamptz(m.year, m.month, c.deadline_day, extract(hour FROM c.deadline_time)::int,
                            extract(minute FROM c.deadline_time)::int, extract(second FROM c.deadline_time),
                            c.timezone) AS deadline
    FROM core.expected_district_at(as_of) x
    JOIN core.dim_district d ON d.district_code = x.district_code AND d.is_current
    JOIN months m ON m.period_key >= x.first_period_key AND m.period_key <= coalesce(x.last_period_key, m.period_key)
     -- IN over the unnested array, not = ANY: hashed once, where ANY compares each row with every
     -- code (a national month's 3.321 units: 376 s in the rollup's step 12, 0,2 s so)
     AND (m.period_key >= from_period AND (units IS NULL OR x.district_code IN (SELECT unnest(units)))
          OR m.period_key >= also_from AND x.district_code IN (SELECT unnest(also_units)))
    JOIN core.reporting_calendar c
      ON c.report_type = 'month'
     AND c.province_code = COALESCE((SELECT r.province_code FROM core.reporting_calendar r
                                     WHERE r.province_code = d.province_code AND r.report_type = 'month'), '*')
    WHERE d.is_current
      -- the same units, found before they meet the months: with from_period after every month (the
      -- incremental refresh, most of the time), only also_units (a commune's province at commune scale:
      -- 45 ms, against 100-150 ms when every unit met every month first)
      AND ((units IS NULL OR x.district_code IN (SELECT unnest(units)))
           AND from_period <= (SELECT max(months.period_key) FROM months)
           OR x.district_code IN (SELECT unnest(also_units)))
),
sent AS (  -- the versions of the months computed: of every unit, or, with units, looked up unit by unit
           -- (the index on unit and month; a filter on the list read every version ever received)
    SELECT s.* FROM core.fct_submission s
    WHERE units IS NULL AND s.received_at <= as_of AND s.period_key >= from_period
    UNION ALL
    SELECT s.*
    FROM (SELECT DISTINCT unnest(units) AS code) AS u
    JOIN core.fct_submission s ON s.district_code = u.code
    WHERE s.received_at <= as_of AND s.period_key >= from_period
    UNION ALL  -- the earlier months of also_units, not already read above
    SELECT s.*
    FROM (SELECT DISTINCT unnest(also_units) AS code) AS u
    JOIN core.fct_submission s ON s.district_code = u.code
    WHERE s.received_at <= as_of AND s.period_key >= also_from
      AND NOT (s.period_key >= from_period AND (units IS NULL OR s.district_code IN (SELECT unnest(units))))
),
received AS (  -- what had arrived by as_of
    SELECT s.district_code, s.period_key,
           min(s.received_at) AS first_received_at,
           min(s.received_at) FILTER (WHERE s.status <> 'rejected') AS accepted_at,
           count(*) AS versions_received,
           (array_agg(s.error_count ORDER BY s.received_at DESC, s.submission_id DESC))[1] AS errors,
           (array_agg(s.warning_count ORDER BY s.received_at DESC, s.submission_id DESC))[1] AS warnings
    FROM sent s
    GROUP BY s.district_code, s.period_key
)
SELECT e.district_code, e.district_name, e.province_code, e.year, e.month,
       CASE WHEN r.accepted_at IS NOT NULL AND r.accepted_at <= e.deadline THEN 'on_time'
            WHEN r.accepted_at IS NOT NULL THEN 'late'
            WHEN r.first_received_at IS NOT NULL THEN 'rejected'
            WHEN as_of > e.deadline THEN 'missing'
            ELSE 'pending' END,
       e.deadline, r.first_received_at, r.accepted_at,
       CASE WHEN r.accepted_at > e.deadline THEN ceil(extract(epoch FROM r.accepted_at - e.deadline) / 86400)::int
            WHEN r.accepted_at IS NOT NULL THEN 0 END,  -- null while nothing is accepted
       COALESCE(r.versions_received, 0)::int, COALESCE(r.errors, 0)::int, COALESCE(r.warnings, 0)::int,
       e.level, e.province_2025_code
FROM expected e
LEFT JOIN received r ON r.district_code = e.district_code AND r.period_key = e.period_key
$function$;
COMMENT ON FUNCTION core.submission_status_at(as_of timestamp with time zone, from_period integer, units text[], also_units text[], also_from integer) IS 'Tình trạng nộp báo cáo tại một thời điểm / submission status of every expected district-month as of a moment';
GRANT EXECUTE ON FUNCTION core.submission_status_at(as_of timestamp with time zone, from_period integer, units text[], also_units text[], also_from integer) TO PUBLIC;

CREATE OR REPLACE FUNCTION mart.expected_district_at(as_of timestamp with time zone)
 RETURNS TABLE(district_code text, province_code text, first_period_key integer, last_period_key integer, level text, province_2025_code text)
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
SELECT * FROM core.expected_district_at(as_of)
$function$;
COMMENT ON FUNCTION mart.expected_district_at(as_of timestamp with time zone) IS 'Đơn vị phải báo cáo, từ tháng nào đến tháng nào, tại một thời điểm / each reporting unit expected to report, its first and last expected month, as of a moment';
GRANT EXECUTE ON FUNCTION mart.expected_district_at(as_of timestamp with time zone) TO PUBLIC;
GRANT EXECUTE ON FUNCTION mart.expected_district_at(as_of timestamp with time zone) TO baocao_analyst;

CREATE OR REPLACE FUNCTION mart.figure_sources(level text, unit_code text, period text, indicator_code text, as_of timestamp with time zone DEFAULT NULL::timestamp with time zone)
 RETURNS TABLE(unit_code text, year smallint, month smallint, indicator_code text, rate_part text, role text, sign numeric, value numeric, raw text, submitted_unit text, conversion_factor numeric, value_source text, file_name text, sha256 text, received_at timestamp with time zone, version integer, submission_id bigint, source_format text, sheet text, row_number integer, column_name text, unit_value numeric, unit_complete boolean)
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
 SET jit TO 'off'
AS $function$
WITH
figure AS (  -- the period and indicator asked for ('2024-h1' as '2024-H1')
    SELECT p.period_type, p.year, p.half, p.month AS period_month,
           CASE p.period_type WHEN 'half' THEN 90 + p.half WHEN 'year' THEN 0 END AS flow_period,
           i.indicator_code AS code, i.kind, i.numerator_codes, i.denominator_codes,
           (SELECT count(DISTINCT c) FROM unnest(i.numerator_codes || i.denominator_codes) AS c) AS components
    FROM core.dim_period AS p
    JOIN core.dim_indicator AS i ON i.is_current AND i.indicator_code = upper(btrim(figure_sources.indicator_code))
    WHERE p.period_code = upper(btrim(figure_sources.period))
),
component AS (  -- what it is made of: the indicator itself, or each part of a rate (a code in both parts twice)
    SELECT f.code, f.kind, NULL::text AS rate_part FROM figure AS f WHERE f.kind <> 'rate'
    UNION ALL
    SELECT c.code, i.kind, c.rate_part
    FROM figure AS f
    CROSS JOIN LATERAL (SELECT unnest(f.numerator_codes), 'numerator' UNION ALL
                        SELECT unnest(f.denominator_codes), 'denominator') AS c(code, rate_part)
    JOIN core.dim_indicator AS i ON i.indicator_code = c.code AND i.is_current AND i.kind <> 'rate'
    WHERE f.kind = 'rate'
),
unit AS (  -- the reporting units the figure counts (mart.district_unit, as step 02) and the months of their
           -- life in the year (step 05's rollup_life: 1 and 12 but for a unit born or ended in the year)
    SELECT du.district_code::text AS district_code,
           CASE WHEN extract(year FROM life.born) = f.year THEN extract(month FROM life.born)::int ELSE 1 END AS f,
           CASE WHEN extract(year FROM life.last_day) = f.year THEN extract(month FROM life.last_day)::int ELSE 12 END
               AS l
    FROM mart.district_unit AS du
    CROSS JOIN figure AS f
    LEFT JOIN (SELECT r.unit_code, min(r.valid_from) FILTER (WHERE r.change = 'established') AS born,
                      CASE WHEN bool_and(r.valid_to IS NOT NULL) THEN max(r.valid_to) END AS last_day
               FROM core.dim_reporting_unit AS r
               GROUP BY r.unit_code) AS life ON life.unit_code = du.district_code
    WHERE du.level = figure_sources.level AND du.unit_code = figure_sources.unit_code
),
in_force AS (  -- each unit-month's version of the year: the current one, or the one in force at as_of
    SELECT s.submission_id, s.district_code::text AS district_code, s.month
    FROM core.fct_submission AS s
    JOIN unit AS u ON u.district_code = s.district_code
    CROSS JOIN figure AS f
    WHERE figure_sources.as_of IS NULL AND s.is_current AND s.year = f.year
    UNION ALL
    SELECT s.submission_id, s.district_code, s.month
    FROM core.submission_in_force(figure_sources.as_of, ARRAY(SELECT u.district_code FROM unit AS u)) AS s
    CROSS JOIN figure AS f
    WHERE figure_sources.as_of IS NOT NULL AND s.year = f.year
),
sent AS (  -- step 05's month_figure: each unit-month's version as submitted, for the components
    SELECT u.district_code, c.code, c.kind, s.month, s.submission_id,
           CASE WHEN v.value_source = 'submitted' THEN v.value END AS value,
           CASE WHEN v.ytd_source = 'submitted' THEN v.ytd_value END AS ytd_sent,
           u.f, u.l
    FROM in_force AS s
    JOIN unit AS u ON u.district_code = s.district_code
    JOIN core.fct_indicator_value AS v ON v.submission_id = s.submission_id
    JOIN (SELECT DISTINCT code, kind FROM component) AS c ON c.code = v.indicator_code
    WHERE v.value_source = 'submitted' OR v.ytd_source = 'submitted'
),
basis AS (  -- 0: the values; m: the month value of month m; 100 + m: its year to date
    SELECT DISTINCT s.district_code, s.code, 0 AS basis FROM sent AS s
    UNION ALL
    SELECT s.district_code, s.code, s.month FROM sent AS s WHERE s.value IS NOT NULL
    UNION ALL
    SELECT s.district_code, s.code, 100 + s.month FROM sent AS s WHERE s.ytd_sent IS NOT NULL
),
-- From here to unit_figure: step 05 for one year, (unit_id, indicator_id) partitioned by basis too.
month_figure AS (
    SELECT s.district_code AS unit_id, s.code AS indicator_id, s.kind, b.basis, s.month, (s.month + 5) / 6 AS half,
           CASE WHEN b.basis = 0 THEN s.value WHEN s.value IS NOT NULL THEN (b.basis = s.month)::int END AS value,
           CASE WHEN b.basis = 0 THEN s.ytd_sent WHEN s.ytd_sent IS NOT NULL THEN (b.basis = 100 + s.month)::int END
               AS ytd_sent,
           s.f, s.l
    FROM sent AS s
    JOIN basis AS b ON b.district_code = s.district_code AND b.code = s.code
),
flow_running AS (
    SELECT unit_id, indicator_id, basis, month, value, ytd_sent, f, l,
           lag(ytd_sent) OVER (PARTITION BY unit_id, indicator_id, basis ORDER BY month) AS previous_ytd_sent,
           bool_and(value IS NOT NULL AND ytd_sent IS NOT NULL) OVER (PARTITION BY unit_id, indicator_id, basis)
               AS all_sent
    FROM month_figure
    WHERE kind = 'flow'
),
flow_sent AS (
    SELECT unit_id, indicator_id, basis, month, value, ytd_sent, f, l,
           coalesce(sum(value) OVER by_month, 0) AS sent_sum,
           count(value) OVER by_month AS sent_months,
           lead(month) OVER by_month AS next_month,
           lead(ytd_sent - value) OVER by_month AS next_ytd_before
    FROM flow_running
    WHERE NOT all_sent
    WINDOW by_month AS (PARTITION BY unit_id, indicator_id, basis ORDER BY month ROWS UNBOUNDED PRECEDING)
),
flow_anchor AS (
    SELECT r.*,
           coalesce(max(ARRAY[r.month, r.ytd_sent - r.sent_sum, r.sent_months]) FILTER (WHERE r.ytd_sent IS NOT NULL)
                        OVER (PARTITION BY r.unit_id, r.indicator_id, r.basis ORDER BY r.month
                              ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING),
                    ARRAY[r.f - 1, 0, 0]::numeric[]) AS before
    FROM flow_sent AS r
),
flow_derived AS (
    SELECT a.unit_id, a.indicator_id, a.basis, a.month,
           coalesce(a.value,
                    CASE WHEN a.sent_months - a.before[3] = a.month - 1 - a.before[1]
                         THEN a.ytd_sent - (a.before[2] + a.sent_sum) END) AS value,
           coalesce(a.ytd_sent,
                    CASE WHEN a.sent_months - a.before[3] = a.month - a.before[1] THEN a.before[2] + a.sent_sum
                         WHEN a.next_month = a.month + 1 THEN a.next_ytd_before END) AS ytd_value,
           a.f, a.l
    FROM flow_anchor AS a
),
flow_month AS (
    SELECT unit_id, indicator_id, basis, month, value, ytd_sent AS ytd_value, ytd_sent - value AS ytd_before, f, l
    FROM flow_running
    WHERE all_sent
    UNION ALL
    SELECT d.unit_id, d.indicator_id, d.basis, d.month, d.value, d.ytd_value, d.ytd_value - d.value, d.f, d.l
    FROM flow_derived AS d
),
flow_year AS (
    SELECT m.unit_id, m.indicator_id, m.basis, min(m.f) AS f, min(m.l) AS l,
           CASE WHEN min(m.f) > 6 THEN 0
                ELSE coalesce(max(m.ytd_value) FILTER (WHERE m.month = least(6, m.l)),
                              max(m.ytd_before) FILTER (WHERE m.month = 7)) END AS ytd_june,
           max(m.ytd_value) FILTER (WHERE m.month = m.l) AS ytd_december,
           sum(m.value) FILTER (WHERE m.month <= 6) AS h1_sum, count(m.value) FILTER (WHERE m.month <= 6) AS h1_months,
           sum(m.value) FILTER (WHERE m.month > 6) AS h2_sum, count(m.value) FILTER (WHERE m.month > 6) AS h2_months,
           sum(m.value) AS year_sum, count(m.value) AS year_months
    FROM flow_month AS m
    GROUP BY m.unit_id, m.indicator_id, m.basis
),
flow_period AS (
    SELECT y.unit_id, y.indicator_id, y.basis, p.period, p.value, p.complete
    FROM flow_year AS y
    CROSS JOIN LATERAL (VALUES
        (91, y.f <= 6, coalesce(y.ytd_june, y.h1_sum),
         y.ytd_june IS NOT NULL OR y.h1_months = least(6, y.l) - y.f + 1),
        (92, y.l >= 7, coalesce(y.ytd_december - y.ytd_june, y.h2_sum),
         y.ytd_june IS NOT NULL AND y.ytd_december IS NOT NULL OR y.h2_months = y.l - greatest(7, y.f) + 1),
        (0, true, coalesce(y.ytd_december, y.year_sum),
         y.ytd_december IS NOT NULL OR y.year_months = y.l - y.f + 1)
    ) AS p(period, alive, value, complete)
    WHERE p.alive AND p.value IS NOT NULL
),
point_half AS (
    SELECT DISTINCT ON (f.unit_id, f.indicator_id, f.basis, f.half) f.unit_id, f.indicator_id, f.basis, f.half,
           f.value, f.month = CASE f.kind WHEN 'stock' THEN f.half * 6 ELSE f.half * 6 - 5 END AS complete
    FROM month_figure AS f
    WHERE f.kind <> 'flow' AND f.value IS NOT NULL
      AND CASE f.kind WHEN 'stock' THEN f.l >= f.half * 6 ELSE f.f <= f.half * 6 - 5 END
    ORDER BY f.unit_id, f.indicator_id, f.basis, f.half, CASE f.kind WHEN 'stock' THEN -f.month ELSE f.month END
),
point_year AS (
    SELECT DISTINCT ON (f.unit_id, f.indicator_id, f.basis) f.unit_id, f.indicator_id, f.basis, f.value,
           f.month = CASE f.kind WHEN 'stock' THEN 12 ELSE 1 END AS complete
    FROM month_figure AS f
    WHERE f.kind <> 'flow' AND f.value IS NOT NULL
      AND CASE f.kind WHEN 'stock' THEN f.l = 12 ELSE f.f = 1 END
    ORDER BY f.unit_id, f.indicator_id, f.basis, CASE f.kind WHEN 'stock' THEN -f.month ELSE f.month END
),
unit_figure AS (  -- each unit's figure of each component for the period asked, in every basis
    SELECT m.unit_id, m.indicator_id, m.basis, m.value, true AS complete
    FROM month_figure AS m, figure AS f
    WHERE m.kind <> 'flow' AND m.value IS NOT NULL AND f.period_type = 'month' AND m.month = f.period_month
    UNION ALL
    SELECT m.unit_id, m.indicator_id, m.basis, m.value, m.value IS NOT NULL
    FROM flow_month AS m, figure AS f
    WHERE f.period_type = 'month' AND m.month = f.period_month
    UNION ALL
    SELECT p.unit_id, p.indicator_id, p.basis, p.value, p.complete
    FROM flow_period AS p, figure AS f
    WHERE p.period = f.flow_period
    UNION ALL
    SELECT p.unit_id, p.indicator_id, p.basis, p.value, p.complete
    FROM point_half AS p, figure AS f
    WHERE f.period_type = 'half' AND p.half = f.half
    UNION ALL
    SELECT p.unit_id, p.indicator_id, p.basis, p.value, p.complete
    FROM point_year AS p, figure AS f
    WHERE f.period_type = 'year'
),
rate_unit AS (  -- a rate counts the units that have every one of its components (step 07)
    SELECT u.unit_id
    FROM unit_figure AS u
    CROSS JOIN figure AS f
    WHERE u.basis = 0 AND u.value IS NOT NULL AND f.kind = 'rate'
    GROUP BY u.unit_id, f.components
    HAVING count(DISTINCT u.indicator_id) = f.components
),
made AS (  -- is there a figure: some unit has a value (steps 05-06), and for a rate every component (step 07)
    SELECT f.kind <> 'rate' AND count(u.value) > 0 OR f.kind = 'rate' AND EXISTS (SELECT 1 FROM rate_unit) AS made
    FROM figure AS f
    LEFT JOIN unit_figure AS u ON u.basis = 0
    GROUP BY f.kind, f.components
),
used AS (  -- every sent cell with a coefficient, in each part of a rate it counts in
    SELECT c.rate_part, k.unit_id, k.indicator_id, k.basis, k.value AS sign, v.value AS unit_value,
           v.complete AS unit_complete
    FROM unit_figure AS k
    JOIN unit_figure AS v ON v.unit_id = k.unit_id AND v.indicator_id = k.indicator_id AND v.basis = 0
    JOIN component AS c ON c.code = k.indicator_id
    WHERE k.basis <> 0 AND k.value <> 0 AND (SELECT made FROM made)
      AND (c.rate_part IS NULL OR k.unit_id IN (SELECT unit_id FROM rate_unit))
),
cell AS (
    SELECT u.*, s.submission_id, s.month, s.kind,
           CASE WHEN u.basis > 100 THEN 'luy_ke_nam' ELSE 'thuc_hien_thang' END AS column_name
    FROM used AS u
    JOIN sent AS s ON s.district_code = u.unit_id AND s.code = u.indicator_id AND s.month = u.basis % 100
    UNION ALL
    -- step 07: a district-month's rate sent without what makes it is kept as sent, for that month only
    SELECT NULL, s.district_code, f.code, NULL, 1, v.value, true, s.submission_id, s.month, f.kind, 'thuc_hien_thang'
    FROM figure AS f
    JOIN in_force AS s ON s.month = f.period_month
    JOIN core.fct_indicator_value AS v ON v.submission_id = s.submission_id AND v.indicator_code = f.code
    WHERE f.kind = 'rate' AND f.period_type = 'month' AND figure_sources.level IN ('district', 'commune')
      AND v.value IS NOT NULL AND NOT (SELECT made FROM made)
)
SELECT c.unit_id, sub.year, sub.month, c.indicator_id, c.rate_part,
       CASE WHEN c.kind = 'rate' THEN 'submitted rate'
            WHEN c.kind <> 'flow' AND f.period_type = 'month' THEN 'month value'
            WHEN c.kind = 'stock' THEN 'last month reported'
            WHEN c.kind = 'opening' THEN 'first month reported'
            WHEN c.column_name = 'thuc_hien_thang' AND c.sign > 0 THEN 'month value'
            WHEN c.column_name = 'thuc_hien_thang' THEN 'month value (subtracted)'
            WHEN c.sign > 0 THEN 'year to date'
            ELSE 'previous year to date (subtracted)' END,
       c.sign,
       CASE c.column_name WHEN 'luy_ke_nam' THEN v.ytd_value ELSE v.value END,
       CASE c.column_name WHEN 'luy_ke_nam' THEN r.luy_ke_nam_raw ELSE r.thuc_hien_thang_raw END,
       v.submitted_unit, v.conversion_factor,
       CASE c.column_name WHEN 'luy_ke_nam' THEN v.ytd_source ELSE v.value_source END,
       file.file_name, file.sha256::text, sub.received_at, sub.version, sub.submission_id, sub.source_format,
       CASE WHEN sub.source_format <> 'json' THEN 'chi_tieu' END,  -- etl.domain.contract.INDICATOR_SHEET; JSON has none
       v.source_row, c.column_name, c.unit_value, c.unit_complete
-- Each cell's details looked up by key (LIMIT 1 keeps the planner from hashing every value of the
-- warehouse: its estimate of the cells, planned without the arguments' values, is millions).
FROM cell AS c
CROSS JOIN figure AS f
CROSS JOIN LATERAL (SELECT * FROM core.fct_submission AS s WHERE s.submission_id = c.submission_id LIMIT 1) AS sub
CROSS JOIN LATERAL (SELECT * FROM core.fct_indicator_value AS x
                    WHERE x.submission_id = c.submission_id AND x.indicator_code = c.indicator_id LIMIT 1) AS v
CROSS JOIN LATERAL (SELECT x.file_name, x.sha256 FROM raw.file AS x  -- name and hash only: never its content
                    WHERE x.file_id = sub.file_id LIMIT 1) AS file
LEFT JOIN LATERAL (SELECT x.luy_ke_nam_raw, x.thuc_hien_thang_raw FROM staging.stg_indicator_row AS x
                   WHERE x.file_id = sub.file_id AND x.row_number = v.source_row LIMIT 1) AS r ON true
ORDER BY CASE c.rate_part WHEN 'numerator' THEN 1 WHEN 'denominator' THEN 2 ELSE 0 END, c.indicator_id, c.unit_id,
         sub.month, c.column_name DESC
$function$;
COMMENT ON FUNCTION mart.figure_sources(level text, unit_code text, period text, indicator_code text, as_of timestamp with time zone) IS 'Nguồn của một số liệu: từng ô đã nộp mà số liệu được tính từ, với dấu, tệp, phiên bản, dòng và cột / the lineage of one mart figure: every submitted cell it was computed from, with its sign, file, version, row and column';
GRANT EXECUTE ON FUNCTION mart.figure_sources(level text, unit_code text, period text, indicator_code text, as_of timestamp with time zone) TO baocao_analyst;

CREATE OR REPLACE FUNCTION mart.indicator_annual_at(as_of timestamp with time zone, level text DEFAULT NULL::text, unit_code text DEFAULT NULL::text, year integer DEFAULT NULL::integer)
 RETURNS SETOF mart.indicator_annual
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
BEGIN
    RETURN QUERY EXECUTE core.rollup_as_of(as_of, level, unit_code, year, 'mart.indicator_annual'::regclass)
        USING level, unit_code, year;
END
$function$;
COMMENT ON FUNCTION mart.indicator_annual_at(as_of timestamp with time zone, level text, unit_code text, year integer) IS 'Số liệu chỉ tiêu tại một thời điểm / mart.indicator_annual as it stood at a moment';
GRANT EXECUTE ON FUNCTION mart.indicator_annual_at(as_of timestamp with time zone, level text, unit_code text, year integer) TO PUBLIC;
GRANT EXECUTE ON FUNCTION mart.indicator_annual_at(as_of timestamp with time zone, level text, unit_code text, year integer) TO baocao_analyst;

CREATE OR REPLACE FUNCTION mart.indicator_monthly_at(as_of timestamp with time zone, level text DEFAULT NULL::text, unit_code text DEFAULT NULL::text, year integer DEFAULT NULL::integer)
 RETURNS SETOF mart.indicator_monthly
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
BEGIN
    RETURN QUERY EXECUTE core.rollup_as_of(as_of, level, unit_code, year, 'mart.indicator_monthly'::regclass)
        USING level, unit_code, year;
END
$function$;
COMMENT ON FUNCTION mart.indicator_monthly_at(as_of timestamp with time zone, level text, unit_code text, year integer) IS 'Số liệu chỉ tiêu tại một thời điểm / mart.indicator_monthly as it stood at a moment';
GRANT EXECUTE ON FUNCTION mart.indicator_monthly_at(as_of timestamp with time zone, level text, unit_code text, year integer) TO PUBLIC;
GRANT EXECUTE ON FUNCTION mart.indicator_monthly_at(as_of timestamp with time zone, level text, unit_code text, year integer) TO baocao_analyst;

CREATE OR REPLACE FUNCTION mart.indicator_semiannual_at(as_of timestamp with time zone, level text DEFAULT NULL::text, unit_code text DEFAULT NULL::text, year integer DEFAULT NULL::integer)
 RETURNS SETOF mart.indicator_semiannual
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
BEGIN
    RETURN QUERY EXECUTE core.rollup_as_of(as_of, level, unit_code, year, 'mart.indicator_semiannual'::regclass)
        USING level, unit_code, year;
END
$function$;
COMMENT ON FUNCTION mart.indicator_semiannual_at(as_of timestamp with time zone, level text, unit_code text, year integer) IS 'Số liệu chỉ tiêu tại một thời điểm / mart.indicator_semiannual as it stood at a moment';
GRANT EXECUTE ON FUNCTION mart.indicator_semiannual_at(as_of timestamp with time zone, level text, unit_code text, year integer) TO PUBLIC;
GRANT EXECUTE ON FUNCTION mart.indicator_semiannual_at(as_of timestamp with time zone, level text, unit_code text, year integer) TO baocao_analyst;

CREATE OR REPLACE FUNCTION mart.submission_status_at(as_of timestamp with time zone, from_period integer DEFAULT 0, units text[] DEFAULT NULL::text[])
 RETURNS TABLE(district_code text, district_name text, province_code text, year smallint, month smallint, status text, deadline timestamp with time zone, first_received_at timestamp with time zone, accepted_at timestamp with time zone, days_late integer, versions_received integer, errors integer, warnings integer, level text, province_2025_code text)
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
SELECT * FROM core.submission_status_at(as_of, from_period, units)
$function$;
COMMENT ON FUNCTION mart.submission_status_at(as_of timestamp with time zone, from_period integer, units text[]) IS 'Tình trạng nộp báo cáo tại một thời điểm / submission status of every expected district-month as of a moment';
GRANT EXECUTE ON FUNCTION mart.submission_status_at(as_of timestamp with time zone, from_period integer, units text[]) TO PUBLIC;
GRANT EXECUTE ON FUNCTION mart.submission_status_at(as_of timestamp with time zone, from_period integer, units text[]) TO baocao_analyst;

CREATE OR REPLACE FUNCTION ops.analyze_rebuilt()
 RETURNS void
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
BEGIN
    ANALYZE mart.indicator_rollup;
    ANALYZE mart.task_rollup;
    ANALYZE mart.submission_status_rollup;
END
$function$;
COMMENT ON FUNCTION ops.analyze_rebuilt() IS 'ANALYZE the mart tables a full rebuild rewrote, in its transaction (etl.marts.rollup)';
GRANT EXECUTE ON FUNCTION ops.analyze_rebuilt() TO PUBLIC;

CREATE OR REPLACE FUNCTION ops.analyze_stale()
 RETURNS text[]
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
DECLARE
    stale record;
    analyzed text[] := '{}';
BEGIN
    FOR stale IN
        SELECT s.schemaname, s.relname
        FROM pg_stat_user_tables AS s
        JOIN pg_class AS c ON c.oid = s.relid
        WHERE s.schemaname = 'core'
          AND s.n_mod_since_analyze > current_setting('autovacuum_analyze_threshold')::bigint
              + current_setting('autovacuum_analyze_scale_factor')::float8 * greatest(c.reltuples, 0)
        ORDER BY s.schemaname, s.relname
    LOOP
        EXECUTE format('ANALYZE %I.%I', stale.schemaname, stale.relname);
        analyzed := analyzed || format('%I.%I', stale.schemaname, stale.relname);
    END LOOP;
    RETURN analyzed;
END
$function$;
COMMENT ON FUNCTION ops.analyze_stale() IS 'ANALYZE the core tables changed past autovacuum''s threshold since their last analyze (before a rollup)';
GRANT EXECUTE ON FUNCTION ops.analyze_stale() TO PUBLIC;

CREATE OR REPLACE FUNCTION ops.rollup_partition_build(first_year integer, last_year integer)
 RETURNS text
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
DECLARE
    build text := format('indicator_rollup_build_%s_%s', first_year, last_year);
BEGIN
    IF first_year NOT BETWEEN 1000 AND 9999 OR last_year NOT BETWEEN first_year AND 9999 THEN
        RAISE EXCEPTION 'ops.rollup_partition_build: years % to % are not a range of years', first_year, last_year;
    END IF;
    EXECUTE format('DROP TABLE IF EXISTS ops.%I', build);
    EXECUTE format('CREATE TABLE ops.%I (LIKE mart.indicator_rollup INCLUDING DEFAULTS INCLUDING CONSTRAINTS, '
                   'CONSTRAINT %I CHECK (period_key >= %s AND period_key < %s))',
                   -- the check named as the partition it becomes (ops.rollup_partitions_swap renames the table)
                   build, format('indicator_rollup_y%s_%s_range', first_year, last_year), first_year * 100,
                   (last_year + 1) * 100);
    EXECUTE format('GRANT SELECT, INSERT ON ops.%I TO baocao_loader', build);  -- the ETL's login writes it
    EXECUTE format('COMMENT ON TABLE ops.%I IS %L', build,
                   format('Dòng mart.indicator_rollup năm %s-%s của một lần tổng hợp lại toàn bộ, chờ gắn vào mart / '
                          'rows of mart.indicator_rollup for %s-%s from a full rebuild, to be attached as its partition',
                          first_year, last_year, first_year, last_year));
    RETURN format('ops.%I', build);
END
$function$;
COMMENT ON FUNCTION ops.rollup_partition_build(first_year integer, last_year integer) IS 'Make the empty table a session of a parallel full rebuild writes its years of mart.indicator_rollup into (etl.marts.rollup)';
GRANT EXECUTE ON FUNCTION ops.rollup_partition_build(first_year integer, last_year integer) TO baocao_loader;

CREATE OR REPLACE FUNCTION ops.rollup_partition_key(first_year integer, last_year integer)
 RETURNS void
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
DECLARE
    build text := format('indicator_rollup_build_%s_%s', first_year, last_year);
BEGIN
    EXECUTE format('ALTER TABLE ops.%I ADD CONSTRAINT %I %s', build, build || '_pkey',
                   (SELECT pg_get_constraintdef(c.oid) FROM pg_constraint AS c
                    WHERE c.conrelid = 'mart.indicator_rollup'::regclass AND c.contype = 'p'));
END
$function$;
COMMENT ON FUNCTION ops.rollup_partition_key(first_year integer, last_year integer) IS 'Build the key of a session''s table of a parallel full rebuild once its rows are in (etl.marts.rollup)';
GRANT EXECUTE ON FUNCTION ops.rollup_partition_key(first_year integer, last_year integer) TO baocao_loader;

CREATE OR REPLACE FUNCTION ops.rollup_partitions_swap(first_years integer[], last_years integer[])
 RETURNS void
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
DECLARE
    old record;
    share int;
    build text;
    attached text;
BEGIN
    FOR old IN SELECT i.inhrelid::regclass AS partition FROM pg_inherits AS i
               WHERE i.inhparent = 'mart.indicator_rollup'::regclass LOOP
        EXECUTE format('DROP TABLE %s', old.partition);
    END LOOP;
    FOR share IN 1 .. coalesce(array_length(first_years, 1), 0) LOOP
        build := format('indicator_rollup_build_%s_%s', first_years[share], last_years[share]);
        attached := format('indicator_rollup_y%s_%s', first_years[share], last_years[share]);
        EXECUTE format('ALTER TABLE ops.%I RENAME TO %I', build, attached);
        EXECUTE format('ALTER INDEX ops.%I RENAME TO %I', build || '_pkey', attached || '_pkey');
        EXECUTE format('ALTER TABLE mart.indicator_rollup ATTACH PARTITION ops.%I FOR VALUES FROM (%s) TO (%s)',
                       attached, first_years[share] * 100, (last_years[share] + 1) * 100);
        EXECUTE format('COMMENT ON TABLE ops.%I IS %L', attached,
                       format('Phân vùng của mart.indicator_rollup: năm %s-%s / partition of mart.indicator_rollup: %s-%s',
                              first_years[share], last_years[share], first_years[share], last_years[share]));
        EXECUTE format('REVOKE ALL ON ops.%I FROM baocao_loader', attached);  -- (the session's, to write it)
    END LOOP;
    CREATE TABLE ops.indicator_rollup_default PARTITION OF mart.indicator_rollup DEFAULT;
    COMMENT ON TABLE ops.indicator_rollup_default IS
        'Phân vùng mặc định của mart.indicator_rollup: các kỳ không thuộc phân vùng nào khác / the default partition of mart.indicator_rollup: periods no other partition takes';
    FOR old IN SELECT c.oid::regclass AS build FROM pg_class AS c
               WHERE c.relnamespace = 'ops'::regnamespace AND c.relkind = 'r' AND NOT c.relispartition
                 AND c.relname LIKE 'indicator\_rollup\_build\_%' LOOP
        EXECUTE format('DROP TABLE %s', old.build);
    END LOOP;
END
$function$;
COMMENT ON FUNCTION ops.rollup_partitions_swap(first_years integer[], last_years integer[]) IS 'Attach the tables of a parallel full rebuild''s sessions as the partitions of mart.indicator_rollup, in place of the old ones (etl.marts.rollup)';
GRANT EXECUTE ON FUNCTION ops.rollup_partitions_swap(first_years integer[], last_years integer[]) TO baocao_loader;

CREATE OR REPLACE FUNCTION raw.refuse_change()
 RETURNS trigger
 LANGUAGE plpgsql
 SET search_path TO 'pg_catalog'
AS $function$
BEGIN
    RAISE EXCEPTION '%.% is append-only: % refused', TG_TABLE_SCHEMA, TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege',
              DETAIL = 'An archived file stays exactly as it arrived, with every delivery of it.',
              HINT = 'A correction is a new file: ingest it; `baocao reprocess` re-runs an archived file.';
END
$function$;
COMMENT ON FUNCTION raw.refuse_change() IS 'Trigger: refuses UPDATE, DELETE and TRUNCATE on the append-only tables of raw';
GRANT EXECUTE ON FUNCTION raw.refuse_change() TO PUBLIC;

-- Default privileges (for objects baocao_owner creates: the upgrade runs as it)

ALTER DEFAULT PRIVILEGES IN SCHEMA core GRANT SELECT ON TABLES TO baocao_loader;
ALTER DEFAULT PRIVILEGES IN SCHEMA core GRANT USAGE ON SEQUENCES TO baocao_loader;
ALTER DEFAULT PRIVILEGES IN SCHEMA mart GRANT SELECT ON TABLES TO baocao_analyst;
ALTER DEFAULT PRIVILEGES IN SCHEMA mart GRANT SELECT ON TABLES TO baocao_loader;
ALTER DEFAULT PRIVILEGES IN SCHEMA mart GRANT USAGE ON SEQUENCES TO baocao_loader;
ALTER DEFAULT PRIVILEGES IN SCHEMA ops GRANT SELECT ON TABLES TO baocao_loader;
ALTER DEFAULT PRIVILEGES IN SCHEMA ops GRANT USAGE ON SEQUENCES TO baocao_loader;
ALTER DEFAULT PRIVILEGES IN SCHEMA raw GRANT SELECT ON TABLES TO baocao_loader;
ALTER DEFAULT PRIVILEGES IN SCHEMA raw GRANT USAGE ON SEQUENCES TO baocao_loader;
ALTER DEFAULT PRIVILEGES IN SCHEMA staging GRANT SELECT ON TABLES TO baocao_loader;
ALTER DEFAULT PRIVILEGES IN SCHEMA staging GRANT USAGE ON SEQUENCES TO baocao_loader;
