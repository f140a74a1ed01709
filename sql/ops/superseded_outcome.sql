-- ops.superseded_outcome: earlier attempts at a file that `baocao reprocess` ran again (after
-- an internal error was fixed, or the reference data changed). The file's current outcome and
-- messages stay in ops.file_outcome and ops.validation_message; what they said before is kept
-- here, so reprocessing loses nothing.
CREATE TABLE ops.superseded_outcome (
    file_id        bigint      NOT NULL REFERENCES raw.file (file_id),
    attempt        smallint    NOT NULL,
    outcome        text,
    error_count    integer,
    warning_count  integer,
    processed_at   timestamptz,
    messages       jsonb       NOT NULL,
    superseded_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (file_id, attempt)
);
COMMENT ON TABLE ops.superseded_outcome IS 'Kết quả xử lý trước khi xử lý lại / earlier attempts at a reprocessed file';
COMMENT ON COLUMN ops.superseded_outcome.attempt IS '1 for the first attempt; the current one is the count of rows here + 1';
COMMENT ON COLUMN ops.superseded_outcome.outcome IS 'accepted, accepted_with_warnings or rejected; NULL when the attempt never finished';
COMMENT ON COLUMN ops.superseded_outcome.messages IS 'That attempt''s ops.validation_message rows, as JSON';
COMMENT ON COLUMN ops.superseded_outcome.superseded_at IS 'When baocao reprocess ran the file again';
