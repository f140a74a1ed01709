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
- At load time, one warning: YTD_PREVIOUS_MISSING, in etl/warehouse/load.py (derive_values):
  a flow given only its year-to-date value whose previous month is neither in the warehouse
  (committed) nor among the batch's files when it loads. It tells the district what had not
  arrived; the figures do not depend on it: the rollup derives month values and year-to-date
  values from the submitted values of the current versions at every refresh
  (sql/rollup/05_district_figures.sql), so the month fills in once the previous one arrives.

Every message code, with its severity and texts, is registered in etl/quality/messages.py
(CODES), except the rules' codes, which come from reference/validation_rules.yaml;
`baocao codes` lists both."""
