-- Step 07 of the rollup (etl.marts.rollup): rates recomputed from their summed
-- components at every level, never summed or averaged; only where every component is there.
-- Reads:      rollup_figures, rollup_rate_component
-- Writes:     rollup_figures (rate rows added; analyzed again for step 08)
-- Parameters: none
INSERT INTO rollup_figures (unit_id, indicator_id, period_key, value, ytd_value, reporting_units)
SELECT f.unit_id, c.rate_id, f.period_key,
       sum(f.value) FILTER (WHERE c.in_numerator) / NULLIF(sum(f.value) FILTER (WHERE c.in_denominator), 0)
           * max(c.scale),
       NULL::numeric,
       min(f.reporting_units)
FROM rollup_figures AS f
JOIN rollup_rate_component AS c ON c.component_id = f.indicator_id
GROUP BY f.unit_id, c.rate_id, f.period_key
HAVING count(*) = max(c.components);

ANALYZE rollup_figures;
