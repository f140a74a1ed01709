-- raw.file: one row per distinct file content that ever arrived, kept byte for byte.
-- Insert-only: it is written before the file is parsed, in its own transaction, so a
-- file that later crashes the reader is still here. A byte-identical re-delivery
-- matches on sha256 and adds nothing.
CREATE TABLE raw.file (
    file_id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sha256       char(64)    NOT NULL UNIQUE,
    file_name    text        NOT NULL,
    source_uri   text        NOT NULL,
    size_bytes   bigint      NOT NULL CHECK (size_bytes >= 0),
    content      bytea       NOT NULL,
    received_at  timestamptz NOT NULL,
    archived_at  timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE raw.file IS 'Tệp nhận được, lưu nguyên văn / every file as it arrived, before parsing';
COMMENT ON COLUMN raw.file.sha256 IS 'SHA-256 of the bytes; identifies re-deliveries';
COMMENT ON COLUMN raw.file.file_name IS 'Tên tệp khi nhận / file name as delivered';
COMMENT ON COLUMN raw.file.source_uri IS 'Where the file was picked up (path or URL)';
COMMENT ON COLUMN raw.file.content IS 'The bytes exactly as received';
COMMENT ON COLUMN raw.file.received_at IS 'Thời điểm nhận / when the file arrived; decides on-time vs late';
COMMENT ON COLUMN raw.file.archived_at IS 'When baocao stored it';
