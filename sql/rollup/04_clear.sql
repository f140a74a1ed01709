-- Step 04 of the rollup (etl.marts.rollup): remove the rows the next steps write again. A full
-- rebuild empties the tables (no dead rows left behind, and the key is dropped and built once
-- after the bulk insert, by etl.marts.rollup; in parallel sessions the emptied partitions of
-- mart.indicator_rollup are then replaced by the sessions' tables, ops.rollup_partitions_swap); otherwise the scope's rows are deleted, but a
-- compare_only year's indicator rows (step 03), whose comparisons step 09 updates in place.
-- The partial sums of the province-level figures (revision 0024) follow: a full rebuild empties them,
-- a year's rebuild deletes its years' (the next incremental refresh sums those provinces from all
-- their units and stores them again); an incremental refresh rewrites its units' in step 09.
-- Reads:      rollup_scope
-- Writes:     mart.indicator_rollup, mart.task_rollup (truncated, or the scope's rows deleted),
--             ops.rollup_partial_unit and ops.rollup_partial (full: truncated; year: the scope's years deleted)
-- Parameters: baocao.rollup_mode
-- Runs as of: no
DO $$
BEGIN
    IF current_setting('baocao.rollup_mode') = 'full' THEN
        TRUNCATE mart.indicator_rollup;
        TRUNCATE mart.task_rollup;
        TRUNCATE ops.rollup_partial, ops.rollup_partial_unit;
    ELSE
        DELETE FROM mart.indicator_rollup AS r USING rollup_scope AS s  -- compare_only: updated in step 09
        WHERE r.level = s.level AND r.unit_code = s.unit_code AND r.year = s.year AND NOT s.compare_only;
        DELETE FROM mart.task_rollup AS r USING rollup_scope AS s
        WHERE r.level = s.level AND r.unit_code = s.unit_code AND r.year = s.year;
        IF current_setting('baocao.rollup_mode') = 'year' THEN
            DELETE FROM ops.rollup_partial_unit WHERE year IN (SELECT year FROM rollup_scope);  -- and their sums
        END IF;
    END IF;
END
$$;
