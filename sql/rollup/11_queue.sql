-- Step 11 of the rollup (etl.marts.rollup): the queued district-years are done: all of them after
-- a full rebuild, else those whose district and year were rebuilt; only as step 03 found them
-- (rollup_queue_seen, queued_at included): one a load queued again since then keeps its row, whose
-- queued_at moved, for the next refresh (it may have read the figures before that load committed).
-- Reads:      rollup_queue_seen, rollup_scope, mart.district_unit
-- Writes:     ops.rollup_queue (rows deleted)
-- Parameters: baocao.rollup_mode
-- Runs as of: no
DELETE FROM ops.rollup_queue AS q USING rollup_queue_seen AS seen
WHERE q.district_code = seen.district_code AND q.year = seen.year AND q.queued_at = seen.queued_at
  AND (current_setting('baocao.rollup_mode') = 'full'
       OR EXISTS (SELECT 1 FROM rollup_scope AS s
                  JOIN mart.district_unit AS du ON s.level = du.level AND s.unit_code = du.unit_code
                  WHERE du.district_code = q.district_code AND du.level IN ('district', 'commune')
                    AND s.year = q.year));
