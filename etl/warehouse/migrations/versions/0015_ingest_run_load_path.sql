-- Revision 0015: ingest loads a batch's files in one transaction, set-based, and falls back to
-- one transaction per file when that fails (so a file that cannot load never keeps the others
-- out). The run log says which path was taken; runs logged before this revision say nothing.

ALTER TABLE ops.ingest_run ADD COLUMN load_path text
    CHECK (load_path IN ('batch', 'per_file', 'nothing'));
COMMENT ON COLUMN ops.ingest_run.load_path IS
    'batch: all files loaded in one transaction; per_file: the batch failed, each file was loaded in its own; '
    'nothing: no file to load (every one a duplicate, or failed before the quality gate); null: runs before revision 0015';
