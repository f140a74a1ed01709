-- mart.indicator_semiannual: contract section 3; rows of mart.indicator_rollup for halves, with names.
CREATE VIEW mart.indicator_semiannual AS
SELECT r.level, r.unit_code, u.unit_name, r.year, r.half, r.indicator_code, i.indicator_name, i.unit,
       r.value, r.annual_plan, r.pct_of_annual_plan, r.same_period_last_year, r.yoy_change_pct,
       r.yoy_change_points, r.plan_attained, r.reporting_units, r.expected_units,
       r.last_year_reporting_units, r.carried_forward_units, r.plan_units, r.refreshed_at
FROM mart.indicator_rollup AS r
JOIN mart.unit_name AS u ON u.level = r.level AND u.unit_code = r.unit_code
JOIN core.dim_indicator AS i ON i.indicator_code = r.indicator_code AND i.is_current
WHERE r.period_type = 'half';
