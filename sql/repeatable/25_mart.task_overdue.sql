-- mart.task_overdue (issue 17, point 2): every task overdue or done late at the end of a period, one
-- row per task, period (month, half, year) and unit it counts in: the reporting unit itself, its
-- legacy province and its 2025 province (mart.district_unit). Keyed like mart.task_rollup (level,
-- unit_code, period_key, period_type, year, half, month, assigning_body): its rows counted by status
-- are task_rollup's overdue and done_late. Judged as rollup step 10 (sql/rollup/10_task_rollup.sql)
-- judges them: every task the unit reported in the year up to the last month of the period it
-- reported, in its latest snapshot; done stays done (done late by that snapshot's completion
-- date); an open task, reported then or carried from an earlier month, is overdue once its deadline
-- is before that month's data cut-off. A view over core's current versions: it agrees with
-- mart.task_rollup once the marts are refreshed (a load between two refreshes shows here first).
-- Fast for one unit and period: level, unit_code, year and the period's columns are grouping and
-- window partition columns of every CTE, so their filters reach mart.district_unit, core.dim_period
-- and the submissions of that unit's districts only (on a national year, 250.000 task snapshots:
-- about 20 ms for a province's month, 8 s for every unit and period). The CTEs are NOT MATERIALIZED:
-- `reported` is read twice, and a materialized CTE would stop the filters. The unit's name is carried
-- from mart.district_unit rather than joined again (each join of it re-scans core.dim_district).
-- Its comments: reference/marts/task_overdue.yaml.
CREATE VIEW mart.task_overdue AS
WITH
reported AS NOT MATERIALIZED (  -- current submissions, once for every unit their district counts in
    SELECT du.level, du.unit_code, du.unit_name, s.district_code, s.submission_id, s.year, s.month, s.window_end
    FROM mart.district_unit AS du
    JOIN core.fct_submission AS s ON s.district_code = du.district_code AND s.is_current
),
period_as_of AS NOT MATERIALIZED (  -- for each district and period, the last month reported in it and that
                                    -- month's data cut-off: the date the period's statuses are judged at
    SELECT r.level, r.unit_code, r.unit_name, r.district_code, p.period_key, p.period_type, p.year, p.half, p.month,
           max(r.month) AS last_month, (array_agg(r.window_end ORDER BY r.month DESC))[1] AS cut_off
    FROM reported AS r
    JOIN core.dim_period AS p
      ON p.year = r.year
     AND (p.month = r.month OR (p.period_type = 'half' AND p.half = CASE WHEN r.month <= 6 THEN 1 ELSE 2 END)
          OR p.period_type = 'year')
    GROUP BY r.level, r.unit_code, r.unit_name, r.district_code, p.period_key, p.period_type, p.year, p.half, p.month
),
task_spans AS NOT MATERIALIZED (  -- each snapshot of a task holds from its month until the task's next reported month
    SELECT r.level, r.unit_code, r.district_code, r.year, r.month, s.task_key, s.derived_status, s.ngay_hoan_thanh,
           coalesce(lead(r.month) OVER (PARTITION BY r.level, r.unit_code, r.district_code, r.year, s.ma_nhiem_vu
                                        ORDER BY r.month), 13) AS until_month
    FROM reported AS r
    JOIN core.fct_task_snapshot AS s ON s.submission_id = r.submission_id
),
known_tasks AS NOT MATERIALIZED (  -- every task reported in the year up to the period's last month, in its latest snapshot
    SELECT e.level, e.unit_code, e.unit_name, e.district_code, e.period_key, e.period_type, e.year, e.half, e.month,
           e.cut_off, t.month AS last_reported_month, t.task_key, t.derived_status, t.ngay_hoan_thanh
    FROM period_as_of AS e
    JOIN task_spans AS t ON t.level = e.level AND t.unit_code = e.unit_code AND t.district_code = e.district_code
                        AND t.year = e.year AND e.last_month >= t.month AND e.last_month < t.until_month
),
task_status AS NOT MATERIALIZED (  -- done stays done; an open task is judged at the period's cut-off
    SELECT k.level, k.unit_code, k.unit_name, k.district_code, k.period_key, k.period_type, k.year, k.half, k.month,
           k.cut_off, k.last_reported_month, k.ngay_hoan_thanh, t.co_quan_giao, t.ma_nhiem_vu, t.van_ban_giao,
           t.ten_nhiem_vu, t.han_hoan_thanh,
           CASE WHEN k.derived_status IN ('done_on_time', 'done_late') THEN k.derived_status
                WHEN t.han_hoan_thanh IS NOT NULL AND t.han_hoan_thanh < k.cut_off THEN 'overdue'
                ELSE 'in_progress' END AS status
    FROM known_tasks AS k
    JOIN core.dim_task AS t ON t.task_key = k.task_key
)
SELECT s.level, s.unit_code, s.unit_name, s.period_key, s.period_type, s.year, s.half, s.month,
       s.co_quan_giao AS assigning_body, s.district_code, d.district_name, s.ma_nhiem_vu AS task_id,
       s.van_ban_giao AS document, s.ten_nhiem_vu AS title, s.han_hoan_thanh AS deadline,
       CASE WHEN s.status = 'done_late' THEN s.ngay_hoan_thanh END AS completed_on, s.status,
       -- overdue: days past the deadline at the cut-off; done late: days past it when it was done
       CASE WHEN s.status = 'overdue' THEN s.cut_off ELSE s.ngay_hoan_thanh END - s.han_hoan_thanh AS days_overdue,
       s.cut_off, s.last_reported_month
FROM task_status AS s
JOIN core.dim_district AS d ON d.district_code = s.district_code AND d.is_current
WHERE s.status IN ('overdue', 'done_late');
