-- Step 10 of the rollup (etl.marts.rollup): mart.task_rollup for the units and years in rollup_scope.
-- A period counts every task the district reported in the year up to the last month in the period
-- it reported (the June report for H1), each in its latest reported state: a task done in January
-- and left out of February's file (the template lists open tasks only) still counts as done in
-- February, H1 and the year; an open task left out (TASK_DISAPPEARED) is carried, its deadline
-- judged at that last month's data cut-off like the tasks reported in it.
-- Reads:      rollup_scope, mart.district_unit, rollup_submission, core.fct_task_snapshot, core.dim_task, core.dim_period
-- Creates:    temp tables rollup_task_reported (the scope's current submissions) and rollup_task_period
--             (each district-period's last reported month and cut-off), analyzed
-- Writes:     mart.task_rollup (the scope's rows; their number is RollupResult.task_rows)
-- Parameters: none
-- Runs as of: no

-- The scope's current submissions and each district-period's cut-off, in tables of their own,
-- analyzed: estimated through the views (and correlated keys), the planner took a national month's
-- 3.321 submissions for one row and compared every unit with every other (420 s for the
-- communes' August).
CREATE TEMP TABLE rollup_task_reported ON COMMIT DROP AS
WITH district_scope AS (
    SELECT DISTINCT du.district_code, s.year
    FROM rollup_scope AS s
    JOIN mart.district_unit AS du ON du.level = s.level AND du.unit_code = s.unit_code
)
SELECT sub.submission_id, sub.district_code, sub.year, sub.month, sub.window_end
FROM district_scope AS d
JOIN rollup_submission AS sub ON sub.district_code = d.district_code AND sub.year = d.year;
ANALYZE rollup_task_reported;

CREATE TEMP TABLE rollup_task_period ON COMMIT DROP AS
WITH
period_end AS (  -- for each district and period, the last month reported in it
    SELECT r.district_code, r.year, p.period_key, max(r.month) AS month
    FROM rollup_task_reported AS r
    JOIN core.dim_period AS p
      ON p.year = r.year
     AND (p.month = r.month OR (p.period_type = 'half' AND p.half = CASE WHEN r.month <= 6 THEN 1 ELSE 2 END)
          OR p.period_type = 'year')
    GROUP BY r.district_code, r.year, p.period_key
)
-- the data cut-off of that month: the date the period's statuses are judged at
SELECT e.district_code, e.year, e.period_key, e.month, r.window_end AS as_of
FROM period_end AS e
JOIN rollup_task_reported AS r ON r.district_code = e.district_code AND r.year = e.year AND r.month = e.month;
ANALYZE rollup_task_period;

INSERT INTO mart.task_rollup (
    level, unit_code, period_key, period_type, year, half, month, assigning_body, tasks_total, done_on_time,
    done_late, in_progress, overdue, on_time_rate)
WITH
reported AS (  -- current submissions of the scope's districts
    SELECT submission_id, district_code, year, month, window_end FROM rollup_task_reported
),
period_as_of AS (  -- each district-period's last reported month and its data cut-off
    SELECT district_code, year, period_key, month, as_of FROM rollup_task_period
),
task_spans AS (  -- each snapshot of a task holds from its month until the task's next reported month
    SELECT r.district_code, r.year, r.month, s.task_key, s.derived_status,
           coalesce(lead(r.month) OVER (PARTITION BY r.district_code, r.year, s.ma_nhiem_vu ORDER BY r.month),
                    13) AS until_month
    FROM reported AS r
    JOIN core.fct_task_snapshot AS s ON s.submission_id = r.submission_id
),
known_tasks AS (  -- every task reported in the year up to the period's last month, in its latest snapshot
    -- (spans rather than DISTINCT ON over every earlier month: 4x faster on a national year)
    SELECT e.district_code, e.period_key, e.as_of, t.task_key, t.derived_status
    FROM period_as_of AS e
    JOIN task_spans AS t ON t.district_code = e.district_code AND t.year = e.year
                        AND e.month >= t.month AND e.month < t.until_month
),
task_status AS (  -- done stays done; an open task carried from an earlier month is judged at the period's cut-off
    SELECT k.district_code, k.period_key, t.co_quan_giao AS assigning_body,
           CASE WHEN k.derived_status IN ('done_on_time', 'done_late') THEN k.derived_status
                WHEN t.han_hoan_thanh IS NOT NULL AND t.han_hoan_thanh < k.as_of THEN 'overdue'
                ELSE 'in_progress' END AS status
    FROM known_tasks AS k
    JOIN core.dim_task AS t ON t.task_key = k.task_key
),
district_counts AS (
    SELECT s.district_code, s.period_key, s.assigning_body,
           count(*) AS tasks_total,
           count(*) FILTER (WHERE s.status = 'done_on_time') AS done_on_time,
           count(*) FILTER (WHERE s.status = 'done_late') AS done_late,
           count(*) FILTER (WHERE s.status = 'in_progress') AS in_progress,
           count(*) FILTER (WHERE s.status = 'overdue') AS overdue
    FROM task_status AS s
    GROUP BY s.district_code, s.period_key, s.assigning_body
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
