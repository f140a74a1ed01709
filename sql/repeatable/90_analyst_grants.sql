-- baocao_analyst reads every view and table of mart and may call its functions. Re-applied after
-- the views and functions are re-created (a new object carries no grant); the role itself and its
-- schema privileges are in the baseline revision (0009), its session limits and the default
-- privileges (for what baocao_owner creates) in revision 0017.
GRANT SELECT ON ALL TABLES IN SCHEMA mart TO baocao_analyst;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA mart TO baocao_analyst;
