-- Revision 0017 (issue 13), the server's part: the warehouse's three group roles and the
-- analysts' session limits. Roles belong to the server, shared by its databases, so this file
-- is also run on its own, in its own transaction, before the revisions of every `baocao db
-- upgrade` (etl.warehouse.schema.ensure_roles) and by `python -m etl.warehouse.schema roles` (as
-- a superuser, for a stack whose migrating login may not create roles). Every statement looks
-- first and changes only what differs: a login without CREATEROLE passes once the roles are
-- right, and two databases upgraded at the same moment tolerate each other.
--
-- baocao_owner   owns the schemas and every object in them; migrations run as it (the
--                upgrading login is a member, or a superuser, and SETs ROLE to it). NOLOGIN.
-- baocao_loader  what the ETL, the DAGs and `baocao ingest|rollup|alerts|reprocess` need: read
--                everything, append to raw (never change or remove a file), write staging, core,
--                ops and the mart tables the rollup fills. NOLOGIN: the ETL's login is a member.
-- baocao_analyst reads mart and nothing else (revision 0009). NOLOGIN: analysts' logins are
--                members. Its session limits are copied to each of them (below).
DO $$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT * FROM (VALUES
        ('baocao_owner', 'Chủ sở hữu kho dữ liệu: sở hữu schema và đối tượng, chạy migration / '
                         'owns the warehouse''s schemas and objects; migrations run as it'),
        ('baocao_loader', 'Nạp dữ liệu: ETL, DAG, baocao ingest/rollup/alerts / the ETL: appends to raw, '
                          'writes staging, core, ops and the rollup''s mart tables; never changes raw.file'),
        ('baocao_analyst', 'Chuyên viên phân tích: chỉ đọc schema mart / analysts: read-only on mart')
    ) AS v (name, described)
    LOOP
        BEGIN
            IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = r.name) THEN
                EXECUTE format('CREATE ROLE %I NOLOGIN', r.name);
            END IF;
            IF shobj_description(to_regrole(r.name), 'pg_authid') IS DISTINCT FROM r.described THEN
                EXECUTE format('COMMENT ON ROLE %I IS %L', r.name, r.described);
            END IF;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
            NULL;  -- created or commented by another database's upgrade meanwhile
        END;
    END LOOP;
END
$$;

-- The analysts' session limits. statement_timeout 5min: the heaviest analyst query, an as-of
-- figure for every unit of every year (mart.indicator_*_at), is a full rebuild, about a minute
-- on the national decade (bench.rollup_decade); anything longer is a runaway join.
-- lock_timeout 1min: a query waits through a full rollup's rebuild (35-45 s) rather than fail,
-- but not behind a migration or a stuck lock for ever. idle_in_transaction_session_timeout
-- 10min: a session left in an open transaction (a BI tool, a psql BEGIN) is closed, so it holds
-- no lock the rollup and other analysts wait behind.
DO $$
DECLARE
    item text;
BEGIN
    FOREACH item IN ARRAY ARRAY['statement_timeout=5min', 'lock_timeout=1min',
                                   'idle_in_transaction_session_timeout=10min'] LOOP
        IF NOT EXISTS (SELECT FROM pg_db_role_setting WHERE setdatabase = 0
                       AND setrole = 'baocao_analyst'::regrole AND item = ANY (setconfig)) THEN
            EXECUTE format('ALTER ROLE baocao_analyst SET %I = %L', split_part(item, '=', 1),
                           split_part(item, '=', 2));
        END IF;
    END LOOP;
EXCEPTION WHEN unique_violation THEN
    NULL;  -- set by another database's upgrade meanwhile
END
$$;

-- A role's settings apply to sessions that log in as that very role, never to its members: each
-- login in baocao_analyst gets a copy of every setting of the group it has not set itself (a
-- setting given to one analyst on purpose stays). A login created later gets them at the next
-- upgrade, or at once through `python -m etl.warehouse.schema roles --login NAME=baocao_analyst:VAR`.
-- A login that may not change other roles (no CREATEROLE) warns instead of failing the upgrade.
DO $$
DECLARE
    analyst_login record;
    item text;
BEGIN
    FOR analyst_login IN
        SELECT r.oid, r.rolname FROM pg_roles AS r
        WHERE r.rolcanlogin AND NOT r.rolsuper AND r.rolname <> 'baocao_analyst'
          AND pg_has_role(r.oid, 'baocao_analyst', 'MEMBER')
        ORDER BY r.rolname
    LOOP
        FOR item IN
            SELECT unnest(setconfig) FROM pg_db_role_setting
            WHERE setdatabase = 0 AND setrole = 'baocao_analyst'::regrole
        LOOP
            CONTINUE WHEN EXISTS (
                SELECT FROM pg_db_role_setting AS s, unnest(s.setconfig) AS c
                WHERE s.setdatabase = 0 AND s.setrole = analyst_login.oid
                  AND split_part(c, '=', 1) = split_part(item, '=', 1));
            BEGIN
                EXECUTE format('ALTER ROLE %I SET %I = %L', analyst_login.rolname, split_part(item, '=', 1),
                               substr(item, length(split_part(item, '=', 1)) + 2));
            EXCEPTION
                WHEN unique_violation THEN
                    NULL;  -- set by another database's upgrade meanwhile
                WHEN insufficient_privilege THEN
                    RAISE WARNING 'analyst login % lacks %: run `python -m etl.warehouse.schema roles` as a '
                                  'superuser (or ALTER ROLE % SET ...)', analyst_login.rolname, item, analyst_login.rolname;
            END;
        END LOOP;
    END LOOP;
END
$$;
