-- baocao_loader reads every view of core and mart (the load and the rollup read them). Re-applied
-- after the views are re-created (a new object carries no grant but the owner's default
-- privileges, which only apply when baocao_owner creates it); the role, its schema privileges,
-- its table grants and the default privileges are in revision 0017. The functions of core and
-- mart keep PostgreSQL's default EXECUTE for PUBLIC.
GRANT SELECT ON ALL TABLES IN SCHEMA core, mart TO baocao_loader;
