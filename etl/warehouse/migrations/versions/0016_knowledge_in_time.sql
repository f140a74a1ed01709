-- Revision 0016 (issue 12): knowledge in time.
--
-- A file's arrival time decides whether its report was late, so the sender must not be able to
-- choose it: raw.file says how received_at was established. The files archived before this
-- revision took their folder's modification time (which cp -p, rsync -a, unzip and touch -d set)
-- or an unrecorded --received-at: 'unrecorded'.
ALTER TABLE raw.file
    ADD COLUMN received_at_rule text NOT NULL DEFAULT 'unrecorded'
        CHECK (received_at_rule IN ('inode_change', 'object_store', 'call', 'override', 'unrecorded')),
    ADD COLUMN override_by text,
    ADD COLUMN override_at timestamptz,
    ADD CONSTRAINT file_override_recorded CHECK (
        (received_at_rule = 'override') = (override_by IS NOT NULL AND override_at IS NOT NULL));
ALTER TABLE raw.file ALTER COLUMN received_at_rule DROP DEFAULT;
COMMENT ON COLUMN raw.file.received_at IS
    'Thời điểm nhận / when baocao''s side first saw the file (received_at_rule says how); decides on time or late';
COMMENT ON COLUMN raw.file.received_at_rule IS
    'inode_change: a landing folder''s inode change time (set by the kernel when the file lands, not by the '
    'sender''s copy); object_store: the store''s own timestamp; call: the moment of `baocao ingest`; override: '
    'an operator''s --received-at (backfill, replay); unrecorded: archived before revision 0016';
COMMENT ON COLUMN raw.file.override_by IS 'Who set received_at by hand (override only)';
COMMENT ON COLUMN raw.file.override_at IS 'When received_at was set by hand (override only)';

-- The rollup's steps (sql/rollup/NN_step.sql), as `baocao db upgrade` last applied them, so the
-- database can compute figures as of a moment itself (mart.indicator_*_at): the steps that
-- compute figures run again, over the versions in force then, into temp tables only.
CREATE TABLE ops.rollup_step (
    position smallint PRIMARY KEY,
    name text NOT NULL UNIQUE,
    statements text NOT NULL,
    runs_as_of boolean NOT NULL
);
COMMENT ON TABLE ops.rollup_step IS
    'Các bước tổng hợp / the rollup steps of sql/rollup/, loaded by the upgrade, run by the as-of functions';
COMMENT ON COLUMN ops.rollup_step.position IS 'The step''s number: the order it runs in';
COMMENT ON COLUMN ops.rollup_step.name IS 'The step file''s name without number and suffix (district_figures)';
COMMENT ON COLUMN ops.rollup_step.statements IS 'The step file''s SQL';
COMMENT ON COLUMN ops.rollup_step.runs_as_of IS
    'Whether an as-of computation runs it (the steps that compute figures; not those that write mart tables)';
