-- core.dim_task_lookup: every version of a district's task, found by its code (the partial
-- unique index finds only the current one); loads match a late correction's rows to the
-- version they describe through it.
CREATE INDEX dim_task_lookup ON core.dim_task (district_code, ma_nhiem_vu);
