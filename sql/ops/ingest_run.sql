-- ops.ingest_run: one row per ingest invocation (CLI or DAG task), for engineers.
CREATE TABLE ops.ingest_run (
    run_id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    started_at    timestamptz NOT NULL,
    finished_at   timestamptz,
    caller        text        NOT NULL,
    files_seen    integer     NOT NULL DEFAULT 0,
    accepted      integer     NOT NULL DEFAULT 0,
    accepted_with_warnings integer NOT NULL DEFAULT 0,
    rejected      integer     NOT NULL DEFAULT 0,
    duplicates    integer     NOT NULL DEFAULT 0
);
COMMENT ON TABLE ops.ingest_run IS 'Nhật ký các lần nạp / ingest runs';
