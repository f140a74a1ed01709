"""Quality: every check a file goes through, and the messages they produce.

Where each kind of check lives (README, "The quality gate"):

- Structure, before the gate: can the file be read as the contract says (sheets, columns,
  codes, units, periods, duplicates): etl/intake/readers.py and etl/intake/structure.py;
  numbers in Vietnamese notation: etl/domain/numbers.py.
- The gate (etl/quality/gate.py, one call per batch, after the structural checks):
  1. Great Expectations suites: what a readable row may hold (signs, whole numbers,
     ranges, task fields and dates): expectations/*.json, run by etl/quality/expectations.py;
  2. the previous month the rules compare with (a file of the same batch, else the
     warehouse): etl/quality/history.py;
  3. consistency rules between indicators, across months and over task history:
     reference/validation_rules.yaml (formulas, severities, texts), evaluated by
     etl/quality/rules.py.
- At load time, one warning: YTD_PREVIOUS_MISSING, in etl/warehouse/load.py (derive_values).
  A flow given only its year-to-date value gets its month value from the previous month's
  year-to-date value as stored when the file loads, in the load's transaction: after the
  earlier files of the batch have loaded (with year-to-date values the loader itself
  derived from month values), and only if they loaded. The gate sees the batch's files as
  submitted, before any of them loads, so it could not tell in every case whether the
  loader will find that value; the warning stays beside the derivation it explains.

Every message code, with its severity and texts, is registered in etl/quality/messages.py
(CODES), except the rules' codes, which come from reference/validation_rules.yaml;
`baocao codes` lists both."""
