-- Revision 0017 (issue 13, least privilege), this database's part (the roles themselves are in
-- 0017_least_privilege_roles.sql, run just before). Runs as the upgrading login: a superuser, or
-- a login in baocao_owner (compose: baocao_migrator) which owns what it created so far.

-- raw.file_delivery: one row per delivery of a file, the same bytes again included (raw.file
-- keeps one row per distinct content, so a re-delivery used to leave no trace but its outcome).
-- Append-only like raw.file. The files archived before this revision get one delivery each,
-- from their own row.
CREATE TABLE raw.file_delivery (
    delivery_id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    file_id          bigint      NOT NULL REFERENCES raw.file (file_id),
    file_name        text        NOT NULL,
    source_uri       text        NOT NULL,
    received_at      timestamptz NOT NULL,
    received_at_rule text        NOT NULL
        CHECK (received_at_rule IN ('inode_change', 'object_store', 'call', 'override', 'unrecorded')),
    override_by      text,
    recorded_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT file_delivery_once UNIQUE (file_id, source_uri, received_at),
    CONSTRAINT file_delivery_override_recorded CHECK ((received_at_rule = 'override') = (override_by IS NOT NULL))
);
COMMENT ON TABLE raw.file_delivery IS
    'Mỗi lần nhận tệp / every delivery of a file, the same bytes delivered again included; append-only';
COMMENT ON COLUMN raw.file_delivery.delivery_id IS 'Delivery number (identity)';
COMMENT ON COLUMN raw.file_delivery.file_id IS 'The content delivered (raw.file, one row per distinct sha256)';
COMMENT ON COLUMN raw.file_delivery.file_name IS 'Tên tệp khi nhận / file name as delivered this time';
COMMENT ON COLUMN raw.file_delivery.source_uri IS 'Where this delivery was picked up (path or URL)';
COMMENT ON COLUMN raw.file_delivery.received_at IS
    'Thời điểm nhận / when baocao''s side saw this delivery (received_at_rule says how)';
COMMENT ON COLUMN raw.file_delivery.received_at_rule IS
    'How received_at was established: inode_change, object_store, call, override, unrecorded (as raw.file)';
COMMENT ON COLUMN raw.file_delivery.override_by IS 'Who set received_at by hand (override only)';
COMMENT ON COLUMN raw.file_delivery.recorded_at IS 'When baocao recorded the delivery';
INSERT INTO raw.file_delivery (file_id, file_name, source_uri, received_at, received_at_rule, override_by,
                               recorded_at)
SELECT file_id, file_name, source_uri, received_at, received_at_rule, override_by, archived_at
FROM raw.file ORDER BY file_id;

-- Append-only by trigger, whoever the role (the owner and superusers included): a stored file
-- is evidence of what a district sent and when. A correction is a new file. Only a superuser's
-- `SET session_replication_role = replica` (tests emptying the warehouse between tests) skips it.
-- A trigger function, not a repeatable object: the triggers depend on it, and the upgrade drops
-- the repeatable objects without CASCADE.
CREATE FUNCTION raw.refuse_change() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
BEGIN
    RAISE EXCEPTION '%.% is append-only: % refused', TG_TABLE_SCHEMA, TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege',
              DETAIL = 'An archived file stays exactly as it arrived, with every delivery of it.',
              HINT = 'A correction is a new file: ingest it; `baocao reprocess` re-runs an archived file.';
END
$$;
COMMENT ON FUNCTION raw.refuse_change() IS
    'Trigger: refuses UPDATE, DELETE and TRUNCATE on the append-only tables of raw';
CREATE TRIGGER file_append_only BEFORE UPDATE OR DELETE ON raw.file
    FOR EACH ROW EXECUTE FUNCTION raw.refuse_change();
CREATE TRIGGER file_no_truncate BEFORE TRUNCATE ON raw.file
    FOR EACH STATEMENT EXECUTE FUNCTION raw.refuse_change();
CREATE TRIGGER file_delivery_append_only BEFORE UPDATE OR DELETE ON raw.file_delivery
    FOR EACH ROW EXECUTE FUNCTION raw.refuse_change();
CREATE TRIGGER file_delivery_no_truncate BEFORE TRUNCATE ON raw.file_delivery
    FOR EACH STATEMENT EXECUTE FUNCTION raw.refuse_change();

-- baocao_owner owns the schemas and everything in them (so far the upgrading login did). It may
-- create schemas in this database (a superuser grants it here; compose's role bootstrap does).
DO $$
DECLARE
    statement text;
BEGIN
    IF NOT has_database_privilege('baocao_owner', current_database(), 'CREATE') THEN
        EXECUTE format('GRANT CREATE ON DATABASE %I TO baocao_owner', current_database());
    END IF;
    FOR statement IN
        SELECT ddl FROM (
            SELECT 1 AS step, n.nspname AS name, format('ALTER SCHEMA %I OWNER TO baocao_owner', n.nspname) AS ddl
            FROM pg_namespace AS n
            WHERE n.nspname IN ('raw', 'staging', 'core', 'mart', 'ops') AND n.nspowner <> 'baocao_owner'::regrole
            UNION ALL
            SELECT 2, c.oid::regclass::text,
                   format('ALTER %s %s OWNER TO baocao_owner',
                          CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
                                         WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END, c.oid::regclass)
            FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace
            WHERE n.nspname IN ('raw', 'staging', 'core', 'mart', 'ops') AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
              AND c.relowner <> 'baocao_owner'::regrole
              -- an identity or serial column's sequence moves with its table
              AND NOT EXISTS (SELECT FROM pg_depend AS d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                                                           AND d.deptype IN ('a', 'i'))
            UNION ALL
            SELECT 3, p.oid::regprocedure::text,
                   format('ALTER %s %s OWNER TO baocao_owner',
                          CASE p.prokind WHEN 'p' THEN 'PROCEDURE' ELSE 'FUNCTION' END, p.oid::regprocedure)
            FROM pg_proc AS p JOIN pg_namespace AS n ON n.oid = p.pronamespace
            WHERE n.nspname IN ('raw', 'staging', 'core', 'mart', 'ops') AND p.proowner <> 'baocao_owner'::regrole
        ) AS owned
        ORDER BY step, name
    LOOP
        EXECUTE statement;
    END LOOP;
END
$$;

-- baocao_loader: every grant is what some code under etl/ or sql/rollup/ runs.
GRANT USAGE ON SCHEMA raw, staging, core, mart, ops TO baocao_loader;
-- Reads everything (the load reads the dimensions and earlier versions, the rollup core and mart).
GRANT SELECT ON ALL TABLES IN SCHEMA raw, staging, core, mart, ops TO baocao_loader;
-- raw: append only (etl/warehouse/ingest.py); never UPDATE, DELETE or TRUNCATE (the trigger
-- refuses them to anyone anyway).
GRANT INSERT ON raw.file, raw.file_delivery TO baocao_loader;
-- staging: the rows of each file (etl/warehouse/load.py); a reprocessed file's rows are deleted
-- first (etl/warehouse/reprocess.py supersede).
GRANT INSERT, DELETE ON staging.stg_indicator_row, staging.stg_task_row, staging.stg_plan_row TO baocao_loader;
-- core facts: versions renumbered and is_current moved by each load (load.py renumber_versions),
-- a reprocessed rejected version deleted (reprocess.py).
GRANT INSERT, UPDATE, DELETE ON core.fct_submission, core.fct_plan TO baocao_loader;
GRANT INSERT ON core.fct_indicator_value, core.fct_plan_target, core.fct_task_snapshot TO baocao_loader;
-- core.dim_task: type 2, the current row closed when a task changes (load.py).
GRANT INSERT, UPDATE ON core.dim_task TO baocao_loader;
-- The reference dimensions (dim_district, dim_indicator, dim_period, dim_province*, dim_reporting_unit,
-- dim_unit, reporting_assignment, reporting_calendar) are loaded by `baocao db upgrade`: read only.
-- ops: outcomes and messages (replaced by a reprocess), the rollup queue (emptied by the rollup,
-- sql/rollup/11_queue.sql), runs, superseded attempts, alerts (etl/alerts/send.py). The upgrade's
-- own tables (alembic_version, repeatable_checksum, rollup_step): read only.
GRANT INSERT, DELETE ON ops.file_outcome, ops.validation_message, ops.rollup_queue TO baocao_loader;
GRANT INSERT ON ops.ingest_run, ops.superseded_outcome, ops.alert_log TO baocao_loader;
-- mart: the tables the rollup fills (sql/rollup/04_clear.sql truncates them on a full rebuild,
-- deletes the scope's rows otherwise; 12_submission_status.sql deletes and inserts).
GRANT INSERT, DELETE, TRUNCATE ON mart.indicator_rollup, mart.task_rollup TO baocao_loader;
GRANT INSERT, DELETE ON mart.submission_status TO baocao_loader;

-- Default privileges for what the owner creates from now on (revisions after this one run as
-- baocao_owner, and so do the repeatable views and functions): analysts read new mart objects,
-- the loader reads every new table and view. Writing is granted table by table by the revision
-- that adds the table, for what the code does (a default INSERT would also reach the views, some
-- of them updatable). The upgrading login's own default privileges of revision 0009 go: it owns
-- nothing now.
ALTER DEFAULT PRIVILEGES IN SCHEMA mart REVOKE SELECT ON TABLES FROM baocao_analyst;
ALTER DEFAULT PRIVILEGES FOR ROLE baocao_owner IN SCHEMA mart GRANT SELECT ON TABLES TO baocao_analyst;
ALTER DEFAULT PRIVILEGES FOR ROLE baocao_owner IN SCHEMA raw, staging, core, mart, ops
    GRANT SELECT ON TABLES TO baocao_loader;
ALTER DEFAULT PRIVILEGES FOR ROLE baocao_owner IN SCHEMA raw, staging, core, mart, ops
    GRANT USAGE ON SEQUENCES TO baocao_loader;
