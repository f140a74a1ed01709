-- ops.alert_log: every alert baocao sent (or could not send), per channel. An alert is
-- identified by its idempotency key (e.g. late:247:2024-05); once a row with status sent
-- or no_channel exists for a key and channel, it is never sent again, however often the
-- monitor runs or is replayed.
CREATE TABLE ops.alert_log (
    alert_id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    idempotency_key  text        NOT NULL,
    kind             text        NOT NULL CHECK (kind IN ('invalid_submission', 'reminder', 'late', 'escalation')),
    channel          text        NOT NULL CHECK (channel IN ('email', 'webhook')),
    district_code    text,
    period_code      text,
    file_id          bigint REFERENCES raw.file (file_id),
    recipients       text[]      NOT NULL,
    subject          text        NOT NULL,
    body             text        NOT NULL,
    status           text        NOT NULL CHECK (status IN ('sent', 'failed', 'no_channel')),
    error            text,
    as_of            timestamptz NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX alert_log_once ON ops.alert_log (idempotency_key, channel) WHERE status IN ('sent', 'no_channel');
COMMENT ON TABLE ops.alert_log IS 'Nhật ký cảnh báo đã gửi / alerts sent, once per key and channel';
COMMENT ON COLUMN ops.alert_log.idempotency_key IS 'kind:district:period or invalid:file_id; the alert''s identity';
COMMENT ON COLUMN ops.alert_log.status IS 'sent; failed (retried next run); no_channel (none configured, logged once)';
COMMENT ON COLUMN ops.alert_log.as_of IS 'The moment the monitor judged the alert due (replayable with --as-of)';
