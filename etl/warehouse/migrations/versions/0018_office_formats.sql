-- Revision 0018 (issue 14): .xls and .ods submissions are read like .xlsx and recorded as such.
-- Only the list of formats widens: every row already stored satisfies the new constraint.
ALTER TABLE core.fct_submission DROP CONSTRAINT fct_submission_source_format_check;
ALTER TABLE core.fct_submission ADD CONSTRAINT fct_submission_source_format_check
    CHECK (source_format IN ('xlsx', 'xls', 'ods', 'json'));

-- An alert that found no channel waits for one (issue 14): logged once as `failed` with the
-- error `no_channel: ...`, and sent when a channel works. Rows an earlier version logged as
-- `no_channel` (then meaning "never") become such rows, and only a `sent` row now stops a key
-- and channel from being sent again.
UPDATE ops.alert_log SET status = 'failed', error = 'no_channel: ' || coalesce(error, '')
WHERE status = 'no_channel';
DROP INDEX ops.alert_log_once;
CREATE UNIQUE INDEX alert_log_once ON ops.alert_log (idempotency_key, channel) WHERE status = 'sent';
