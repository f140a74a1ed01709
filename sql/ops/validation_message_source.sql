-- ops.validation_message, revision 0002: which part of the quality gate spoke.
ALTER TABLE ops.validation_message
    ADD COLUMN source  text NOT NULL DEFAULT 'structure'
        CHECK (source IN ('structure', 'expectation', 'rule')),
    ADD COLUMN rule_id text;
CREATE INDEX validation_message_code ON ops.validation_message (code);
COMMENT ON COLUMN ops.validation_message.source IS
    'structure (the file cannot be read as the contract says), expectation (a Great Expectations suite), rule (a consistency rule of reference/validation_rules.yaml)';
COMMENT ON COLUMN ops.validation_message.rule_id IS 'The expectation type or rule id that produced the message';
