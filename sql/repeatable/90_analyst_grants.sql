-- baocao_analyst reads every view and table of mart and may call its functions. Re-applied after
-- the views and functions are re-created (a new object carries no grant); the role itself, its
-- schema privileges and the default privileges are in the baseline revision (0009).
GRANT SELECT ON ALL TABLES IN SCHEMA mart TO baocao_analyst;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA mart TO baocao_analyst;
