-- Revision 0020 (issue 15): the references of the rows a load writes in bulk (the two big facts
-- and the staging rows) are checked by the load, once per batch (etl/warehouse/load.py,
-- check_references), not row by row by foreign keys: for a national month the task snapshots'
-- three keys took 0,7 s of a 1,2 s insert. The load is these tables' only writer; the rows
-- already stored satisfied the keys when they were dropped.
ALTER TABLE core.fct_indicator_value
    DROP CONSTRAINT fct_indicator_value_district_key_fkey,
    DROP CONSTRAINT fct_indicator_value_indicator_key_fkey,
    DROP CONSTRAINT fct_indicator_value_period_key_fkey,
    DROP CONSTRAINT fct_indicator_value_submission_id_fkey;
ALTER TABLE core.fct_task_snapshot
    DROP CONSTRAINT fct_task_snapshot_period_key_fkey,
    DROP CONSTRAINT fct_task_snapshot_submission_id_fkey,
    DROP CONSTRAINT fct_task_snapshot_task_key_fkey;
ALTER TABLE staging.stg_indicator_row DROP CONSTRAINT stg_indicator_row_file_id_fkey;
ALTER TABLE staging.stg_task_row DROP CONSTRAINT stg_task_row_file_id_fkey;
ALTER TABLE staging.stg_plan_row DROP CONSTRAINT stg_plan_row_file_id_fkey;
