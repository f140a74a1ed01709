-- core.indicator_value_current: the values that count, i.e. from each district-month's
-- current (latest accepted) submission.
CREATE VIEW core.indicator_value_current AS
SELECT v.*
FROM core.fct_indicator_value AS v
JOIN core.fct_submission AS s USING (submission_id)
WHERE s.is_current;
COMMENT ON VIEW core.indicator_value_current IS 'Giá trị chỉ tiêu hiện hành / values of the current submission of each district-month';
