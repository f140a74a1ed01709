-- mart.figure_revision: the revision log. Every change to a unit-month's figure after its first
-- accepted version: each accepted version against the accepted version before it (arrival order),
-- one row per indicator whose submitted month value or year to date changed (appeared or
-- disappeared included), with when the new version arrived and whether that was after the
-- month's deadline (mart.submission_status's, for an expected unit-month). Whether a change came
-- after a report was issued: revised_at > that report's cut-off. Values as submitted, in the
-- catalog unit; what the loader derived is not a revision.
CREATE VIEW mart.figure_revision AS
WITH
accepted AS (
    SELECT s.submission_id, s.file_id, s.district_code, s.year, s.month, s.period_key, s.received_at, s.version,
           row_number() OVER (PARTITION BY s.district_code, s.period_key ORDER BY s.received_at, s.submission_id)
               AS accepted_rank
    FROM core.fct_submission AS s
    WHERE s.status <> 'rejected'
),
pairs AS (  -- each accepted version after the first, with the one it replaced
    SELECT n.*, p.submission_id AS previous_submission_id, p.version AS previous_version
    FROM accepted AS n
    JOIN accepted AS p ON p.district_code = n.district_code AND p.period_key = n.period_key
                      AND p.accepted_rank = n.accepted_rank - 1
),
submitted AS (
    SELECT v.submission_id, v.indicator_code,
           CASE WHEN v.value_source = 'submitted' THEN v.value END AS value,
           CASE WHEN v.ytd_source = 'submitted' THEN v.ytd_value END AS ytd_value
    FROM core.fct_indicator_value AS v
),
changes AS (
    SELECT pr.*, coalesce(nv.indicator_code, ov.indicator_code) AS indicator_code,
           ov.value AS old_value, nv.value AS new_value, ov.ytd_value AS old_ytd_value, nv.ytd_value AS new_ytd_value
    FROM pairs AS pr
    CROSS JOIN LATERAL (
        SELECT * FROM (SELECT * FROM submitted WHERE submitted.submission_id = pr.submission_id) AS nv
        FULL JOIN (SELECT * FROM submitted WHERE submitted.submission_id = pr.previous_submission_id) AS ov
        USING (indicator_code)
    ) AS x(indicator_code, n_submission_id, n_value, n_ytd, o_submission_id, o_value, o_ytd)
    LEFT JOIN LATERAL (SELECT x.indicator_code, x.n_value AS value, x.n_ytd AS ytd_value) AS nv
           ON x.n_submission_id IS NOT NULL
    LEFT JOIN LATERAL (SELECT x.indicator_code, x.o_value AS value, x.o_ytd AS ytd_value) AS ov
           ON x.o_submission_id IS NOT NULL
)
SELECT CASE WHEN length(c.district_code) = 5 THEN 'commune' ELSE 'district' END AS level,
       c.district_code AS unit_code, c.year, c.month, c.indicator_code,
       c.previous_version, c.version, c.old_value, c.new_value, c.old_ytd_value, c.new_ytd_value,
       c.received_at AS revised_at, f.file_name, st.deadline, c.received_at > st.deadline AS after_deadline
FROM changes AS c
JOIN raw.file AS f ON f.file_id = c.file_id
LEFT JOIN mart.submission_status AS st
       ON st.district_code = c.district_code AND st.year = c.year AND st.month = c.month
WHERE c.old_value IS DISTINCT FROM c.new_value OR c.old_ytd_value IS DISTINCT FROM c.new_ytd_value;
