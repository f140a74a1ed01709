-- Revision 0021 (issue 15): ops.rollup_build, where the sessions of a parallel full rebuild put the
-- rows of mart.indicator_rollup they computed (each over its share of the years, on the snapshot of
-- the refresh's transaction), for that transaction to write them in one statement (step 09) and
-- empty it again: analysts still see the whole old mart or the whole new one. Unlogged: its rows
-- live for seconds, are written once more into the mart (which is logged), and a crash, which
-- empties it, loses nothing but a rebuild that had not committed. Same columns as the mart
-- (LIKE); a revision that adds a column to mart.indicator_rollup adds it here too.
CREATE UNLOGGED TABLE ops.rollup_build (LIKE mart.indicator_rollup INCLUDING DEFAULTS);
COMMENT ON TABLE ops.rollup_build IS
    'Dòng mart.indicator_rollup do các phiên song song của một lần tổng hợp lại toàn bộ tính ra, chờ ghi vào mart / rows of mart.indicator_rollup computed by the parallel sessions of a full rebuild, waiting to be written';
-- The ETL's login runs the refresh: the sessions insert, the refresh reads and empties.
GRANT SELECT, INSERT, DELETE, TRUNCATE ON ops.rollup_build TO baocao_loader;

-- And the task dimension's reference to the submission that first reported a version is checked by
-- the load once per batch (etl/warehouse/load.py, LOAD_REFERENCES), as 0020 did for the facts: the
-- key checked it row by row, with a row lock on the submission each time (a national commune month
-- inserts 54.534 task versions: about 0,35 s of its 1,1 s insert).
ALTER TABLE core.dim_task DROP CONSTRAINT dim_task_first_submission_id_fkey;

-- A load that queues a district-year already queued moves its queued_at (etl/warehouse/load.py,
-- queue_rollups: ON CONFLICT DO UPDATE), so that a refresh running meanwhile, which deletes only the
-- queue rows it saw (rollup step 11), leaves it queued: the loader updates the queue.
GRANT UPDATE ON ops.rollup_queue TO baocao_loader;
