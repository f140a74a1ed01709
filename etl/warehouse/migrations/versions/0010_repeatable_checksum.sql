-- Revision 0010. ops.repeatable_checksum: what `baocao db upgrade` last applied of the repeatable
-- objects (the views, functions and grants of sql/repeatable/, the mart comments of
-- reference/marts/). The upgrade drops and re-creates them only when a revision is pending or
-- this checksum differs, so an upgrade with nothing new takes no lock on the analysts' views.
CREATE TABLE ops.repeatable_checksum (
    singleton   boolean     PRIMARY KEY DEFAULT true CHECK (singleton),
    checksum    char(64)    NOT NULL,
    applied_at  timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE ops.repeatable_checksum IS 'Phiên bản view, hàm đã áp dụng / checksum of the repeatable objects last applied (one row)';
COMMENT ON COLUMN ops.repeatable_checksum.singleton IS 'Always true: the table holds one row';
COMMENT ON COLUMN ops.repeatable_checksum.checksum IS 'SHA-256 of the repeatable SQL and mart comments applied (etl.warehouse.schema.repeatables_checksum)';
COMMENT ON COLUMN ops.repeatable_checksum.applied_at IS 'When baocao db upgrade re-created them';
