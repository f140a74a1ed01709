-- baocao_analyst: the read-only role provincial analysts connect with (or are granted).
-- It reads mart and nothing else; mart objects created later are readable too.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'baocao_analyst') THEN
        CREATE ROLE baocao_analyst NOLOGIN;
    END IF;
END
$$;
REVOKE ALL ON SCHEMA raw, staging, core, ops FROM baocao_analyst;
REVOKE CREATE ON SCHEMA public FROM baocao_analyst;
GRANT USAGE ON SCHEMA mart TO baocao_analyst;
GRANT SELECT ON ALL TABLES IN SCHEMA mart TO baocao_analyst;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA mart TO baocao_analyst;
ALTER DEFAULT PRIVILEGES IN SCHEMA mart GRANT SELECT ON TABLES TO baocao_analyst;
COMMENT ON ROLE baocao_analyst IS 'Chuyên viên phân tích: chỉ đọc schema mart / analysts: read-only on mart';
