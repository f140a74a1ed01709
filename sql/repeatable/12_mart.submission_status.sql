-- mart.submission_status: each expected unit-month's submission status, as stored by the rollup
-- (mart.submission_status_rollup, sql/rollup/12_submission_status.sql), with as_of the moment of the
-- last refresh (ops.status_refresh): every row is true as of then, since a refresh recomputes every
-- status that could have changed (its unit's data, its month's start or deadline passed, the
-- calendar). So "overdue = as_of - deadline" holds for every row. Its comments:
-- reference/marts/submission_status.yaml.
CREATE VIEW mart.submission_status AS
SELECT s.district_code, s.district_name, s.province_code, s.year, s.month, s.status, s.deadline,
       s.first_received_at, s.accepted_at, s.days_late, s.versions_received, s.errors, s.warnings,
       (SELECT r.as_of FROM ops.status_refresh AS r) AS as_of,
       s.level, s.province_2025_code
FROM mart.submission_status_rollup AS s;
