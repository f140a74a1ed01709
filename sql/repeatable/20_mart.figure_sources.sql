-- mart.figure_sources(level, unit_code, period, indicator_code, as_of): the lineage of one figure of
-- mart.indicator_monthly / indicator_semiannual / indicator_annual (baocao explain): one row per
-- submitted cell the rollup read for it, with the sign it enters with, its file, version and cell.
-- The figure is sum(sign * value) over the rows (a rate: sum over 'numerator' rows / sum over
-- 'denominator' rows * the catalog's scale; a rate sent without its components: its one row).
-- How: the cells are those step 05 of the rollup (sql/rollup/05_district_figures.sql) reads, the
-- current versions' (as_of null) or those in force at as_of (core.submission_in_force), SUBMITTED
-- values only; its CTEs are repeated below for one unit-year, with one more partition, `basis`.
-- Basis 0 holds the values; basis k holds 1 in one sent cell and 0 in every other sent cell, nulls
-- kept. Given which cells are null, what the rollup computes is linear in the values (sums,
-- differences of years to date; the conditions read only which cells are there), so a figure
-- computed in basis k is cell k's coefficient: +1, -1, or 0 for a cell that does not count (a
-- month value superseded by a year to date). Repeating the rollup's own arithmetic, rather than
-- describing its rules again, is what keeps the sources exactly the ones used: change step 05,
-- change this. Provinces (step 06) sum their units; rates (step 07) are their components' sums over
-- the units that have every component.
-- SECURITY DEFINER so the analyst role, which cannot read raw/staging/core, sees the lineage of
-- what it may read; every name is schema-qualified and it returns no file bytes. An unknown
-- level, unit, period or indicator, or a figure the mart does not have: no rows.
-- Columns: value is in the catalog unit (raw, as typed, in submitted_unit, times conversion_factor);
-- sheet is null for a JSON file (no sheets; row_number is then the item of 'chi_tieu'); unit_value
-- and unit_complete are the unit's own figure of that indicator and whether it is complete (what
-- reporting_units counts).
CREATE FUNCTION mart.figure_sources(level text, unit_code text, period text, indicator_code text,
                                    as_of timestamptz DEFAULT NULL)
RETURNS TABLE (unit_code text, year smallint, month smallint, indicator_code text, rate_part text, role text,
               sign numeric, value numeric, raw text, submitted_unit text, conversion_factor numeric,
               value_source text, file_name text, sha256 text, received_at timestamptz, version integer,
               submission_id bigint, source_format text, sheet text, row_number integer, column_name text,
               unit_value numeric, unit_complete boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
-- Planned without the arguments' values, its estimates are huge: JIT would spend seconds compiling.
SET jit = off AS $$
WITH
figure AS (  -- the period and indicator asked for ('2024-h1' as '2024-H1')
    SELECT p.period_type, p.year, p.half, p.month AS period_month,
           CASE p.period_type WHEN 'half' THEN 90 + p.half WHEN 'year' THEN 0 END AS flow_period,
           i.indicator_code AS code, i.kind, i.numerator_codes, i.denominator_codes,
           (SELECT count(DISTINCT c) FROM unnest(i.numerator_codes || i.denominator_codes) AS c) AS components
    FROM core.dim_period AS p
    JOIN core.dim_indicator AS i ON i.is_current AND i.indicator_code = upper(btrim(figure_sources.indicator_code))
    WHERE p.period_code = upper(btrim(figure_sources.period))
),
component AS (  -- what it is made of: the indicator itself, or each part of a rate (a code in both parts twice)
    SELECT f.code, f.kind, NULL::text AS rate_part FROM figure AS f WHERE f.kind <> 'rate'
    UNION ALL
    SELECT c.code, i.kind, c.rate_part
    FROM figure AS f
    CROSS JOIN LATERAL (SELECT unnest(f.numerator_codes), 'numerator' UNION ALL
                        SELECT unnest(f.denominator_codes), 'denominator') AS c(code, rate_part)
    JOIN core.dim_indicator AS i ON i.indicator_code = c.code AND i.is_current AND i.kind <> 'rate'
    WHERE f.kind = 'rate'
),
unit AS (  -- the reporting units the figure counts (mart.district_unit, as step 02) and the months of their
           -- life in the year (step 05's rollup_life: 1 and 12 but for a unit born or ended in the year)
    SELECT du.district_code::text AS district_code,
           CASE WHEN extract(year FROM life.born) = f.year THEN extract(month FROM life.born)::int ELSE 1 END AS f,
           CASE WHEN extract(year FROM life.last_day) = f.year THEN extract(month FROM life.last_day)::int ELSE 12 END
               AS l
    FROM mart.district_unit AS du
    CROSS JOIN figure AS f
    LEFT JOIN (SELECT r.unit_code, min(r.valid_from) FILTER (WHERE r.change = 'established') AS born,
                      CASE WHEN bool_and(r.valid_to IS NOT NULL) THEN max(r.valid_to) END AS last_day
               FROM core.dim_reporting_unit AS r
               GROUP BY r.unit_code) AS life ON life.unit_code = du.district_code
    WHERE du.level = figure_sources.level AND du.unit_code = figure_sources.unit_code
),
in_force AS (  -- each unit-month's version of the year: the current one, or the one in force at as_of
    SELECT s.submission_id, s.district_code::text AS district_code, s.month
    FROM core.fct_submission AS s
    JOIN unit AS u ON u.district_code = s.district_code
    CROSS JOIN figure AS f
    WHERE figure_sources.as_of IS NULL AND s.is_current AND s.year = f.year
    UNION ALL
    SELECT s.submission_id, s.district_code, s.month
    FROM core.submission_in_force(figure_sources.as_of, ARRAY(SELECT u.district_code FROM unit AS u)) AS s
    CROSS JOIN figure AS f
    WHERE figure_sources.as_of IS NOT NULL AND s.year = f.year
),
sent AS (  -- step 05's month_figure: each unit-month's version as submitted, for the components
    SELECT u.district_code, c.code, c.kind, s.month, s.submission_id,
           CASE WHEN v.value_source = 'submitted' THEN v.value END AS value,
           CASE WHEN v.ytd_source = 'submitted' THEN v.ytd_value END AS ytd_sent,
           u.f, u.l
    FROM in_force AS s
    JOIN unit AS u ON u.district_code = s.district_code
    JOIN core.fct_indicator_value AS v ON v.submission_id = s.submission_id
    JOIN (SELECT DISTINCT code, kind FROM component) AS c ON c.code = v.indicator_code
    WHERE v.value_source = 'submitted' OR v.ytd_source = 'submitted'
),
basis AS (  -- 0: the values; m: the month value of month m; 100 + m: its year to date
    SELECT DISTINCT s.district_code, s.code, 0 AS basis FROM sent AS s
    UNION ALL
    SELECT s.district_code, s.code, s.month FROM sent AS s WHERE s.value IS NOT NULL
    UNION ALL
    SELECT s.district_code, s.code, 100 + s.month FROM sent AS s WHERE s.ytd_sent IS NOT NULL
),
-- From here to unit_figure: step 05 for one year, (unit_id, indicator_id) partitioned by basis too.
month_figure AS (
    SELECT s.district_code AS unit_id, s.code AS indicator_id, s.kind, b.basis, s.month, (s.month + 5) / 6 AS half,
           CASE WHEN b.basis = 0 THEN s.value WHEN s.value IS NOT NULL THEN (b.basis = s.month)::int END AS value,
           CASE WHEN b.basis = 0 THEN s.ytd_sent WHEN s.ytd_sent IS NOT NULL THEN (b.basis = 100 + s.month)::int END
               AS ytd_sent,
           s.f, s.l
    FROM sent AS s
    JOIN basis AS b ON b.district_code = s.district_code AND b.code = s.code
),
flow_running AS (
    SELECT unit_id, indicator_id, basis, month, value, ytd_sent, f, l,
           lag(ytd_sent) OVER (PARTITION BY unit_id, indicator_id, basis ORDER BY month) AS previous_ytd_sent,
           bool_and(value IS NOT NULL AND ytd_sent IS NOT NULL) OVER (PARTITION BY unit_id, indicator_id, basis)
               AS all_sent
    FROM month_figure
    WHERE kind = 'flow'
),
flow_sent AS (
    SELECT unit_id, indicator_id, basis, month, value, ytd_sent, f, l,
           coalesce(sum(value) OVER by_month, 0) AS sent_sum,
           count(value) OVER by_month AS sent_months,
           lead(month) OVER by_month AS next_month,
           lead(ytd_sent - value) OVER by_month AS next_ytd_before
    FROM flow_running
    WHERE NOT all_sent
    WINDOW by_month AS (PARTITION BY unit_id, indicator_id, basis ORDER BY month ROWS UNBOUNDED PRECEDING)
),
flow_anchor AS (
    SELECT r.*,
           coalesce(max(ARRAY[r.month, r.ytd_sent - r.sent_sum, r.sent_months]) FILTER (WHERE r.ytd_sent IS NOT NULL)
                        OVER (PARTITION BY r.unit_id, r.indicator_id, r.basis ORDER BY r.month
                              ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING),
                    ARRAY[r.f - 1, 0, 0]::numeric[]) AS before
    FROM flow_sent AS r
),
flow_derived AS (
    SELECT a.unit_id, a.indicator_id, a.basis, a.month,
           coalesce(a.value,
                    CASE WHEN a.sent_months - a.before[3] = a.month - 1 - a.before[1]
                         THEN a.ytd_sent - (a.before[2] + a.sent_sum) END) AS value,
           coalesce(a.ytd_sent,
                    CASE WHEN a.sent_months - a.before[3] = a.month - a.before[1] THEN a.before[2] + a.sent_sum
                         WHEN a.next_month = a.month + 1 THEN a.next_ytd_before END) AS ytd_value,
           a.f, a.l
    FROM flow_anchor AS a
),
flow_month AS (
    SELECT unit_id, indicator_id, basis, month, value, ytd_sent AS ytd_value, ytd_sent - value AS ytd_before, f, l
    FROM flow_running
    WHERE all_sent
    UNION ALL
    SELECT d.unit_id, d.indicator_id, d.basis, d.month, d.value, d.ytd_value, d.ytd_value - d.value, d.f, d.l
    FROM flow_derived AS d
),
flow_year AS (
    SELECT m.unit_id, m.indicator_id, m.basis, min(m.f) AS f, min(m.l) AS l,
           CASE WHEN min(m.f) > 6 THEN 0
                ELSE coalesce(max(m.ytd_value) FILTER (WHERE m.month = least(6, m.l)),
                              max(m.ytd_before) FILTER (WHERE m.month = 7)) END AS ytd_june,
           max(m.ytd_value) FILTER (WHERE m.month = m.l) AS ytd_december,
           sum(m.value) FILTER (WHERE m.month <= 6) AS h1_sum, count(m.value) FILTER (WHERE m.month <= 6) AS h1_months,
           sum(m.value) FILTER (WHERE m.month > 6) AS h2_sum, count(m.value) FILTER (WHERE m.month > 6) AS h2_months,
           sum(m.value) AS year_sum, count(m.value) AS year_months
    FROM flow_month AS m
    GROUP BY m.unit_id, m.indicator_id, m.basis
),
flow_period AS (
    SELECT y.unit_id, y.indicator_id, y.basis, p.period, p.value, p.complete
    FROM flow_year AS y
    CROSS JOIN LATERAL (VALUES
        (91, y.f <= 6, coalesce(y.ytd_june, y.h1_sum),
         y.ytd_june IS NOT NULL OR y.h1_months = least(6, y.l) - y.f + 1),
        (92, y.l >= 7, coalesce(y.ytd_december - y.ytd_june, y.h2_sum),
         y.ytd_june IS NOT NULL AND y.ytd_december IS NOT NULL OR y.h2_months = y.l - greatest(7, y.f) + 1),
        (0, true, coalesce(y.ytd_december, y.year_sum),
         y.ytd_december IS NOT NULL OR y.year_months = y.l - y.f + 1)
    ) AS p(period, alive, value, complete)
    WHERE p.alive AND p.value IS NOT NULL
),
point_half AS (
    SELECT DISTINCT ON (f.unit_id, f.indicator_id, f.basis, f.half) f.unit_id, f.indicator_id, f.basis, f.half,
           f.value, f.month = CASE f.kind WHEN 'stock' THEN f.half * 6 ELSE f.half * 6 - 5 END AS complete
    FROM month_figure AS f
    WHERE f.kind <> 'flow' AND f.value IS NOT NULL
      AND CASE f.kind WHEN 'stock' THEN f.l >= f.half * 6 ELSE f.f <= f.half * 6 - 5 END
    ORDER BY f.unit_id, f.indicator_id, f.basis, f.half, CASE f.kind WHEN 'stock' THEN -f.month ELSE f.month END
),
point_year AS (
    SELECT DISTINCT ON (f.unit_id, f.indicator_id, f.basis) f.unit_id, f.indicator_id, f.basis, f.value,
           f.month = CASE f.kind WHEN 'stock' THEN 12 ELSE 1 END AS complete
    FROM month_figure AS f
    WHERE f.kind <> 'flow' AND f.value IS NOT NULL
      AND CASE f.kind WHEN 'stock' THEN f.l = 12 ELSE f.f = 1 END
    ORDER BY f.unit_id, f.indicator_id, f.basis, CASE f.kind WHEN 'stock' THEN -f.month ELSE f.month END
),
unit_figure AS (  -- each unit's figure of each component for the period asked, in every basis
    SELECT m.unit_id, m.indicator_id, m.basis, m.value, true AS complete
    FROM month_figure AS m, figure AS f
    WHERE m.kind <> 'flow' AND m.value IS NOT NULL AND f.period_type = 'month' AND m.month = f.period_month
    UNION ALL
    SELECT m.unit_id, m.indicator_id, m.basis, m.value, m.value IS NOT NULL
    FROM flow_month AS m, figure AS f
    WHERE f.period_type = 'month' AND m.month = f.period_month
    UNION ALL
    SELECT p.unit_id, p.indicator_id, p.basis, p.value, p.complete
    FROM flow_period AS p, figure AS f
    WHERE p.period = f.flow_period
    UNION ALL
    SELECT p.unit_id, p.indicator_id, p.basis, p.value, p.complete
    FROM point_half AS p, figure AS f
    WHERE f.period_type = 'half' AND p.half = f.half
    UNION ALL
    SELECT p.unit_id, p.indicator_id, p.basis, p.value, p.complete
    FROM point_year AS p, figure AS f
    WHERE f.period_type = 'year'
),
rate_unit AS (  -- a rate counts the units that have every one of its components (step 07)
    SELECT u.unit_id
    FROM unit_figure AS u
    CROSS JOIN figure AS f
    WHERE u.basis = 0 AND u.value IS NOT NULL AND f.kind = 'rate'
    GROUP BY u.unit_id, f.components
    HAVING count(DISTINCT u.indicator_id) = f.components
),
made AS (  -- is there a figure: some unit has a value (steps 05-06), and for a rate every component (step 07)
    SELECT f.kind <> 'rate' AND count(u.value) > 0 OR f.kind = 'rate' AND EXISTS (SELECT 1 FROM rate_unit) AS made
    FROM figure AS f
    LEFT JOIN unit_figure AS u ON u.basis = 0
    GROUP BY f.kind, f.components
),
used AS (  -- every sent cell with a coefficient, in each part of a rate it counts in
    SELECT c.rate_part, k.unit_id, k.indicator_id, k.basis, k.value AS sign, v.value AS unit_value,
           v.complete AS unit_complete
    FROM unit_figure AS k
    JOIN unit_figure AS v ON v.unit_id = k.unit_id AND v.indicator_id = k.indicator_id AND v.basis = 0
    JOIN component AS c ON c.code = k.indicator_id
    WHERE k.basis <> 0 AND k.value <> 0 AND (SELECT made FROM made)
      AND (c.rate_part IS NULL OR k.unit_id IN (SELECT unit_id FROM rate_unit))
),
cell AS (
    SELECT u.*, s.submission_id, s.month, s.kind,
           CASE WHEN u.basis > 100 THEN 'luy_ke_nam' ELSE 'thuc_hien_thang' END AS column_name
    FROM used AS u
    JOIN sent AS s ON s.district_code = u.unit_id AND s.code = u.indicator_id AND s.month = u.basis % 100
    UNION ALL
    -- step 07: a district-month's rate sent without what makes it is kept as sent, for that month only
    SELECT NULL, s.district_code, f.code, NULL, 1, v.value, true, s.submission_id, s.month, f.kind, 'thuc_hien_thang'
    FROM figure AS f
    JOIN in_force AS s ON s.month = f.period_month
    JOIN core.fct_indicator_value AS v ON v.submission_id = s.submission_id AND v.indicator_code = f.code
    WHERE f.kind = 'rate' AND f.period_type = 'month' AND figure_sources.level IN ('district', 'commune')
      AND v.value IS NOT NULL AND NOT (SELECT made FROM made)
)
SELECT c.unit_id, sub.year, sub.month, c.indicator_id, c.rate_part,
       CASE WHEN c.kind = 'rate' THEN 'submitted rate'
            WHEN c.kind <> 'flow' AND f.period_type = 'month' THEN 'month value'
            WHEN c.kind = 'stock' THEN 'last month reported'
            WHEN c.kind = 'opening' THEN 'first month reported'
            WHEN c.column_name = 'thuc_hien_thang' AND c.sign > 0 THEN 'month value'
            WHEN c.column_name = 'thuc_hien_thang' THEN 'month value (subtracted)'
            WHEN c.sign > 0 THEN 'year to date'
            ELSE 'previous year to date (subtracted)' END,
       c.sign,
       CASE c.column_name WHEN 'luy_ke_nam' THEN v.ytd_value ELSE v.value END,
       CASE c.column_name WHEN 'luy_ke_nam' THEN r.luy_ke_nam_raw ELSE r.thuc_hien_thang_raw END,
       v.submitted_unit, v.conversion_factor,
       CASE c.column_name WHEN 'luy_ke_nam' THEN v.ytd_source ELSE v.value_source END,
       file.file_name, file.sha256::text, sub.received_at, sub.version, sub.submission_id, sub.source_format,
       CASE WHEN sub.source_format <> 'json' THEN 'chi_tieu' END,  -- etl.domain.contract.INDICATOR_SHEET; JSON has none
       v.source_row, c.column_name, c.unit_value, c.unit_complete
-- Each cell's details looked up by key (LIMIT 1 keeps the planner from hashing every value of the
-- warehouse: its estimate of the cells, planned without the arguments' values, is millions).
FROM cell AS c
CROSS JOIN figure AS f
CROSS JOIN LATERAL (SELECT * FROM core.fct_submission AS s WHERE s.submission_id = c.submission_id LIMIT 1) AS sub
CROSS JOIN LATERAL (SELECT * FROM core.fct_indicator_value AS x
                    WHERE x.submission_id = c.submission_id AND x.indicator_code = c.indicator_id LIMIT 1) AS v
CROSS JOIN LATERAL (SELECT x.file_name, x.sha256 FROM raw.file AS x  -- name and hash only: never its content
                    WHERE x.file_id = sub.file_id LIMIT 1) AS file
LEFT JOIN LATERAL (SELECT x.luy_ke_nam_raw, x.thuc_hien_thang_raw FROM staging.stg_indicator_row AS x
                   WHERE x.file_id = sub.file_id AND x.row_number = v.source_row LIMIT 1) AS r ON true
ORDER BY CASE c.rate_part WHEN 'numerator' THEN 1 WHEN 'denominator' THEN 2 ELSE 0 END, c.indicator_id, c.unit_id,
         sub.month, c.column_name DESC
$$;
REVOKE ALL ON FUNCTION mart.figure_sources(text, text, text, text, timestamptz) FROM PUBLIC;
COMMENT ON FUNCTION mart.figure_sources(text, text, text, text, timestamptz) IS
    'Nguồn của một số liệu: từng ô đã nộp mà số liệu được tính từ, với dấu, tệp, phiên bản, dòng và cột / the lineage of one mart figure: every submitted cell it was computed from, with its sign, file, version, row and column';
