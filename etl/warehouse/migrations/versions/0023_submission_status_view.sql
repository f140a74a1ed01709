-- Revision 0023 (issue 15): mart.submission_status becomes a view over the stored statuses,
-- mart.submission_status_rollup, and the moment of the last refresh that brought every status up
-- to date, ops.status_refresh. A status changes only when its unit's data changes (the load queues
-- it), when the clock passes its month's start or deadline, or when the calendar changes: a refresh
-- recomputes those and leaves the rest, which stay true as of that refresh (rollup step 12). The
-- rows kept their own as_of before: every refresh rewrote about 15.000 statuses of the last three
-- months only to move it (about half of the status step of an incremental refresh at commune scale), and an
-- older row's as_of stayed behind, so "overdue = as_of - deadline" came out short for it. Now every
-- row's as_of is the last refresh's (the view), and the rows themselves are rewritten when they change.
ALTER TABLE mart.submission_status RENAME TO submission_status_rollup;
ALTER TABLE mart.submission_status_rollup RENAME CONSTRAINT submission_status_pkey TO submission_status_rollup_pkey;
ALTER TABLE mart.submission_status_rollup RENAME CONSTRAINT submission_status_status_check TO submission_status_rollup_status_check;
ALTER INDEX mart.submission_status_district_first_month RENAME TO submission_status_rollup_district_first_month;
ALTER INDEX mart.submission_status_month RENAME TO submission_status_rollup_month;
ALTER TABLE mart.submission_status_rollup DROP COLUMN as_of;

-- One row: when the statuses were last brought up to date, and the calendar they were judged by
-- (its rules as text: a refresh that finds them changed recomputes every status). Empty until the
-- first refresh after this revision, which therefore recomputes every status.
CREATE TABLE ops.status_refresh (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    as_of timestamptz NOT NULL,
    calendar text NOT NULL
);
COMMENT ON TABLE ops.status_refresh IS
    'Lần làm mới gần nhất đưa mọi tình trạng nộp báo cáo về hiện tại, và lịch báo cáo đã dùng / when mart.submission_status was last brought up to date, and the calendar it was judged by';
-- The refresh (the ETL's login) reads and writes it (sql/rollup/12_submission_status.sql).
GRANT INSERT, UPDATE ON ops.status_refresh TO baocao_loader;

-- The refresh finds the arrivals since the last one by their time (a file dated ahead of its load
-- changes its month's status when the clock reaches it): an index, not a pass over every version.
CREATE INDEX fct_submission_received_at ON core.fct_submission (received_at);

-- And the statuses whose deadline the clock has passed since that refresh (pending → missing) by
-- their deadline.
CREATE INDEX submission_status_rollup_deadline ON mart.submission_status_rollup (deadline);
