-- Revision 0025 (issue 15): mart.indicator_rollup partitioned by range of period_key.
-- A parallel full rebuild computed its figures in one session per share of the years, which handed
-- their rows through ops.rollup_build to the refresh's transaction, which wrote them all again into the
-- mart and built its key: both one after the other, on one core (10 of a 32 s national rebuild, 42 of
-- 138 s at commune scale). Now each session writes its share into a table of its own and builds its
-- key, both sessions at once, and the refresh attaches those tables as the mart's partitions (rollup
-- functions ops.rollup_partition_build, ops.rollup_partition_key, ops.rollup_partitions_swap):
-- analysts still see the whole old mart or the whole new one.
-- The partitions live in ops (analysts read the mart through its parent and views); which ranges
-- there are is the last full rebuild's business (one per session's years, ops.indicator_rollup_yFIRST_LAST),
-- and ops.indicator_rollup_default takes every other period: all of them on a fresh install or until
-- the first parallel rebuild, and later a year no rebuild has made a partition for yet.
-- The existing rows stay where they are: the table becomes the default partition, not rewritten.
ALTER TABLE mart.indicator_rollup RENAME CONSTRAINT indicator_rollup_pkey TO indicator_rollup_default_pkey;
ALTER TABLE mart.indicator_rollup RENAME TO indicator_rollup_default;
ALTER TABLE mart.indicator_rollup_default SET SCHEMA ops;
REVOKE ALL ON ops.indicator_rollup_default FROM baocao_loader, baocao_analyst;
COMMENT ON TABLE ops.indicator_rollup_default IS
    'Phân vùng mặc định của mart.indicator_rollup: các kỳ không thuộc phân vùng nào khác / the default partition of mart.indicator_rollup: periods no other partition takes';

CREATE TABLE mart.indicator_rollup (LIKE ops.indicator_rollup_default INCLUDING DEFAULTS INCLUDING CONSTRAINTS
                                    INCLUDING COMMENTS)
PARTITION BY RANGE (period_key);
ALTER TABLE mart.indicator_rollup ADD CONSTRAINT indicator_rollup_pkey
    PRIMARY KEY (level, unit_code, indicator_code, period_key);
COMMENT ON TABLE mart.indicator_rollup IS
    'Số liệu chỉ tiêu tổng hợp theo đơn vị và kỳ / indicator rollup by unit and period (materialized)';
ALTER TABLE mart.indicator_rollup ATTACH PARTITION ops.indicator_rollup_default DEFAULT;
-- And UPDATE, which the ETL's login lacked: an incremental refresh after a late month of a year whose next
-- year has figures updates that year's comparisons in place (rollup step 09), and failed for it.
GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON mart.indicator_rollup TO baocao_loader;
GRANT SELECT ON mart.indicator_rollup TO baocao_analyst;

-- Its rows now go straight into the partitions.
DROP TABLE ops.rollup_build;
