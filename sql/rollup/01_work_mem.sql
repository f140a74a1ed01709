-- Step 01 of the rollup (etl.marts.rollup): sorts and hashes in memory, for this transaction only;
-- a national full rebuild sorts ~5 M rows.
-- Reads:      nothing
-- Writes:     setting work_mem (SET LOCAL: back to the default at commit)
-- Parameters: baocao.rollup_mode
-- Runs as of: yes
SELECT set_config('work_mem', CASE current_setting('baocao.rollup_mode') WHEN 'full' THEN '1GB' ELSE '256MB' END,
                  true);
