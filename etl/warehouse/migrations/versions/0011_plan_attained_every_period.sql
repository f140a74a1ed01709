-- Revision 0011. mart.indicator_rollup.plan_attained is now stated for months and halves where the
-- plan is a threshold to keep (rates, lower-is-better levels), not only for years, so reports read it
-- from the mart instead of comparing again. Rows built before hold NULL there: queue every
-- district-year so the next refresh (the rollup_marts DAG, or `baocao rollup`) fills them in.
INSERT INTO ops.rollup_queue (district_code, year)
SELECT DISTINCT district_code, year FROM core.fct_submission
ON CONFLICT DO NOTHING;
