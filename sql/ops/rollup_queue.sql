-- ops.rollup_queue: district-years whose figures changed since the marts were last
-- refreshed. Written by the load in the same transaction as the data, consumed by the
-- incremental refresh in the same transaction as the marts, so nothing is missed or lost.
CREATE TABLE ops.rollup_queue (
    district_code  char(3)     NOT NULL,
    year           smallint    NOT NULL,
    queued_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (district_code, year)
);
COMMENT ON TABLE ops.rollup_queue IS 'Huyện-năm cần tổng hợp lại / district-years waiting for the incremental rollup';
