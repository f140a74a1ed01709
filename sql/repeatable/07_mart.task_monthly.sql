-- mart.task_monthly: contract section 3; task counts per unit and assigning body for months.
CREATE VIEW mart.task_monthly AS
SELECT r.level, r.unit_code, u.unit_name, r.year, r.month, r.assigning_body, r.tasks_total, r.done_on_time,
       r.done_late, r.in_progress, r.overdue, r.on_time_rate, r.refreshed_at
FROM mart.task_rollup AS r
JOIN mart.unit_name AS u ON u.level = r.level AND u.unit_code = r.unit_code
WHERE r.period_type = 'month';
