-- Step 09 of the rollup (etl.marts.rollup): mart.task_rollup for the units and years in rollup_scope.
-- A period's task statuses are those of the last month in it that the district reported
-- (the June report for H1), as derived from dates at that month's data cut-off.
-- Reads:      rollup_scope, mart.district_unit, core.fct_submission, core.fct_task_snapshot, core.dim_task, core.dim_period
-- Writes:     mart.task_rollup (the scope's rows; their number is RollupResult.task_rows)
-- Parameters: none
INSERT INTO mart.task_rollup (
    level, unit_code, period_key, period_type, year, half, month, assigning_body, tasks_total, done_on_time,
    done_late, in_progress, overdue, on_time_rate)
WITH
district_scope AS (
    SELECT DISTINCT du.district_code, s.year
    FROM rollup_scope AS s
    JOIN mart.district_unit AS du ON du.level = s.level AND du.unit_code = s.unit_code
),
reported AS (  -- current submissions of those districts
    SELECT sub.submission_id, sub.district_code, sub.year, sub.month
    FROM district_scope AS d
    JOIN core.fct_submission AS sub ON sub.district_code = d.district_code AND sub.year = d.year AND sub.is_current
),
period_end AS (  -- for each district and period, the last month reported in it
    SELECT r.district_code, r.year, p.period_key, max(r.month) AS month
    FROM reported AS r
    JOIN core.dim_period AS p
      ON p.year = r.year
     AND (p.month = r.month OR (p.period_type = 'half' AND p.half = CASE WHEN r.month <= 6 THEN 1 ELSE 2 END)
          OR p.period_type = 'year')
    GROUP BY r.district_code, r.year, p.period_key
),
district_counts AS (
    SELECT e.district_code, e.period_key, t.co_quan_giao AS assigning_body,
           count(*) AS tasks_total,
           count(*) FILTER (WHERE s.derived_status = 'done_on_time') AS done_on_time,
           count(*) FILTER (WHERE s.derived_status = 'done_late') AS done_late,
           count(*) FILTER (WHERE s.derived_status = 'in_progress') AS in_progress,
           count(*) FILTER (WHERE s.derived_status = 'overdue') AS overdue
    FROM period_end AS e
    JOIN reported AS r ON r.district_code = e.district_code AND r.year = e.year AND r.month = e.month
    JOIN core.fct_task_snapshot AS s ON s.submission_id = r.submission_id
    JOIN core.dim_task AS t ON t.task_key = s.task_key
    GROUP BY e.district_code, e.period_key, t.co_quan_giao
)
SELECT du.level, du.unit_code, c.period_key, p.period_type, p.year, p.half, p.month, c.assigning_body,
       sum(c.tasks_total), sum(c.done_on_time), sum(c.done_late), sum(c.in_progress), sum(c.overdue),
       -- "UBND tỉnh giao 32 nhiệm vụ, 31 hoàn thành đúng hạn": on time out of all assigned
       round(100.0 * sum(c.done_on_time) / sum(c.tasks_total), 2)
FROM district_counts AS c
JOIN core.dim_period AS p ON p.period_key = c.period_key
JOIN mart.district_unit AS du ON du.district_code = c.district_code
JOIN rollup_scope AS s ON s.level = du.level AND s.unit_code = du.unit_code AND s.year = p.year
GROUP BY du.level, du.unit_code, c.period_key, p.period_type, p.year, p.half, p.month, c.assigning_body;
