-- Step 11 of the rollup (etl.marts.rollup): the queued district-years are done: all of them after
-- a full rebuild, else those whose district and year were rebuilt.
-- Reads:      rollup_scope, mart.district_unit
-- Writes:     ops.rollup_queue (rows deleted)
-- Parameters: baocao.rollup_mode
-- Runs as of: no
DELETE FROM ops.rollup_queue WHERE current_setting('baocao.rollup_mode') = 'full';

DELETE FROM ops.rollup_queue AS q USING rollup_scope AS s, mart.district_unit AS du
WHERE current_setting('baocao.rollup_mode') <> 'full'
  AND du.district_code = q.district_code AND du.level IN ('district', 'commune')
  AND s.level = du.level AND s.unit_code = du.unit_code AND s.year = q.year;
