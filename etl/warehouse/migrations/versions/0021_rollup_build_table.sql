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
