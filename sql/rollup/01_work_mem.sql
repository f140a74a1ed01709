-- Step 01 of the rollup (etl.marts.rollup): sorts and hashes in memory, for this transaction only;
-- a national full rebuild sorts ~5 M rows. And, when it refreshes incrementally, statistics of its
-- temp tables from a small sample: their rows are a few provinces' (tens of thousands at most), and
-- the default sample of 30.000 rows cost ~50 ms of a ~0,5 s refresh. A full rebuild, a year and an
-- as-of run keep the default (a full rebuild's ANALYZE of the marts, ops.analyze_rebuilt, included).
-- Reads:      nothing
-- Writes:     settings work_mem and default_statistics_target (SET LOCAL: back to the default at commit)
-- Parameters: baocao.rollup_mode
-- Runs as of: yes
SELECT set_config('work_mem', CASE current_setting('baocao.rollup_mode') WHEN 'full' THEN '1GB' ELSE '256MB' END,
                  true),
       set_config('default_statistics_target',
                  CASE WHEN current_setting('baocao.rollup_mode') IN ('incremental', 'nothing') THEN '10'
                       ELSE current_setting('default_statistics_target') END, true);
